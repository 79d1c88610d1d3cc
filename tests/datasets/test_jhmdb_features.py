import os.path as osp

import numpy as np
from mmaction.registry import DATASETS

import vpd_mm  # noqa: F401
from vpd_mm.datasets.jhmdb_features import jhmdb_to_coco17, write_jhmdb_features
from vpd_mm.pose import COCO17_NAMES


def test_joint_mapping():
    pose = np.arange(30, dtype=np.float32).reshape(1, 15, 2)
    coco = jhmdb_to_coco17(pose)
    name = dict(zip(COCO17_NAMES, coco[0]))
    np.testing.assert_array_equal(name['left_shoulder'][:2], pose[0, 4])   # JHMDB 4 = left shoulder
    np.testing.assert_array_equal(name['right_ankle'][:2], pose[0, 13])    # JHMDB 13 = right ankle
    np.testing.assert_array_equal(name['nose'][:2], pose[0, 2])            # face
    assert (coco[..., 2] == 1).all()


def test_jhmdb_split1_as_feature_dataset(shared_data, tmp_path):
    src = osp.join(shared_data, 'jhmdb_gt')
    counts = write_jhmdb_features(src, str(tmp_path), split=1)
    assert counts == dict(train=433, test=176, classes=14)
    ds = DATASETS.build(dict(type='FeatureSequenceDataset', data_root=str(tmp_path),
                             ann_file='annotations/elements.json', feature_dirs='features',
                             split_file='annotations/splits.json', split='test', dataset_info_file='dataset.json'))
    assert len(ds) == 176 and len(ds.metainfo['classes']) == 14
    feats = ds.get_data_info(0)['features']
    assert feats.shape[1:] == (2, 39) and 15 <= feats.shape[0] <= 40
