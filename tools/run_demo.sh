#!/usr/bin/env bash
# THE main job: installs whatever is missing (cached environment, see tools/setup_env.sh), then runs
# VPD end to end on SynthSport mini (tools/run_vpd.py, configs/pipeline/vpd_synthsport-mini.py):
# generate videos -> detect / track / pose with the project's teachers -> crops + flow -> VIPE* and
# 2D teacher features -> distil the students -> student features -> few-shot recognition, retrieval
# and detection, teacher vs student vs ST-GCN -> report (work_dirs/vpd_synthsport-mini/report/).
# Up-to-date stages are skipped; killed stages resume. Arguments go to tools/run_vpd.py, e.g.
#   bash tools/run_demo.sh --quick                 (the few-minute variant the tests run)
#   bash tools/run_demo.sh --data-root DIR --cfg-options generate=None   (your DIR/videos/*.mp4)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV="$(bash "$ROOT/tools/setup_env.sh" | tail -n 1)"
cd "$ROOT"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export MPLBACKEND=Agg
exec "$ENV/bin/python" tools/run_vpd.py "$@"
