"""NNS-DTW on JHMDB GT joints (split 1) must be far above chance (1/14); skipped without the data."""
import os.path as osp

import numpy as np
import pytest

from vpd_mm.evaluation.functional.jhmdb_nns import jhmdb_nns_top1, jhmdb_pose_features, load_jhmdb_gt_split


@pytest.mark.shared_data
def test_jhmdb_split1_nns_top1(shared_data):
    root = osp.join(shared_data, 'jhmdb_gt')
    if not osp.isfile(osp.join(root, 'GT_train_1.pkl')):
        pytest.skip(f'{root}: JHMDB GT pickles not found')
    data = load_jhmdb_gt_split(root, 1)
    assert len(data['train'][0]) == 433 and len(data['test'][0]) == 176
    feats = jhmdb_pose_features(data['train'][0][0])
    assert feats.shape == (len(data['train'][0][0]), 2, 39) and np.isfinite(feats).all()
    res = jhmdb_nns_top1(root, 1, step_patterns=('symmetricP2', ), flips=(True, ))
    # Measured 0.636 (112 / 176); chance is 0.071.
    assert res[('symmetricP2', True)] > 0.5


def test_jhmdb_missing_file_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match='GT_train_1.pkl'):
        load_jhmdb_gt_split(str(tmp_path), 1)
