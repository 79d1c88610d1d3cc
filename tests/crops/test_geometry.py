import numpy as np
import pytest

from vpd_mm.crops import check_box, crop_square, square_box


def test_square_box_min_pad_and_frac():
    # small box: 25 px floor; square about the centre (100, 80), side 40 + 2 * 25
    assert square_box([80, 60, 40, 40]) == (55, 35, 90)
    # tall box: side = h = 124, pad = max(12.4, 25) = 25 -> 174
    assert square_box([150, 59, 28, 124]) == (164 - 87, 121 - 87, 174)
    # large box: 10 % dominates: side 400 + 2 * 40
    assert square_box([0, 0, 400, 200]) == (200 - 240, 100 - 240, 480)


def test_known_square_lands_where_expected():
    frame = np.full((200, 200, 3), 7, np.uint8)
    frame[60:100, 80:120] = (255, 128, 0)  # 40x40 square = the box
    crop = crop_square(frame, [80, 60, 40, 40], size=90)  # no resize: exact pixels
    assert crop.shape == (90, 90, 3) and crop.dtype == np.uint8
    np.testing.assert_array_equal(crop[25:65, 25:65], np.broadcast_to([255, 128, 0], (40, 40, 3)))
    assert (crop[:25] == 7).all() and (crop[65:] == 7).all() and (crop[:, :25] == 7).all()
    # resized by 1/2: the square covers [12.5, 32.5) -> its interior is exact
    small = crop_square(frame, [80, 60, 40, 40], size=45)
    np.testing.assert_array_equal(small[14:31, 14:31], np.broadcast_to([255, 128, 0], (17, 17, 3)))
    assert (small[:11] == 7).all() and (small[34:] == 7).all()


def test_zero_fill_outside_the_frame():
    frame = np.full((100, 120, 3), 9, np.uint8)
    crop = crop_square(frame, [0, 0, 20, 20], size=70)  # square [-25, 45) on both axes
    assert (crop[:25] == 0).all() and (crop[:, :25] == 0).all()
    assert (crop[25:, 25:] == 9).all()
    gray = crop_square(frame[..., 0], [110, 90, 20, 20], size=70)  # bottom-right corner, 2-d input
    assert gray.shape == (70, 70)
    assert (gray[:35, :35] == 9).all() and (gray[35:] == 0).all() and (gray[:, 35:] == 0).all()
    # a box entirely outside gives an all-zero crop, not an error
    assert (crop_square(frame, [500, 500, 10, 10], 32) == 0).all()


@pytest.mark.parametrize('box',
                         [[0, 0, 0, 10], [0, 0, 10, -1], [0, np.nan, 10, 10], [0, 0, 10], [0, 0, np.inf, 3]])
def test_degenerate_boxes_raise(box):
    with pytest.raises(ValueError):
        check_box(box)
    with pytest.raises(ValueError):
        crop_square(np.zeros((10, 10, 3), np.uint8), box, 8)
