import base64
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config

import vpd_mm  # noqa: F401
from vpd_mm.downstream.browser import action_previews, build_browser, confusion_1nn, rank_neighbours
from vpd_mm.downstream.nns import labelled_actions, split_datasets
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset
from vpd_mm.evaluation.functional import dtw_cost_matrix, flip_dtw_cost_matrix, unit_normalize
from vpd_mm.utils.fileio import atomic_write_json, load_json
from vpd_mm.utils.vpd_files import save_boxes, save_coco_keypoints

CONFIG = 'configs/recognition/bigru_synthsport-mini_gt-joints.py'
SPLITS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


@pytest.fixture(scope='module')
def cfg(tmp_path_factory, repo_root):
    """The recognition config on synthetic data: 3 classes, 24 actions (12 train, 6 val, 6 test)."""
    root = tmp_path_factory.mktemp('browser') / 'data'
    make_synthetic_feature_dataset(str(root))
    make_synthetic_feature_dataset(str(root), feature_name='noisy', seed=5)
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    for key in SPLITS:
        cfg[key].dataset.data_root = str(root)
        cfg[key].dataset.feature_dirs = ['features/synthetic']
        cfg[key].dataset.serialize_data = False
    return cfg


def _cost(feats, views):
    """The retrieval cost of tools/nns.py, written out here: views side by side, or the lowest over them."""
    if views == 'min':
        return flip_dtw_cost_matrix(feats, exclude_self=True)
    return dtw_cost_matrix([unit_normalize(f).reshape(len(f), -1) for f in feats], unit_norm=False)


@pytest.mark.parametrize('views', ['concat', 'min'])
def test_neighbours_are_the_dtw_ranking_of_the_nns_pool(cfg, tmp_path, views):
    data = build_browser(
        cfg, {
            'a': ['features/synthetic'],
            'b': ['features/noisy']
        }, str(tmp_path), k=5, views=views)
    for name in ('index.html', 'browser.js', 'browser.css', 'browser_data.js', 'browser.json'):
        assert osp.isfile(tmp_path / name), name
    assert len(data['actions']) == 24 and data['k'] == 5 and data['classes'] == ['class0', 'class1', 'class2']
    assert data['views'] == views
    assert load_json(tmp_path / 'browser.json')['feature_sets'] == json.loads(
        json.dumps(data['feature_sets']))
    # The same pool as tools/nns.py's retrieval, ranked independently here.
    by_id = {a['id']: i for i, a in enumerate(data['actions'])}
    for name, dirs in (('a', ['features/synthetic']), ('b', ['features/noisy'])):
        c = cfg.copy()
        for key in SPLITS:
            c[key].dataset.feature_dirs = dirs
        datasets = split_datasets(c, SPLITS)
        feats, labels = labelled_actions(datasets)
        ids = [datasets[k].get_data_info(i)['element_id'] for k in SPLITS for i in range(len(datasets[k]))]
        cost = _cost(feats, views)
        np.fill_diagonal(cost, np.inf)
        fs = data['feature_sets'][name]
        for q in range(len(feats)):
            row = by_id[ids[q]]
            expect = [by_id[ids[j]] for j in np.argsort(cost[q], kind='stable')[:5]]
            assert fs['neighbours'][row] == expect
            got = [np.inf if c is None else c for c in fs['costs'][row]]
            np.testing.assert_allclose(got, np.sort(cost[q])[:5], rtol=1e-12)
        assert sum(map(sum, fs['confusion'])) == 24
        assert [a['label']
                for a in data['actions']] == [int(labels[ids.index(a['id'])]) for a in data['actions']]
    assert data['feature_sets']['a']['loo_1nn'] == 100.0
    page = open(tmp_path / 'browser_data.js').read()
    assert page.startswith('window.VPD_BROWSER_DATA = {') and page.rstrip().endswith('};')
    html = open(tmp_path / 'index.html').read()
    assert 'http://' not in html and 'https://' not in html  # nothing fetched
    assert '<title>vpd_mm results browser</title>' in html


