# The main job (README's first command): VPD end to end on SynthSport mini with the project's own
# teachers, on 2 CPU cores.
#   python tools/run_vpd.py configs/pipeline/vpd_synthsport-mini.py        (bash tools/run_demo.sh)
# Stages whose inputs did not change are skipped; every stage resumes where it was killed.
# On your own videos: set data_root to a folder holding videos/ (generate=None); without
# SynthSport-style annotations the job stops after writing the student's features.
data_root = 'data/synthsport_mini'
generate = dict(size='mini')  # tools/make_synthsport.py preset, or None for a folder of user videos
work_dir = 'work_dirs/vpd_synthsport-mini'
device = 'cpu'

teachers = dict(
    # the pose teacher (configs/teachers/): person finder + top-down pose estimator; real video:
    # 'configs/teachers/blazepose-full_coco17.py'
    pose_teacher='configs/teachers/rtmdet-nano_rtmpose-t_synthsport.py',
    vipe_config='configs/vipe/vipe-star_synthsport-3d.py',
    vipe_checkpoint='checkpoints/teachers/vipe-star_synthsport-3d.pth',
    workers=2,  # videos processed at a time by tools/extract_poses.py (one single-threaded process each)
    extra_args=[])
crops = dict(crop_size=64, flow='dis', workers=2)

# Student configs (configs/vpd/), keyed by the teacher features they distil. Their crop_root /
# teacher_dirs are pointed at this job's outputs; a student's crop_size (pixels; default crops.crop_size)
# gets its own crop set, DATA_ROOT/crops_<size>px.
students = dict(
    # the paper's 0.5 gate on the pose estimator's mean keypoint score (the 2D demo config's 0.4 is for GT)
    vpd_2d=dict(config='configs/vpd/2d-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py', teacher='teacher_2d',
                min_kp_score=0.5),
    vpd_vi=dict(config='configs/vpd/vi-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py', teacher='teacher_vipe'),
)

# SynthSport's 16 elements grouped by body shape for the demo's scoring: 4 classes of 18 actions each in
# SynthSport mini, enough per class for 12 videos to tell methods apart (the standard job scores all 16).
_shapes = dict(
    tuck=['front_tuck_1s', 'front_tuck_2s', 'back_tuck_1s', 'back_tuck_2s'],
    pike=['front_pike_1s', 'front_pike_2s', 'back_pike_1s', 'back_pike_2s'],
    straight=['front_straight_1s', 'front_straight_2s', 'back_straight_1s', 'back_straight_2s'],
    twisting=['front_straight_1s_1t', 'front_straight_1s_2t', 'back_straight_1s_1t', 'back_straight_1s_2t'])

downstream = dict(
    recognition_config='configs/recognition/bigru_synthsport-mini_gt-joints.py',
    detection_config='configs/detection/bigru-det_synthsport-mini_gt-joints.py',
    features=['teacher_2d', 'vpd_2d', 'teacher_vipe', 'vpd_vi'],
    # DTW retrieval: every labelled action (train, val and test) ranks all the others, as the paper's
    # code pools them; 'test' = the test actions rank each other
    retrieval_pool='all',
    # Recognition cross-validated by video (tools/crossval.py): the 12 videos in 4 folds, so every one of
    # the 72 actions is a test action once (one action = 1.4 points), classified by NNS-DTW and by a BiGRU
    # that never saw its video; 95 % intervals, each student against its teacher (paired), and whether that
    # agrees with the standard run's outcome (`reference`). workers: BiGRU trainings at a time.
    crossval=dict(folds=4, methods=['nns', 'bigru'], epochs=100, max_iters=300, class_groups=_shapes, workers=2,
                  reference='student: SynthSport standard, 16 classes, docs/results.md'),
    # Temporal detection cross-validated the same way (every video detected by the model of its fold;
    # tools/detect.py --cross-validate), AP with a 95 % interval over the videos.
    detection=dict(folds=4, cross_validate=True, iters=None, features=['teacher_vipe', 'vpd_vi'], workers=2),
)
