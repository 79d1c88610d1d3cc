import os.path as osp

import numpy as np
import pytest

from vpd_mm.teachers import VideoDecodeError, VideoFrames, iter_frames, list_videos, probe_video
from vpd_mm.tracking.synthetic import render_boxes_video


def _video(path, n=12, size=(64, 48)):
    # frame i: a box whose x position encodes i, so decoded frames can be told apart
    frames = [[(np.array([4 * i, 10, 4 * i + 8, 30.0]), (0, 0, 255))] for i in range(n)]
    render_boxes_video(str(path), frames, size=size, fps=10)
    return str(path)


def _box_x(frame):
    red = (frame[..., 2] > 150) & (frame[..., 1] < 100)
    return int(np.flatnonzero(red.any(axis=0))[0])


def test_probe_and_iterate(tmp_path):
    path = _video(tmp_path / 'a.avi')
    info = probe_video(path)
    assert (info.width, info.height, info.num_frames) == (64, 48, 12)
    assert info.fps == pytest.approx(10)
    frames = list(iter_frames(path))
    assert [i for i, _ in frames] == list(range(12))
    assert [_box_x(f) for _, f in frames] == pytest.approx([4 * i for i in range(12)], abs=1)
    assert [i for i, _ in iter_frames(path, [3, 7])] == [3, 7]


@pytest.mark.parametrize('cache_mb', [100, 0])
def test_video_frames_cached_or_not(tmp_path, cache_mb):
    path = _video(tmp_path / 'a.avi')
    vf = VideoFrames(path, max_cache_mb=cache_mb)
    assert vf.cached == (cache_mb > 0)
    first = [(i, _box_x(f)) for i, f in vf]
    assert vf.num_frames == 12
    again = [(i, _box_x(f)) for i, f in vf.frames([9, 2, 2, 40])]  # sorted, deduplicated, in range
    assert again == [first[2], first[9]]


def test_decode_errors_name_the_file(tmp_path):
    with pytest.raises(VideoDecodeError, match='missing.mp4: video file not found'):
        probe_video(str(tmp_path / 'missing.mp4'))
    empty = tmp_path / 'empty.mp4'
    empty.write_bytes(b'')
    with pytest.raises(VideoDecodeError, match='empty.mp4: video file is empty'):
        probe_video(str(empty))
    junk = tmp_path / 'junk.mp4'
    junk.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(VideoDecodeError, match='junk.mp4'):
        VideoFrames(str(junk))
    # a truncated mp4 (its index is at the end) cannot be opened either
    good = _video(tmp_path / 'good.mp4')
    cut = tmp_path / 'cut.mp4'
    cut.write_bytes(open(good, 'rb').read()[:600])
    with pytest.raises(VideoDecodeError, match='cut.mp4'):
        probe_video(str(cut))


def test_list_videos(tmp_path):
    d = tmp_path / 'videos'
    d.mkdir()
    for name in ('b.mp4', 'a.avi'):
        (d / name).write_bytes(b'x')
    (d / 'notes.txt').write_text('not a video')
    assert list_videos(str(d)) == [('a', str(d / 'a.avi')), ('b', str(d / 'b.mp4'))]
    assert list_videos(str(d / 'b.mp4')) == [('b', str(d / 'b.mp4'))]
    lst = tmp_path / 'list.txt'
    lst.write_text('# my videos\nvideos/b.mp4\n\n' + str(d / 'a.avi') + '\n')
    assert list_videos(str(lst)) == [('a', str(d / 'a.avi')), ('b', osp.join(str(tmp_path), 'videos/b.mp4'))]
    lst.write_text('videos/b.mp4\nother/b.mp4\n')
    with pytest.raises(ValueError, match="share the id 'b'"):
        list_videos(str(lst))
    (tmp_path / 'none').mkdir()
    with pytest.raises(ValueError, match='no video files'):
        list_videos(str(tmp_path / 'none'))
    with pytest.raises(FileNotFoundError):
        list_videos(str(tmp_path / 'nothing'))
