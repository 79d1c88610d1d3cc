"""Teacher stack: video decoding, the pose teacher (a registered person finder + top-down pose
estimator, tracked and with the athlete selected), per-video extraction of the VPD pose files,
PoseDataset pickles and evaluation against SynthSport GT and real annotated images
(``tools/extract_poses.py``, ``tools/analysis/eval_teacher.py``, ``tools/rank_teachers.py``).

Pose teachers shipped (``configs/teachers/``): ``blazepose-full_coco17.py`` (MediaPipe BlazePose-full,
real weights, offline; the default for real video) and ``rtmdet-nano_rtmpose-t_synthsport.py`` (mmdet +
mmpose models trained on SynthSport by this project). mmdet, mmpose and mediapipe are imported only
when a model is built.
"""
from .batch import extract_poses
from .blazepose_estimator import BlazePoseEstimator
from .blazepose_person_finder import BlazePosePersonFinder
from .evaluate import evaluate_teacher, evaluate_video, format_report, frame_types
from .extract import ExtractOptions, SkipVideo, estimate_poses, extract_video
from .inference import BatchedDetector, BatchedPoseEstimator, load_config
from .pose_dataset import athlete_pose_array, build_pose_datasets, write_pose_datasets
from .pose_teacher import PoseTeacher, build_pose_teacher, load_teacher_config
from .random_init import save_random_checkpoint, strip_pretrained
from .registry import PERSON_FINDERS, POSE_ESTIMATORS
from .video import VideoDecodeError, VideoFrames, VideoInfo, iter_frames, list_videos, probe_video

__all__ = [
    'extract_poses', 'extract_video', 'ExtractOptions', 'SkipVideo', 'estimate_poses', 'BatchedDetector',
    'BatchedPoseEstimator', 'BlazePoseEstimator', 'BlazePosePersonFinder', 'PoseTeacher', 'build_pose_teacher',
    'load_teacher_config', 'PERSON_FINDERS', 'POSE_ESTIMATORS', 'load_config', 'build_pose_datasets',
    'write_pose_datasets', 'athlete_pose_array', 'evaluate_teacher', 'evaluate_video', 'format_report',
    'frame_types', 'save_random_checkpoint', 'strip_pretrained', 'VideoDecodeError', 'VideoFrames', 'VideoInfo',
    'iter_frames', 'list_videos', 'probe_video'
]
