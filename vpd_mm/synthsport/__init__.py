"""SynthSport: a generated fine-grained sports video benchmark (numpy / OpenCV only).

Not imported by ``vpd_mm/__init__``; used by ``tools/make_synthsport.py``,
``tools/analysis/check_synthsport.py`` and ``tools/analysis/synthsport_contact_sheet.py``. The on-disk format is
specified in ``docs/data_formats.md``.
"""
from .generate import SIZES, GenConfig, generate_dataset, make_config
from .motion import CLASS_NAMES, CLASSES

__all__ = ['SIZES', 'GenConfig', 'generate_dataset', 'make_config', 'CLASS_NAMES', 'CLASSES']
