"""Compatibility fixes between the pinned OpenMMLab 1.x stack and torch 2.14 / numpy 2.

Everything vpd_mm needs to work around lives here and is applied once by ``import vpd_mm``:

* ``torch.load`` defaults to ``weights_only=True`` since torch 2.6, and mmengine 0.10.7 does not pass
  the argument. Checkpoints written by vpd_mm training keep plain data only (see
  :class:`vpd_mm.engine.hooks.PlainCheckpointHook`), so allow-listing the numpy array/scalar types
  (:func:`allow_numpy_in_torch_load`) is enough; torch's safety check stays on and ``getattr`` is
  never allow-listed.
* The mmaction2 1.2.0 wheel lacks ``mmaction/models/localizers/drn``; ``tools/setup_env.sh``
  installs :mod:`vpd_mm.compat.mmaction_drn_stub` as that package (it cannot be patched from here
  because ``import mmaction.models`` must also work before ``import vpd_mm``).
* mmengine reads local checkpoints through :func:`load_checkpoint_file` (safe loading, errors that
  name the file) and writes files through :class:`AtomicLocalBackend` (a killed or out-of-space job
  never leaves a truncated checkpoint that looks finished).
"""
from .atomic_backend import AtomicLocalBackend, register_atomic_local_backend
from .torch_load import (allow_numpy_in_torch_load, load_checkpoint_file, numpy_safe_globals,
                         register_safe_checkpoint_loader)

_APPLIED = False


def apply() -> None:
    """Apply all run-time compatibility fixes (idempotent)."""
    global _APPLIED
    if _APPLIED:
        return
    allow_numpy_in_torch_load()
    register_safe_checkpoint_loader()
    register_atomic_local_backend()
    _APPLIED = True


__all__ = [
    'apply', 'allow_numpy_in_torch_load', 'numpy_safe_globals', 'load_checkpoint_file',
    'register_safe_checkpoint_loader', 'AtomicLocalBackend', 'register_atomic_local_backend'
]
