import numpy as np
import pytest
from mmaction.registry import TRANSFORMS

import vpd_mm  # noqa: F401


def test_crop_box_is_square_padded_and_shifts_keypoints():
    kp = np.zeros((1, 2, 3, 2), np.float32)
    kp[0, 0] = [[100, 50], [140, 60], [120, 70]]
    kp[0, 1] = [[110, 55], [130, 90], [120, 80]]
    score = np.ones((1, 2, 3), np.float32)
    score[0, 1, 1] = 0  # ignored for the box
    out = TRANSFORMS.build(dict(type='PoseClipCrop', padding=0.5))(
        dict(keypoint=kp.copy(), keypoint_score=score, img_shape=(240, 320)))
    # x 100..140, y 50..80 -> centre (120, 65), half max(20, 15) * 1.5 = 30
    np.testing.assert_allclose(out['crop_box'], [90, 35, 150, 95])
    assert out['img_shape'] == (60, 60)
    np.testing.assert_allclose(out['keypoint'], kp - np.array([90, 35], np.float32))


def test_nan_keypoints_raise():
    kp = np.full((1, 2, 3, 2), np.nan, np.float32)
    with pytest.raises(ValueError, match='NaN'):
        TRANSFORMS.build(dict(type='PoseClipCrop'))(dict(keypoint=kp, img_shape=(10, 10)))
