from .feature_sequence_preprocessor import FeatureSequenceDataPreprocessor  # noqa: F401
