import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

import vpd_mm  # noqa: F401
from vpd_mm.datasets.workout_videos import write_workout_root
from vpd_mm.downstream.workout import (evaluation_actions, fewshot_nns, loo_scores, run_workout_eval,
                                       stage_times, stages_markdown)
from vpd_mm.utils.fileio import atomic_write_json, load_json
from vpd_mm.utils.vpd_files import save_embeddings

FRAMES = 90
# class -> (period in frames, clips)
CLASSES = {'curls': (20, 3), 'squats': (30, 3)}


def _source(tmp_path):
    """A workout folder: 2 classes x 3 clips (tiny videos) with markers at the top of every repetition."""
    import cv2
    src = str(tmp_path / 'src')
    markers = {}
    for label, (period, n) in CLASSES.items():
        for i in range(n):
            vid = f'{label} {i}'  # ids with spaces
            path = osp.join(src, 'videos', label, vid + '.mp4')
            os.makedirs(osp.dirname(path), exist_ok=True)
            writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 30.0, (16, 16))
            for _ in range(4):
                writer.write(np.zeros((16, 16, 3), np.uint8))
            writer.release()
            marks = list(range(5 + period // 4 + i, FRAMES - period // 2, period))
            markers[vid] = marks
            os.makedirs(osp.join(src, 'labels', label), exist_ok=True)
            with open(osp.join(src, 'labels', label, vid + '.csv'), 'w') as f:
                f.write('frame,time,label\n' + ''.join(f'{t},{t / 30},{int(t in marks)}\n'
                                                       for t in range(FRAMES)))
    return src, markers


def _features(root, name, markers, missing_frames=()):
    """Per-frame features: pulses of the class's period peaking at the markers, in class-specific dims."""
    out = osp.join(root, 'features', name)
    os.makedirs(out, exist_ok=True)
    rng = np.random.default_rng(0)
    for vid, marks in markers.items():
        label = vid.split()[0]
        period = CLASSES[label][0]
        t = np.arange(FRAMES)
        wave = np.exp(3 * (np.cos(2 * np.pi * (t - marks[0]) / period) - 1))  # sharp tops, long bottoms
        x = np.zeros((FRAMES, 6))
        x[:, 0 if label == 'curls' else 2] = wave
        x[:, 1 if label == 'curls' else 3] = 0.2 * np.sin(2 * np.pi * (t - marks[0]) / period)
        x[:, 4:] = 0.3
        x += 0.01 * rng.standard_normal(x.shape)
        save_embeddings(
            osp.join(out, vid + '.emb.pkl'),
            [(int(f), np.stack([x[f], x[f]]).astype(np.float32), {}) for f in t if f not in missing_frames])
    return f'features/{name}'


def test_loo_and_fewshot_nns_known_answer():
    # 4 clips: 0, 1 of class 0 and 2, 3 of class 1; clip 1's nearest is clip 2 (wrong class)
    cost = np.array([[np.inf, 1, 5, 5], [1, np.inf, 0.5, 5], [5, 0.5, np.inf, 0.4], [5, 5, 0.4, np.inf]])
    labels = np.array([0, 0, 1, 1])
    out = loo_scores(cost, labels, ks=(1, 2), bootstrap=100)
    assert out['nns']['value'] == pytest.approx(75.0) and out['P@1']['value'] == pytest.approx(75.0)
    assert out['P@2']['value'] == pytest.approx(50.0)  # every clip: one of its 2 nearest has its class
    assert out['per_class_nns'] == {0: 50.0, 1: 100.0}
    few = fewshot_nns(cost, labels, ['a', 'b', 'c', 'd'], {'1': [['a', 'd'], ['b', 'c']]}, {
        'test_k1_t0': ['b', 'c'],
        'test_k1_t1': ['a', 'd']
    })
    # trial 0: b -> a (1 < 5) right, c -> d (0.4 < 5) right; trial 1: a -> b right, d -> c right
    assert few['1']['values'] == [100.0, 100.0]


def test_evaluation_actions_cut_to_common_frames():
    actions = [dict(id='a', video='a', start=0, end=300), dict(id='b', video='b', start=0, end=300)]
    kept, left = evaluation_actions(actions, {'a': np.array([5, 6, 7, 400])})
    assert kept == [dict(id='a', video='a', start=5, end=8)] and left == ['b']


def _tiny_configs(tmp_path, repo_root):
    rec = Config.fromfile(osp.join(repo_root, 'configs/recognition/bigru_workout.py'))
    rec.max_epochs = 2
    rec.train_cfg.max_epochs = 2
    rec.param_scheduler[0].T_max = 2
    rec.model.backbone.hidden_channels = 8
    rec.model.cls_head.in_channels = 16
    rec.model.cls_head.hidden_channels = 8
    rec.dump(str(tmp_path / 'rec.py'))
    spot = Config.fromfile(osp.join(repo_root, 'configs/detection/bigru-spot_workout-reps.py'))
    spot.train_cfg.max_iters = 3
    spot.train_dataloader.batch_size = 2
    spot.model.backbone.hidden_channels = 8
    spot.model.head.in_channels = 16
    spot.dump(str(tmp_path / 'spot.py'))
    return dict(recognition_config=str(tmp_path / 'rec.py'), spotting_config=str(tmp_path / 'spot.py'))


def test_workout_eval_recognition_and_counting(tmp_path):
    src, markers = _source(tmp_path)
    root = str(tmp_path / 'root')
    write_workout_root(src, root, max_frames=60, ks=(1, 2), trials=2)
    a = _features(root, 'teacher', markers, missing_frames=range(0, 5))
    b = _features(root, 'student', markers)
    work = str(tmp_path / 'work')
    sets = {'teacher': [osp.join(root, a)], 'student': [osp.join(root, b)]}
    summary = run_workout_eval(
        root, sets, work, tasks=('nns', 'count'), pairs={'student': 'teacher'}, bootstrap=100, progress=False)
    assert summary['num_clips'] == 6 and summary['counting_clips'] == 6
    for name in sets:
        r = summary['results'][name]
        assert r['loo']['nns']['value'] == 100.0  # the classes move in different dimensions
        assert r['count_periodicity']['exact'] == 1.0  # 3 or 4 repetitions, counted exactly
        assert r['count_periodicity']['ap@5'] == pytest.approx(1.0)  # the peaks are at the markers
    # the teacher misses frames 0-4: every set is compared on the frames both have (5-59)
    clips = load_json(osp.join(work, 'clips_eval.json'))
    assert {c['start'] for c in clips} == {5} and {c['end'] for c in clips} == {60}
    md = open(osp.join(work, 'workout.md')).read()
    assert '| student vs teacher | +0.0 | +0.00 | - |' in md and '| teacher / periodicity |' in md


def test_workout_eval_trainings_resume(tmp_path, repo_root):
    """Few-shot BiGRU and cross-validated boundary spotting (mmengine Runner); a rerun trains nothing."""
    src, markers = _source(tmp_path)
    root = str(tmp_path / 'root')
    write_workout_root(src, root, max_frames=60, ks=(1, ), trials=1)
    sets = {'student': [osp.join(root, _features(root, 'student', markers))]}
    work = str(tmp_path / 'work')
    settings = dict(tasks=('fewshot', 'fewshot_bigru', 'spot'), folds=2, bootstrap=100, progress=False,
                    **_tiny_configs(tmp_path, repo_root))
    summary = run_workout_eval(root, sets, work, **settings)
    r = summary['results']['student']
    assert r['fewshot_nns']['1']['values'] == [100.0]
    assert len(r['fewshot_bigru']['1']['values']) == 1 and 0 <= r['fewshot_bigru']['1']['values'][0] <= 100
    assert set(r['count_bigru']['per_clip']) == set(markers)
    assert load_json(osp.join(work, 'spotting', 'student', 'targets.json'))  # frames around the markers
    files = [osp.join(work, 'fewshot_runs', 'student_k1_t0.json')] + [
        osp.join(work, 'spotting', 'student', f'fold{i}', 'test_activations.pkl') for i in range(2)
    ]
    mtimes = [os.stat(f).st_mtime_ns for f in files]
    again = run_workout_eval(root, sets, work, **settings)
    assert [os.stat(f).st_mtime_ns for f in files] == mtimes
    assert again['results']['student']['count_bigru'] == r['count_bigru']


def test_stage_times_table(tmp_path):
    stamps = str(tmp_path / 'stages')
    atomic_write_json(
        osp.join(stamps, 'poses.json'), dict(state='done', seconds=120.04, finished='2026-01-01 10:02:00'))
    atomic_write_json(
        osp.join(stamps, 'prepare.json'), dict(state='done', seconds=3.0, finished='2026-01-01 10:00:00'))
    atomic_write_json(osp.join(stamps, 'crops.json'), dict(key='x',
                                                           state='running'))  # not finished: left out
    out = stage_times(stamps, {'workout': 60.0})
    assert [r['name']
            for r in out['stages']] == ['prepare', 'poses', 'workout'] and out['total_seconds'] == 183.0
    assert '| total (stages one after another) | 183 (3.0 min) | |' in stages_markdown(out)
