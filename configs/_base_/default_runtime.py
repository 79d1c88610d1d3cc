# mmaction2's default runtime plus the vpd_mm plugin settings.
_base_ = ['mmaction::_base_/default_runtime.py', './vpd_runtime.py']
