import numpy as np
import pytest
from mmaction.registry import TRANSFORMS

import vpd_mm  # noqa: F401
from vpd_mm.datasets.transforms.render_joint_heatmaps import render_joint_heatmaps


@pytest.mark.parametrize('persons, sigma', [(1, 1.0), (2, 0.6), (3, 1.7)])
def test_same_maps_as_generate_pose_target(persons, sigma):
    rng = np.random.default_rng(persons)
    # joints partly outside the 28x20 canvas, some zero / tiny scores
    kp = rng.uniform(-6, 32, (persons, 5, 7, 2)).astype(np.float32)
    score = rng.uniform(0, 1, (persons, 5, 7)).astype(np.float32)
    score[score < 0.15] = 0
    score[0, 0, 0] = 5e-5  # below GeneratePoseTarget's eps: not drawn
    results = dict(keypoint=kp, keypoint_score=score, img_shape=(20, 28))
    ref = TRANSFORMS.build(dict(type='GeneratePoseTarget', sigma=sigma, with_kp=True,
                                with_limb=False))(dict(results))['imgs']
    out = TRANSFORMS.build(dict(type='RenderJointHeatmaps', sigma=sigma))(dict(results))['imgs']
    assert out.shape == ref.shape == (5, 7, 20, 28) and out.dtype == np.float32
    np.testing.assert_allclose(out, ref, atol=1e-6)
    assert out.max() > 0.5


def test_hand_checked_single_joint():
    kp = np.array([[[[2.0, 1.0]]]], np.float32)  # x=2, y=1 on a 4x6 canvas, sigma 1
    maps = render_joint_heatmaps(kp, (4, 6), 1.0, np.full((1, 1, 1), 0.5, np.float32))
    assert maps.shape == (1, 1, 4, 6)
    assert maps[0, 0, 1, 2] == pytest.approx(0.5)
    assert maps[0, 0, 1, 3] == pytest.approx(0.5 * np.exp(-0.5))
    assert maps[0, 0, 3, 4] == pytest.approx(0.5 * np.exp(-(4 + 4) / 2))
    # the 3-sigma window of x = 2 ends at x = 5 inclusive
    assert maps[0, 0, 1, 5] == pytest.approx(0.5 * np.exp(-4.5))


def test_without_score_and_heatmap_key():
    kp = np.zeros((1, 2, 3, 2), np.float32) + 4
    score = np.zeros((1, 2, 3), np.float32)
    out = TRANSFORMS.build(dict(type='RenderJointHeatmaps', sigma=1.0, use_score=False))(
        dict(keypoint=kp, keypoint_score=score, img_shape=(8, 8), imgs=np.zeros((2, 8, 8, 3))))
    assert out['heatmap_imgs'].shape == (2, 3, 8, 8) and out['heatmap_imgs'].max() == pytest.approx(1)
    assert out['imgs'].shape == (2, 8, 8, 3)


def test_bad_input_raises():
    kp = np.zeros((1, 2, 3, 2), np.float32)
    kp[0, 1, 2, 1] = np.nan
    with pytest.raises(ValueError, match="NaN.*'clip_3'"):
        TRANSFORMS.build(dict(type='RenderJointHeatmaps'))(
            dict(keypoint=kp, img_shape=(8, 8), frame_dir='clip_3'))
    with pytest.raises(ValueError, match='does not match'):
        render_joint_heatmaps(np.zeros((1, 2, 3, 2)), (8, 8), 1.0, np.ones((1, 2, 4)))
    with pytest.raises(ValueError, match='sigma'):
        TRANSFORMS.build(dict(type='RenderJointHeatmaps', sigma=0))
