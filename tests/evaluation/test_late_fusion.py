import pickle

import numpy as np
import pytest
import torch

from vpd_mm.evaluation.late_fusion import late_fusion, load_score_dump, to_probabilities, top1_accuracy


def write_dump(path, scores, labels, ids=None, key='frame_dir'):
    items = []
    for i, (s, y) in enumerate(zip(scores, labels)):
        item = dict(pred_score=torch.tensor(s, dtype=torch.float32), gt_label=torch.tensor([y]))
        if ids is not None:
            item[key] = ids[i]
        items.append(item)
    with open(path, 'wb') as f:
        pickle.dump(items, f)
    return str(path)


def test_fusion_aligns_by_id_and_averages_probabilities(tmp_path):
    # model A is right on samples a, b; model B (logits, other order, .mp4 filenames) on c
    a = write_dump(tmp_path / 'a.pkl', [[.9, .1], [.2, .8], [.6, .4]], [0, 1, 1], ['a', 'b', 'c'])
    logits = [[0.0, 3.0], [0.0, 0.1], [0.0, -0.1]]  # c, a, b
    b = write_dump(tmp_path / 'b.pkl', logits, [1, 0, 1], ['x/c.mp4', 'a.mp4', 'b.mp4'], key='filename')
    da, db = load_score_dump(a), load_score_dump(b)
    assert top1_accuracy(da.scores, da.labels) == pytest.approx(2 / 3)
    fused = late_fusion([da, db], weights=[1, 1])
    pb = to_probabilities(np.array(logits))[[1, 2, 0]]
    expected = (np.array([[.9, .1], [.2, .8], [.6, .4]]) + pb) / 2
    np.testing.assert_allclose(fused, expected, rtol=1e-6)
    assert top1_accuracy(fused, da.labels) == 1.0


def test_fusion_mismatch_errors(tmp_path):
    a = write_dump(tmp_path / 'a.pkl', [[.9, .1], [.2, .8]], [0, 1], ['a', 'b'])
    b = write_dump(tmp_path / 'b.pkl', [[.9, .1], [.2, .8]], [0, 1], ['a', 'z'])
    c = write_dump(tmp_path / 'c.pkl', [[.9, .1], [.2, .8], [.5, .5]], [0, 1, 0])
    with pytest.raises(ValueError, match='different samples'):
        late_fusion([load_score_dump(a), load_score_dump(b)])
    with pytest.raises(ValueError, match='has 2 samples'):
        late_fusion([load_score_dump(c), load_score_dump(a)])
    with pytest.raises(ValueError, match='weights'):
        late_fusion([load_score_dump(a)], weights=[1, 2])
    # by position: other names, same clips in the same order (labels must agree)
    fused = late_fusion([load_score_dump(a), load_score_dump(b)], match='order')
    np.testing.assert_allclose(fused, [[.9, .1], [.2, .8]])
    d = write_dump(tmp_path / 'd.pkl', [[.9, .1], [.2, .8]], [1, 1], ['p', 'q'])
    with pytest.raises(ValueError, match='disagree on ground-truth labels'):
        late_fusion([load_score_dump(a), load_score_dump(d)], match='order')
    with pytest.raises(ValueError, match='no unique sample ids'):
        late_fusion([load_score_dump(a), load_score_dump(c)], match='id')
    bad = tmp_path / 'bad.pkl'
    bad.write_bytes(pickle.dumps([{'x': 1}]))
    with pytest.raises(ValueError, match='bad.pkl'):
        load_score_dump(str(bad))
