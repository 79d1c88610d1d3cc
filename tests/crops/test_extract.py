import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest

from vpd_mm.crops import (CropConfig, CropStore, build_flow_backend, crop_square, extract_crops,
                          extract_video_crops, quantize_flow)
from vpd_mm.crops.extract import CropInputError, load_video_boxes

W, H = 96, 80


def make_video(path, n=10, fps=25, seed=0):
    """Lossless (FFV1) video: textured background, a bright textured block moving right 2 px/frame."""
    rng = np.random.default_rng(seed)
    bg = cv2.GaussianBlur(rng.uniform(0, 255, (H, W, 3)).astype(np.float32), (0, 0), 1.0).astype(np.uint8)
    obj = cv2.GaussianBlur(rng.uniform(128, 255, (30, 16, 3)).astype(np.float32), (0, 0),
                           1.0).astype(np.uint8)
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'FFV1'), fps, (W, H))
    assert writer.isOpened()
    boxes = []
    for t in range(n):
        img = bg.copy()
        x, y = 20 + 2 * t, 25
        img[y:y + 30, x:x + 16] = obj
        writer.write(img)
        boxes.append([t, [float(x), float(y), 16.0, 30.0]])
    writer.release()
    return boxes


def read_frames(path):
    cap = cv2.VideoCapture(str(path))
    out = []
    while True:
        ok, f = cap.read()
        if not ok:
            return out
        out.append(f)


def setup_video(root, vid, n=10, fps=25, boxes=None, seed=0):
    gt = make_video(root / 'videos' / f'{vid}.avi', n, fps, seed)
    (root / 'pose' / vid).mkdir(parents=True)
    with open(root / 'pose' / vid / 'boxes.json', 'w') as f:
        json.dump(gt if boxes is None else boxes, f)
    return gt


@pytest.fixture
def root(tmp_path):
    (tmp_path / 'videos').mkdir()
    return tmp_path


def test_store_holds_the_crops_prev_and_flow_of_each_boxed_frame(root):
    boxes = setup_video(root, 'a', n=10)
    del boxes[4]  # athlete missing in frame 4: no row
    with open(root / 'pose' / 'a' / 'boxes.json', 'w') as f:
        json.dump(boxes, f)
    cfg = CropConfig(crop_size=32, save_prev=True)
    meta = extract_video_crops(
        str(root / 'videos' / 'a.avi'),
        str(root / 'pose' / 'a' / 'boxes.json'),
        str(root / 'crops' / 'a'),
        cfg,
        progress=False)
    assert meta['num_rows'] == 9 and meta['num_frames'] == 10 and meta['prev_step'] == 1
    assert meta['no_prev_frames'] == [0] and meta['flow'] == 'dis' and meta['format'] == 'npy'
    store = CropStore(str(root / 'crops' / 'a'))
    assert store.frames.tolist() == [0, 1, 2, 3, 5, 6, 7, 8, 9]
    frames = read_frames(root / 'videos' / 'a.avi')
    dis = build_flow_backend(dict(type='DISFlow', preset='medium'))
    for t, box in [(b[0], b[1]) for b in boxes]:
        cur = crop_square(frames[t], box, 32)[..., ::-1]
        np.testing.assert_array_equal(store.rgb(t), cur)  # RGB, not BGR
        prev = crop_square(frames[max(t - 1, 0)], box, 32)[..., ::-1]  # same box on frame t-1
        np.testing.assert_array_equal(store.prev(t), prev)
        expected = quantize_flow(dis(np.ascontiguousarray(prev), np.ascontiguousarray(cur)))
        np.testing.assert_array_equal(store.flow_quantized(t), expected)
    assert (store.flow_quantized(0) == 124).all()  # no prev: zero flow
    # the block moves right by 2 px/frame = 2 * 32 / 66 crop px; background static
    assert np.median(store.flow(6)[12:20, 12:20, 0]) > 0.5


