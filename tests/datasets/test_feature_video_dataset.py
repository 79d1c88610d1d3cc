import numpy as np
import pytest
from mmaction.registry import DATASETS

import vpd_mm  # noqa: F401
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset


def test_frame_labels_and_intervals(tmp_path):
    info = make_synthetic_feature_dataset(str(tmp_path), videos_per_split=(2, 1, 1), dim=4)
    ds = DATASETS.build(dict(type='FeatureVideoDataset', data_root=str(tmp_path), ann_file='annotations/elements.json',
                             feature_dirs='features/synthetic', split_file='annotations/splits.json', split='train'))
    assert len(ds) == 2
    d = ds.get_data_info(0)
    els = [e for e in info['elements'] if e['video'] == d['video']]
    np.testing.assert_array_equal(d['gt_intervals'], [[e['start'], e['end']] for e in els])
    expected = np.zeros(d['num_frames'])
    for e in els:
        expected[e['start']:e['end']] = 1
    np.testing.assert_array_equal(d['frame_labels'], expected)
    only = DATASETS.build(dict(type='FeatureVideoDataset', data_root=str(tmp_path),
                               ann_file='annotations/elements.json', feature_dirs='features/synthetic',
                               videos=[info['splits']['test'][0]]))
    assert [only.get_data_info(0)['video']] == info['splits']['test']
    with pytest.raises(FileNotFoundError, match='nope'):
        DATASETS.build(dict(type='FeatureVideoDataset', data_root=str(tmp_path), ann_file='annotations/elements.json',
                            feature_dirs='features/synthetic', videos=['nope']))
