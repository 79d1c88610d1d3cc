"""The pose teacher built from a config: registered parts, a person finder that gives keypoints, and
identical pose files from the BlazePose and the mmdet + mmpose teachers."""
import gzip
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from vpd_mm.pose.pose_features import load_pose_sequence
from vpd_mm.teachers import (PERSON_FINDERS, POSE_ESTIMATORS, PoseTeacher, build_pose_teacher,
                             load_teacher_config)
from vpd_mm.tracking.synthetic import athlete_boxes, render_boxes_video
from vpd_mm.utils.vpd_files import load_boxes, load_coco_keypoints

T = 24
HIDDEN = {7, 8}
BLAZEPOSE = 'configs/teachers/blazepose-full_coco17.py'
SYNTHSPORT = 'configs/teachers/rtmdet-nano_rtmpose-t_synthsport.py'


def _box_keypoints(box: np.ndarray) -> np.ndarray:
    """17 joints on a vertical line through the box (a stand-in skeleton a finder can give)."""
    kp = np.zeros((17, 3), np.float32)
    kp[:, 0] = (box[0] + box[2]) / 2
    kp[:, 1] = np.linspace(box[1], box[3], 17)
    kp[:, 2] = 0.8
    return kp


@PERSON_FINDERS.register_module(force=True)
class RedBlobKeypointFinder:
    """A model-free finder for coloured-box videos that also gives keypoints: the red blob."""

    def __init__(self, device='cpu'):
        self.resets = 0

    def reset(self):
        self.resets += 1

    def __call__(self, images):
        out = []
        for img in images:
            mask = ((img[..., 2].astype(int) - img[..., :2].max(2)) > 80).astype(np.uint8)
            n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
            rows = [np.concatenate([[x, y, x + w, y + h, 0.9], _box_keypoints(np.array([x, y, x + w, y + h])).ravel()])
                    for x, y, w, h, area in stats[1:] if area >= 30]
            out.append(np.array(rows, np.float32).reshape(-1, 56))
        return out


@POSE_ESTIMATORS.register_module(force=True)
class CountingBoxPose:
    """Top-down 'estimator' giving the same stand-in skeleton on any box; counts the boxes it saw."""

    def __init__(self, device='cpu'):
        self.boxes = 0

    def __call__(self, images, boxes):
        self.boxes += len(boxes)
        return np.stack([_box_keypoints(b) for b in np.asarray(boxes).reshape(-1, 4)]).astype(np.float32)


