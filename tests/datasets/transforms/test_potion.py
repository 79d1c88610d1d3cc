import numpy as np
import pytest
from mmaction.registry import TRANSFORMS

import vpd_mm  # noqa: F401
from vpd_mm.datasets.joint_layouts import JHMDB15_LEFT, JHMDB15_RIGHT, lr_permutation
from vpd_mm.datasets.transforms.potion import potion_aggregate, potion_temporal_weights

CANVAS = 32


RENDERERS = [dict(type='GeneratePoseTarget', sigma=1.0, with_kp=True, with_limb=False),
             dict(type='RenderJointHeatmaps', sigma=1.0)]  # mmaction2's and the configs' renderer


def render_maps(keypoint, flip=False, renderer=RENDERERS[0]):
    """keypoints (1, T, 15, 2) on a 32x32 canvas -> PoTion maps (15, 3, 32, 32) via the registry."""
    results = dict(keypoint=keypoint.astype(np.float32), img_shape=(CANVAS, CANVAS),
                   keypoint_score=np.ones(keypoint.shape[:3], np.float32))
    steps = []
    if flip:
        steps.append(dict(type='PoseAwareAugmentation', flip_ratio=1.0, layout='jhmdb15'))
    steps += [renderer, dict(type='PoTion')]
    for step in steps:
        results = TRANSFORMS.build(step)(results)
    return results['imgs']


def random_clip(rng, t=7, lo=5.0, hi=22.0):
    return rng.uniform(lo, hi, size=(1, t, 15, 2))


def test_temporal_weights_are_the_three_hat_functions():
    w = potion_temporal_weights(5, 3)
    expected = [[1, 0, 0], [.5, .5, 0], [0, 1, 0], [0, .5, .5], [0, 0, 1]]
    np.testing.assert_allclose(w, expected, atol=1e-7)
    np.testing.assert_allclose(potion_temporal_weights(11, 4).sum(1), 1.0, atol=1e-6)
    np.testing.assert_allclose(potion_temporal_weights(1, 3), [[1, 0, 0]])


def test_aggregate_hand_checked_values():
    # one joint at pixel (x=0) in frame 0, (x=1) in frames 1-2: T=3 -> weights rows [1,0,0],[0,1,0],[0,0,1]
    hm = np.zeros((3, 1, 1, 2), np.float32)
    hm[0, 0, 0, 0] = 1.0
    hm[1, 0, 0, 1] = 0.5
    hm[2, 0, 0, 1] = 1.0
    raw = potion_aggregate(hm, 3, normalize=False)
    np.testing.assert_allclose(raw[0, :, 0], [[1, 0], [0, .5], [0, 1]])
    maps = potion_aggregate(hm, 3, normalize=True)
    np.testing.assert_allclose(maps[0, :, 0], [[1, 0], [0, 1], [0, 1]])
    assert maps.shape == (1, 3, 1, 2) and maps.dtype == np.float32


def test_transform_shapes_and_range():
    maps = render_maps(random_clip(np.random.default_rng(0)))
    assert maps.shape == (15, 3, CANVAS, CANVAS)
    assert maps.min() >= 0 and np.allclose(maps.max(axis=(2, 3)), 1.0)


@pytest.mark.parametrize('renderer', RENDERERS, ids=lambda r: r['type'])
def test_global_shift_only_shifts_the_maps(renderer):
    clip = random_clip(np.random.default_rng(1))
    dx, dy = 3, 2
    shifted = clip + np.array([dx, dy])
    a, b = render_maps(clip, renderer=renderer), render_maps(shifted, renderer=renderer)
    np.testing.assert_allclose(np.roll(a, (dy, dx), axis=(2, 3)), b, atol=1e-6)
    assert not np.allclose(a, b)


@pytest.mark.parametrize('renderer', RENDERERS, ids=lambda r: r['type'])
def test_flip_swaps_left_and_right_maps(renderer):
    # integer joint positions: GeneratePoseTarget truncates its 3-sigma window with int(), which is
    # not mirror-symmetric for fractional positions (differences ~exp(-4.5) at the window edge)
    clip = np.round(random_clip(np.random.default_rng(2)))
    a, b = render_maps(clip, renderer=renderer), render_maps(clip, flip=True, renderer=renderer)
    perm = lr_permutation(15, JHMDB15_LEFT, JHMDB15_RIGHT)
    np.testing.assert_allclose(b, a[perm][..., ::-1], atol=1e-6)
    # a left-side joint's flipped map is the mirrored right-side map, not its own
    assert not np.allclose(b[4], a[4][..., ::-1])


def test_heatmap_imgs_key_is_used_when_rgb_present():
    hm = np.random.default_rng(0).random((4, 15, 8, 8)).astype(np.float32)
    out = TRANSFORMS.build(dict(type='PoTion'))(dict(imgs=np.zeros((4, 8, 8, 3)), heatmap_imgs=hm))
    assert out['heatmap_imgs'].shape == (15, 3, 8, 8) and out['imgs'].shape == (4, 8, 8, 3)


@pytest.mark.parametrize('bad, match', [
    (np.zeros((4, 15, 8)), r'\(T, K, H, W\)'),
    (np.zeros((0, 15, 8, 8)), 'empty clip'),
    (np.full((2, 15, 8, 8), np.nan), 'non-finite'),
])
def test_bad_heatmaps_raise_clear_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        TRANSFORMS.build(dict(type='PoTion'))(dict(imgs=bad, frame_dir='clip_x'))


def test_missing_heatmaps_raise():
    with pytest.raises(KeyError, match='GeneratePoseTarget'):
        TRANSFORMS.build(dict(type='PoTion'))(dict(keypoint=np.zeros((1, 2, 15, 2))))
