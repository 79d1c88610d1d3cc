from . import transforms  # noqa: F401
from .feature_sequence_dataset import FeatureSequenceDataset  # noqa: F401
from .feature_video_dataset import FeatureVideoDataset  # noqa: F401
from .pose3d_dataset import Pose3DDataset  # noqa: F401
from .epoch_subset_sampler import EpochSubsetSampler  # noqa: F401
from .flow_augmented_crop_dataset import FlowAugmentedCropDataset  # noqa: F401
