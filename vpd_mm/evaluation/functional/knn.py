"""DTW nearest neighbours as the paper's published code uses them (REFERENCE.md section 4b).

**Classification** (:func:`dtw_1nn_classify`).
The paper's k-NN (k = 1) searches with the ``symmetricP2`` step pattern. A query with no admissible
``symmetricP2`` path to any reference (the longer sequence more than 3/2 the length of the shorter)
is searched again with ``symmetric2``, which always has a path; only a query that still has no
neighbour (none in practice) is given the majority class of the references. Every query is therefore
classified; :class:`KNNResult` records which rule decided each one.

Views: every reference view is a gallery item and every query view is searched, i.e. the cost of a
pair is the minimum over the view combinations (:func:`~vpd_mm.evaluation.functional.dtw.nn_search`).
Ties between equal costs go to the lowest reference index (the published code's heap keeps the last
one; only exact duplicates tie).

**Retrieval** (:func:`retrieval_cost_matrix`). The published code reshapes each action's ``(T, 2, D)``
features (each view unit-normalised) into ``(T, 2D)``, the two views side by side, and compares two
actions with ONE ``symmetricP2`` DTW of those (``views='concat'``). ``views='min'`` takes the minimum
over the four view combinations instead, as classification does.
"""
from collections import Counter
from typing import Dict, NamedTuple, Optional, Sequence

import numpy as np

from .dtw import (SequenceList, check_sequences, dtw_cost_matrix, flip_dtw_cost_matrix, nn_search,
                  unit_normalize)

#: How a query was classified (:attr:`KNNResult.route`).
ROUTES = ('primary', 'fallback', 'majority')
#: How retrieval compares two actions with views: one DTW of the concatenated views (published), or the
#: minimum over the view combinations.
RETRIEVAL_VIEWS = ('concat', 'min')


def concat_views(seqs: SequenceList, unit_norm: bool = True) -> list:
    """``(T, V, D)`` sequences -> ``(T, V * D)`` float64, each view unit-normalised first (``unit_norm``).

    This is the published retrieval's layout. ``(T, D)`` sequences keep their shape.
    """
    out = []
    for seq in check_sequences(seqs, 'sequences'):
        out.append((unit_normalize(seq) if unit_norm else seq).reshape(len(seq), -1))
    return out


def retrieval_cost_matrix(seqs: SequenceList,
                          views: str = 'concat',
                          step_pattern: str = 'symmetricP2',
                          exclude_self: bool = True,
                          unit_norm: bool = True) -> np.ndarray:
    """DTW cost of every action against every other one, for ranking (retrieval).

    Args:
        seqs: ``N`` sequences ``(T, V, D)`` or ``(T, D)``.
        views: ``'concat'`` (the published code: one DTW of the views side by side, each view
            unit-normalised, Euclidean local cost) or ``'min'`` (minimum over the view combinations).
        step_pattern: DTW step pattern; pairs without an admissible path cost ``inf``.
        exclude_self: ``inf`` on the diagonal.
        unit_norm: Unit-normalise every frame feature of every view first (paper setting).

    Returns:
        float64 ``(N, N)``.
    """
    if views not in RETRIEVAL_VIEWS:
        raise ValueError(f'views must be one of {RETRIEVAL_VIEWS}, got {views!r}')
    if views == 'min':
        return flip_dtw_cost_matrix(seqs, step_pattern=step_pattern, unit_norm=unit_norm,
                                    exclude_self=exclude_self)
    return dtw_cost_matrix(concat_views(seqs, unit_norm), step_pattern=step_pattern, unit_norm=False,
                           exclude_self=exclude_self)