def test_prev_frame_is_taken_at_25_fps(root):
    setup_video(root, 'fast', n=8, fps=50)
    meta = extract_video_crops(
        str(root / 'videos' / 'fast.avi'),
        str(root / 'pose' / 'fast' / 'boxes.json'),
        str(root / 'crops' / 'fast'),
        CropConfig(crop_size=32, save_prev=True),
        progress=False)
    assert meta['prev_step'] == 2 and meta['no_prev_frames'] == [0, 1] and meta['fps'] == 50
    frames = read_frames(root / 'videos' / 'fast.avi')
    box = json.load(open(root / 'pose' / 'fast' / 'boxes.json'))[5][1]
    np.testing.assert_array_equal(
        CropStore(str(root / 'crops' / 'fast')).prev(5),
        crop_square(frames[3], box, 32)[..., ::-1])


def test_png_and_npy_stores_agree(root):
    setup_video(root, 'a', n=6)
    for fmt in ('npy', 'png'):
        extract_video_crops(
            str(root / 'videos' / 'a.avi'),
            str(root / 'pose' / 'a' / 'boxes.json'),
            str(root / fmt / 'a'),
            CropConfig(crop_size=32, fmt=fmt),
            progress=False)
    a, b = CropStore(str(root / 'npy' / 'a')), CropStore(str(root / 'png' / 'a'))
    assert b.format == 'png' and osp.isfile(root / 'png' / 'a' / '3.flow.png')
    for t in range(6):
        np.testing.assert_array_equal(a.rgb(t), b.rgb(t))
        np.testing.assert_array_equal(a.flow(t), b.flow(t))


def test_bad_inputs_are_skipped_with_a_reason_and_the_batch_goes_on(root):
    videos = {}
    setup_video(root, 'good')
    # corrupt and zero-length videos
    (root / 'videos' / 'empty.avi').write_bytes(b'')
    (root / 'videos' / 'garbage.avi').write_bytes(b'\x00junk' * 500)
    for vid in ('empty', 'garbage'):
        (root / 'pose' / vid).mkdir(parents=True)
        (root / 'pose' / vid / 'boxes.json').write_text('[[0, [1, 1, 10, 10]]]')
    # missing boxes file
    make_video(root / 'videos' / 'noboxes.avi', 4)
    # boxes beyond the video's end (frame-count mismatch)
    gt = setup_video(root, 'beyond', n=6)
    with open(root / 'pose' / 'beyond' / 'boxes.json', 'w') as f:
        json.dump(gt + [[6, gt[-1][1]], [7, gt[-1][1]]], f)
    # degenerate boxes
    setup_video(root, 'zerow', boxes=[[0, [1, 1, 10, 10]], [1, [1, 1, 0, 10]]])
    (root / 'pose' / 'nanbox').mkdir(parents=True)
    make_video(root / 'videos' / 'nanbox.avi', 4)
    (root / 'pose' / 'nanbox' / 'boxes.json').write_text('[[0, [1, 1, 10, 10]], [2, [NaN, 1, 10, 10]]]')
    # pose meta disagrees with the decoded length
    setup_video(root, 'metamismatch', n=5)
    (root / 'pose' / 'metamismatch' / 'meta.json').write_text('{"fps": 25, "num_frames": 7}')
    # the pose step skipped this video
    make_video(root / 'videos' / 'poseskip.avi', 3)
    (root / 'pose' / 'poseskip').mkdir(parents=True)
    (root / 'pose' / 'poseskip' / 'skipped.json').write_text('{"reason": "no person detected"}')
    videos = {p[:-4]: str(root / 'videos' / p) for p in os.listdir(root / 'videos')}

    res = extract_crops(
        videos, str(root / 'pose'), str(root / 'crops'), CropConfig(crop_size=32), progress=False)
    assert res.pop('good')['status'] == 'done'
    expected = {
        'empty': ['empty.avi', 'empty (0 bytes)'],
        'garbage': ['garbage.avi', 'cannot open'],
        'noboxes': ['noboxes/boxes.json', 'not found'],
        'beyond': ['beyond/boxes.json', 'frame-count mismatch', '2 box(es) for frames 6..7', '6 decodable'],
        'zerow': ['zerow/boxes.json', 'degenerate', 'frame 1', 'non-positive'],
        'nanbox': ['nanbox/boxes.json', 'degenerate', 'frame 2', 'NaN'],
        'metamismatch': ['metamismatch/meta.json', 'frame-count mismatch', 'decoded 5'],
        'poseskip': ['poseskip/skipped.json', 'no person detected'],
    }
    assert set(res) == set(expected)
    for vid, words in expected.items():
        assert res[vid]['status'] == 'skipped'
        reason = json.load(open(root / 'crops' / vid / 'skipped.json'))['reason']
        assert reason == res[vid]['reason']
        for w in words:
            assert w in reason, (vid, w, reason)
        assert sorted(os.listdir(root / 'crops' / vid)) == ['skipped.json']  # no partial store left
    assert CropStore(str(root / 'crops' / 'good')).frames.tolist() == list(range(10))


