"""Array-level evaluation functions (numpy in, numpy out): DTW, nearest neighbour, retrieval."""
from .dtw import (STEP_PATTERNS, check_sequences, dtw_cost_matrix, flip_dtw_cost_matrix, nn_classify,
                  nn_search, unit_normalize)
from .knn import KNNResult, dtw_1nn_classify, majority_label, retrieval_cost_matrix
from .retrieval import nn_from_cost_matrix, rank_refs, retrieval_precision_at_k, top1_accuracy

__all__ = [
    'STEP_PATTERNS', 'check_sequences', 'dtw_cost_matrix', 'flip_dtw_cost_matrix', 'nn_classify', 'nn_search',
    'unit_normalize', 'nn_from_cost_matrix', 'rank_refs', 'retrieval_precision_at_k', 'top1_accuracy',
    'KNNResult', 'dtw_1nn_classify', 'majority_label', 'retrieval_cost_matrix'
]
