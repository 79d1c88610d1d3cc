"""Keep mmengine checkpoints loadable with ``torch.load(weights_only=True)``."""
from typing import Any

import numpy as np
from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer

_MARK = '__vpd_mm_history_buffer__'


def _to_plain(value: Any) -> Any:
    """Turn numpy scalars into Python numbers (recursively in dicts/lists/tuples)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return type(value)((k, _to_plain(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return type(value)(_to_plain(v) for v in value)
    return value


@HOOKS.register_module()
class PlainCheckpointHook(Hook):
    """Store the message hub of a checkpoint as plain data, and rebuild it on load.

    mmengine 0.10.7 pickles :class:`mmengine.logging.HistoryBuffer` objects (which reference their
    statistic methods through ``builtins.getattr``) into every training checkpoint. torch >= 2.6 loads
    checkpoints with ``weights_only=True`` and refuses them; allow-listing ``getattr`` would reopen
    the code-execution hole the check closes. This hook writes each buffer as a dict of lists before
    the checkpoint is saved and turns it back into a ``HistoryBuffer`` after a checkpoint is loaded
    (``--resume`` and ``tools/test.py``), so checkpoints hold only tensors, Python containers and
    numpy arrays (the latter allow-listed by :mod:`vpd_mm.compat`).

    It is part of ``configs/_base_/vpd_runtime.py`` and is added by ``tools/train.py`` when missing.
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        hub = checkpoint.get('message_hub')
        if not isinstance(hub, dict):
            return
        scalars = hub.get('log_scalars', {})
        for key, buf in list(scalars.items()):
            if isinstance(buf, HistoryBuffer):
                log, count = buf.data
                scalars[key] = {
                    _MARK: True,
                    'log_history': np.asarray(log).tolist(),
                    'count_history': np.asarray(count).tolist(),
                    'max_length': int(buf.max_length),
                }
        if 'runtime_info' in hub:
            hub['runtime_info'] = _to_plain(hub['runtime_info'])
        if 'meta' in checkpoint:
            checkpoint['meta'] = _to_plain(checkpoint['meta'])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        hub = checkpoint.get('message_hub')
        if not isinstance(hub, dict):
            return
        scalars = hub.get('log_scalars', {})
        for key, buf in list(scalars.items()):
            if isinstance(buf, dict) and buf.get(_MARK):
                scalars[key] = HistoryBuffer(buf['log_history'], buf['count_history'], buf['max_length'])
