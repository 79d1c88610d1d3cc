"""Stand-in for ``mmaction/models/localizers/drn/drn.py``.

The mmaction2 1.2.0 wheel on PyPI ships ``mmaction/models/localizers/__init__.py`` importing
``.drn.drn.DRN`` but not the ``drn`` package itself, so ``import mmaction.models`` fails.
``tools/setup_env.sh`` copies this file into the environment as that package. DRN (a video
grounding localizer) is not used by vpd_mm; building it raises a clear error instead of failing
at import time.
"""
from mmaction.registry import MODELS
from mmengine.model import BaseModel


@MODELS.register_module()
class DRN(BaseModel):
    """Placeholder for mmaction2's DRN localizer, absent from the 1.2.0 wheel."""

    def __init__(self, *args, **kwargs) -> None:
        raise NotImplementedError(
            'mmaction2 1.2.0 from PyPI lacks mmaction/models/localizers/drn; vpd_mm installs this '
            'placeholder so that `import mmaction.models` works. Install mmaction2 from source to '
            'use DRN.')
