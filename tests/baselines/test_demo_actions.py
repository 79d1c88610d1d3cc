import pickle

import cv2
import numpy as np
import pytest

from vpd_mm.baselines import DEMO_ACTION_CLASSES, make_demo_actions


@pytest.fixture(scope='module')
def demo_root(tmp_path_factory):
    root = tmp_path_factory.mktemp('demo')
    make_demo_actions(str(root), train_per_class=2, val_per_class=1, num_frames=12, size=48, seed=3)
    return root


def test_pose_dataset_pickle_loads_in_mmaction(demo_root):
    from mmaction.datasets import PoseDataset
    ds = PoseDataset(ann_file=str(demo_root / 'demo_actions_2d.pkl'), pipeline=[], split='train')
    assert len(ds) == 2 * len(DEMO_ACTION_CLASSES)
    item = ds.get_data_info(0)
    assert item['keypoint'].shape == (1, 12, 17, 2)
    assert item['keypoint_score'].shape == (1, 12, 17)
    assert sorted({ds.get_data_info(i)['label'] for i in range(len(ds))}) == [0, 1, 2, 3]


def test_videos_match_lists(demo_root):
    lines = (demo_root / 'videos_val.txt').read_text().split('\n')
    lines = [line for line in lines if line]
    assert len(lines) == len(DEMO_ACTION_CLASSES)
    name, label = lines[0].split()
    cap = cv2.VideoCapture(str(demo_root / 'videos' / name))
    count = 0
    while cap.read()[0]:
        count += 1
    assert count == 12 and int(label) == 0


def test_same_seed_same_skeletons(demo_root, tmp_path):
    make_demo_actions(str(tmp_path), train_per_class=2, val_per_class=1, num_frames=12, size=48, seed=3)
    a = pickle.load(open(demo_root / 'demo_actions_2d.pkl', 'rb'))
    b = pickle.load(open(tmp_path / 'demo_actions_2d.pkl', 'rb'))
    for x, y in zip(a['annotations'], b['annotations']):
        np.testing.assert_array_equal(x['keypoint'], y['keypoint'])


def test_bad_arguments():
    with pytest.raises(ValueError, match='clip per class'):
        make_demo_actions('/tmp/unused', train_per_class=0)
