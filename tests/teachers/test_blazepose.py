"""BlazePose-full (MediaPipe), the offline real-weights teacher: no network, real images, formats."""
import os.path as osp
import socket

import cv2
import numpy as np
import pytest

from vpd_mm.teachers import PERSON_FINDERS, POSE_ESTIMATORS
from vpd_mm.teachers.blazepose import COCO17_FROM_BLAZEPOSE33, box_from_keypoints, bundled_model_files

pytest.importorskip('mediapipe')


@pytest.fixture
def no_network(monkeypatch):
    """Refuse (and record) every outbound connection or name lookup."""
    attempts = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise OSError('network access refused by the test')

    monkeypatch.setattr(socket.socket, 'connect', refuse)
    monkeypatch.setattr(socket.socket, 'connect_ex', refuse)
    monkeypatch.setattr(socket, 'getaddrinfo', refuse)
    monkeypatch.setattr(socket, 'create_connection', refuse)
    return attempts


def _h36m(shared_data):
    """One real Human3.6M frame with its GT COCO-17 joints and box."""
    from vpd_mm.teachers.real_images import load_coco_keypoint_set
    items = load_coco_keypoint_set(osp.join(shared_data, 'real_pose_images', 'h36m', 'h36m_coco.json'), layout='h36m17')
    return items


def test_bundled_model_and_map():
    files = bundled_model_files()
    assert all(osp.getsize(f) > 1_000_000 for f in files)
    assert len(COCO17_FROM_BLAZEPOSE33) == 17 and COCO17_FROM_BLAZEPOSE33[5:7] == (11, 12)  # shoulders
    with pytest.raises(ValueError, match='only 1 \\(BlazePose-full\\) ships'):
        POSE_ESTIMATORS.build(dict(type='BlazePoseEstimator', model_complexity=2))
    with pytest.raises(ValueError, match='would be downloaded'):
        PERSON_FINDERS.build(dict(type='BlazePosePersonFinder', model_complexity=0))


def test_no_network_and_no_person_on_blank_frames(no_network):
    finder = PERSON_FINDERS.build(dict(type='BlazePosePersonFinder'))
    pose = POSE_ESTIMATORS.build(dict(type='BlazePoseEstimator'))
    blank = np.full((120, 160, 3), 127, np.uint8)
    out = finder([blank, blank])
    assert [o.shape for o in out] == [(0, 56), (0, 56)]
    kp = pose([blank], np.array([[10, 10, 100, 110]], np.float32))
    assert kp.shape == (1, 17, 3) and not kp.any()  # nobody: zero scores, not made-up joints
    finder.reset()
    assert no_network == []
    with pytest.raises(ValueError, match='one image per box'):
        pose([blank, blank], np.zeros((1, 4)))
    with pytest.raises(ValueError, match='BGR uint8'):
        finder([blank[..., 0]])


def test_box_from_keypoints():
    kp = np.zeros((17, 3), np.float32)
    kp[:, 0] = np.linspace(100, 200, 17)
    kp[:, 1] = np.linspace(50, 250, 17)
    kp[:, 2] = 1
    box = box_from_keypoints(kp, (640, 480), margin=0.1)
    np.testing.assert_allclose(box, [90, 20, 210, 270])  # 10 % each side, 15 % above the head
    kp[:, :2] = -50  # entirely outside the frame
    assert box_from_keypoints(kp, (640, 480)) is None


def test_estimator_on_real_images_within_pck_bound(shared_data, no_network):
    """BlazePose on the GT boxes of the four real Human3.6M people: PCK@0.2 (box) >= 0.85."""
    items = _h36m(shared_data)
    pose = POSE_ESTIMATORS.build(dict(type='BlazePoseEstimator'))
    correct, total = 0, 0
    for item in items:
        img = cv2.imread(item.path)
        pred = pose([img] * len(item.boxes), item.boxes)
        for g, gt in enumerate(item.keypoints):
            side = max(item.boxes[g, 2] - item.boxes[g, 0], item.boxes[g, 3] - item.boxes[g, 1])
            vis = gt[:, 2] > 0
            d = np.linalg.norm(pred[g, :, :2] - gt[:, :2], axis=1)
            correct += int((d[vis] <= 0.2 * side).sum())
            total += int(vis.sum())
    assert total == 48 and correct / total >= 0.85, f'PCK@0.2 {correct / total:.3f}'
    assert no_network == []


def test_finder_follows_one_person_in_a_real_clip(shared_data):
    """Video mode on the first 30 frames of a real clip: a person every frame, keypoints inside the box."""
    cap = cv2.VideoCapture(osp.join(shared_data, 'real_videos', 'clean_and_jerk.mp4'))
    frames = [cap.read()[1] for _ in range(30)]
    finder = PERSON_FINDERS.build(dict(type='BlazePosePersonFinder'))
    out = finder(frames)
    assert all(o.shape == (1, 56) for o in out)
    rows = np.concatenate(out)
    assert (rows[:, 4] > 0.5).all()
    kp = rows[:, 5:].reshape(-1, 17, 3)
    conf = kp[..., 2] > 0.5
    inside = (kp[..., 0] >= rows[:, None, 0] - 1) & (kp[..., 0] <= rows[:, None, 2] + 1) & \
        (kp[..., 1] >= rows[:, None, 1] - 1) & (kp[..., 1] <= rows[:, None, 3] + 1)
    assert inside[conf].all()
    centres = (rows[:, :2] + rows[:, 2:4]) / 2
    assert np.abs(np.diff(centres, axis=0)).max() < 20  # the same person, frame after frame


def test_joints_outside_the_frame_score_zero(shared_data):
    """A person cut by the frame's edge: BlazePose extrapolates the missing limbs, vpd_mm scores them 0."""
    from vpd_mm.teachers.blazepose import make_pose_solution, run_blazepose
    items = _h36m(shared_data)
    img = cv2.imread(items[0].path)
    knees = int(items[0].keypoints[0, 13, 1])
    cut = img[:knees].copy()  # the lower legs are cut away
    kp = run_blazepose(make_pose_solution(static_image_mode=True), cut)
    assert kp is not None
    outside = kp[:, 1] >= cut.shape[0]
    assert outside[[15, 16]].all() and (kp[outside, 2] == 0).all() and (kp[5:7, 2] > 0.5).all()