class KNNResult(NamedTuple):
    """Predictions of :func:`dtw_1nn_classify`.

    Attributes:
        pred: ``(Q,)`` predicted labels (an array of the reference labels' type).
        index: ``(Q,)`` nearest reference, -1 where the majority class was given.
        cost: ``(Q,)`` its DTW cost (of the pattern that found it), ``inf`` for the majority class.
        route: ``(Q,)`` int, index into :data:`ROUTES`: 0 the primary pattern found the neighbour,
            1 the fallback pattern did, 2 the majority class was given.
    """
    pred: np.ndarray
    index: np.ndarray
    cost: np.ndarray
    route: np.ndarray

    def counts(self) -> Dict[str, int]:
        """``{'primary': n, 'fallback': n, 'majority': n}`` queries decided by each rule."""
        return {name: int(np.sum(self.route == i)) for i, name in enumerate(ROUTES)}


def majority_label(labels: Sequence):
    """The most frequent label; ties go to the one seen first (``collections.Counter`` order)."""
    labels = list(np.asarray(labels).tolist())
    if not labels:
        raise ValueError('majority_label: no labels')
    return Counter(labels).most_common(1)[0][0]


def dtw_1nn_classify(query_seqs: SequenceList,
                     ref_seqs: Optional[SequenceList],
                     ref_labels: Sequence,
                     step_pattern: str = 'symmetricP2',
                     fallback_pattern: Optional[str] = 'symmetric2',
                     use_flips: bool = True,
                     exclude_self: bool = False,
                     normalize: bool = True,
                     unit_norm: bool = True,
                     prune: bool = False) -> KNNResult:
    """Classify every query by its DTW nearest reference, with the published code's fallbacks.

    Args:
        query_seqs: Sequences ``(T, D)`` or ``(T, V, D)`` (``V`` = 2: ``[orig, flipped]``).
        ref_seqs: The labelled gallery; ``None`` = leave-one-out over ``query_seqs`` (with
            ``exclude_self=True``).
        ref_labels: One label per reference (per query when ``ref_seqs`` is None).
        step_pattern: The search's step pattern (``'symmetricP2'``, the paper's).
        fallback_pattern: Pattern of the second search for queries the first could not align with
            any reference (``'symmetric2'``, the published code's); ``None`` skips it.
        use_flips, exclude_self, normalize, unit_norm, prune: See
            :func:`~vpd_mm.evaluation.functional.dtw.nn_search`.

    Returns:
        :class:`KNNResult`.
    """
    queries = check_sequences(query_seqs, 'queries')
    refs = None if ref_seqs is None else check_sequences(ref_seqs, 'refs')
    num_refs = len(queries) if refs is None else len(refs)
    ref_labels = np.asarray(ref_labels)
    if len(ref_labels) != num_refs:
        raise ValueError(f'{len(ref_labels)} ref_labels for {num_refs} reference sequences')
    index, cost = nn_search(queries, refs, step_pattern=step_pattern, normalize=normalize,
                            unit_norm=unit_norm, exclude_self=exclude_self, use_flips=use_flips, prune=prune)
    route = np.where(index >= 0, 0, 2)
    missing = np.flatnonzero(index < 0)
    if len(missing) and fallback_pattern is not None:
        # Few queries: the fallback scores them against every reference.
        sub = flip_dtw_cost_matrix([queries[i] for i in missing], queries if refs is None else refs,
                                   step_pattern=fallback_pattern, normalize=normalize, unit_norm=unit_norm,
                                   use_flips=use_flips)
        if exclude_self:
            sub[np.arange(len(missing)), missing] = np.inf
        best = np.argmin(sub, axis=1)
        best_cost = sub[np.arange(len(missing)), best]
        found = np.isfinite(best_cost)
        index[missing[found]] = best[found]
        cost[missing[found]] = best_cost[found]
        route[missing[found]] = 1
    pred = ref_labels[np.maximum(index, 0)]
    majority = route == 2
    if majority.any():
        pred = pred.copy()
        pred[majority] = majority_label(ref_labels)
        cost = np.where(majority, np.inf, cost)
    return KNNResult(pred, index, cost, route)
