#!/usr/bin/env bash
# Reproduce docs/vipe_real.md: VIPE* trained on SynthSport's 3D corpus alone and on SynthSport + MSR
# Action3D, then judged on JHMDB GT 2D joints (3 splits) and on MSR's held-out subjects.
#
#   bash tools/analysis/run_vipe_real.sh [WORK_DIR]        (default work_dirs/vipe_real)
#
# Steps (each skipped when its output exists, so a re-run resumes):
#   1. SynthSport's 3D corpus alone (400 sequences, seed 0: the corpus of `--size standard`);
#   2. the two trainings with the same schedule, side by side (tools/train.py; EPOCHS, default 8, of 10,000
#      frames; logs in WORK_DIR/train_*.log);
#   3. tools/analysis/eval_vipe_real.py: JHMDB NNS / retrieval / few-shot, MSR held-out view invariance and
#      cross-view recognition; writes WORK_DIR/results.{json,md} and the tables of docs/vipe_real.md.
# Needs ../shared/data/{msr_action3d,jhmdb_gt} (research data, read in place).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
WORK="${1:-work_dirs/vipe_real}"
EPOCHS="${EPOCHS:-8}"
ENV="$(bash tools/setup_env.sh | tail -n 1)"
PY="$ENV/bin/python"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" MPLBACKEND=Agg OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
CORPUS=data/synthsport_corpus400
MSR=../shared/data/msr_action3d/MSRAction3DSkeletonReal3D
MSR_VAL='_s(09|10)_'

if [ ! -f "$CORPUS/pose3d_corpus/index.json" ]; then
    "$PY" tools/make_synthsport.py --size custom --videos 1 --elements-per-video 1 --generic-images 0 \
        --corpus 400 -o "$CORPUS"
fi

train() {  # NAME CONFIG [cfg-options...]: train unless the last epoch's checkpoint exists
    local name="$1" config="$2"
    shift 2
    if [ ! -f "$WORK/train_$name/epoch_$EPOCHS.pth" ]; then
        "$PY" tools/train.py "$config" --work-dir "$WORK/train_$name" --resume \
            --cfg-options train_cfg.max_epochs="$EPOCHS" "$@" >"$WORK/train_$name.log" 2>&1
    fi
}
best() {  # NAME: the kept (best) checkpoint of a training
    ls "$WORK/train_$1"/best_vipe_objective_epoch_*.pth | head -n 1
}
# The two trainings are independent and single-threaded: side by side they use both cores.
mkdir -p "$WORK"
train synth configs/vipe/vipe-star_synthsport-3d.py \
    "train_dataloader.dataset.sources.0.root=$CORPUS/pose3d_corpus" \
    "val_dataloader.dataset.sources.0.root=$CORPUS/pose3d_corpus" &
SYNTH_PID=$!
train synth+msr configs/vipe/vipe-star_synthsport+msr.py \
    "train_dataloader.dataset.datasets.0.sources.0.root=$CORPUS/pose3d_corpus" \
    "val_dataloader.dataset.datasets.0.sources.0.root=$CORPUS/pose3d_corpus" &
BOTH_PID=$!
wait "$SYNTH_PID" || { echo "run_vipe_real.sh: training synth failed, see $WORK/train_synth.log" >&2; exit 1; }
wait "$BOTH_PID" || { echo "run_vipe_real.sh: training synth+msr failed, see $WORK/train_synth+msr.log" >&2; exit 1; }
SYNTH=$(best synth)
BOTH=$(best synth+msr)

"$PY" tools/analysis/eval_vipe_real.py --vipe "synth=$SYNTH" "synth+msr=$BOTH" --msr "$MSR" --msr-val-regex "$MSR_VAL" \
    --retrieval-pool test --k 1 3 5 --trials "${TRIALS:-2}" --workers "${WORKERS:-2}" -o "$WORK" --update-doc docs/vipe_real.md
