"""Cross-view nearest-neighbour recognition on SynthSport (the VIPE* acceptance check).

Gallery actions come from training videos filmed from some camera views, queries from test videos
filmed from the others, so a feature only scores well if it is view-invariant. Each feature set is
evaluated with DTW 1-NN (symmetricP2, all flip combinations, the published code's symmetric2 and
majority-class fallbacks) on the dataset's few-shot subsets (restricted to the gallery views) and on
all training actions of those views.
"""
import os.path as osp
from typing import Dict, List, Sequence

import numpy as np

from vpd_mm.evaluation.functional.knn import dtw_1nn_classify
from vpd_mm.pose.pose_features import EMBEDDING_SUFFIX
from vpd_mm.utils import embeddings_to_array, load_embeddings, load_json


def _element_sequences(feature_dir: str, elements: Sequence[dict]) -> List[np.ndarray]:
    cache: Dict[str, tuple] = {}
    out = []
    for e in elements:
        if e['video'] not in cache:
            cache[e['video']] = embeddings_to_array(
                load_embeddings(osp.join(feature_dir, e['video'] + EMBEDDING_SUFFIX)))
        frames, feats = cache[e['video']]
        seq = feats[(frames >= e['start']) & (frames < e['end'])]
        if len(seq) == 0:
            raise ValueError(f'{feature_dir}: no features for element {e["id"]} '
                             f'(frames {e["start"]}-{e["end"]} of {e["video"]})')
        out.append(seq)
    return out


def cross_view_nns(root: str,
                   feature_dirs: Dict[str, str],
                   gallery_views: Sequence[str],
                   query_views: Sequence[str],
                   ks: Sequence[str] = ('8', '16', 'full')) -> Dict[str, Dict[str, Dict[str, float]]]:
    """Top-1 (%) of DTW 1-NN with gallery and queries from disjoint camera views.

    Args:
        root: SynthSport root (``annotations/`` and ``gt/<vid>/camera.json`` with ``view``).
        feature_dirs: ``{name: dir of <vid>.emb.pkl}`` feature sets to compare.
        gallery_views: Views of the training videos used as gallery.
        query_views: Views of the test videos used as queries (must not overlap ``gallery_views``).
        ks: Few-shot k values from ``annotations/fewshot.json``, and/or ``'full'``.

    Returns:
        ``{feature name: {k: {'mean', 'std', 'trials', 'gallery', 'queries'}}}``.
    """
    if set(gallery_views) & set(query_views):
        raise ValueError(f'gallery views {sorted(gallery_views)} and query views {sorted(query_views)} overlap')
    elements = load_json(osp.join(root, 'annotations', 'elements.json'))
    splits = load_json(osp.join(root, 'annotations', 'splits.json'))
    fewshot = load_json(osp.join(root, 'annotations', 'fewshot.json'))
    view = {v: load_json(osp.join(root, 'gt', v, 'camera.json'))['view']
            for vids in splits.values() for v in vids}
    by_id = {e['id']: e for e in elements}
    queries = [e for e in elements if e['video'] in splits['test'] and view[e['video']] in query_views]
    if not queries:
        raise ValueError(f'{root}: no test actions filmed from views {sorted(query_views)}')
    subsets = {}
    for k in ks:
        if k == 'full':
            subsets[k] = [[e['id'] for e in elements if e['video'] in splits['train']]]
        elif k in fewshot:
            subsets[k] = fewshot[k]
        else:
            raise ValueError(f'{root}: no few-shot subsets for k={k} (have {sorted(fewshot)})')
    labels = np.asarray([e['label'] for e in queries])
    results: Dict[str, Dict[str, Dict[str, float]]] = {}
    for name, feature_dir in feature_dirs.items():
        query_seqs = _element_sequences(feature_dir, queries)
        results[name] = {}
        for k, trials in subsets.items():
            accs, sizes = [], []
            for ids in trials:
                gallery = [by_id[i] for i in ids if view[by_id[i]['video']] in gallery_views]
                if not gallery:
                    raise ValueError(f'{root}: k={k} subset has no action from views {sorted(gallery_views)}')
                pred = dtw_1nn_classify(query_seqs, _element_sequences(feature_dir, gallery),
                                        np.asarray([e['label'] for e in gallery]), use_flips=True).pred
                accs.append(float((pred == labels).mean() * 100))
                sizes.append(len(gallery))
            results[name][k] = dict(mean=float(np.mean(accs)), std=float(np.std(accs)), trials=len(accs),
                                    gallery=float(np.mean(sizes)), queries=len(queries))
    return results
