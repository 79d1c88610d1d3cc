import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope

import vpd_mm  # noqa: F401
from mmaction.registry import TRANSFORMS
from vpd_mm.datasets.synthetic_crop_store import write_synthetic_crop_video
from vpd_mm.datasets.transforms.flow_crop_flip import flip_flow

init_default_scope('mmaction')


def build(**cfg):
    return TRANSFORMS.build(cfg)


def item(size=16, seed=0, with_mask=False):
    rng = np.random.default_rng(seed)
    out = dict(
        img=rng.integers(0, 256, (size, size, 3), dtype=np.uint8),
        flow=rng.integers(0, 250, (size, size, 2), dtype=np.uint8),  # the 8-bit code's range
        target=rng.normal(size=(2, 4)).astype(np.float32),
        prev_target=rng.normal(size=(2, 4)).astype(np.float32))
    if with_mask:
        mask = np.zeros((size, size), np.uint8)
        mask[4:12, 4:12] = 1
        out['mask'] = mask
    return out


def test_load_flow_crop_reads_the_store_rows(tmp_path):
    vdir = osp.join(tmp_path, 'v')
    write_synthetic_crop_video(vdir, [3, 4, 9], size=16, with_mask=True)
    out = build(type='LoadFlowCrop')(dict(crop_dir=vdir, frame=9))
    np.testing.assert_array_equal(out['img'], np.load(osp.join(vdir, 'rgb.npy'))[2])
    np.testing.assert_array_equal(out['flow'], np.load(osp.join(vdir, 'flow.npy'))[2])
    np.testing.assert_array_equal(out['mask'], np.load(osp.join(vdir, 'mask.npy'))[2])
    rgb_only = build(type='LoadFlowCrop', with_flow=False, with_mask=False)(dict(crop_dir=vdir, frame=3))
    assert 'flow' not in rgb_only and 'mask' not in rgb_only and rgb_only['img'].shape == (16, 16, 3)
    with pytest.raises(KeyError, match='no crop for frame 5'):
        build(type='LoadFlowCrop')(dict(crop_dir=vdir, frame=5))


def test_flip_mirrors_negates_x_flow_and_swaps_targets():
    t = build(type='FlowCropFlip', prob=1.0)
    src = item(with_mask=True)
    out = t(dict(src, **{k: v.copy() for k, v in src.items()}))
    np.testing.assert_array_equal(out['img'], src['img'][:, ::-1])
    np.testing.assert_array_equal(out['mask'], src['mask'][:, ::-1])
    np.testing.assert_array_equal(out['flow'][..., 1], src['flow'][:, ::-1, 1])
    np.testing.assert_array_equal(out['flow'][..., 0],
                                  np.clip(249 - src['flow'][:, ::-1, 0].astype(int), 0, 255))
    # dequantised: -f up to half a level
    f = src['flow'][..., 0].astype(float) * 41 / 255 - 20
    g = out['flow'][..., 0][:, ::-1].astype(float) * 41 / 255 - 20
    assert np.abs(g + f).max() < 41 / 255 / 2
    np.testing.assert_array_equal(out['target'], src['target'][::-1])
    np.testing.assert_array_equal(out['prev_target'], src['prev_target'][::-1])
    assert out['flip'] is True
    back = t(out)
    np.testing.assert_array_equal(back['img'], src['img'])
    np.testing.assert_array_equal(back['flow'], src['flow'])
    np.testing.assert_array_equal(back['target'], src['target'])
    assert back['flip'] is False
    kept = build(type='FlowCropFlip', prob=0.0)(item())
    np.testing.assert_array_equal(kept['img'], item()['img'])
    assert kept['flip'] is False


def test_flip_flow_helper_matches_transform():
    f = item()['flow']
    np.testing.assert_array_equal(flip_flow(flip_flow(f)), f)


def test_random_resized_crop_uses_one_region_for_all_channels():
    np.random.seed(0)
    t = build(type='FlowCropRandomResizedCrop', size=12, scale=(0.5, 1.0), ratio=(0.9, 1.1))
    for _ in range(20):
        src = item(size=32, with_mask=True)
        src['flow'] = src['img'][..., :2].copy()  # same content: must stay identical
        src['mask'] = src['img'][..., 2].copy()
        out = t(src)
        assert out['img'].shape == (12, 12, 3) and out['flow'].shape == (12, 12, 2)
        np.testing.assert_array_equal(out['flow'], out['img'][..., :2])
        x1, y1, x2, y2 = out['crop_bbox']
        area = (x2 - x1) * (y2 - y1) / 32**2
        assert 0 <= x1 < x2 <= 32 and 0 <= y1 < y2 <= 32 and 0.45 <= area <= 1.0
        assert 0.8 <= (x2 - x1) / (y2 - y1) <= 1.25
        assert out['img_shape'] == (12, 12) and out['mask'].shape == (12, 12)