def test_resume_skips_finished_videos_and_redoes_the_rest(root):
    setup_video(root, 'a', n=4)
    setup_video(root, 'b', n=4, seed=1)
    videos = {v: str(root / 'videos' / f'{v}.avi') for v in 'ab'}
    cfg = CropConfig(crop_size=32)
    first = extract_crops(videos, str(root / 'pose'), str(root / 'crops'), cfg, progress=False)
    assert {v: r['status'] for v, r in first.items()} == {'a': 'done', 'b': 'done'}
    stamp = os.stat(root / 'crops' / 'a' / 'rgb.npy').st_mtime_ns
    os.remove(root / 'crops' / 'b' / 'meta.json')  # b "killed" before it finished
    again = extract_crops(videos, str(root / 'pose'), str(root / 'crops'), cfg, resume=True, progress=False)
    assert {v: r['status'] for v, r in again.items()} == {'a': 'resumed', 'b': 'done'}
    assert os.stat(root / 'crops' / 'a' / 'rgb.npy').st_mtime_ns == stamp
    assert osp.isfile(root / 'crops' / 'b' / 'meta.json')


def test_worker_pool_gives_the_same_stores(root):
    for i, v in enumerate('ab'):
        setup_video(root, v, n=5, seed=i)
    videos = {v: str(root / 'videos' / f'{v}.avi') for v in 'ab'}
    cfg = CropConfig(crop_size=32)
    extract_crops(videos, str(root / 'pose'), str(root / 'one'), cfg, workers=1, progress=False)
    res = extract_crops(videos, str(root / 'pose'), str(root / 'two'), cfg, workers=2, progress=False)
    assert all(r['status'] == 'done' for r in res.values())
    for v in 'ab':
        for name in ('rgb.npy', 'flow.npy', 'frames.npy'):
            np.testing.assert_array_equal(np.load(root / 'one' / v / name), np.load(root / 'two' / v / name))


def test_load_video_boxes_rejects_malformed_files(tmp_path):
    p = tmp_path / 'boxes.json'
    p.write_text('[[1, [0, 0, 5, 5]], [0, [0, 0, 4, 4]]]')
    frames, boxes = load_video_boxes(str(p))
    assert frames.tolist() == [0, 1] and boxes[0].tolist() == [0, 0, 4, 4]  # sorted by frame
    for text, words in [('[[0, [0, 0, 5, 5]], [0, [0, 0, 5, 5]]]', 'duplicate'),
                        ('{"a": 1}', 'must be a list'), ('[[0, [0, 0, 5]]]', 'degenerate'),
                        ('[[-1, [0, 0, 5, 5]]]', 'negative'), ('[[0.5, [0, 0, 5, 5]]]', 'integer'),
                        ('[[0, [0, 0, null, 5]]]', 'NaN'), ('[[0,', 'JSON')]:
        p.write_text(text)
        with pytest.raises(CropInputError, match=words) as e:
            load_video_boxes(str(p))
        assert 'boxes.json' in str(e.value)
