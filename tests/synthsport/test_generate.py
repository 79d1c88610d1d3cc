"""SynthSport generation: determinism, resume, formats, consistency, bad arguments."""
import filecmp
import os
import os.path as osp
import pickle
import shutil

import cv2
import numpy as np
import pytest

from vpd_mm.pose.coco import COCO17_NAMES
from vpd_mm.synthsport import CLASS_NAMES, generate_dataset, make_config
from vpd_mm.synthsport.generate import FEWSHOT_K, FEWSHOT_SEEDS
from vpd_mm.utils.fileio import load_json
from vpd_mm.utils.vpd_files import load_boxes, load_coco_keypoints



def _cfg(seed=3):
    return make_config('custom', seed, videos=3, elements_per_video=2, generic_images=8, corpus=2, width=160,
                       height=120)


@pytest.fixture(scope='module')
def root(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('synthsport') / 'a')
    generate_dataset(out, _cfg(), workers=2, progress=False)
    return out


def _files(root):
    out = []
    for d, _, names in os.walk(root):
        out += [osp.relpath(osp.join(d, n), root) for n in names]
    return sorted(out)


def test_same_seed_same_bytes_and_resume(root, tmp_path):
    other = str(tmp_path / 'b')
    generate_dataset(other, _cfg(), workers=1, progress=False)
    files = _files(root)
    assert files == _files(other)
    assert not [f for f in files if f.endswith('.tmp') or '.tmp.' in f]
    _, mismatch, errors = filecmp.cmpfiles(root, other, files, shallow=False)
    assert not mismatch and not errors
    # resume: a removed video / clip / image part is regenerated identically, nothing else changes
    os.remove(osp.join(other, 'gt', 'v0001', 'elements.json'))
    os.remove(osp.join(other, 'mmaction', 'clips', 'v0002_e01.mp4'))
    shutil.rmtree(osp.join(other, 'generic', 'parts'))
    generate_dataset(other, _cfg(), workers=1, progress=False)
    _, mismatch, errors = filecmp.cmpfiles(root, other, files, shallow=False)
    assert not mismatch and not errors


def test_different_seed_differs(root, tmp_path):
    other = str(tmp_path / 'c')
    cfg = make_config('custom', 4, videos=1, elements_per_video=1, generic_images=0, corpus=0, width=160,
                      height=120)
    generate_dataset(other, cfg, workers=1, progress=False)
    a = load_json(osp.join(root, 'pose', 'v0000', 'boxes.json'))
    b = load_json(osp.join(other, 'pose', 'v0000', 'boxes.json'))
    assert a != b


def test_dataset_json_and_elements(root):
    meta = load_json(osp.join(root, 'dataset.json'))
    assert meta['classes'] == list(CLASS_NAMES)
    assert (meta['width'], meta['height'], meta['fps']) == (160, 120, 25)
    assert meta['num_videos'] == 3 and meta['num_elements'] == 6
    elements = load_json(osp.join(root, 'annotations', 'elements.json'))
    assert len(elements) == 6 and len({e['id'] for e in elements}) == 6
    for e in elements:
        vid = e['video']
        info = load_json(osp.join(root, 'gt', vid, 'frame_info.json'))
        n = load_json(osp.join(root, 'pose', vid, 'meta.json'))['num_frames']
        assert 0 <= e['start'] < e['end'] <= n
        assert CLASS_NAMES[e['label']] == e['class_name']
        lab = np.asarray(info['element'])
        assert (lab[e['start']:e['end']] == e['label']).all()
        assert e['start'] == 0 or lab[e['start'] - 1] != e['label'] or lab[e['start'] - 1] == -1
        assert any(info['inverted'][e['start']:e['end']])
        # the trimmed clip has exactly the interval's frames
        cap = cv2.VideoCapture(osp.join(root, 'mmaction', 'clips', e['id'] + '.mp4'))
        assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == e['end'] - e['start']
        cap.release()
    # frames outside every interval are labelled -1
    for vid in {e['video'] for e in elements}:
        lab = np.asarray(load_json(osp.join(root, 'gt', vid, 'frame_info.json'))['element'])
        inside = np.zeros(len(lab), bool)
        for e in elements:
            if e['video'] == vid:
                inside[e['start']:e['end']] = True
        assert (lab[~inside] == -1).all() and (lab[inside] >= 0).all()


