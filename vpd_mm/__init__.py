"""vpd_mm: Video Pose Distillation and friends as an OpenMMLab (mmaction2) plugin.

``import vpd_mm`` applies the compatibility fixes of :mod:`vpd_mm.compat` and registers every
vpd_mm component into mmaction2's registries (``default_scope='mmaction'``). Configs load it with::

    custom_imports = dict(imports=['vpd_mm'], allow_failed_imports=False)
"""
from .version import __version__
from . import compat

compat.apply()

from . import datasets, engine, evaluation, models  # noqa: E402,F401  (registration)

__all__ = ['__version__', 'compat', 'datasets', 'engine', 'evaluation', 'models']
