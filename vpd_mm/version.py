"""The version of vpd_mm."""
__version__ = '0.1.0'
