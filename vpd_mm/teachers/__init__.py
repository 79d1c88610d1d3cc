"""Teacher stack: video decoding, batched mmdet/mmpose inference, per-video extraction of the VPD
pose files, PoseDataset pickles and evaluation against SynthSport GT (``tools/extract_poses.py``,
``tools/eval_teacher.py``). mmdet and mmpose are imported only when a model is built.
"""
from .batch import extract_poses
from .evaluate import evaluate_teacher, evaluate_video, format_report, frame_types
from .extract import ExtractOptions, SkipVideo, estimate_poses, extract_video
from .inference import BatchedDetector, BatchedPoseEstimator, load_config
from .pose_dataset import athlete_pose_array, build_pose_datasets, write_pose_datasets
from .random_init import save_random_checkpoint, strip_pretrained
from .video import VideoDecodeError, VideoFrames, VideoInfo, iter_frames, list_videos, probe_video

__all__ = [
    'extract_poses', 'extract_video', 'ExtractOptions', 'SkipVideo', 'estimate_poses', 'BatchedDetector',
    'BatchedPoseEstimator', 'load_config', 'build_pose_datasets', 'write_pose_datasets', 'athlete_pose_array',
    'evaluate_teacher', 'evaluate_video', 'format_report', 'frame_types', 'save_random_checkpoint',
    'strip_pretrained', 'VideoDecodeError', 'VideoFrames', 'VideoInfo', 'iter_frames', 'list_videos',
    'probe_video'
]
