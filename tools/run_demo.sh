#!/usr/bin/env bash
# THE main job: installs whatever is missing (cached environment, see tools/setup_env.sh), then runs
# the bundled demo. Until the end-to-end VPD pipeline lands, the demo generates DemoActions and
# trains + tests the two mmaction2 baselines (ST-GCN on 2D skeletons, TSN on RGB video) on it.
# Outputs go to ${VPD_MM_WORK:-work_dirs/demo}; finished stages are skipped on a second run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV="$(bash "$ROOT/tools/setup_env.sh" | tail -n 1)"
cd "$ROOT"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"
export MPLBACKEND=Agg
PY="$ENV/bin/python"
WORK="${VPD_MM_WORK:-work_dirs/demo}"
DATA=data/demo_actions  # the path the baseline configs read

if [ ! -f "$DATA/demo_actions_2d.pkl" ]; then
  "$PY" tools/make_demo_actions.py -o "$DATA"
fi
for cfg in configs/baselines/stgcn_joint_demo-actions-2d.py configs/baselines/tsn_r18_demo-actions-rgb.py; do
  name="$(basename "$cfg" .py)"
  opts=(--work-dir "$WORK/$name")
  # --resume continues an interrupted run; a finished one resumes at its last epoch and stops at once.
  echo "== train $name"
  "$PY" tools/train.py "$cfg" "${opts[@]}" --resume
  echo "== test $name"
  "$PY" tools/test.py "$cfg" "$(cat "$WORK/$name/last_checkpoint")" --work-dir "$WORK/$name" \
    --dump "$WORK/$name/test_results.pkl"
done