def test_resize():
    out = build(type='FlowCropResize', size=8)(item(with_mask=True))
    assert out['img'].shape == (8, 8, 3) and out['flow'].shape == (8, 8, 2) and out['mask'].shape == (8, 8)
    assert set(np.unique(out['mask'])) <= {0, 1}


def test_color_jitter_changes_rgb_only_within_range():
    np.random.seed(1)
    src = item(size=32)
    src['img'][:] = 100
    out = build(
        type='FlowCropColorJitter', brightness=0.2, contrast=0.0, saturation=0.0, hue=0.0)({
            k: v.copy()
            for k, v in src.items()
        })
    np.testing.assert_array_equal(out['flow'], src['flow'])
    assert len(np.unique(out['img'])) == 1 and 80 <= out['img'][0, 0, 0] <= 120
    same = build(type='FlowCropColorJitter', brightness=0, contrast=0, saturation=0, hue=0)(item())
    np.testing.assert_array_equal(same['img'], item()['img'])
    changed = [
        not np.array_equal(build(type='FlowCropColorJitter')(item())['img'],
                           item()['img']) for _ in range(5)
    ]
    assert any(changed)


def test_background_noise_spares_the_athlete_and_needs_a_mask():
    np.random.seed(2)
    t = build(type='FlowCropBackgroundNoise', std=30, prob=1.0)
    src = item(size=16, with_mask=True)
    src['img'][:] = 128
    out = t({k: v.copy() for k, v in src.items()})
    fg = src['mask'] > 0
    assert (out['img'][fg] == 128).all()
    assert 15 < out['img'][~fg].astype(float).std() < 45
    np.testing.assert_array_equal(out['flow'], src['flow'])
    no_mask = item()
    np.testing.assert_array_equal(t(dict(no_mask))['img'], no_mask['img'])


def test_pack_stacks_rgb_then_flow_and_row_zero_targets():
    src = item()
    out = build(type='PackDistillationInputs')(dict(src, video='v', frame=3, flip=False))
    x = out['inputs'].numpy()
    assert x.shape == (5, 16, 16)
    np.testing.assert_array_equal(x[:3], src['img'].transpose(2, 0, 1))
    np.testing.assert_array_equal(x[3:], src['flow'].transpose(2, 0, 1))
    ds = out['data_samples']
    np.testing.assert_array_equal(ds['target'].numpy(), src['target'][0])
    np.testing.assert_array_equal(ds['prev_target'].numpy(), src['prev_target'][0])
    assert ds['video'] == 'v' and ds['frame'] == 3 and ds['flip'] is False
    rgb = build(type='PackDistillationInputs')(dict(img=src['img']))
    assert rgb['inputs'].shape == (3, 16, 16) and rgb['data_samples'] == {}


def test_motion_blur_spreads_an_edge_along_its_line_and_spares_the_flow():
    from vpd_mm.datasets.transforms.flow_crop_motion_blur import motion_blur_kernel
    k = motion_blur_kernel(5, 0.0)
    assert k.shape == (5, 5) and k.sum() == pytest.approx(1.0) and k[2].sum() == pytest.approx(1.0)
    img = np.zeros((16, 16, 3), np.uint8)
    img[:, 8:] = 200  # a vertical edge
    flow = np.full((16, 16, 2), 124, np.uint8)
    never = TRANSFORMS.build(dict(type='FlowCropMotionBlur', prob=0.0))
    assert never(dict(img=img.copy(), flow=flow))['img'].tobytes() == img.tobytes()
    np.random.seed(0)
    out = TRANSFORMS.build(dict(type='FlowCropMotionBlur', prob=1.0, length=(5, 5)))(dict(img=img, flow=flow))
    assert out['flow'] is flow and out['img'].dtype == np.uint8
    smeared = (out['img'][..., 0] > 0) & (out['img'][..., 0] < 200)
    assert smeared[:, 5:11].any() and not smeared[:, :3].any() and not smeared[:, 13:].any()
    with pytest.raises(ValueError, match='uint8'):
        TRANSFORMS.build(dict(type='FlowCropMotionBlur', prob=1.0))(dict(img=img.astype(np.float32)))
    with pytest.raises(ValueError, match='length'):
        TRANSFORMS.build(dict(type='FlowCropMotionBlur', length=(1, 3)))


def _pose(rng, size):
    """A random COCO-17 pose in pixel coordinates of a ``size`` crop, scores in [0.5, 1]."""
    xy = rng.uniform(0.3 * size, 0.7 * size, (17, 2))
    return np.concatenate([xy, rng.uniform(0.5, 1.0, (17, 1))], axis=1).astype(np.float32)


