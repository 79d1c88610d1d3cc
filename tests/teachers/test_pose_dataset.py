import numpy as np
import pytest

from vpd_mm.teachers import athlete_pose_array, build_pose_datasets, write_pose_datasets
from vpd_mm.utils.fileio import atomic_write_json
from vpd_mm.utils.vpd_files import save_boxes, save_coco_keypoints


def _pose_dir(root, vid, n, missing=()):
    frames, boxes = [], []
    for f in range(n):
        if f in missing:
            frames.append((f, []))
            continue
        kp = np.zeros((17, 3))
        kp[:, 0] = f
        kp[:, 1] = np.arange(17)
        kp[:, 2] = 0.7
        distractor = kp.copy()
        distractor[:, 0] += 100
        boxes.append((f, [f, 0, 10, 20]))
        frames.append((f, [(0.5, [f + 100, 0, 10, 20], distractor), (0.9, [f, 0, 10, 20], kp)]))
    save_boxes(root / vid / 'boxes.json', boxes)
    save_coco_keypoints(root / vid / 'coco_keypoints.json.gz', frames)
    atomic_write_json(root / vid / 'meta.json', dict(fps=25, num_frames=n, width=64, height=48))


def _annotations(root):
    atomic_write_json(
        root / 'annotations' / 'elements.json',
        [
            dict(id='a_e00', video='a', start=2, end=6, label=3),
            dict(id='b_e00', video='b', start=0, end=5, label=1),
            dict(id='c_e00', video='c', start=0, end=5, label=0),  # video without poses
        ])
    atomic_write_json(root / 'annotations' / 'splits.json', dict(train=['a', 'c'], val=['b'], test=[]))
    atomic_write_json(root / 'annotations' / 'fewshot.json', {'1': [['a_e00', 'c_e00'], ['a_e00']]})


def test_athlete_pose_array(tmp_path):
    _pose_dir(tmp_path, 'a', 8, missing=(3, ))
    kp, sc = athlete_pose_array(tmp_path / 'a', 8)
    assert kp.shape == (8, 17, 2) and sc.shape == (8, 17)
    assert kp[5, 0, 0] == 5 and sc[5, 0] == pytest.approx(0.7)  # the tracked person, not the distractor
    assert (kp[3] == 0).all() and (sc[3] == 0).all()
    with pytest.raises(ValueError, match='pose at frame 7 but the video has 5 frames'):
        athlete_pose_array(tmp_path / 'a', 5)


def test_per_video_and_per_element(tmp_path):
    pose = tmp_path / 'pose'
    _pose_dir(pose, 'a', 8, missing=(3, ))
    _pose_dir(pose, 'b', 6)
    only_videos = build_pose_datasets(pose, ['a', 'b'])
    assert list(only_videos) == ['videos'] and only_videos['videos']['split'] == {'all': ['a', 'b']}
    ann = only_videos['videos']['annotations'][0]
    assert ann['frame_dir'] == 'a' and ann['total_frames'] == 8 and ann['img_shape'] == (48, 64)
    assert ann['keypoint'].shape == (1, 8, 17, 2) and ann['keypoint'].dtype == np.float32
    assert ann['keypoint_score'].shape == (1, 8, 17) and ann['label'] == -1

    _annotations(tmp_path)
    ds = build_pose_datasets(pose, ['a', 'b'], tmp_path)
    assert ds['videos']['split'] == {'train': ['a'], 'val': ['b'], 'test': []}
    el = ds['elements']
    assert [a['frame_dir'] for a in el['annotations']] == ['a_e00', 'b_e00']
    a = el['annotations'][0]
    assert a['total_frames'] == 4 and a['label'] == 3 and a['keypoint'].shape == (1, 4, 17, 2)
    assert a['keypoint'][0, :, 0, 0].tolist() == [2, 0, 4, 5]  # frame 3 missing -> zeros
    assert el['split'] == {
        'train': ['a_e00'],
        'val': ['b_e00'],
        'test': [],
        'train_k1_s0': ['a_e00'],
        'train_k1_s1': ['a_e00']
    }
    paths = write_pose_datasets(pose, tmp_path / 'mm', ['a', 'b'], tmp_path)
    assert sorted(paths) == ['elements', 'videos']
    assert (tmp_path / 'mm' / 'stgcn_teacher2d.pkl').is_file() and (tmp_path / 'mm' /
                                                                    'pose_videos.pkl').is_file()


def test_element_outside_video(tmp_path):
    _pose_dir(tmp_path / 'pose', 'a', 4)
    _annotations(tmp_path)
    with pytest.raises(ValueError, match=r'element a_e00 \[2, 6\) is outside video a \(4 frames\)'):
        build_pose_datasets(tmp_path / 'pose', ['a'], tmp_path)


def test_mmaction_pose_dataset_reads_the_pickle(tmp_path):
    from mmaction.datasets import PoseDataset
    _pose_dir(tmp_path / 'pose', 'a', 8)
    _pose_dir(tmp_path / 'pose', 'b', 6)
    _annotations(tmp_path)
    paths = write_pose_datasets(tmp_path / 'pose', tmp_path / 'mm', ['a', 'b'], tmp_path)
    ds = PoseDataset(ann_file=paths['elements'], pipeline=[], split='val')
    assert len(ds) == 1
    item = ds.get_data_info(0)
    assert item['frame_dir'] == 'b_e00' and item['label'] == 1 and item['keypoint'].shape == (1, 5, 17, 2)
