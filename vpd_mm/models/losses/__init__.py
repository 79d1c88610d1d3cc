from .joint_contrastive_loss import JointContrastiveLoss, supervised_contrastive_loss  # noqa: F401
from .vipe_losses import VIPEContrastiveLoss, VIPEReconstructionLoss  # noqa: F401
