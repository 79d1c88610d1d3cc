import os

import cv2
import numpy as np
import pytest

from vpd_mm.crops import FLOW_BACKENDS, DISFlow, build_flow_backend, subtract_median


def _texture(size, seed=0):
    rng = np.random.default_rng(seed)
    noise = rng.uniform(0, 255, (size, size)).astype(np.float32)
    tex = cv2.GaussianBlur(noise, (0, 0), 1.5)
    tex = (tex - tex.min()) / (tex.max() - tex.min()) * 255
    return np.repeat(tex.astype(np.uint8)[..., None], 3, axis=2)


def _moving_patch(size, dx, dy, seed=0):
    """Static textured background; a 48x48 textured object moves by (dx, dy) between prev and cur."""
    bg, obj = _texture(size, seed), _texture(size, seed + 1)
    r0, c0, n = size // 2 - 24, size // 2 - 24, 48
    prev, cur = bg.copy(), bg.copy()
    prev[r0:r0 + n, c0:c0 + n] = obj[:n, :n]
    cur[r0 + dy:r0 + dy + n, c0 + dx:c0 + dx + n] = obj[:n, :n]
    inner = (slice(r0 + dy + 8, r0 + dy + n - 8), slice(c0 + dx + 8, c0 + dx + n - 8))
    return prev, cur, inner


def test_registry_and_aliases():
    assert {'DISFlow', 'TVL1Flow', 'RAFTFlow'} <= set(FLOW_BACKENDS.module_dict)
    b = build_flow_backend(dict(type='DISFlow', preset='fast'))
    assert isinstance(b, DISFlow) and b.config() == dict(type='DISFlow', preset='fast')
    assert isinstance(build_flow_backend('dis'), DISFlow)
    with pytest.raises(KeyError, match='unknown flow backend'):
        build_flow_backend(dict(type='NoSuchFlow'))
    with pytest.raises(ValueError, match='TVL1Flow: bad arguments'):
        build_flow_backend(dict(type='TVL1Flow', scalesNumber=3))
    with pytest.raises(ValueError, match='preset'):
        build_flow_backend(dict(type='DISFlow', preset='slow'))
    with pytest.raises(ValueError, match='uint8'):
        b(np.zeros((8, 8, 3), np.float32), np.zeros((8, 8, 3), np.float32))


@pytest.mark.parametrize('dx,dy', [(3, 0), (0, 2), (-3, 0)])
def test_dis_sign_convention_after_median_subtraction(dx, dy):
    prev, cur, inner = _moving_patch(128, dx, dy)
    flow = build_flow_backend(dict(type='DISFlow'))(prev, cur)
    assert flow.shape == (128, 128, 2) and flow.dtype == np.float32
    flow = subtract_median(flow)
    u, v = np.median(flow[inner][..., 0]), np.median(flow[inner][..., 1])
    assert abs(u - dx) < 0.5 and abs(v - dy) < 0.5, (u, v)
    background = np.ones((128, 128), bool)
    background[24:104, 24:104] = False
    assert np.abs(np.median(flow[background], axis=0)).max() < 0.25


def test_camera_motion_is_removed_by_the_median():
    tex = _texture(128, 3)
    shifted = np.roll(tex, 3, axis=1)
    raw = build_flow_backend('dis')(tex, shifted)
    assert abs(np.median(raw[..., 0]) - 3) < 0.3  # raw flow sees the camera pan
    assert np.abs(np.median(subtract_median(raw), axis=(0, 1))).max() < 1e-6


def test_dis_batch_matches_single_pairs():
    prev, cur, _ = _moving_patch(64, 2, 1)
    b = build_flow_backend('dis')
    out = b.batch(np.stack([prev, cur]), np.stack([cur, prev]))
    assert out.shape == (2, 64, 64, 2)
    np.testing.assert_allclose(out[0], b(prev, cur))
    np.testing.assert_allclose(out[1], b(cur, prev))


def test_tvl1_sign_convention():
    prev, cur, inner = _moving_patch(96, 3, 0, seed=5)
    flow = subtract_median(build_flow_backend(dict(type='TVL1Flow', nscales=3, warps=3))(prev, cur))
    assert abs(np.median(flow[inner][..., 0]) - 3) < 0.5


def test_raft_needs_a_weights_file(tmp_path):
    with pytest.raises(ValueError, match='weights'):
        build_flow_backend(dict(type='RAFTFlow'))
    missing = str(tmp_path / 'raft_small.pth')
    with pytest.raises(FileNotFoundError, match='raft_small.pth'):
        build_flow_backend(dict(type='RAFTFlow', weights=missing))
    garbage = tmp_path / 'garbage.pth'
    garbage.write_bytes(b'not a checkpoint')
    with pytest.raises(ValueError, match='garbage.pth'):
        build_flow_backend(dict(type='RAFTFlow', weights=str(garbage)))


def test_raft_loads_user_weights_without_downloading(tmp_path, monkeypatch):
    torch = pytest.importorskip('torch')
    from torchvision.models.optical_flow import raft_small
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    torch.manual_seed(0)
    path = tmp_path / 'raft_small_random.pth'
    torch.save({'state_dict': raft_small(weights=None).state_dict()}, path)
    b = build_flow_backend(dict(type='RAFTFlow', weights=str(path), num_flow_updates=2))
    assert b.config()['model'] == 'small'
    prev, cur, _ = _moving_patch(128, 2, 0)
    flow = b(prev, cur)
    assert flow.shape == (128, 128, 2) and flow.dtype == np.float32 and np.isfinite(flow).all()
    assert np.abs(flow).max() > 0  # random weights: any finite, non-trivial output
    with pytest.raises(ValueError, match='divisible by 8'):
        b(prev[:124, :124].copy(), cur[:124, :124].copy())
    with pytest.raises(ValueError, match='at least 128'):
        b(prev[:64, :64].copy(), cur[:64, :64].copy())
    with pytest.raises(ValueError, match='do not match'):
        build_flow_backend(dict(type='RAFTFlow', weights=str(path), model='large'))
    assert not os.path.exists(tmp_path / 'torch_home')
