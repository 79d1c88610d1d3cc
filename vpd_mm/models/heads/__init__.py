from .jmrn_head import JMRNHead  # noqa: F401
from .bigru_head import BiGRUHead  # noqa: F401
from .frame_binary_head import FrameBinaryHead  # noqa: F401
from .vipe_star_head import VIPEStarHead  # noqa: F401
from .motion_decoder_head import MotionDecoderHead  # noqa: F401
