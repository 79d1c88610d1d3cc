"""Allow-list numpy types for ``torch.load(weights_only=True)``."""
from typing import List

import numpy as np
import torch


def numpy_safe_globals() -> List[object]:
    """The numpy callables/classes needed to unpickle plain numpy arrays and scalars.

    These construct arrays from raw buffers and cannot run arbitrary code, unlike
    ``builtins.getattr``, which is deliberately not included.
    """
    core = getattr(np, '_core', None) or np.core  # numpy 2 renamed numpy.core to numpy._core
    items: List[object] = [core.multiarray._reconstruct, core.multiarray.scalar, np.ndarray, np.dtype]
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        items += [getattr(dtypes, name) for name in dir(dtypes) if name.endswith('DType')]
    return items


def allow_numpy_in_torch_load() -> None:
    """Register :func:`numpy_safe_globals` with ``torch.serialization.add_safe_globals``."""
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:  # torch < 2.4 has no weights_only default to worry about
        add(numpy_safe_globals())


def load_checkpoint_file(filename: str, map_location=None):
    """``torch.load(filename, weights_only=True)`` with errors that name the file and what is wrong.

    Raises:
        FileNotFoundError: No such file.
        ValueError: The file is empty, truncated or not a checkpoint.
        pickle.UnpicklingError: The checkpoint carries Python objects that safe loading refuses
            (e.g. a pickle that would run code when loaded); it is never loaded unsafely.
    """
    import os
    import os.path as osp
    import pickle
    import zipfile

    filename = osp.expanduser(os.fspath(filename))
    if not osp.isfile(filename):
        raise FileNotFoundError(f'{filename}: checkpoint not found')
    if osp.getsize(filename) == 0:
        raise ValueError(f'{filename}: checkpoint is empty (0 bytes)')
    try:
        return torch.load(filename, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as e:
        first = str(e).strip().splitlines()
        detail = next((ln for ln in first if 'GLOBAL' in ln or 'Unsupported' in ln), first[0] if first else '')
        raise pickle.UnpicklingError(
            f'{filename}: refused: the checkpoint holds Python objects that torch.load(weights_only=True) does not '
            f'allow (a pickle that could run code when loaded); it is not loaded unsafely. {detail.strip()}') from e
    except (RuntimeError, EOFError, zipfile.BadZipFile, ValueError, OSError) as e:
        raise ValueError(f'{filename}: truncated or corrupt checkpoint, cannot be read '
                         f'({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ""})') from e


def register_safe_checkpoint_loader() -> None:
    """Make mmengine read local checkpoints (``load_from``, ``--resume``, ``tools/test.py``, mmdet/mmpose
    ``init_model``) through :func:`load_checkpoint_file`: safe loading stays on, and a truncated,
    empty or unsafe checkpoint gets a message naming the file."""
    from mmengine.runner.checkpoint import CheckpointLoader

    def load_from_local(filename, map_location):  # mmengine logs the name after 'load_from_'
        return load_checkpoint_file(filename, map_location)

    CheckpointLoader.register_scheme(prefixes='', loader=load_from_local, force=True)
