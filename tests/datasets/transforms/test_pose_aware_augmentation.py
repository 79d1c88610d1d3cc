import numpy as np
import pytest
from mmaction.registry import TRANSFORMS

import vpd_mm  # noqa: F401
from vpd_mm.datasets.joint_layouts import JHMDB15_GROUPS, JHMDB15_TORSO


def make_results(seed=0, t=5):
    kp = np.random.default_rng(seed).uniform(5, 25, size=(1, t, 15, 2)).astype(np.float32)
    return dict(keypoint=kp, img_shape=(32, 32), keypoint_score=np.arange(15, dtype=np.float32)[None, None]
                .repeat(t, 1))


def test_global_translation_same_for_all_joints_and_frames():
    res = make_results()
    orig = res['keypoint'].copy()
    out = TRANSFORMS.build(dict(type='PoseAwareAugmentation', beta=4, gamma=0, flip_ratio=0,
                                layout='jhmdb15', seed=0))(res)
    delta = out['keypoint'] - orig
    shift = out['paa_global_shift']
    assert np.abs(shift).max() <= 4 and np.abs(shift).min() > 0
    np.testing.assert_allclose(delta, np.broadcast_to(shift, delta.shape), atol=1e-5)
    assert out['flip'] is False


def test_group_translation_keeps_torso_fixed():
    res = make_results(1)
    orig = res['keypoint'].copy()
    out = TRANSFORMS.build(dict(type='PoseAwareAugmentation', beta=0, gamma=2, flip_ratio=0,
                                layout='jhmdb15', seed=3))(res)
    delta = out['keypoint'] - orig
    np.testing.assert_allclose(delta[:, :, list(JHMDB15_TORSO)], 0, atol=1e-6)
    groups = list(JHMDB15_GROUPS.values())
    assert out['paa_group_shifts'].shape == (len(groups), 2)
    for group, shift in zip(groups, out['paa_group_shifts']):
        assert np.abs(shift).max() <= 2
        np.testing.assert_allclose(delta[:, :, list(group)],
                                   np.broadcast_to(shift, delta[:, :, list(group)].shape), atol=1e-5)
    # the groups move independently
    assert not np.allclose(out['paa_group_shifts'][1], out['paa_group_shifts'][2])


def test_flip_mirrors_x_and_swaps_left_right():
    res = make_results(2)
    orig, score = res['keypoint'].copy(), res['keypoint_score'].copy()
    out = TRANSFORMS.build(dict(type='PoseAwareAugmentation', flip_ratio=1.0, layout='jhmdb15'))(res)
    kp = out['keypoint']
    # left shoulder (4) now holds the mirrored right shoulder (3), and vice versa
    np.testing.assert_allclose(kp[..., 4, 0], 31 - orig[..., 3, 0])
    np.testing.assert_allclose(kp[..., 3, 1], orig[..., 4, 1])
    np.testing.assert_allclose(kp[..., 0, 0], 31 - orig[..., 0, 0])  # neck stays joint 0
    assert out['keypoint_score'][0, 0, 4] == score[0, 0, 3]
    assert out['flip'] is True and out['flip_direction'] == 'horizontal'


def test_nan_keypoints_raise_clear_error():
    res = make_results()
    res['keypoint'][0, 2, 7, 0] = np.nan
    res['frame_dir'] = 'clip_7'
    with pytest.raises(ValueError, match=r"NaN.*\[0, 2, 7\]"):
        TRANSFORMS.build(dict(type='PoseAwareAugmentation', layout='jhmdb15'))(res)


def test_wrong_shape_and_bad_config_raise():
    with pytest.raises(ValueError, match=r'\(M, T, V, 2\)'):
        TRANSFORMS.build(dict(type='PoseAwareAugmentation', layout='jhmdb15'))(
            dict(keypoint=np.zeros((5, 15, 2)), img_shape=(32, 32)))
    with pytest.raises(ValueError, match='left_kp'):
        TRANSFORMS.build(dict(type='PoseAwareAugmentation', flip_ratio=0.5))
    with pytest.raises(ValueError, match='out of range'):
        TRANSFORMS.build(dict(type='PoseAwareAugmentation', layout='coco17', flip_ratio=0))(make_results())
