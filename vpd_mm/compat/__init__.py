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
"""
from .torch_load import allow_numpy_in_torch_load, numpy_safe_globals

_APPLIED = False


def apply() -> None:
    """Apply all run-time compatibility fixes (idempotent)."""
    global _APPLIED
    if _APPLIED:
        return
    allow_numpy_in_torch_load()
    _APPLIED = True


__all__ = ['apply', 'allow_numpy_in_torch_load', 'numpy_safe_globals']
