"""Keep mmengine checkpoints loadable with ``torch.load(weights_only=True)``."""
import glob
import os.path as osp
from typing import Any, Optional

import numpy as np
import torch
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
        """Replace the checkpoint's ``HistoryBuffer`` log scalars by plain data, in place.

        Each buffer in ``message_hub['log_scalars']`` becomes a marked dict of its log history, count history
        and max length; numpy scalars in ``message_hub['runtime_info']`` and ``meta`` become Python numbers.
        """
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
        """Turn the marked dicts of ``message_hub['log_scalars']`` back into ``HistoryBuffer`` objects.

        Then take over a best checkpoint that a killed run wrote after this one (:func:`adopt_later_best`).
        """
        hub = checkpoint.get('message_hub')
        if not isinstance(hub, dict):
            return
        scalars = hub.get('log_scalars', {})
        for key, buf in list(scalars.items()):
            if isinstance(buf, dict) and buf.get(_MARK):
                scalars[key] = HistoryBuffer(buf['log_history'], buf['count_history'], buf['max_length'])
        adopt_later_best(getattr(runner, 'work_dir', None), checkpoint)


def adopt_later_best(work_dir: Optional[str], checkpoint: dict) -> None:
    """On resume, take over the best checkpoint a killed run wrote after the one resumed from.

    mmengine saves ``epoch_N.pth`` after training epoch N and ``best_*_epoch_N.pth`` after validating
    it. A run killed between the two resumes from ``epoch_N.pth``, whose record of the best
    checkpoint is older, and never validates epoch N again: its CheckpointHook would keep the stale
    best score and leave ``best_*_epoch_N.pth`` behind. The later best file's record (score and
    path) is copied into the resumed checkpoint's ``runtime_info``, so the run goes on exactly as
    the uninterrupted one would.
    """
    meta = checkpoint.get('meta') or {}
    info = (checkpoint.get('message_hub') or {}).get('runtime_info')
    if not work_dir or not isinstance(info, dict) or 'epoch' not in meta or not osp.isdir(work_dir):
        return
    step_key = 'epoch' if meta.get('epoch', 0) else 'iter'
    recorded = {v for k, v in info.items() if k.startswith('best_ckpt')}
    for path in sorted(glob.glob(osp.join(work_dir, 'best_*.pth'))):
        if path in recorded:
            continue
        try:
            later = torch.load(path, map_location='cpu', weights_only=True)
        except Exception:  # noqa: BLE001 - a damaged best file is not adopted
            continue
        later_info = (later.get('message_hub') or {}).get('runtime_info') or {}
        if (later.get('meta') or {}).get(step_key, -1) >= meta.get(step_key, 0) and \
                path in {v for k, v in later_info.items() if k.startswith('best_ckpt')}:
            info.update({k: v for k, v in later_info.items() if k.startswith(('best_score', 'best_ckpt'))})
