#!/usr/bin/env bash
# Distributed testing through torch.distributed.run + mmengine's launcher (--launcher pytorch): every
# process tests its share of the samples, rank 0 gathers them in dataset order and computes the metrics.
# NCCL on GPUs, gloo without CUDA.
# Usage: bash tools/dist_test.sh CONFIG CHECKPOINT NPROC [tools/test.py options]
# PYTHON (default python) is the interpreter of the environment.
set -euo pipefail
CONFIG=$1
CHECKPOINT=$2
GPUS=$3
shift 3
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
PYTHON=${PYTHON:-python}
DIR="$(cd "$(dirname "$0")" && pwd)"
PYTHONPATH="$DIR/..:${PYTHONPATH:-}" exec "$PYTHON" -m torch.distributed.run \
    --nnodes="$NNODES" --node_rank="$NODE_RANK" --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$GPUS" --master_port="$PORT" \
    "$DIR/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "$@"
