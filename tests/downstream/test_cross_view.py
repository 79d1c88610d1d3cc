import json
import os

import numpy as np
import pytest

from vpd_mm.downstream.cross_view import cross_view_nns
from vpd_mm.utils import save_embeddings


def _layout(root, rng):
    """2 train videos (view 'a'), 2 test videos (view 'b'); 3 classes, one action per class per video."""
    os.makedirs(root / 'annotations')
    protos = [np.cumsum(rng.normal(size=(20, 4)), axis=0) for _ in range(3)]
    elements, splits = [], {'train': ['v0', 'v1'], 'test': ['v2', 'v3'], 'val': []}
    for i, vid in enumerate(['v0', 'v1', 'v2', 'v3']):
        os.makedirs(root / 'gt' / vid)
        (root / 'gt' / vid / 'camera.json').write_text(json.dumps({'view': 'a' if i < 2 else 'b'}))
        good, bad = [], []
        for label in range(3):
            seq = protos[label] + rng.normal(scale=0.05, size=(20, 4))
            good.append(seq)
            bad.append(rng.normal(size=(20, 4)))
            elements.append(dict(id=f'{vid}_{label}', video=vid, start=20 * label, end=20 * label + 20,
                                 label=label, class_name=str(label)))
        for name, seqs in (('good', good), ('bad', bad)):
            feats = np.concatenate(seqs)
            save_embeddings(root / name / f'{vid}.emb.pkl',
                            [(t, np.stack([f, f]), {}) for t, f in enumerate(feats)])
    (root / 'annotations' / 'elements.json').write_text(json.dumps(elements))
    (root / 'annotations' / 'splits.json').write_text(json.dumps(splits))
    (root / 'annotations' / 'fewshot.json').write_text(json.dumps({'1': [['v0_0', 'v0_1', 'v0_2']]}))


def test_cross_view_scores_view_invariant_features(tmp_path):
    _layout(tmp_path, np.random.default_rng(0))
    res = cross_view_nns(str(tmp_path), {'good': str(tmp_path / 'good'), 'bad': str(tmp_path / 'bad')},
                         gallery_views=['a'], query_views=['b'], ks=['1', 'full'])
    assert res['good']['1']['mean'] == 100.0 and res['good']['full']['mean'] == 100.0
    assert res['good']['full']['gallery'] == 6 and res['good']['full']['queries'] == 6
    assert res['bad']['full']['mean'] < 100.0


def test_cross_view_rejects_overlapping_views_and_unknown_k(tmp_path):
    _layout(tmp_path, np.random.default_rng(1))
    with pytest.raises(ValueError, match='overlap'):
        cross_view_nns(str(tmp_path), {'good': str(tmp_path / 'good')}, ['a'], ['a', 'b'])
    with pytest.raises(ValueError, match='k=8'):
        cross_view_nns(str(tmp_path), {'good': str(tmp_path / 'good')}, ['a'], ['b'], ks=['8'])
