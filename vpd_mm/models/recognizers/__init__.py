from .jmrn_recognizer import JMRNRecognizer  # noqa: F401
from .feature_sequence_recognizer import FeatureSequenceRecognizer  # noqa: F401
from .frame_bigru_detector import FrameBiGRUDetector  # noqa: F401
from .vipe_star import VIPEStar  # noqa: F401
from .pose_distillation_recognizer import PoseDistillationRecognizer  # noqa: F401
