import json
import os.path as osp

import cv2
import numpy as np
import pytest

from vpd_mm.pose.pose_features import load_pose_sequence
from vpd_mm.teachers import BatchedPoseEstimator, ExtractOptions, SkipVideo, extract_video
from vpd_mm.teachers.random_init import random_teachers
from vpd_mm.tracking import TRACKERS, ATHLETE_SELECTORS, iou_matrix, xywh_to_xyxy
from vpd_mm.tracking.synthetic import athlete_boxes, render_boxes_video
from vpd_mm.utils.vpd_files import load_boxes, load_coco_keypoints, save_boxes

T = 40
HIDDEN = {12, 13, 14, 30}  # frames where the athlete is not drawn (detector misses)
RED, BLUE, GREEN = (0, 0, 255), (255, 0, 0), (0, 200, 0)


def blob_detector(images, scores=(0.9, 0.9, 0.9)):
    """A real, model-free person detector for coloured-box videos: one box per colour blob
    (``scores``: detection score of blue, green and red blobs)."""
    out = []
    for img in images:
        rows = []
        for ch in range(3):
            others = np.delete(img, ch, axis=2).max(axis=2).astype(int)
            mask = ((img[..., ch].astype(int) - others) > 80).astype(np.uint8)
            n, _, stats, _ = cv2.connectedComponentsWithStats(mask)
            for x, y, w, h, area in stats[1:]:
                if area >= 30:
                    rows.append([x, y, x + w, y + h, scores[ch]])
        out.append(np.array(rows, np.float32).reshape(-1, 5))
    return out


@pytest.fixture(scope='module')
def scene(tmp_path_factory):
    d = tmp_path_factory.mktemp('scene')
    gt = athlete_boxes(T)
    frames = []
    for t in range(T):
        items = [(np.array([270, 80, 310, 200.0]), BLUE)]  # coach: large, still, at the edge
        items.append((np.array([20 + 2 * t, 150, 45 + 2 * t, 230.0]), GREEN))  # walker
        if t not in HIDDEN:
            items.append((gt[t], RED))
        frames.append(items)
    path = str(d / 'gym.avi')
    render_boxes_video(path, frames)
    teachers = random_teachers(str(tmp_path_factory.getbasetemp() / 'vpd_random_teachers'))
    pose = BatchedPoseEstimator(
        teachers['pose_config'],
        teachers['pose_checkpoint'],
        batch_size=16,
        cfg_options={'model.test_cfg.flip_test': False})
    return dict(path=path, gt=gt, pose=pose, root=d)


def _run(scene, out, **kw):
    return extract_video(
        'gym',
        scene['path'],
        str(out),
        scene['pose'],
        16,
        tracker=TRACKERS.build(dict(type='SortTracker')),
        selector=ATHLETE_SELECTORS.build(dict(type='HeuristicAthleteSelector')),
        **kw)


def test_detect_track_select_pose(scene, tmp_path):
    meta = _run(scene, tmp_path, detector=blob_detector, det_batch_size=8, extra_meta=dict(teacher='x'))
    d = tmp_path / 'gym'
    assert json.loads((d / 'meta.json').read_text()) == meta
    assert (meta['num_frames'], meta['width'], meta['height'], meta['fps']) == (T, 320, 240, 25.0)
    assert meta['source'] == 'detector' and meta['teacher'] == 'x' and meta['tracks'] == 3
    boxes = load_boxes(d / 'boxes.json')
    assert sorted(boxes) == list(range(T))  # the hidden frames are interpolated
    ious = np.array([iou_matrix(xywh_to_xyxy(boxes[f]), scene['gt'][f])[0, 0] for f in range(T)])
    assert ious[[f for f in range(T) if f not in HIDDEN]].min() > 0.8  # the athlete, not the coach or walker
    assert ious[sorted(HIDDEN)].min() > 0.5
    assert meta['filled_frames'] == len(HIDDEN)
    kps = load_coco_keypoints(d / 'coco_keypoints.json.gz')
    assert sorted(kps) == list(range(T))
    for f in range(T):
        people = kps[f]
        assert len(people) == 3  # all detected people (+ the interpolated athlete where it was missed)
        if f in HIDDEN:
            assert people[-1][0] == 0.0 and np.allclose(people[-1][1], boxes[f], atol=1e-3)
    frames, poses = load_pose_sequence(d)
    assert frames.tolist() == list(range(T)) and poses.shape == (T, 17, 3) and np.isfinite(poses).all()


