from .inferencer import VPDInferencer
from .runner_cfg import ensure_plugin_hooks, merge_train_args

__all__ = ['VPDInferencer', 'ensure_plugin_hooks', 'merge_train_args']
