import numpy as np
import pytest

from vpd_mm.tracking import (ATHLETE_SELECTORS, HeuristicAthleteSelector, SortTracker, iou_matrix,
                             pose_inversion)
from vpd_mm.tracking.synthetic import W, H, _pose, athlete_boxes, make_scene


def _gt_ious(ath, gt):
    return np.array([iou_matrix(b, gt[f])[0, 0] for f, b in zip(ath.frames, ath.boxes)])


def test_build_from_registry_and_bad_weights():
    sel = ATHLETE_SELECTORS.build(dict(type='HeuristicAthleteSelector', weights=dict(size=3.0), max_gap=9))
    assert isinstance(sel, HeuristicAthleteSelector)
    assert sel.weights['size'] == 3.0 and sel.weights['motion'] == 1.0 and sel.max_gap == 9
    with pytest.raises(KeyError, match='unknown athlete cue'):
        HeuristicAthleteSelector(weights=dict(height=1.0))
    with pytest.raises(ValueError):
        HeuristicAthleteSelector(weights={k: 0 for k in HeuristicAthleteSelector.DEFAULT_WEIGHTS})


@pytest.mark.parametrize('seed', [0, 3])
def test_recovers_athlete_among_distractors_with_misses(seed):
    dets, gt, info = make_scene(seed=seed)
    tracks = SortTracker()(dets)
    ath = HeuristicAthleteSelector()(tracks, (W, H), info['poses'])
    # every frame covered: the 7-frame miss and the single misses are interpolated
    assert np.array_equal(ath.frames, np.arange(160))
    assert set(ath.frames[ath.filled].tolist()) == info['misses']
    assert (ath.det_indices[ath.filled] == -1).all() and (ath.scores[ath.filled] == 0).all()
    ious = _gt_ious(ath, gt)
    assert ious.min() > 0.6 and ious.mean() > 0.85
    # det_indices point at the athlete's detection in each frame
    for f, d in zip(ath.frames[~ath.filled][:20], ath.det_indices[~ath.filled][:20]):
        assert iou_matrix(dets[f][1][d, :4], gt[f])[0, 0] > 0.7


def test_weights_change_the_choice():
    dets, gt, info = make_scene(seed=0)
    tracks = SortTracker()(dets)
    coach = HeuristicAthleteSelector(
        weights=dict(size=1, centrality=0, motion=0, inverted=0, duration=0, confidence=0))(tracks, (W, H))
    assert np.median(_gt_ious(coach, gt)) == 0  # the largest person is the coach, not the athlete
    assert (coach.boxes[:, 0] > 240).all()


def test_chains_fragments_without_jumping_to_a_distractor():
    gt = athlete_boxes(160)
    rng = np.random.default_rng(0)
    dets = []
    for t in range(160):
        rows = [] if 50 <= t < 70 else [np.r_[gt[t] + rng.normal(0, 1, 4), 0.9]]
        # a second, smaller person near the edge, only while the athlete is lost
        if 45 <= t < 75:
            rows.append(np.r_[20 + t, 150, 45 + t, 215, 0.9])
        dets.append((t, np.array(rows).reshape(-1, 5)))
    tracks = SortTracker(max_age=10)(dets)
    assert len(tracks) == 3  # athlete before, athlete after, distractor
    ath = HeuristicAthleteSelector(max_gap=25, smooth_sigma=0)(tracks, (W, H))
    assert len(ath.track_ids) == 2
    assert np.array_equal(ath.frames, np.arange(160))  # the 20-frame gap is bridged by interpolation
    assert _gt_ious(ath, gt)[~ath.filled].min() > 0.8
    assert ath.filled.sum() == 20
    # with a shorter max_gap the gap stays a gap instead of being invented
    short = HeuristicAthleteSelector(max_gap=10)(tracks, (W, H))
    assert len(short) == 140 and not short.filled.any()


def test_inverted_cue_needs_poses():
    # two equally sized, equally central, equally moving people; only the athlete goes upside down
    T = 60
    a = athlete_boxes(T)
    b = a.copy()
    b[:, [0, 2]] = W - a[:, [2, 0]]  # mirror image about the vertical centre line
    dets = [(t, np.stack([np.r_[a[t], 0.9], np.r_[b[t], 0.9]])) for t in range(T)]
    poses = {t: np.stack([_pose(a[t], inverted=30 <= t < 46), _pose(b[t], inverted=False)]) for t in range(T)}
    tracks = SortTracker()(dets)
    sel = HeuristicAthleteSelector(weights=dict(inverted=2.0))
    cues = sel.track_cues(tracks, (W, H), poses)
    ia = 0 if tracks[0].boxes[0][0] == a[0][0] else 1
    assert cues[ia]['inverted'] == pytest.approx(16 / (60 + sel.prior_frames))  # shrunk towards 0
    assert cues[1 - ia]['inverted'] == 0
    ath = sel(tracks, (W, H), poses)
    assert ath.track_ids == [tracks[ia].track_id]
    assert sel.track_cues(tracks, (W, H))[ia]['inverted'] == 0  # no poses, no cue


def test_pose_inversion():
    box = np.array([0, 0, 50, 100.0])
    up, down = _pose(box, False), _pose(box, True)
    blind = up.copy()
    blind[:, 2] = 0.0
    hips_hidden = down.copy()
    hips_hidden[[5, 6, 11, 12], 2] = 0.0  # falls back to head vs ankles
    assert pose_inversion(np.stack([up, down, blind, hips_hidden])).tolist() == [-1, 1, 0, 1]


def test_no_tracks():
    ath = HeuristicAthleteSelector()([], (W, H))
    assert len(ath) == 0 and ath.boxes.shape == (0, 4)


def test_a_short_odd_track_does_not_set_the_bar():
    # a 3-frame, huge, jumpy false track (seen with real detectors) must not out-score the athlete
    # and, through min_rel_score, veto every real track
    gt = athlete_boxes(120)
    dets = []
    for t in range(120):
        rows = [np.r_[gt[t], 0.8]]
        if 60 <= t < 63:
            rows.append(np.r_[100 + 40 * (t - 60), 20, 230 + 60 * (t - 60), 235, 0.8])
        dets.append((t, np.array(rows)))
    tracks = SortTracker(max_center_dist=2.0)(dets)
    assert sorted(len(t) for t in tracks) == [3, 120]
    long = [t for t in tracks if len(t) == 120]
    sel = HeuristicAthleteSelector()
    alone, = sel.track_cues(long, (W, H))
    both = sel.track_cues(tracks, (W, H))
    with_odd = both[[len(t) for t in tracks].index(120)]
    odd = both[[len(t) for t in tracks].index(3)]
    for cue in ('size', 'motion', 'confidence'):  # the athlete's cues do not depend on the odd track
        assert with_odd[cue] == pytest.approx(alone[cue])
    assert odd['score'] < with_odd['score']
    ath = sel(tracks, (W, H))
    assert len(ath) == 120 and _gt_ious(ath, gt).min() > 0.8
