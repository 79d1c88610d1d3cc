import glob
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

import vpd_mm  # noqa: F401
from vpd_mm.downstream.crossval import (agreement_sentence, crossval_markdown, deal_folds, group_annotations,
                                        run_crossval)
from vpd_mm.downstream.runner_utils import set_epochs
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset
from vpd_mm.utils.fileio import load_json
from vpd_mm.utils.vpd_files import embeddings_to_array, load_embeddings, save_embeddings

CONFIG = 'configs/recognition/bigru_synthsport-mini_gt-joints.py'


def test_deal_folds_partitions_the_videos_evenly_and_repeatably():
    videos = [f'v{i}' for i in range(10)]
    folds = deal_folds(videos + videos[:3], 4)  # duplicates count once
    assert sorted(v for f in folds for v in f) == videos
    assert sorted(map(len, folds)) == [2, 2, 3, 3]
    assert folds == deal_folds(list(reversed(videos)), 4)
    assert folds != deal_folds(videos, 4, seed=1)
    with pytest.raises(ValueError, match='folds'):
        deal_folds(videos, 11)
    with pytest.raises(ValueError, match='folds'):
        deal_folds(videos, 1)


def test_group_annotations(tmp_path):
    ann = tmp_path / 'elements.json'
    ann.write_text('[{"id": 1, "video": "a", "label": 0}, '
                   '{"id": 2, "video": "a", "label": 2, "class_name": "c"}]')
    out = str(tmp_path / 'grouped.json')
    names = group_annotations(str(ann), ['a', 'b', 'c'], {'ab': ['a', 'b'], 'c': ['c']}, out)
    assert names == ['ab', 'c']
    grouped = [(e['label'], e['class_name'], e['fine_class']) for e in load_json(out)]
    assert grouped == [(0, 'ab', 'a'), (1, 'c', 'c')]
    with pytest.raises(ValueError, match="unknown class 'x'"):
        group_annotations(str(ann), ['a', 'b', 'c'], {'ab': ['a', 'x'], 'c': ['b', 'c']}, out)
    with pytest.raises(ValueError, match="in no group: \\['c'\\]"):
        group_annotations(str(ann), ['a', 'b', 'c'], {'ab': ['a', 'b']}, out)
    with pytest.raises(ValueError, match="'b' is in 'ab' and 'bc'"):
        group_annotations(str(ann), ['a', 'b', 'c'], {'ab': ['a', 'b'], 'bc': ['b', 'c']}, out)


def _noise_features(root: str) -> None:
    """features/noise: the synthetic videos' frames with pure noise (no class information)."""
    rng = np.random.default_rng(3)
    for path in sorted(glob.glob(osp.join(root, 'features', 'synthetic', '*.emb.pkl'))):
        frames, feats = embeddings_to_array(load_embeddings(path))
        noise = rng.normal(0, 1, feats.shape).astype(np.float32)
        save_embeddings(osp.join(root, 'features', 'noise', osp.basename(path)),
                        [(int(f), x, {'kp_score': 1.0}) for f, x in zip(frames, noise)])


def _tiny_config(repo_root: str, root: str) -> Config:
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = root
        cfg[key].dataset.feature_dirs = ['features/synthetic']
        cfg[key].batch_size = 8
        cfg[key].dataset.serialize_data = False
    cfg.model.backbone.hidden_channels = 16
    cfg.model.cls_head.in_channels = 32
    cfg.default_hooks.logger.interval = 1
    set_epochs(cfg, 2)
    return cfg


@pytest.fixture(scope='module')
def crossval_run(tmp_path_factory, repo_root):
    root = str(tmp_path_factory.mktemp('crossval') / 'data')
    make_synthetic_feature_dataset(root, videos_per_split=(4, 2, 2), actions_per_video=3)
    _noise_features(root)
    cfg = _tiny_config(repo_root, root)
    work = osp.join(osp.dirname(root), 'work')
    kwargs = dict(folds=4, pairs=[('good', 'noise')], reference='student: the long run, docs/results.md',
                  bootstrap=500, progress=False)
    summary = run_crossval(cfg, {'good': ['features/synthetic'], 'noise': ['features/noise']}, work, **kwargs)
    return dict(root=root, cfg=cfg, work=work, kwargs=kwargs, summary=summary)


