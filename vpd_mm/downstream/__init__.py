"""Downstream experiment drivers (few-shot recognition, DTW nearest neighbours, detection, reports).

The ``tools/*.py`` scripts are thin command-line wrappers around these functions.
"""
