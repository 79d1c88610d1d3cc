#!/usr/bin/env bash
# Run one Python script as a slurm job step: srun starts GPUS tasks, GPUS_PER_NODE per node, each running
# SCRIPT with ARGS (give the script --launcher slurm so that mmengine / vpd_mm read SLURM_PROCID etc.).
# tools/slurm_train.sh and tools/slurm_extract.sh are this with tools/train.py or an extraction tool.
# Usage: [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#            bash tools/slurm_run.sh PARTITION JOB_NAME SCRIPT [ARGS]
# GPUS_PER_NODE=0: CPU nodes (no --gres; TASKS_PER_NODE tasks a node, default 1).
# SRUN=echo prints the srun command instead of running it; PYTHON (default python) is the interpreter.
set -euo pipefail
if [ $# -lt 3 ]; then
    echo "usage: bash tools/slurm_run.sh PARTITION JOB_NAME SCRIPT [ARGS]" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
SCRIPT=$3
shift 3
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-""}
SRUN=${SRUN:-srun}
PYTHON=${PYTHON:-python}
if [ "$GPUS_PER_NODE" -gt 0 ]; then
    PER_NODE=(--gres=gpu:"$GPUS_PER_NODE" --ntasks-per-node="$GPUS_PER_NODE")
else
    PER_NODE=(--ntasks-per-node="${TASKS_PER_NODE:-1}")
fi
DIR="$(cd "$(dirname "$0")" && pwd)"
# shellcheck disable=SC2086  # SRUN_ARGS holds several options
PYTHONPATH="$DIR/..:${PYTHONPATH:-}" exec $SRUN -p "$PARTITION" --job-name="$JOB_NAME" \
    "${PER_NODE[@]}" --ntasks="$GPUS" --cpus-per-task="$CPUS_PER_TASK" --kill-on-bad-exit=1 $SRUN_ARGS \
    "$PYTHON" -u "$SCRIPT" "$@"
