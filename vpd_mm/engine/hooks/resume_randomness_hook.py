"""Make a resumed training draw the same random numbers as an uninterrupted one."""
import random

import numpy as np
import torch
from mmaction.registry import HOOKS
from mmengine.hooks import Hook

STATE_KEY = 'rng_state'


def _snapshot() -> dict:
    return dict(random=list(random.getstate()), numpy=list(np.random.get_state()), torch=torch.get_rng_state(),
                cuda=torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [])


def _restore(state: dict) -> None:
    version, internal, gauss = state['random']
    random.setstate((version, tuple(internal), gauss))
    np.random.set_state(tuple(state['numpy']))
    torch.set_rng_state(state['torch'])
    if state.get('cuda') and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


@HOOKS.register_module()
class ResumeRandomnessHook(Hook):
    """Store the random generators in every checkpoint and restore them on ``--resume``.

    mmengine's checkpoints restore the weights, the optimizer, the schedules and the sampler's order,
    but not the state of the ``random`` / numpy / torch generators that augmentations, dropout and the
    data loader's worker seeds draw from: a killed training resumed from its last checkpoint would train
    the remaining epochs on other random numbers than the uninterrupted run. This hook

    * writes the generators' state into the checkpoint's ``meta['rng_state']`` (plain data, loadable
      with ``torch.load(weights_only=True)``);
    * makes validation leave the generators as it found them (their state is saved before and put
      back after), so the state saved with the epoch's checkpoint is the one the next epoch starts
      from;
    * when a run resumes from a checkpoint that has it, restores it before the first epoch.

    The resumed run then ends with the same weights as the uninterrupted one (bit-identical on CPU
    with ``num_workers=0`` or non-persistent workers). Added to every config by ``tools/train.py``
    (:func:`vpd_mm.apis.ensure_plugin_hooks`).
    """

    priority = 'VERY_HIGH'  # restore before other hooks draw at the start of an epoch / end of validation

    def __init__(self) -> None:
        self._pending = None
        self._before_val = None

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        """Write the generators' state into ``checkpoint['meta']['rng_state']``.

        During a validation this is the state saved before it began, otherwise the current state.
        """
        checkpoint.setdefault('meta', {})[STATE_KEY] = self._before_val or _snapshot()

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        """On ``--resume``, keep the checkpoint's ``meta['rng_state']`` to restore before the next epoch."""
        if getattr(runner, '_resume', False):
            self._pending = checkpoint.get('meta', {}).get(STATE_KEY)

    def before_train_epoch(self, runner) -> None:
        """Restore the generators' state loaded on resume, once."""
        if self._pending is not None:
            _restore(self._pending)
            self._pending = None

    def before_val_epoch(self, runner) -> None:
        """Save the generators' state before validation draws from them."""
        self._before_val = _snapshot()

    def after_val_epoch(self, runner, metrics=None) -> None:
        """Put back the generators' state saved by :meth:`before_val_epoch`."""
        if self._before_val is not None:
            _restore(self._before_val)
        self._before_val = None
