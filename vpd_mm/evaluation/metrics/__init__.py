from .temporal_detection_metric import TemporalDetectionMetric  # noqa: F401
from .vipe_val_loss import VIPEValLoss  # noqa: F401
from .dtw_retrieval_metric import DTWRetrievalMetric  # noqa: F401
from .distillation_val_loss import DistillationValLoss  # noqa: F401
