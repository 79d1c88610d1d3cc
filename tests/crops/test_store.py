import os.path as osp
import pickle

import numpy as np
import pytest

from vpd_mm.crops import CropStore, dequantize_flow, finished_videos, open_crop_stores
from vpd_mm.crops.store import make_writer
from vpd_mm.utils.fileio import atomic_write_json


def _write_store(video_dir, fmt, frames, size=16, save_prev=True, seed=0):
    rng = np.random.default_rng(seed)
    n = len(frames)
    data = dict(
        rgb=rng.integers(0, 256, (n, size, size, 3), dtype=np.uint8),
        flow=rng.integers(0, 256, (n, size, size, 2), dtype=np.uint8),
        prev=rng.integers(0, 256, (n, size, size, 3), dtype=np.uint8))
    w = make_writer(fmt, video_dir, n, size, save_prev)
    for i, f in enumerate(frames):
        w.write(i, f, data['rgb'][i], data['flow'][i], data['prev'][i] if save_prev else None)
    w.commit()
    atomic_write_json(osp.join(video_dir, 'meta.json'), dict(crop_size=size, format=fmt, has_prev=save_prev))
    return data


@pytest.mark.parametrize('fmt', ['npy', 'png'])
def test_store_round_trip(tmp_path, fmt):
    frames = [0, 1, 2, 5, 9]
    data = _write_store(str(tmp_path / 'v0'), fmt, frames)
    store = CropStore(str(tmp_path / 'v0'))
    assert len(store) == 5 and store.frames.tolist() == frames and store.format == fmt
    for i, f in enumerate(frames):
        np.testing.assert_array_equal(store.rgb(f), data['rgb'][i])
        np.testing.assert_array_equal(store.prev(f), data['prev'][i])
        np.testing.assert_array_equal(store.flow_quantized(f), data['flow'][i])
        out = store.get(f, with_prev=True)
        assert out['flow'].dtype == np.float32 and out['flow'].shape == (16, 16, 2)
        np.testing.assert_array_equal(out['flow'], dequantize_flow(data['flow'][i]))
    assert 5 in store and 3 not in store
    with pytest.raises(KeyError, match='frame 3'):
        store.rgb(3)
    # pickles without its memory maps (DataLoader workers) and still reads
    store.rgb(0)
    clone = pickle.loads(pickle.dumps(store))
    np.testing.assert_array_equal(clone.rgb(9), data['rgb'][4])


def test_npy_layout_matches_the_contract(tmp_path):
    data = _write_store(str(tmp_path / 'v0'), 'npy', [3, 4], save_prev=False)
    rgb = np.load(tmp_path / 'v0' / 'rgb.npy', mmap_mode='r')
    assert rgb.dtype == np.uint8 and rgb.shape == (2, 16, 16, 3)
    np.testing.assert_array_equal(np.load(tmp_path / 'v0' / 'flow.npy'), data['flow'])
    assert np.load(tmp_path / 'v0' / 'frames.npy').dtype == np.int64
    assert not (tmp_path / 'v0' / 'prev.npy').exists()
    assert not list(tmp_path.glob('v0/.*.tmp'))
    with pytest.raises(KeyError, match='save-prev'):
        CropStore(str(tmp_path / 'v0')).prev(3)


def test_png_flow_is_rgb_x_y_zero(tmp_path):
    import cv2
    data = _write_store(str(tmp_path / 'v0'), 'png', [7], save_prev=False)
    bgr = cv2.imread(str(tmp_path / 'v0' / '7.flow.png'))
    np.testing.assert_array_equal(bgr[..., 2], data['flow'][0, ..., 0])  # R = x
    np.testing.assert_array_equal(bgr[..., 1], data['flow'][0, ..., 1])  # G = y
    assert (bgr[..., 0] == 0).all()


def test_unfinished_and_skipped_dirs(tmp_path):
    _write_store(str(tmp_path / 'done'), 'npy', [0])
    (tmp_path / 'unfinished').mkdir()
    np.save(tmp_path / 'unfinished' / 'frames.npy', np.arange(3))
    atomic_write_json(str(tmp_path / 'bad' / 'skipped.json'), dict(reason='corrupt video'))
    assert finished_videos(str(tmp_path)) == ['done']
    assert list(open_crop_stores(str(tmp_path))) == ['done']
    with pytest.raises(FileNotFoundError, match='corrupt video'):
        CropStore(str(tmp_path / 'bad'))
    with pytest.raises(FileNotFoundError, match='not a finished crop store'):
        CropStore(str(tmp_path / 'unfinished'))
