#!/usr/bin/env bash
# Slurm training (mmaction2's convention): srun starts GPUS tasks, GPUS_PER_NODE per node, and
# tools/train.py joins them through mmengine's slurm launcher (SLURM_PROCID, SLURM_NTASKS, ...);
# the srun command is tools/slurm_run.sh's.
# Usage: [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#            bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG [tools/train.py options]
# GPUS_PER_NODE=0: CPU nodes (no --gres; TASKS_PER_NODE tasks a node, default 1).
# SRUN=echo prints the srun command instead of running it; PYTHON (default python) is the interpreter.
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
shift 3
DIR="$(cd "$(dirname "$0")" && pwd)"
exec bash "$DIR/slurm_run.sh" "$PARTITION" "$JOB_NAME" "$DIR/train.py" "$CONFIG" --launcher slurm "$@"
