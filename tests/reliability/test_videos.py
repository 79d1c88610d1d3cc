"""Bad and unusual videos through the poses and crops stages (the tools, with the default teacher).

One folder holds good and bad videos side by side; ``tools/extract_poses.py`` and
``tools/extract_crops.py`` run once over it, and each test checks one video's outcome.
"""
import json
import os
import os.path as osp

import cv2
import numpy as np
import pytest
from reliability_helpers import output, run_tool
from reliability_media import frame_timestamps_ms, make_vfr_mp4, read_frames, truncate_half, write_video

from vpd_mm.utils.vpd_files import save_boxes

GOOD = ('good', 'vfr', 'hd1080')
BAD = ('zero_bytes', 'truncated', 'text', 'no_person', 'one_frame')


@pytest.fixture(scope='module')
def mixed(clips, tmp_path_factory):
    """The mixed folder, the poses run and the crops run over it."""
    root = tmp_path_factory.mktemp('mixed')
    videos = root / 'videos'
    videos.mkdir()
    frames = read_frames(clips['clip0'])
    write_video(str(videos / 'good.mp4'), frames[:24])
    (videos / 'zero_bytes.mp4').write_bytes(b'')
    truncate_half(clips['clip1'], str(videos / 'truncated.mp4'))
    (videos / 'text.mp4').write_text('this is a text file, not a video\n')
    write_video(str(videos / 'one_frame.mp4'), frames[:1])
    make_vfr_mp4(clips['clip2'], str(videos / 'vfr.mp4'))
    write_video(str(videos / 'hd1080.mp4'), [cv2.resize(f, (1920, 1080)) for f in frames[:6]])
    # an empty gym: the background of the first frame, blurred, nobody in it
    empty = cv2.GaussianBlur(frames[0], (0, 0), 25)
    write_video(str(videos / 'no_person.mp4'), [empty] * 12)
    out = root / 'out'
    poses = run_tool('extract_poses.py', videos, '-o', out, '--no-progress')
    crops = run_tool('extract_crops.py', videos, out / 'pose', '-o', out / 'crops', '--crop-size', 64, '--no-progress')
    return dict(videos=str(videos), out=str(out), poses=poses, crops=crops,
                summary=json.load(open(out / 'extract_summary.json')))


def _skip_reason(mixed, vid, stage='pose'):
    root = osp.join(mixed['out'], 'pose' if stage == 'pose' else 'crops', vid)
    path = osp.join(root, 'skipped.json')
    assert osp.isfile(path), f'{vid}: not skipped by {stage} ({sorted(os.listdir(root))})'
    assert not osp.exists(osp.join(root, 'meta.json')), f'{vid}: skipped but marked finished'
    return json.load(open(path))['reason']


def _pose_meta(mixed, vid):
    return json.load(open(osp.join(mixed['out'], 'pose', vid, 'meta.json')))


def _crop_meta(mixed, vid):
    return json.load(open(osp.join(mixed['out'], 'crops', vid, 'meta.json')))


def test_mixed_folder_good_finish_bad_listed(mixed):
    """The good videos finish, every bad one is listed with its reason, the exit status says so."""
    summary = mixed['summary']
    assert sorted(summary['finished']) == sorted(GOOD), output(mixed['poses'])
    assert sorted(summary['skipped']) == sorted(BAD)
    assert summary['failed'] == {}
    printed = output(mixed['poses'])
    assert f'{len(GOOD)} of {len(GOOD) + len(BAD)} videos finished, {len(BAD)} skipped, 0 failed' in printed
    for vid in BAD:
        assert f'skipped {vid}:' in printed
    # 3 (vpd_mm.utils.exit_status.PARTIAL): some finished, the others skipped and listed;
    # 0 would mean all finished, 1 none finished or one failed
    assert mixed['poses'].returncode == 3
    # crops: the same good videos finish, the bad ones are skipped naming the pose stage's reason
    assert mixed['crops'].returncode == 3, output(mixed['crops'])
    for vid in GOOD:
        assert _crop_meta(mixed, vid)['num_rows'] >= 1
    for vid in BAD:
        assert 'pose extraction skipped this video' in _skip_reason(mixed, vid, 'crops')
    assert f'{len(BAD)} skipped' in output(mixed['crops'])