def test_test_pool_and_bad_arguments(cfg, tmp_path):
    data = build_browser(cfg, {'a': []}, str(tmp_path), k=50, pool='test')
    assert len(data['actions']) == 6 and data['k'] == 5 and {a['split'] for a in data['actions']} == {'test'}
    with pytest.raises(ValueError, match='no feature set'):
        build_browser(cfg, {}, str(tmp_path))
    with pytest.raises(ValueError, match='k must be >= 1'):
        build_browser(cfg, {'a': []}, str(tmp_path), k=0)
    with pytest.raises(ValueError, match="pool must be one of"):
        build_browser(cfg, {'a': []}, str(tmp_path), pool='train')
    with pytest.raises(ValueError, match="views must be one of"):
        build_browser(cfg, {'a': []}, str(tmp_path), views='mean')


def test_ranking_ties_and_unaligned_pairs():
    inf = np.inf
    cost = np.array([[inf, 2.0, 1.0, 2.0], [2.0, inf, inf, 0.5], [1.0, inf, inf, inf], [2.0, 0.5, inf, inf]])
    order, costs = rank_neighbours(cost, 2)
    assert order.tolist() == [[2, 1], [3, 0], [0, 1], [1, 0]]  # ties keep index order; self never listed
    assert costs[2].tolist() == [1.0, inf]
    conf = confusion_1nn(cost, np.array([0, 1, 0, 1]), 2)
    assert conf.tolist() == [[2, 0], [0, 2]]


def _video_and_poses(root, num=30, size=(160, 120)):
    """A video with a bright square moving right, its tracked box and a 17-joint pose per frame."""
    video = osp.join(root, 'videos', 'v000.avi')
    import os
    os.makedirs(osp.dirname(video))
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'MJPG'), 25, size)
    boxes, poses = [], []
    for f in range(num):
        img = np.zeros((size[1], size[0], 3), np.uint8)
        x = 20 + 2 * f
        img[40:80, x:x + 40] = 255
        writer.write(img)
        box = [x, 40, 40, 40]
        kp = np.zeros((17, 3))
        kp[:, :2] = [x + 20, 60]  # the box centre ...
        kp[:, 2] = 0.9
        kp[16, 2] = 0.0  # ... and one invisible joint
        if f != 3:  # frame 3: no tracked athlete
            boxes.append((f, box))
            poses.append((f, [(0.9, box, kp)]))
    writer.release()
    save_boxes(osp.join(root, 'pose', 'v000', 'boxes.json'), boxes)
    save_coco_keypoints(osp.join(root, 'pose', 'v000', 'coco_keypoints.json.gz'), poses)
    atomic_write_json(osp.join(root, 'pose', 'v000', 'meta.json'), dict(num_frames=num))
    return video


def test_previews_crop_the_tracked_athlete_with_its_skeleton(tmp_path):
    _video_and_poses(str(tmp_path))
    actions = [
        dict(id=0, video='v000', start=0, end=8, label=0),
        dict(id=1, video='v000', start=10, end=30, label=1),
        dict(id=2, video='v001', start=0, end=5, label=0),
        dict(id=3, video='v000', start=3, end=4, label=0)
    ]
    out = action_previews(actions, str(tmp_path / 'pose'), str(tmp_path / 'videos'), frames=4, size=32)
    assert out[2] is None and out[3] is None  # no pose dir; no tracked frame in [3, 4)
    for p in out[:2]:
        assert p['n'] == 4
        skel = np.frombuffer(base64.b64decode(p['skeleton']), np.uint8).reshape(4, 17, 2)
        assert (skel[:, 16] == 255).all()  # the invisible joint
        np.testing.assert_allclose(skel[:, :16], 125, atol=2)  # the box centre is the crop centre
        jpg = np.frombuffer(base64.b64decode(p['sprite'].split(',', 1)[1]), np.uint8)
        sprite = cv2.imdecode(jpg, cv2.IMREAD_GRAYSCALE)
        assert sprite.shape == (32, 4 * 32)
        assert sprite[16, 16] > 200 and sprite[1, 1] < 60  # the square in the middle, dark padding
    skeleton_only = action_previews(actions[:1], str(tmp_path / 'pose'), None, frames=4)
    assert skeleton_only[0]['sprite'] is None and skeleton_only[0]['n'] == 4
    assert action_previews(actions, None, None) == [None] * 4
