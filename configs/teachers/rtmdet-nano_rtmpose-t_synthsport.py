# The project's SynthSport-trained teacher: RTMDet-nano person detector + RTMPose-t (mmdet + mmpose),
# trained with configs/teachers/rtmdet-nano_synthsport-generic.py and rtmpose-t_synthsport-generic.py.
# The default teacher of the SynthSport jobs; it has never seen a real person (docs/teachers.md):
# use configs/teachers/blazepose-full_coco17.py on real video.
# Any mmdet / mmpose config + checkpoint pair can replace these two.
person_finder = dict(
    type='MMDetPersonFinder',
    config='configs/teachers/rtmdet-nano_synthsport-generic.py',
    checkpoint='checkpoints/teachers/rtmdet-nano_synthsport-generic.pth',
    score_thr=0.1,
    max_per_frame=10,
    batch_size=8)
pose_estimator = dict(
    type='MMPoseEstimator',
    config='configs/teachers/rtmpose-t_synthsport-generic.py',
    checkpoint='checkpoints/teachers/rtmpose-t_synthsport-generic.pth',
    batch_size=32)
tracker = dict(type='SortTracker')
athlete_selector = dict(type='HeuristicAthleteSelector')
extract = dict(det_interval=1, refine_iou=0.9, pose_score_thr=0.3, det_batch_size=8, pose_batch_size=32)