def test_all_bad_videos_exit_status_1(tmp_path):
    """A folder where no video can be read: nothing finishes and the exit status is 1."""
    videos = tmp_path / 'videos'
    videos.mkdir()
    (videos / 'a.mp4').write_bytes(b'')
    (videos / 'b.mp4').write_text('not a video')
    proc = run_tool('extract_poses.py', videos, '-o', tmp_path / 'out', '--no-progress')
    assert proc.returncode == 1, output(proc)
    assert '0 of 2 videos finished, 2 skipped' in output(proc)


def test_zero_byte_video(mixed):
    reason = _skip_reason(mixed, 'zero_bytes')
    assert 'zero_bytes.mp4' in reason and 'empty (0 bytes)' in reason


def test_truncated_mp4(mixed):
    """Cut in half: the MP4 index (written last by OpenCV / ffmpeg) is gone."""
    reason = _skip_reason(mixed, 'truncated')
    assert 'truncated.mp4' in reason and ('cannot open video' in reason or 'no decodable frame' in reason)


def test_text_file_named_mp4(mixed):
    reason = _skip_reason(mixed, 'text')
    assert 'text.mp4' in reason and 'cannot open video' in reason


def test_no_person_in_any_frame(mixed):
    reason = _skip_reason(mixed, 'no_person')
    assert 'no_person' in reason and ('no person' in reason or 'athlete' in reason), reason


def test_one_frame_video(mixed, tmp_path):
    """A single frame: the poses stage skips it (a track needs more than one frame to be confirmed as the
    athlete) with that reason; given a box, the crops stage writes its one crop with zero flow (no
    previous frame)."""
    reason = _skip_reason(mixed, 'one_frame')
    assert 'one_frame.mp4' in reason and 'no person tracked long enough to be the athlete' in reason
    save_boxes(tmp_path / 'pose' / 'one_frame' / 'boxes.json', [(0, [100, 60, 60, 120])])
    proc = run_tool('extract_crops.py', osp.join(mixed['videos'], 'one_frame.mp4'), tmp_path / 'pose', '-o',
                    tmp_path / 'crops', '--crop-size', 32, '--no-progress')
    assert proc.returncode == 0, output(proc)
    meta = json.load(open(tmp_path / 'crops' / 'one_frame' / 'meta.json'))
    assert (meta['num_rows'], meta['num_frames'], meta['no_prev_frames']) == (1, 1, [0])
    flow = np.load(tmp_path / 'crops' / 'one_frame' / 'flow.npy')
    assert flow.shape == (1, 32, 32, 2) and len(np.unique(flow)) == 1  # one value: the zero-flow level


def test_variable_frame_rate(mixed):
    """Frames 0-23 last 40 ms, frames 24-47 80 ms: every decoded frame is processed, numbered in decode
    order, and the container's mean rate is recorded as the fps."""
    path = osp.join(mixed['videos'], 'vfr.mp4')
    steps = np.diff(frame_timestamps_ms(path))
    assert len(steps) == 47 and set(np.round(steps).astype(int)) == {40, 80}  # the input really is VFR
    meta = _pose_meta(mixed, 'vfr')
    assert meta['num_frames'] == 48
    assert meta['fps'] == pytest.approx(48 / (24 * 0.04 + 24 * 0.08), rel=0.02)
    crop = _crop_meta(mixed, 'vfr')
    assert crop['num_frames'] == 48 and crop['fps'] == pytest.approx(meta['fps'], rel=0.02)


def test_1080p_video(mixed):
    """1920x1080 (the 320x240 clip stretched): boxes are in the video's own pixels (x6 wide, x4.5 high)."""
    meta = _pose_meta(mixed, 'hd1080')
    assert (meta['width'], meta['height'], meta['num_frames']) == (1920, 1080, 6)
    small = json.load(open(osp.join(mixed['out'], 'pose', 'good', 'boxes.json')))
    big = json.load(open(osp.join(mixed['out'], 'pose', 'hd1080', 'boxes.json')))
    assert [f for f, _ in big] == [f for f, _ in small][:len(big)]
    ratio = np.asarray([b for _, b in big])[:, 2:] / np.asarray([b for _, b in small][:len(big)])[:, 2:]
    assert np.median(ratio, axis=0) == pytest.approx([6.0, 4.5], rel=0.25)
    assert _crop_meta(mixed, 'hd1080')['crop_size'] == 64
