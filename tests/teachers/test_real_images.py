"""Scoring teachers on annotated images: metrics on a hand-made case, and the real-image ranking tool."""
import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import pytest

from vpd_mm.teachers import POSE_ESTIMATORS, PoseTeacher
from vpd_mm.teachers.real_images import load_coco_keypoint_set, score_teacher

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, osp.join(REPO, 'tools', f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@POSE_ESTIMATORS.register_module(force=True)
class ShiftedGroundTruthPose:
    """Returns the GT joints of the box's person moved right by ``shift`` pixels (hand-made predictions)."""

    def __init__(self, gt, shift, device='cpu'):
        self.gt, self.shift = gt, shift

    def __call__(self, images, boxes):
        out = np.stack([self.gt[tuple(np.round(b).astype(int))] for b in boxes]).copy()
        out[..., 0] += self.shift
        out[..., 2] = 1
        return out


def _coco_set(tmp_path):
    """Two people in one image: 100 x 200 and 50 x 100 px boxes, 17 labelled joints each (one not labelled)."""
    cv2.imwrite(str(tmp_path / 'a.jpg'), np.zeros((300, 300, 3), np.uint8))
    anns, gt = [], {}
    for k, (x, y, w, h) in enumerate([(10, 10, 100, 200), (200, 50, 50, 100)]):
        kp = np.zeros((17, 3), np.float32)
        kp[:, 0] = x + w / 2
        kp[:, 1] = np.linspace(y, y + h, 17)
        kp[:, 2] = 2
        if k == 1:
            kp[16] = 0  # not labelled: not scored
        anns.append(dict(id=k + 1, image_id=1, category_id=1, iscrowd=0, bbox=[x, y, w, h],
                         keypoints=kp.ravel().tolist(), num_keypoints=int((kp[:, 2] > 0).sum())))
        gt[(x, y, x + w, y + h)] = kp
    (tmp_path / 'ann.json').write_text(json.dumps(dict(images=[dict(id=1, file_name='a.jpg', width=300, height=300)],
                                                       annotations=anns)))
    return str(tmp_path / 'ann.json'), gt


def test_pck_on_a_hand_made_case(tmp_path):
    ann, gt = _coco_set(tmp_path)
    images = load_coco_keypoint_set(ann)
    assert len(images) == 1 and images[0].keypoints.shape == (2, 17, 3)
    # a 15 px shift is 0.075 of the big person's 200 px side and 0.15 of the small one's 100 px side
    teacher = PoseTeacher(POSE_ESTIMATORS.build(dict(type='ShiftedGroundTruthPose', gt=gt, shift=15)))
    res = score_teacher(teacher, images, 'gt')
    assert res['people'] == 2 and res['joints'] == 33
    assert res['pck_bbox'] == {'0.1': pytest.approx(17 / 33), '0.2': 1.0}
    assert res['per_joint']['r_ankle']['labelled'] == 1 and res['per_joint']['nose']['pck_0_2'] == 1.0
    assert res['per_joint']['nose']['median_error'] == pytest.approx((0.075 + 0.15) / 2)


def test_bad_annotation_files_are_named(tmp_path):
    ann, _ = _coco_set(tmp_path)
    data = json.loads(open(ann).read())
    data['annotations'][0]['keypoints'] = data['annotations'][0]['keypoints'][:-3]
    (tmp_path / 'bad.json').write_text(json.dumps(data))
    with pytest.raises(ValueError, match='bad.json: annotation 1 has 16 keypoints'):
        load_coco_keypoint_set(str(tmp_path / 'bad.json'))
    data = json.loads(open(ann).read())
    data['images'][0]['file_name'] = 'missing.jpg'
    (tmp_path / 'nofile.json').write_text(json.dumps(data))
    with pytest.raises(ValueError, match='image missing.jpg not found'):
        load_coco_keypoint_set(str(tmp_path / 'nofile.json'))


def test_rank_teachers_on_real_images(shared_data, tmp_path, capsys):
    """BlazePose on the four real Human3.6M people, with GT and with its own boxes."""
    pytest.importorskip('mediapipe')
    out = tmp_path / 'rank.json'
    assert _tool('rank_teachers').main([
        '--teachers', osp.join(REPO, 'configs/teachers/blazepose-full_coco17.py'), '--real-root',
        osp.join(shared_data, 'real_pose_images'), '--sets', 'h36m', '-o', str(out)]) == 0
    rows = {r['boxes']: r['metrics'] for r in json.loads(out.read_text())['rows']}
    assert rows['gt']['people'] == 4 and rows['gt']['pck_bbox']['0.2'] >= 0.85
    assert rows['detected']['found'] == 1.0 and rows['detected']['pck_bbox']['0.2'] >= 0.85
    assert '| blazepose-full_coco17 | h36m | gt | 4 |' in capsys.readouterr().out


def test_missed_people_count_as_wrong_in_both_normalisations(tmp_path):
    ann, gt = _coco_set(tmp_path)
    images = load_coco_keypoint_set(ann)

    class FindsOnlyTheBigPerson:
        def __call__(self, imgs):
            return [np.array([[10, 10, 110, 210, 0.9]], np.float32)]

    teacher = PoseTeacher(POSE_ESTIMATORS.build(dict(type='ShiftedGroundTruthPose', gt=gt, shift=0)),
                          FindsOnlyTheBigPerson())
    res = score_teacher(teacher, images, 'detected')
    assert res['found'] == 0.5
    assert res['pck_bbox']['0.2'] == pytest.approx(17 / 33)
    # the small person's torso joints are labelled: its 16 joints count, and are wrong
    assert res['pck_torso']['0.2'] == pytest.approx(17 / 33)
