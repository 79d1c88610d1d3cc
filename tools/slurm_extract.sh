#!/usr/bin/env bash
# Slurm extraction: srun starts GPUS tasks of one per-video tool; each task (rank) takes every
# GPUS-th video of the sorted list, rank 0 writes the index / summary once all are done (the srun
# command is tools/slurm_run.sh's).
# TOOL: extract_poses | extract_crops | apply_vipe | apply_vpd (or a path to a tool that takes
# --launcher).
# Usage: [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#            bash tools/slurm_extract.sh PARTITION JOB_NAME TOOL [tool arguments]
#   e.g. GPUS=16 bash tools/slurm_extract.sh gpu vipe apply_vipe data/teacher/pose VIPE.pth \
#            -o data/features/teacher_vipe --device cuda
#        GPUS=32 GPUS_PER_NODE=0 TASKS_PER_NODE=16 CPUS_PER_TASK=1 \
#            bash tools/slurm_extract.sh cpu crops extract_crops data/videos data/teacher/pose -o data/crops --resume
# GPUS_PER_NODE=0: CPU nodes (no --gres; TASKS_PER_NODE tasks a node, default 1).
# SRUN=echo prints the srun command instead of running it; PYTHON (default python) is the interpreter.
set -euo pipefail
PARTITION=$1
JOB_NAME=$2
TOOL=$3
shift 3
DIR="$(cd "$(dirname "$0")" && pwd)"
case "$TOOL" in
    extract_poses|extract_crops|apply_vipe|apply_vpd) SCRIPT="$DIR/$TOOL.py" ;;
    *.py) SCRIPT="$TOOL" ;;
    *) echo "slurm_extract.sh: unknown tool '$TOOL' (extract_poses, extract_crops, apply_vipe, apply_vpd)" >&2
       exit 2 ;;
esac
if [ ! -f "$SCRIPT" ]; then
    echo "slurm_extract.sh: $SCRIPT not found" >&2
    exit 2
fi
exec bash "$DIR/slurm_run.sh" "$PARTITION" "$JOB_NAME" "$SCRIPT" "$@" --launcher slurm
