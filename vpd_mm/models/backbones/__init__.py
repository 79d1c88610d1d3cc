from .jmrn import JMRN, JMRNOutput  # noqa: F401
from .potion import PoTionNet  # noqa: F401
from .bigru import BiGRU  # noqa: F401
from .vipe_star import VIPEStarEncoder  # noqa: F401
from .student_resnet import StudentResNet  # noqa: F401