def test_every_action_is_tested_once_by_models_that_never_saw_its_video(crossval_run):
    summary, work = crossval_run['summary'], crossval_run['work']
    assert summary['num_actions'] == 24 and summary['num_videos'] == 8
    for i, fold in enumerate(summary['folds']):
        split = load_json(osp.join(work, 'folds', f'fold{i}.json'))
        assert split['test'] == fold and not set(split['train']) & set(fold)
        assert len(split['train']) + len(fold) == 8
        run = load_json(osp.join(work, 'runs', f'good_fold{i}.json'))
        assert len(run['nns']['ids']) == len(run['bigru']['ids']) == 3 * len(fold)
        assert run['num_train'] == 24 - 3 * len(fold)
    runs = [load_json(osp.join(work, 'runs', f'noise_fold{i}.json')) for i in range(4)]
    ids = [a for run in runs for a in run['bigru']['ids']]
    assert sorted(ids, key=int) == [str(i) for i in range(24)]


def test_pooled_intervals_and_the_paired_verdict(crossval_run):
    summary = crossval_run['summary']
    for row in summary['results'].values():
        for cell in row.values():
            assert cell['n'] == 24 and cell['ci'][0] <= cell['value'] <= cell['ci'][1]
            assert (cell['value'] * 24 / 100) == pytest.approx(round(cell['value'] * 24 / 100))
    # class patterns vs pure noise: DTW on the real features wins clearly
    assert summary['results']['good']['nns']['value'] >= 80
    nns = [c for c in summary['comparisons'] if c['method'] == 'nns'][0]
    assert nns['verdict'] == 'student' and nns['ci'][0] > 0
    assert nns['value'] == pytest.approx(summary['results']['good']['nns']['value'] -
                                         summary['results']['noise']['nns']['value'])
    text = crossval_markdown(summary)
    assert '| good | ' in text and 'One action = 4.2 points' in text and '| good - noise | nns |' in text
    assert agreement_sentence(summary).split(':')[0] in (
        'Agrees with the reference run (the long run, docs/results.md), where the students win',
        'Agrees in part with the reference run (the long run, docs/results.md), where the students win, and '
        'contradicts it nowhere')
    flipped = dict(summary, reference='teacher: elsewhere')
    assert agreement_sentence(flipped).startswith('Disagrees with the reference run (elsewhere)')


def test_rerun_reuses_the_folds_and_changed_features_are_recomputed(crossval_run):
    work, cfg, kwargs = crossval_run['work'], crossval_run['cfg'], crossval_run['kwargs']
    runs = sorted(glob.glob(osp.join(work, 'runs', '*.json')))
    stamps = {p: os.stat(p).st_mtime_ns for p in runs}
    again = run_crossval(cfg, {'good': ['features/synthetic'], 'noise': ['features/noise']}, work, **kwargs)
    assert {p: os.stat(p).st_mtime_ns for p in runs} == stamps
    assert again['results'] == crossval_run['summary']['results']
    # the noise features change: only its folds run again
    path = sorted(glob.glob(osp.join(crossval_run['root'], 'features', 'noise', '*.emb.pkl')))[0]
    frames, feats = embeddings_to_array(load_embeddings(path))
    save_embeddings(path, [(int(f), x + 1, {'kp_score': 1.0}) for f, x in zip(frames, feats)])
    run_crossval(cfg, {'good': ['features/synthetic'], 'noise': ['features/noise']}, work, **kwargs)
    changed = sorted(p for p in runs if os.stat(p).st_mtime_ns != stamps[p])
    assert changed == sorted(glob.glob(osp.join(work, 'runs', 'noise_fold*.json')))


def test_class_groups_and_bad_arguments(crossval_run, tmp_path):
    cfg = crossval_run['cfg']
    groups = {'c01': ['class0', 'class1'], 'c2': ['class2']}
    summary = run_crossval(cfg, {'good': []}, str(tmp_path / 'grouped'), folds=8, methods=['nns'],
                           class_groups=groups, bootstrap=200, progress=False)
    assert summary['classes'] == ['c01', 'c2'] and summary['class_groups'] == groups
    assert len(summary['folds']) == 8 and summary['results']['good']['nns']['n'] == 24
    assert 'Classes: c01 = class0, class1; c2 = class2.' in crossval_markdown(summary)
    with pytest.raises(ValueError, match="no feature set \\['teacher'\\]"):
        run_crossval(cfg, {'good': []}, str(tmp_path / 'x'), pairs=[('good', 'teacher')], progress=False)
    with pytest.raises(ValueError, match='unknown method'):
        run_crossval(cfg, {'good': []}, str(tmp_path / 'x'), methods=['svm'], progress=False)
