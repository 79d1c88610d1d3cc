import json

import numpy as np
import pytest

from vpd_mm.teachers import evaluate_teacher, format_report, frame_types
from vpd_mm.utils.fileio import atomic_write_json
from vpd_mm.utils.vpd_files import save_boxes, save_coco_keypoints

N = 20
BOX = [100.0, 50.0, 40.0, 100.0]  # x, y, w, h; longer side 100 -> PCK@0.2 radius 20 px


def _gt_pose():
    kp = np.zeros((17, 3))
    kp[:, 0] = np.linspace(105, 135, 17)
    kp[:, 1] = np.linspace(55, 145, 17)
    kp[:, 2] = 1
    kp[0, 2] = 0  # the nose is hidden: not evaluated
    return kp


def _write_gt(root):
    kp = _gt_pose()
    save_boxes(root / 'pose' / 'v0' / 'boxes.json', [(f, BOX) for f in range(N)])
    save_coco_keypoints(root / 'pose' / 'v0' / 'coco_keypoints.json.gz',
                        [(f, [(1.0, BOX, kp)]) for f in range(N)])
    atomic_write_json(root / 'pose' / 'v0' / 'meta.json', dict(fps=25, num_frames=N, width=320, height=240))
    info = dict(
        limb_speed=[0.0] * 10 + [20.0] * 10,
        blur=[0.0] * 10 + [14.4] * 10,
        inverted=[False] * 15 + [True] * 5,
        occluded=[0] * 18 + [3] * 2,
        element=[-1] * N)
    atomic_write_json(root / 'gt' / 'v0' / 'frame_info.json', info)
    (root / 'pose' / 'v1').mkdir()  # a GT video without predictions


def _write_pred(root):
    kp = _gt_pose()
    d = root / 'pose' / 'v0'
    boxes, frames = [], []
    for f in range(N):
        if f in (3, 4):
            continue  # athlete lost
        p = kp.copy()
        p[:, 2] = 0.5
        if f >= 10:
            p[1:9, 0] += 25  # 8 of the 16 visible joints are off by 25 px > 20 px
        box = BOX
        if 8 <= f < 11:  # the track jumped to another person: its box and its pose
            box = [250.0, 50.0, 40.0, 100.0]
            p = kp.copy()
            p[:, 0] += 145
        boxes.append((f, box))
        frames.append((f, [(0.8, box, p)]))
    save_boxes(d / 'boxes.json', boxes)
    save_coco_keypoints(d / 'coco_keypoints.json.gz', frames)
    atomic_write_json(d / 'meta.json', dict(fps=25, num_frames=N, width=320, height=240))


def test_frame_types():
    t = frame_types(
        dict(limb_speed=[0, 12, 0, 0], blur=[0, 8, 6, 0], inverted=[0, 0, 0, 1], occluded=[0, 0, 0, 0]),
        fast_thr=10,
        blur_thr=5)
    assert t['calm'].tolist() == [True, False, False, False]
    assert t['fast'].tolist() == [False, True, False, False]
    assert t['blurred'].tolist() == [False, True, True, False]
    assert t['inverted'].tolist() == [False, False, False, True]


def test_evaluate_against_gt(tmp_path):
    gt, pred = tmp_path / 'gt', tmp_path / 'pred'
    _write_gt(gt)
    _write_pred(pred)
    res = evaluate_teacher(pred / 'pose', gt, out_file=tmp_path / 'eval.json')
    assert json.loads((tmp_path / 'eval.json').read_text())['overall'] == res['overall']
    assert res['missing_videos'] == ['v1']
    o = res['overall']
    t = o['tracking']
    assert o['frames'] == N
    # 15 frames on the athlete (IoU 1), 3 on another person (IoU 0), 2 lost (IoU 0)
    assert t['mean_iou'] == pytest.approx(15 / 20) and t['iou_gt_0_5'] == pytest.approx(15 / 20)
    assert t['coverage'] == pytest.approx(18 / 20)
    assert t['id_switches'] == 1 and t['off_athlete_frames'] == 3
    # PCK: frames 0-9 minus lost 3, 4 and wrong person 8, 9: 6 frames x 16 visible joints right;
    # frames 11-19: 8 of 16 right; lost frames count as wrong
    correct = 6 * 16 + 9 * 8
    assert o['pck_bbox'] == pytest.approx(correct / (20 * 16))
    assert o['pck_torso'] == pytest.approx(correct / (20 * 16))  # torso 0.2 x ~36 px: same verdicts here
    calm = o['by_type']['calm']
    assert calm['frames'] == 10 and calm['pck_bbox'] == pytest.approx(6 * 16 / (10 * 16))
    assert o['by_type']['fast']['frames'] == 10 and o['by_type']['inverted']['frames'] == 5
    assert o['by_type']['inverted']['pck_bbox'] == pytest.approx(0.5)
    assert o['kp_score']['quantiles']['0.5'] == pytest.approx(0.5)
    assert sum(o['kp_score']['histogram']['counts']) == 18
    table = format_report(res)
    assert '| athlete box | 0.750 | 75.0 | 90.0 | 1 | 3 |' in table and 'missing: v1' in table


def test_nothing_to_evaluate(tmp_path):
    _write_gt(tmp_path / 'gt')
    res = evaluate_teacher(tmp_path / 'nothing', tmp_path / 'gt')
    assert res['overall'] is None and res['missing_videos'] == ['v0', 'v1']
    assert 'no finished videos' in format_report(res)
    with pytest.raises(FileNotFoundError, match='GT pose folder not found'):
        evaluate_teacher(tmp_path, tmp_path / 'none')
