import numpy as np
import pytest
from mmaction.registry import TRANSFORMS

import vpd_mm  # noqa: F401


def _results(t=30, v=2, d=5):
    feats = np.arange(t * v * d, dtype=np.float32).reshape(t, v, d)
    return dict(features=feats, label=2, frame_labels=(np.arange(t) % 2).astype(np.float32),
                frame_inds=np.arange(100, 100 + t), video='v0', element_id=3)


def test_pack_feature_inputs():
    pack = TRANSFORMS.build(dict(type='PackFeatureInputs'))
    r = _results()
    out = pack(dict(r))
    assert tuple(out['inputs'].shape) == (2, 30, 5)
    np.testing.assert_array_equal(out['inputs'][1].numpy(), r['features'][:, 1])
    ds = out['data_samples']
    assert int(ds.gt_label) == 2
    np.testing.assert_array_equal(ds.gt_frame_labels.numpy(), r['frame_labels'])
    assert ds.metainfo['num_frames'] == 30 and ds.metainfo['video'] == 'v0' and ds.metainfo['element_id'] == 3
    with pytest.raises(ValueError, match='non-empty'):
        pack(dict(features=np.zeros((0, 1, 5)), element_id=9))


def test_select_feature_view():
    r = _results()
    out = TRANSFORMS.build(dict(type='SelectFeatureView', view=1))(dict(r))
    np.testing.assert_array_equal(out['features'][:, 0], r['features'][:, 1])
    assert out['view'] == 1
    np.random.seed(0)
    views = {TRANSFORMS.build(dict(type='SelectFeatureView'))(dict(r))['view'] for _ in range(20)}
    assert views == {0, 1}
    with pytest.raises(IndexError):
        TRANSFORMS.build(dict(type='SelectFeatureView', view=2))(dict(r))


def test_random_feature_window():
    r = _results(t=30)
    np.random.seed(1)
    out = TRANSFORMS.build(dict(type='RandomFeatureWindow', window=10))(dict(r))
    s = out['window_start']
    assert out['features'].shape[0] == 10 and 0 <= s <= 20
    np.testing.assert_array_equal(out['frame_inds'], np.arange(100 + s, 110 + s))
    np.testing.assert_array_equal(out['frame_labels'], r['frame_labels'][s:s + 10])
    short = TRANSFORMS.build(dict(type='RandomFeatureWindow', window=50))(dict(r))
    assert short['features'].shape[0] == 30