def test_weak_athlete_detections_get_their_pose_on_the_final_box(scene, tmp_path):
    meta = _run(
        scene,
        tmp_path,
        detector=lambda imgs: blob_detector(imgs, scores=(0.9, 0.9, 0.6)),
        options=ExtractOptions(pose_score_thr=0.7))
    assert meta['posed_detections'] == 2 * T  # coach + walker; the athlete's detections are too weak
    assert meta['refined_frames'] == meta['athlete_frames'] == T  # ... so it gets its pose on its own box
    kps = load_coco_keypoints(tmp_path / 'gym' / 'coco_keypoints.json.gz')
    boxes = load_boxes(tmp_path / 'gym' / 'boxes.json')
    for f in (0, 12, 20):
        assert len(kps[f]) == 3 and np.allclose(kps[f][-1][1], boxes[f], atol=1e-3)
        assert kps[f][-1][0] == (0.0 if f in HIDDEN else pytest.approx(0.6))


def test_detection_interval(scene, tmp_path):
    meta = _run(scene, tmp_path, detector=blob_detector, options=ExtractOptions(det_interval=2))
    assert meta['det_frames'] == T // 2 and meta['det_interval'] == 2
    boxes = load_boxes(tmp_path / 'gym' / 'boxes.json')
    assert sorted(boxes) == list(range(T - 1))  # last frame is odd: no detection after it to interpolate to
    kps = load_coco_keypoints(tmp_path / 'gym' / 'coco_keypoints.json.gz')
    assert len(kps[1]) == 1 and kps[1][0][0] == 0.0  # undetected frame: only the interpolated athlete
    assert len(kps[2]) == 3


def test_given_boxes(scene, tmp_path):
    given = tmp_path / 'given'
    save_boxes(given / 'gym' / 'boxes.json',
               [(f, [b[0], b[1], b[2] - b[0], b[3] - b[1]]) for f, b in enumerate(scene['gt']) if f % 3])
    meta = _run(scene, tmp_path / 'out', boxes_from=str(given))
    assert meta['source'] == 'boxes' and meta['athlete_frames'] == len([f for f in range(T) if f % 3])
    out = tmp_path / 'out' / 'gym'
    assert load_boxes(out / 'boxes.json').keys() == load_boxes(given / 'gym' / 'boxes.json').keys()
    kps = load_coco_keypoints(out / 'coco_keypoints.json.gz')
    assert kps[0] == [] and len(kps[1]) == 1 and kps[1][0][0] == 1.0


def test_given_boxes_that_do_not_fit_the_video(scene, tmp_path):
    given = tmp_path / 'given'
    save_boxes(given / 'gym' / 'boxes.json', [(f, [10, 10, 20, 40]) for f in range(T)])
    (given / 'gym' / 'meta.json').write_text(json.dumps(dict(num_frames=T + 5)))
    with pytest.raises(
            SkipVideo,
            match=f'frame-count mismatch: .*gym.avi decodes to {T} frames but .*meta.json '
            f'says {T + 5}'):
        _run(scene, tmp_path / 'out', boxes_from=str(given))
    (given / 'gym' / 'meta.json').unlink()
    save_boxes(given / 'gym' / 'boxes.json', [(f, [10, 10, 20, 40]) for f in range(T + 2)])
    with pytest.raises(
            SkipVideo, match=f'boxes.json has boxes up to frame {T + 1} but .*gym.avi decodes to {T}'):
        _run(scene, tmp_path / 'out', boxes_from=str(given))
    with pytest.raises(SkipVideo, match='no given boxes'):
        _run(scene, tmp_path / 'out', boxes_from=str(tmp_path / 'elsewhere'))
    (given / 'gym' / 'boxes.json').write_text('[[0, [1, 2, 3]]]')
    with pytest.raises(SkipVideo, match='boxes.json: bad boxes.json entry'):
        _run(scene, tmp_path / 'out', boxes_from=str(given))
    assert not osp.exists(tmp_path / 'out' / 'gym' / 'meta.json')


def test_no_person(scene, tmp_path):
    path = str(tmp_path / 'empty_gym.avi')
    render_boxes_video(path, [[] for _ in range(10)])
    with pytest.raises(SkipVideo, match='empty_gym.avi: no person detected in any of 10 processed frames'):
        extract_video(
            'empty_gym',
            path,
            str(tmp_path),
            scene['pose'],
            detector=blob_detector,
            tracker=TRACKERS.build(dict(type='SortTracker')),
            selector=ATHLETE_SELECTORS.build(dict(type='HeuristicAthleteSelector')))
    assert not osp.exists(tmp_path / 'empty_gym' / 'meta.json')
