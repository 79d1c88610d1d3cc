import json

import numpy as np
import pytest

from vpd_mm.evaluation.joint_features import evaluate_joint_features, format_joint_feature_table
from vpd_mm.utils.vpd_files import save_embeddings


def _write(folder, vid, joints):
    folder.mkdir(parents=True, exist_ok=True)
    feats = np.asarray(joints, np.float32).reshape(len(joints), 39)
    save_embeddings(str(folder / f'{vid}.emb.pkl'), [(i, np.stack([f, f]), {}) for i, f in enumerate(feats)])


def test_pck_and_error_by_frame_type(tmp_path):
    n = 4
    gt = np.zeros((n, 13, 3), np.float32)
    gt[..., 2] = 0.5  # visible
    gt[0, 5:, 2] = -0.5  # frame 0: only joints 0-4 visible
    good = gt.copy()
    bad = gt.copy()
    bad[..., 0] += 0.3  # every joint 0.3 off
    bad[0, 5:, 0] = gt[0, 5:, 0]
    bad[1, :, 0] = gt[1, :, 0]  # frame 1 right
    _write(tmp_path / 'gt', 'v0', gt)
    _write(tmp_path / 'good', 'v0', good)
    _write(tmp_path / 'bad', 'v0', bad)
    (tmp_path / 'gt_root' / 'gt' / 'v0').mkdir(parents=True)
    info = dict(limb_speed=[0, 20, 0, 0], inverted=[0, 0, 1, 0], blur=[0, 0, 0, 0], occluded=[0, 0, 0, 0])
    (tmp_path / 'gt_root' / 'gt' / 'v0' / 'frame_info.json').write_text(json.dumps(info))
    result = evaluate_joint_features({'good': tmp_path / 'good', 'bad': tmp_path / 'bad'}, tmp_path / 'gt',
                                     tmp_path / 'gt_root')
    assert result['frames']['all'] == 4 and result['frames']['fast'] == 1 and result['frames']['inverted'] == 1
    assert result['good']['all'] == dict(pck=1.0, error=0.0)
    assert result['bad']['fast'] == dict(pck=1.0, error=0.0)
    assert result['bad']['inverted']['pck'] == 0.0
    assert result['bad']['inverted']['error'] == pytest.approx(0.3)
    assert result['bad']['all']['pck'] == pytest.approx(0.25)  # frames 0 (visible joints wrong) 2, 3 wrong
    assert '| bad |' in format_joint_feature_table(result)


def test_wrong_feature_size_and_missing_files_are_named(tmp_path):
    _write(tmp_path / 'gt', 'v0', np.zeros((2, 13, 3)))
    (tmp_path / 'vipe').mkdir()
    save_embeddings(str(tmp_path / 'vipe' / 'v0.emb.pkl'), [(0, np.zeros((2, 32), np.float32), {})])
    with pytest.raises(ValueError, match=r'vipe.*32-d features'):
        evaluate_joint_features({'vipe': tmp_path / 'vipe'}, tmp_path / 'gt', tmp_path)
    with pytest.raises(FileNotFoundError, match=r"video 'v0': no feature file"):
        evaluate_joint_features({'x': tmp_path / 'nothing'}, tmp_path / 'gt', tmp_path)