def test_rotate_turns_image_flow_and_joint_targets_together():
    import cv2

    from vpd_mm.pose.normalize import normalize_coco_pose
    rng = np.random.default_rng(3)
    size, angle = 33, 90.0
    pose, prev = _pose(rng, size), _pose(rng, size)
    img = np.zeros((size, size, 3), np.uint8)
    img[5, 24] = 255  # one bright pixel right of and above the centre (16, 16)
    flow = np.full((size, size, 2), 124, np.uint8)
    flow[..., 0] = 137  # a uniform rightward motion of 13 levels (about 2 px)
    mask = np.zeros((size, size), np.uint8)
    mask[5, 24] = 1
    targets = dict(target=np.stack([normalize_coco_pose(pose), normalize_coco_pose(pose, flip=True)]),
                   prev_target=np.stack([normalize_coco_pose(prev), normalize_coco_pose(prev, flip=True)]))
    t = build(type='FlowCropRandomRotate', prob=1.0, max_angle=angle)
    np.random.seed(0)
    while True:  # draw until the sampled angle is close to +90 degrees (uniform in [-90, 90])
        state = np.random.get_state()
        np.random.rand()
        if np.random.uniform(-angle, angle) > 89:
            break
    np.random.set_state(state)
    out = t(dict(img=img, flow=flow, mask=mask, video='v', frame=7,
                 **{k: v.copy() for k, v in targets.items()}))
    turned = out['rotation']
    assert 89 < turned <= 90
    affine = cv2.getRotationMatrix2D(((size - 1) / 2, (size - 1) / 2), turned, 1.0)
    # counter-clockwise on screen: the pixel right of the centre moves above it, above moves left
    y, x = np.unravel_index(out['img'][..., 0].argmax(), (size, size))
    assert (abs(x - 5) <= 1, abs(y - 8) <= 1) == (True, True)
    assert out['mask'][y, x] == 1 and out['mask'].sum() == 1
    # rightward motion becomes upward motion (negative y), within a level of rounding
    centre = out['flow'][12:21, 12:21].astype(float) - 124.5
    assert np.abs(centre[..., 0]).max() <= 1 and np.abs(centre[..., 1] + 12.5).max() <= 1
    # the targets equal the features of the pose moved by the same affine map, and of its mirror
    for key, src in (('target', pose), ('prev_target', prev)):
        moved = src.copy()
        moved[:, :2] = src[:, :2] @ affine[:, :2].T + affine[:, 2]
        np.testing.assert_allclose(out[key][0], normalize_coco_pose(moved), atol=1e-4)
        np.testing.assert_allclose(out[key][1], normalize_coco_pose(moved, flip=True), atol=1e-4)
    # a following flip keeps image and target consistent (row 0 is always the image as it is)
    flipped = build(type='FlowCropFlip', prob=1.0)(out)
    moved = pose.copy()
    moved[:, :2] = pose[:, :2] @ affine[:, :2].T + affine[:, 2]
    np.testing.assert_allclose(flipped['target'][0], normalize_coco_pose(moved, flip=True), atol=1e-4)


def test_rotate_keeps_unrotated_items_and_rejects_non_joint_targets():
    def item(target):
        return dict(img=np.zeros((16, 16, 3), np.uint8), target=target, prev_target=target.copy())

    kept = build(type='FlowCropRandomRotate', prob=0.0)(item(np.ones((2, 39), np.float32)))
    np.testing.assert_array_equal(kept['target'], np.ones((2, 39)))
    assert kept['rotation'] == 0.0
    flat = build(type='FlowCropRandomRotate', prob=1.0)(item(np.ones(39, np.float32)))
    assert flat['target'].shape == (39,) and flat['rotation'] != 0.0
    # a VIPE* embedding (or any non-joint target) is refused, naming the video and frame, even when the
    # sample would not have been rotated
    with pytest.raises(ValueError, match=r'v3 frame 12.*\(2, 32\).*2D-VPD'):
        build(type='FlowCropRandomRotate', prob=0.0)(
            dict(item(np.ones((2, 32), np.float32)), video='v3', frame=12))
    # at 45 degrees the corners come from outside the crop: zero image, zero flow, background mask
    np.random.seed(1)
    out = build(type='FlowCropRandomRotate', prob=1.0, max_angle=45)(
        dict(item(np.ones(39, np.float32)), img=np.full((16, 16, 3), 200, np.uint8),
             flow=np.full((16, 16, 2), 140, np.uint8), mask=np.ones((16, 16), np.uint8)))
    assert abs(out['rotation']) > 15
    assert (out['img'][0, 0] == 0).all() and (out['flow'][0, 0] == 124).all() and out['mask'][0, 0] == 0
    assert (out['img'][8, 8] == 200).all() and out['mask'][8, 8] == 1
    with pytest.raises(ValueError, match='max_angle'):
        build(type='FlowCropRandomRotate', max_angle=0)
    with pytest.raises(ValueError, match='prob'):
        build(type='FlowCropRandomRotate', prob=2)
