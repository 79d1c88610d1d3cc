from .feature_sequence_preprocessor import FeatureSequenceDataPreprocessor  # noqa: F401
from .flow_crop_preprocessor import FlowCropDataPreprocessor  # noqa: F401
