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