def test_shipped_teacher_configs_resolve_from_anywhere(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    blaze = load_teacher_config(BLAZEPOSE)
    assert blaze['person_finder']['type'] == 'BlazePosePersonFinder' and blaze['tracker'] == dict(type='SortTracker')
    mm = load_teacher_config(SYNTHSPORT)
    assert osp.isfile(mm['pose_estimator']['checkpoint']) and osp.isabs(mm['person_finder']['config'])
    teacher = build_pose_teacher(SYNTHSPORT, with_person_finder=False)
    assert type(teacher.pose_estimator).__name__ == 'BatchedPoseEstimator' and teacher.person_finder is None
    with pytest.raises(FileNotFoundError, match='teacher config not found'):
        load_teacher_config('configs/teachers/nope.py')
    with pytest.raises(KeyError, match="'NoSuchFinder' is not in the person finder registry"):
        build_pose_teacher(dict(blaze, person_finder=dict(type='NoSuchFinder')))


def test_finder_keypoints_are_used_and_gaps_refined(tmp_path):
    gt = athlete_boxes(T)
    path = str(tmp_path / 'clip.avi')
    render_boxes_video(path, [[] if t in HIDDEN else [(gt[t], (0, 0, 255))] for t in range(T)])
    teacher = build_pose_teacher(dict(person_finder=dict(type='RedBlobKeypointFinder'),
                                      pose_estimator=dict(type='CountingBoxPose'),
                                      extract=dict(refine_iou=0.0, pose_score_thr=0.0)))
    assert isinstance(teacher, PoseTeacher)
    meta = teacher.extract_video('clip', path, str(tmp_path / 'pose'))
    assert teacher.person_finder.resets == 1
    # the finder's keypoints serve every detected frame; only the bridged frames are estimated
    assert teacher.pose_estimator.boxes == len(HIDDEN) == meta['filled_frames'] == meta['refined_frames']
    kps = load_coco_keypoints(tmp_path / 'pose' / 'clip' / 'coco_keypoints.json.gz')
    boxes = load_boxes(tmp_path / 'pose' / 'clip' / 'boxes.json')
    assert sorted(boxes) == list(range(T))
    for f in range(T):
        score, box, kp = kps[f][-1]
        assert kp.shape == (17, 3) and np.allclose(kp[:, 2], 0.8)
        if f in HIDDEN:
            assert score == 0.0  # the bridged athlete box
    frames, poses = load_pose_sequence(tmp_path / 'pose' / 'clip')
    assert len(frames) == T and np.isfinite(poses).all()
    # a finder returning the wrong shape is named
    bad = build_pose_teacher(dict(person_finder=dict(type='RedBlobKeypointFinder'),
                                  pose_estimator=dict(type='CountingBoxPose')))
    bad.person_finder = lambda imgs: [np.zeros((1, 7), np.float32) for _ in imgs]
    with pytest.raises(ValueError, match=r'clip.avi frame 0: the person finder returned an array of shape \(1, 7\)'):
        bad.extract_video('clip', path, str(tmp_path / 'bad'))


def _structure(obj):
    """The JSON structure of a pose file: types, keys and nesting, not values."""
    if isinstance(obj, dict):
        return {k: _structure(v) for k, v in sorted(obj.items())}
    if isinstance(obj, list):
        return ['list', _structure(obj[0]) if obj else None]
    return type(obj).__name__ if not isinstance(obj, (int, float)) or isinstance(obj, bool) else 'number'


@pytest.fixture(scope='module')
def real_clip(tmp_path_factory):
    root = os.environ.get('VPD_MM_SHARED_DATA', osp.join(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__)))), '..', 'shared', 'data'))
    src = osp.join(root, 'real_videos', 'clean_and_jerk.mp4')
    if not osp.isfile(src):
        pytest.skip(f'real clip not found: {src}')
    cap = cv2.VideoCapture(src)
    path = str(tmp_path_factory.mktemp('real') / 'cj.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 30, (340, 256))
    for _ in range(20):
        writer.write(cap.read()[1])
    writer.release()
    return path


def test_blazepose_and_mmpose_teachers_write_the_same_format(real_clip, tmp_path):
    pytest.importorskip('mediapipe')
    metas = {}
    for name, config in (('blazepose', BLAZEPOSE), ('mmpose', SYNTHSPORT)):
        root = tmp_path / name
        teacher = build_pose_teacher(config, cfg_options={'person_finder.score_thr': 0.01} if name == 'mmpose' else None)
        metas[name] = teacher.extract_video('cj', real_clip, str(root), extra_meta=dict(teacher=name))
        assert sorted(os.listdir(root / 'cj')) == ['boxes.json', 'coco_keypoints.json.gz', 'meta.json']
    a, b = tmp_path / 'blazepose' / 'cj', tmp_path / 'mmpose' / 'cj'
    assert _structure(json.loads((a / 'boxes.json').read_text())) == _structure(json.loads((b / 'boxes.json').read_text()))
    with gzip.open(a / 'coco_keypoints.json.gz', 'rt') as fa, gzip.open(b / 'coco_keypoints.json.gz', 'rt') as fb:
        ka, kb = json.load(fa), json.load(fb)
    assert len(ka) == len(kb) == 20 and [f for f, _ in ka] == [f for f, _ in kb]
    first = lambda k: next(p for _, ps in k for p in ps)  # noqa: E731
    assert _structure(first(ka)) == _structure(first(kb)) and len(first(ka)[2]) == 17
    assert set(metas['blazepose']) == set(metas['mmpose'])
    # BlazePose follows the lifter in every frame, confidently
    frames, poses = load_pose_sequence(a)
    assert len(frames) == 20 and poses[..., 2].mean() > 0.7
