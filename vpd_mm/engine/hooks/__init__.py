from .plain_checkpoint_hook import PlainCheckpointHook
from .resume_randomness_hook import ResumeRandomnessHook

__all__ = ['PlainCheckpointHook', 'ResumeRandomnessHook']
