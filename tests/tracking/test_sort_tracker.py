import numpy as np
import pytest

from vpd_mm.tracking import TRACKERS, SortTracker, Track, iou_matrix, tracks_by_frame
from vpd_mm.tracking.synthetic import athlete_boxes, make_scene


def _box(cx, cy, w, h, score=0.9):
    return np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2, score])


def _track_of(tracks, frame, box):
    """The track holding the detection closest to ``box`` at ``frame``."""
    best, best_iou = None, 0.0
    for t in tracks:
        hit = np.flatnonzero(t.frames == frame)
        if len(hit):
            iou = iou_matrix(t.boxes[hit[0]], box[:4])[0, 0]
            if iou > best_iou:
                best, best_iou = t, iou
    return best


def test_build_from_registry():
    tracker = TRACKERS.build(dict(type='SortTracker', iou_thr=0.4, max_age=7))
    assert isinstance(tracker, SortTracker)
    assert tracker.iou_thr == 0.4 and tracker.max_age == 7
    with pytest.raises(ValueError):
        SortTracker(low_thr=0.6, high_thr=0.5)


def test_crossing_people_keep_their_identity():
    # A walks right, B walks left on the same line; they overlap fully around frame 30 and one of
    # them is missed there (occluded). Constant-velocity prediction must keep the identities.
    dets = []
    for t in range(60):
        a = _box(60 + 4 * t, 120, 30, 90)
        b = _box(300 - 4 * t, 122, 32, 92)
        rows = [b] if 28 <= t <= 31 else [a, b]
        dets.append((t, np.array(rows[::-1] if t % 2 else rows)))
    tracks = SortTracker()(dets)
    assert len(tracks) == 2
    ta = _track_of(tracks, 0, _box(60, 120, 30, 90))
    tb = _track_of(tracks, 0, _box(300, 122, 32, 92))
    assert ta is not tb
    assert _track_of(tracks, 59, _box(60 + 4 * 59, 120, 30, 90)) is ta  # A still on A's track
    assert _track_of(tracks, 59, _box(300 - 4 * 59, 122, 32, 92)) is tb
    assert len(ta) == 56 and len(tb) == 60  # the 4 missed frames are not invented by the tracker


def test_birth_death_and_false_positives():
    dets = []
    for t in range(80):
        rows = [_box(100 + t, 120, 30, 90)] if not 30 <= t < 50 else []  # gone for 20 > max_age frames
        if t in (5, 40, 41):
            rows.append(_box(250, 60, 20, 30, 0.8))  # clutter: too short to become a track
        dets.append((t, np.array(rows).reshape(-1, 5)))
    tracks = SortTracker(max_age=10, min_hits=3)(dets)
    assert [(t.start, t.end, len(t)) for t in tracks] == [(0, 29, 30), (50, 79, 30)]
    assert tracks[0].track_id < tracks[1].track_id


def test_low_score_detections_extend_but_do_not_start_tracks():
    dets = [(t,
             np.array([_box(100 + 2 * t, 120, 30, 90, 0.9 if t < 10 else 0.3),
                       _box(250, 100, 30, 90, 0.3)])) for t in range(30)]
    tracks = SortTracker(high_thr=0.5, low_thr=0.1)(dets)
    assert len(tracks) == 1 and len(tracks[0]) == 30


def test_somersault_shape_change_and_sparse_frames():
    gt = athlete_boxes(160)
    # detection every 3rd frame only: the filter predicts over the skipped frames
    dets = [(t, np.r_[gt[t], 0.9][None]) for t in range(0, 160, 3)]
    tracks = SortTracker()(dets)
    assert len(tracks) == 1
    assert np.array_equal(tracks[0].frames, np.arange(0, 160, 3))


def test_scene_athlete_is_one_track_and_lookup_by_frame():
    dets, gt, _ = make_scene(seed=1)
    tracks = SortTracker()(dets)
    # clutter never makes a track; athlete, coach and walker do
    assert len(tracks) == 3
    ath = _track_of(tracks, 0, np.r_[gt[0], 1])
    assert ath.start == 0 and ath.end == 159
    ious = [iou_matrix(b, gt[f])[0, 0] for f, b in zip(ath.frames, ath.boxes)]
    assert min(ious) > 0.7  # never jumped to the walker while the athlete was missed
    index = tracks_by_frame(tracks)
    ti, di = [p for p in index[0] if tracks[p[0]] is ath][0]
    assert np.allclose(dets[0][1][di, :4], ath.boxes[0])


def test_rejects_unsorted_frames():
    with pytest.raises(ValueError, match='increasing frame order'):
        SortTracker()([(3, np.zeros((0, 5))), (2, np.zeros((0, 5)))])


def test_track_properties():
    t = Track(4, np.array([2, 3, 5]), np.zeros((3, 4)), np.ones(3), np.zeros(3, np.int64))
    assert (t.start, t.end, len(t)) == (2, 5, 3)


def test_build_ignores_the_default_scope():
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope('mmdet'):
        tracker = TRACKERS.build(dict(type='SortTracker', max_age=3))
    assert isinstance(tracker, SortTracker) and tracker.max_age == 3
    with pytest.raises(KeyError, match="'Nope' is not in the tracker registry; registered: .*SortTracker"):
        TRACKERS.build(dict(type='Nope'))
