import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
import torch
from mmengine.config import Config

import vpd_mm  # noqa: F401
from mmaction.registry import MODELS
from vpd_mm.pose.camera import random_views
from vpd_mm.pose.normalize import normalize_coco_pose
from vpd_mm.pose.synthetic3d import random_pose_sequence
from vpd_mm.pose.vipe_embeddings import apply_vipe, load_vipe_model, vipe_embedding_records
from vpd_mm.utils.vpd_files import load_embeddings, save_coco_keypoints

TINY_MODEL = dict(
    type='VIPEStar',
    backbone=dict(type='VIPEStarEncoder', in_channels=39, out_channels=8, width=32, num_blocks=1),
    head=dict(type='VIPEStarHead', in_channels=8, out_channels=91, hidden_channels=(16, )))


@pytest.fixture
def checkpoint(tmp_path):
    torch.manual_seed(0)
    model = MODELS.build(TINY_MODEL)
    path = str(tmp_path / 'vipe.pth')
    torch.save(
        dict(state_dict=model.state_dict(), meta=dict(cfg=Config(dict(model=TINY_MODEL)).pretty_text)), path)
    return path


def _pose_root(root, num_videos=2, frames=6):
    rng = np.random.default_rng(0)
    for v in range(num_videos):
        seq = random_pose_sequence(frames, rng)
        records = []
        for f in range(frames):
            kp = random_views(seq[f], rng, 1)[0]
            kp[:, :2] = kp[:, :2] * 200 + 300
            records.append((f, [(1.0, [0, 0, 600, 600], kp)]))
        save_coco_keypoints(osp.join(root, f'vid{v}', 'coco_keypoints.json.gz'), records)
    return root


def test_records_embed_original_and_flipped(checkpoint):
    model = load_vipe_model(checkpoint)
    assert not model.training
    kp = random_views(random_pose_sequence(1, np.random.default_rng(1))[0], np.random.default_rng(2), 3)
    recs = vipe_embedding_records(model, np.array([3, 4, 7]), kp)
    assert [r[0] for r in recs] == [3, 4, 7]
    assert recs[0][1].shape == (2, 8)
    # batch of 6 vs batch of 1: float32 rounding differs (a few 1e-8 on entries near 0)
    np.testing.assert_allclose(
        recs[1][1][1], model.embed(normalize_coco_pose(kp[1:2], flip=True))[0], rtol=1e-5, atol=1e-6)
    assert recs[2][2]['kp_score'] == pytest.approx(kp[2, :, 2].mean(), rel=1e-6)
    inv = vipe_embedding_records(model, np.arange(3), kp, invert_vertical=True)
    assert inv[0][1].shape == (2, 16)
    np.testing.assert_allclose(inv[0][1][:, :8], recs[0][1], rtol=1e-5)


def test_apply_vipe_tool_writes_valid_files(tmp_path, checkpoint, repo_root):
    pose_root = _pose_root(str(tmp_path / 'pose'))
    out, joints = str(tmp_path / 'vipe'), str(tmp_path / 'joints')
    cmd = [
        sys.executable,
        osp.join(repo_root, 'tools', 'apply_vipe.py'), pose_root, checkpoint, '-o', out, '--joints-out',
        joints
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert '2 written' in proc.stdout
    recs = load_embeddings(osp.join(out, 'vid1.emb.pkl'))
    assert len(recs) == 6 and recs[0][1].shape == (2, 8) and 'kp_score' in recs[0][2]
    jrecs = load_embeddings(osp.join(joints, 'vid1.emb.pkl'))
    assert jrecs[0][1].shape == (2, 39)
    # resumable: a second run skips everything
    model = load_vipe_model(checkpoint)
    assert set(apply_vipe(pose_root, model, out, joints, progress=False).values()) == {'skipped'}


def test_apply_vipe_bad_inputs(tmp_path, checkpoint):
    model = load_vipe_model(checkpoint)
    kp = np.zeros((2, 17, 3), np.float32)
    kp[1, 4, 0] = np.nan
    with pytest.raises(ValueError, match='NaN'):
        vipe_embedding_records(model, np.arange(2), kp, name='clip.json')
    with pytest.raises(ValueError, match=r'\(\.\.\., 17, 3\)'):
        vipe_embedding_records(model, np.arange(2), np.zeros((2, 13, 3)))
    with pytest.raises(ValueError, match='no <video>/coco_keypoints'):
        apply_vipe(str(tmp_path), model, str(tmp_path / 'o'), progress=False)
    with pytest.raises(FileNotFoundError, match='checkpoint not found'):
        load_vipe_model(str(tmp_path / 'nope.pth'))
    torch.save(
        dict(state_dict={}, meta=dict(cfg=Config(dict(model=dict(type='Recognizer2D'))).pretty_text)),
        tmp_path / 'other.pth')
    with pytest.raises(ValueError, match='expected VIPEStar'):
        load_vipe_model(str(tmp_path / 'other.pth'))
