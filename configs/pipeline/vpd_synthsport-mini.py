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

downstream = dict(
    recognition_config='configs/recognition/bigru_synthsport-mini_gt-joints.py',
    detection_config='configs/detection/bigru-det_synthsport-mini_gt-joints.py',
    features=['teacher_2d', 'vpd_2d', 'teacher_vipe', 'vpd_vi'],
    # DTW retrieval: every labelled action (train, val and test) ranks all the others, as the paper's
    # code pools them; 'test' = the test actions rank each other
    retrieval_pool='all',
    # Recognition cross-validated by video (tools/crossval.py): the 12 videos in 4 folds, so every labelled
    # action is a test action once (72, less those the teacher never saw: one action = 1.4-1.5 points),
    # classified by NNS-DTW against the actions of the other folds' videos; 95 % intervals, each student
    # against its teacher (paired), and whether that agrees with the standard run (`reference`). BiGRU
    # recognition ('bigru' in methods; workers: trainings at a time) and temporal detection
    # (tools/detect.py --cross-validate) cost minutes each on 2 cores and are left to the larger jobs.
    crossval=dict(folds=4, methods=['nns'], workers=2,
                  reference='student: SynthSport standard (students distilled 24x longer), docs/results.md'),
    detection=None,
)