def test_per_video_gt_consistent(root):
    vid = 'v0001'
    meta = load_json(osp.join(root, 'pose', vid, 'meta.json'))
    n = meta['num_frames']
    cap = cv2.VideoCapture(osp.join(root, 'videos', vid + '.mp4'))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == n
    assert abs(cap.get(cv2.CAP_PROP_FPS) - meta['fps']) < 1e-3
    cap.release()
    boxes = load_boxes(osp.join(root, 'pose', vid, 'boxes.json'))
    kps = load_coco_keypoints(osp.join(root, 'pose', vid, 'coco_keypoints.json.gz'))
    assert sorted(boxes) == list(range(n)) == sorted(kps)
    assert all(len(kps[f]) == 1 and kps[f][0][0] == 1.0 for f in range(n))
    pose3d = np.load(osp.join(root, 'gt', vid, 'pose3d.npy'))
    assert pose3d.shape == (n, 17, 3) and pose3d.dtype == np.float32
    cam = load_json(osp.join(root, 'gt', vid, 'camera.json'))
    K, R, t = (np.asarray(cam[k]) for k in ('K', 'R', 't'))
    assert K.shape == (n, 3, 3) and R.shape == (n, 3, 3) and t.shape == (n, 3)
    np.testing.assert_allclose(R @ R.transpose(0, 2, 1), np.broadcast_to(np.eye(3), R.shape), atol=1e-5)
    # GT 2D joints are the projection of the GT 3D joints with the GT camera
    cam_pts = np.einsum('tij,tkj->tki', R, pose3d) + t[:, None]
    uv = np.einsum('tij,tkj->tki', K, cam_pts)
    uv = uv[..., :2] / uv[..., 2:]
    kp = np.stack([kps[f][0][2] for f in range(n)])
    np.testing.assert_allclose(kp[..., :2], uv, atol=0.02)
    assert set(np.unique(kp[..., 2])) <= {0.0, 1.0} and kp[..., 2].mean() > 0.5
    # the box contains the visible joints (up to blur/rounding)
    box = np.stack([boxes[f] for f in range(n)])
    vis = kp[..., 2] > 0
    inside = ((kp[..., 0] >= box[:, None, 0] - 3) & (kp[..., 0] <= box[:, None, 0] + box[:, None, 2] + 3)
              & (kp[..., 1] >= box[:, None, 1] - 3) & (kp[..., 1] <= box[:, None, 1] + box[:, None, 3] + 3))
    assert inside[vis].mean() > 0.97
    info = load_json(osp.join(root, 'gt', vid, 'frame_info.json'))
    assert all(len(info[k]) == n for k in ('limb_speed', 'inverted', 'blur', 'occluded', 'element'))
    assert max(info['blur']) > 2.0


def test_splits_and_fewshot(root):
    splits = load_json(osp.join(root, 'annotations', 'splits.json'))
    sets = [set(splits[k]) for k in ('train', 'val', 'test')]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])
    assert set.union(*sets) == {'v0000', 'v0001', 'v0002'}
    elements = {e['id']: e for e in load_json(osp.join(root, 'annotations', 'elements.json'))}
    fewshot = load_json(osp.join(root, 'annotations', 'fewshot.json'))
    assert sorted(fewshot, key=int) == [str(k) for k in FEWSHOT_K]
    train_counts = {}
    for e in elements.values():
        if e['video'] in splits['train']:
            train_counts[e['label']] = train_counts.get(e['label'], 0) + 1
    for k, subsets in fewshot.items():
        assert len(subsets) == FEWSHOT_SEEDS
        for ids in subsets:
            assert all(elements[i]['video'] in splits['train'] for i in ids)
            counts = {}
            for i in ids:
                counts[elements[i]['label']] = counts.get(elements[i]['label'], 0) + 1
            assert counts == {c: min(int(k), n) for c, n in train_counts.items()}


def test_mmaction_files(root):
    elements = load_json(osp.join(root, 'annotations', 'elements.json'))
    splits = load_json(osp.join(root, 'annotations', 'splits.json'))
    by_id = {e['id']: e for e in elements}
    for s in ('train', 'val', 'test'):
        with open(osp.join(root, 'mmaction', f'tsn_{s}.txt')) as f:
            lines = [l.split() for l in f.read().splitlines()]
        assert sorted(n[:-4] for n, _ in lines) == sorted(e['id'] for e in elements if e['video'] in splits[s])
        for name, label in lines:
            assert osp.isfile(osp.join(root, 'mmaction', 'clips', name))
            assert int(label) == by_id[name[:-4]]['label']
    with open(osp.join(root, 'mmaction', 'stgcn_gt2d.pkl'), 'rb') as f:
        data = pickle.load(f)
    assert {'train', 'val', 'test', 'train_k4_s0', 'train_k64_s4'} <= set(data['split'])
    assert len(data['annotations']) == len(elements)
    for ann in data['annotations']:
        e = by_id[ann['frame_dir']]
        n = e['end'] - e['start']
        assert ann['label'] == e['label'] and ann['total_frames'] == n
        assert ann['keypoint'].shape == (1, n, 17, 2) and ann['keypoint'].dtype == np.float32
        assert ann['keypoint_score'].shape == (1, n, 17)
        assert tuple(ann['img_shape']) == (120, 160)
        kps = load_coco_keypoints(osp.join(root, 'pose', e['video'], 'coco_keypoints.json.gz'))
        np.testing.assert_allclose(ann['keypoint'][0, 0], kps[e['start']][0][2][:, :2], atol=1e-3)


