from . import transforms  # noqa: F401
from .feature_sequence_dataset import FeatureSequenceDataset  # noqa: F401
from .feature_video_dataset import FeatureVideoDataset  # noqa: F401
from .pose3d_dataset import Pose3DDataset  # noqa: F401
