# VPD on real labelled workout video (40 filmed exercise clips: push-ups, pull-ups, squats, dips, with
# per-frame repetition markers; ../shared/data/workout_videos, read in place, never copied):
#   bash tools/run_demo.sh configs/pipeline/vpd_workout.py --data-root ../shared/data/workout_videos
# prepare (links + evaluation protocol in WORK_DIR/data) -> real pose teacher (BlazePose-full) -> crops
# + flow -> teacher features (2D joints, VIPE*) -> 2D-VPD and VI-VPD students distilled on every frame
# of the clips (unlabelled; frames gated on the teacher's keypoint confidence) -> student features ->
# leave-one-out NNS and retrieval, few-shot NNS + BiGRU (k = 1, 2, 4 clips per class, 5 subsets),
# repetition counting (periodicity, no training; per-frame BiGRU boundary spotting, 5-fold over clips),
# teacher vs student -> report (WORK_DIR/report/report.html).
_base_ = ['./vpd_synthsport-mini.py']

data_root = '../shared/data/workout_videos'  # videos/<class>/*.mp4 + labels/<class>/*.csv (its README)
generate = None
# tools/prepare_workout.py writes this job's data root (out_root; None = WORK_DIR/data): links to the
# videos, annotations/ (clips, few-shot subsets, splits, repetition markers) and dataset.json
prepare = dict(
    tool='tools/prepare_workout.py',
    out_root=None,
    args=['--max-frames', 300, '--k', 1, 2, 4, '--trials', 5, '--seed', 0])
work_dir = 'work_dirs/vpd_workout'

teachers = dict(pose_teacher='configs/teachers/blazepose-full_coco17.py', workers=2)
crops = dict(crop_size=64, flow='dis', workers=2)
# students: the base's 2D-VPD (gate: mean keypoint score >= 0.5) and VI-VPD, at 64 px

downstream = None  # the SynthSport suite; this job's evaluation is `workout`
workout = dict(
    features=['teacher_2d', 'vpd_2d', 'teacher_vipe', 'vpd_vi'],
    pairs=dict(vpd_2d='teacher_2d', vpd_vi='teacher_vipe'),  # student = teacher rows compared
    tasks=['nns', 'fewshot', 'fewshot_bigru', 'count', 'spot'],
    recognition_config='configs/recognition/bigru_workout.py',  # few-shot BiGRU
    spotting_config='configs/detection/bigru-spot_workout-reps.py',  # per-frame boundary BiGRU
    step_pattern='symmetric2',
    folds=5,
    workers=2)  # BiGRU trainings at a time, one single-threaded process each