def test_generic_coco_and_corpus(root):
    for s in ('train', 'val'):
        coco = load_json(osp.join(root, 'generic', 'annotations', f'person_keypoints_{s}.json'))
        assert coco['categories'][0]['name'] == 'person'
        assert coco['categories'][0]['keypoints'] == list(COCO17_NAMES)
        ids = {im['id'] for im in coco['images']}
        assert len(coco['annotations']) == len(coco['images']) > 0
        for ann, im in zip(coco['annotations'], coco['images']):
            assert ann['image_id'] in ids and ann['category_id'] == 1 and ann['iscrowd'] == 0
            img = cv2.imread(osp.join(root, 'generic', 'images', im['file_name']))
            assert img.shape == (im['height'], im['width'], 3)
            kp = np.asarray(ann['keypoints']).reshape(17, 3)
            assert set(kp[:, 2]) <= {0, 1, 2} and ann['num_keypoints'] == int((kp[:, 2] > 0).sum()) >= 8
            x, y, w, h = ann['bbox']
            assert w > 0 and h > 0 and ann['area'] > 0
            assert 0 <= x and x + w <= im['width'] and 0 <= y and y + h <= im['height']
    index = load_json(osp.join(root, 'pose3d_corpus', 'index.json'))
    assert len(index) == 2 and {i['kind'] for i in index} == {'everyday', 'sport'}
    for item in index:
        z = np.load(osp.join(root, 'pose3d_corpus', item['name'] + '.npz'))
        assert z['joints3d'].shape == (item['num_frames'], 17, 3) and z['joints3d'].dtype == np.float32
        assert float(z['fps']) == item['fps']


def test_loaders_of_the_stack(root):
    from pycocotools.coco import COCO
    coco = COCO(osp.join(root, 'generic', 'annotations', 'person_keypoints_train.json'))
    assert len(coco.getAnnIds(catIds=coco.getCatIds(catNms=['person']))) == len(coco.getImgIds())
    from mmaction.datasets import PoseDataset
    ds = PoseDataset(ann_file=osp.join(root, 'mmaction', 'stgcn_gt2d.pkl'), pipeline=[], split='train')
    splits = load_json(osp.join(root, 'annotations', 'splits.json'))
    elements = load_json(osp.join(root, 'annotations', 'elements.json'))
    assert len(ds) == sum(e['video'] in splits['train'] for e in elements)
    item = ds[0]
    assert item['keypoint'].shape[-1] == 2 and item['total_frames'] == item['keypoint'].shape[1]


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match='unknown size'):
        make_config('huge')
    with pytest.raises(ValueError, match='--videos must be >= 1'):
        make_config('custom', videos=0)
    with pytest.raises(ValueError, match='even'):
        make_config('custom', width=161)
    out = str(tmp_path / 'd')
    cfg = make_config('custom', 0, videos=1, elements_per_video=1, generic_images=0, corpus=0, width=96, height=64)
    with pytest.raises(ValueError, match='workers'):
        generate_dataset(out, cfg, workers=0, progress=False)
    generate_dataset(out, cfg, workers=1, progress=False)
    with pytest.raises(ValueError, match='different settings'):
        generate_dataset(out, make_config('custom', 1, videos=1, elements_per_video=1, generic_images=0, corpus=0,
                                          width=96, height=64), workers=1, progress=False)


def test_cli_rejects_preset_with_overrides(repo_root, capsys):
    import runpy
    mod = runpy.run_path(osp.join(repo_root, 'tools', 'make_synthsport.py'))
    assert mod['main'](['--size', 'mini', '--videos', '3', '-o', '/nonexistent/never']) == 2
    assert 'use --size custom' in capsys.readouterr().err
    assert mod['main'](['--size', 'custom', '--videos', '0', '-o', '/nonexistent/never']) == 2
    assert '--videos must be >= 1' in capsys.readouterr().err


def test_generic_coco_reads_in_mmpose_and_mmdet(root):
    """The generic pose data is what mmpose's and mmdet's CocoDataset read, with boxes and keypoints."""
    from mmdet.datasets import CocoDataset as DetCocoDataset
    from mmpose.datasets import CocoDataset as PoseCocoDataset
    ann = osp.join(root, 'generic', 'annotations', 'person_keypoints_train.json')
    images = osp.join(root, 'generic', 'images')
    pose_ds = PoseCocoDataset(ann_file=ann, data_prefix=dict(img=images + '/'), pipeline=[], test_mode=False)
    assert len(pose_ds) > 0
    info = pose_ds.get_data_info(0)
    assert info['keypoints'].shape == (1, 17, 2) and osp.isfile(info['img_path'])
    assert (info['keypoints_visible'] > 0).any() and info['bbox'][0, 2] > info['bbox'][0, 0]
    det_ds = DetCocoDataset(ann_file=ann, data_prefix=dict(img=images + '/'), pipeline=[],
                            metainfo=dict(classes=('person', )), filter_cfg=dict(filter_empty_gt=True))
    det_info = det_ds.get_data_info(0)
    assert len(det_ds) == len(pose_ds) and len(det_info['instances']) == 1
    assert det_info['instances'][0]['bbox_label'] == 0 and osp.isfile(det_info['img_path'])
