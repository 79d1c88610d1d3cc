"""VPDInferencer on SynthSport clips (the session's --quick main job: its videos and its trained student)
and on real clips from ../shared/data/real_videos (BlazePose teacher; skipped without them).

The clips are the first frames of those videos (written to tmp), so the teachers run in seconds."""
import glob
import os.path as osp

import numpy as np
import pytest

from vpd_mm.apis import VPDInferencer
from vpd_mm.evaluation.functional import dtw_cost_matrix, flip_dtw_cost_matrix, unit_normalize

SYNTH_TEACHER = 'configs/teachers/rtmdet-nano_rtmpose-t_synthsport.py'


def _head(video: str, out_dir, frames: int) -> str:
    """The first ``frames`` frames of ``video`` as an mp4 in ``out_dir`` (same name, same fps)."""
    import cv2
    cap = cv2.VideoCapture(video)
    fps = cap.get(cv2.CAP_PROP_FPS)
    out = osp.join(str(out_dir), osp.splitext(osp.basename(video))[0] + '.mp4')
    writer = None
    for _ in range(frames):
        ok, img = cap.read()
        assert ok, f'{video}: fewer than {frames} frames'
        if writer is None:
            writer = cv2.VideoWriter(out, cv2.VideoWriter_fourcc(*'mp4v'), fps, (img.shape[1], img.shape[0]))
        writer.write(img)
    writer.release()
    cap.release()
    return out


def _check_clip(r, dim):
    n = len(r['frames'])
    assert n > 0 and r['boxes'].shape == (n, 4) and r['keypoints'].shape == (n, 17, 3)
    assert r['features'].shape == (len(r['feature_frames']), 2, dim) and np.isfinite(r['features']).all()
    assert set(r['feature_frames'].tolist()) <= set(r['frames'].tolist())
    assert (r['keypoints'][..., 2] > 0).mean() > 0.5


@pytest.mark.timeout(2400)  # the first test to use quick_main_job also waits for it (10+ min on 2 busy cores)
def test_student_features_search_and_cache_on_synthsport(quick_main_job, tmp_path):
    proc = quick_main_job['proc']
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    work = quick_main_job['work']
    (tmp_path / 'clips').mkdir()
    videos = [
        _head(v, tmp_path / 'clips', 75)
        for v in sorted(glob.glob(osp.join(quick_main_job['data'], 'videos', '*.mp4')))[:2]
    ]
    kwargs = dict(
        teacher=SYNTH_TEACHER,
        student_config=osp.join(work, 'configs', 'vpd_vi.py'),
        student_checkpoint=osp.join(work, 'students', 'vpd_vi'),
        cache_dir=str(tmp_path / 'cache'),
        progress=False)
    inferencer = VPDInferencer(**kwargs)
    assert inferencer.features == 'student'
    clips = inferencer(videos, vis_out=str(tmp_path / 'vis'))
    for video, r in zip(videos, clips):
        assert r['video'] == video and not r['cached']
        _check_clip(r, 32)
        assert r['feature_frames'].tolist() == r['frames'].tolist()  # one crop per tracked frame
        assert osp.getsize(tmp_path / 'vis' / (osp.splitext(osp.basename(video))[0] + '.mp4')) > 1000

    # Search: tools/nns.py's retrieval cost, nearest first; a clip is its own nearest neighbour (cost 0).
    side_by_side = [unit_normalize(c['features']).reshape(len(c['features']), -1) for c in clips]
    for views, cost in (('concat', dtw_cost_matrix(side_by_side[:1], side_by_side, unit_norm=False)[0]),
                        ('min', flip_dtw_cost_matrix([clips[0]['features']],
                                                     [c['features'] for c in clips])[0])):
        hits = inferencer.search(clips[0], clips, k=2, views=views)
        assert [h['index'] for h in hits] == np.argsort(cost, kind='stable').tolist()
        assert hits[0]['index'] == 0 and hits[0]['distance'] == pytest.approx(0.0, abs=1e-9)
        assert [h['distance'] for h in hits] == pytest.approx(np.sort(cost).tolist(), rel=1e-9)

    # A second inferencer with the same models reads everything from the cache: no model is built.
    again = VPDInferencer(**kwargs)
    cached = again(videos)
    assert all(r['cached'] for r in cached) and again._teacher is None and again._student is None
    for a, b in zip(clips, cached):
        np.testing.assert_array_equal(a['features'], b['features'])
        np.testing.assert_array_equal(a['keypoints'], b['keypoints'])
    # Other features of the same clip are another cache entry.
    joints = VPDInferencer(
        teacher=SYNTH_TEACHER, features='joints', cache_dir=str(tmp_path / 'cache'), progress=False)
    assert joints.cache_key(videos[0]) != inferencer.cache_key(videos[0])
    r = joints(videos[0])[0]
    _check_clip(r, 39)


def test_teacher_features_on_real_clips(shared_data, tmp_path):
    pytest.importorskip('mediapipe')
    videos = [osp.join(shared_data, 'real_videos', name) for name in ('clean_and_jerk.mp4', 'ta_chi.mp4')]
    if not all(osp.isfile(v) for v in videos):
        pytest.skip('real_videos clips not found')
    (tmp_path / 'clips').mkdir()
    videos = [_head(v, tmp_path / 'clips', 90) for v in videos]
    inferencer = VPDInferencer(features='vipe', cache_dir=str(tmp_path / 'cache'), progress=False)
    clips = inferencer(videos, vis_out=str(tmp_path / 'vis'))
    for r in clips:
        assert r['num_frames'] == 90 and len(r['frames']) > 80  # one athlete in view all along
        _check_clip(r, r['features'].shape[-1])
    hits = inferencer.search(videos[0], videos, k=2)  # paths work too (read from the cache)
    assert hits[0] == dict(index=0, video=videos[0], distance=pytest.approx(0.0, abs=1e-9))
    assert hits[1]['index'] == 1 and hits[1]['distance'] > 0


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match='features must be one of'):
        VPDInferencer(teacher=SYNTH_TEACHER, features='rgb')
    with pytest.raises(ValueError, match="features='student' needs student_checkpoint"):
        VPDInferencer(teacher=SYNTH_TEACHER, features='student')
    with pytest.raises(FileNotFoundError, match='teacher config not found'):
        VPDInferencer(teacher=str(tmp_path / 'none.py'))
    inferencer = VPDInferencer(teacher=SYNTH_TEACHER, cache_dir=str(tmp_path), progress=False)
    with pytest.raises(FileNotFoundError, match='missing.mp4: video file not found'):
        inferencer([str(tmp_path / 'missing.mp4')])
    with pytest.raises(ValueError, match='no video given'):
        inferencer([])
    bad = tmp_path / 'bad.mp4'
    bad.write_text('not a video')
    with pytest.raises(ValueError, match=r'bad\.mp4: cannot open video'):
        inferencer([str(bad)])
    assert not any(p.name == 'result.json' for p in tmp_path.rglob('*'))  # nothing cached
