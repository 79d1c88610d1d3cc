import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

import vpd_mm  # noqa: F401
from vpd_mm.downstream.fewshot import run_fewshot
from vpd_mm.downstream.runner_utils import _dataset_cfg, parse_feature_sets, set_epochs
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset
from vpd_mm.utils.fileio import atomic_write_json, load_json

CONFIG = 'configs/recognition/bigru_synthsport-mini_gt-joints.py'


def tiny_config(repo_root, root, epochs=2):
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = str(root)
        cfg[key].dataset.feature_dirs = ['features/synthetic']
        cfg[key].batch_size = 8
        cfg[key].dataset.serialize_data = False  # speed: mmengine's serialization runs gc.collect()
    cfg.model.backbone.in_channels = 6
    cfg.model.backbone.hidden_channels = 16
    cfg.model.cls_head.in_channels = 32
    cfg.model.cls_head.num_classes = 3
    cfg.default_hooks.logger.interval = 1
    set_epochs(cfg, epochs)
    return cfg


def test_parse_feature_sets():
    assert parse_feature_sets(None, 'cfg') == {'cfg': []}
    assert parse_feature_sets(['gt=a+b', 'x/c/']) == {'gt': ['a', 'b'], 'c': ['x/c/']}


@pytest.fixture(scope='module')
def serial_run(tmp_path_factory, repo_root):
    """A ``workers=1`` protocol run on the synthetic data, k=1 (2 trials) and all.

    k=1 trial 1 is trial 0 in another order: it reuses trial 0's training run.
    """
    root = tmp_path_factory.mktemp('fewshot')
    make_synthetic_feature_dataset(str(root / 'data'))
    fewshot_file = str(root / 'data' / 'annotations' / 'fewshot.json')
    subsets = load_json(fewshot_file)
    subsets['1'][1] = list(reversed(subsets['1'][0]))
    atomic_write_json(fewshot_file, subsets)
    cfg = tiny_config(repo_root, root / 'data', epochs=1)
    # the Runner tests with mmaction2's accuracy and the DTW retrieval metric side by side
    cfg.test_evaluator = [dict(type='AccMetric'), dict(type='DTWRetrievalMetric')]
    kwargs = dict(ks=[1, 'all'], trials=2, methods=('bigru', 'nns'), progress=False)
    work = str(root / 'w1')
    summary = run_fewshot(cfg, {'syn': []}, work_dir=work, workers=1, **kwargs)
    return dict(root=root, cfg=cfg, kwargs=kwargs, work=work, summary=summary)


def _runs(work):
    """``{run file: run}`` of a few-shot work dir."""
    runs_dir = osp.join(work, 'runs')
    return {f: load_json(osp.join(runs_dir, f)) for f in sorted(os.listdir(runs_dir)) if f.endswith('.json')}


def test_fewshot_protocol_writes_table_plot_and_resumes(serial_run):
    summary, work = serial_run['summary'], serial_run['work']
    rows = summary['results']['syn/bigru']
    assert rows['1']['n'] == 2 and rows['all']['n'] == 1
    assert 0 <= rows['1']['mean'] <= 100
    run = load_json(osp.join(work, 'runs', 'syn_k1_t0.json'))
    assert run['num_train'] == 3  # 1 per class x 3 classes
    assert 0.0 <= run['bigru_metrics']['acc/top1'] <= 1.0 and run[
        'bigru'] == 100 * run['bigru_metrics']['acc/top1']
    assert any('dtw' in k.lower() for k in run['bigru_metrics']), run['bigru_metrics']
    assert osp.isfile(osp.join(work, 'work', 'syn_k1_t0', 'epoch_1.pth'))
    for name in ('fewshot.json', 'fewshot.md', 'fewshot.png'):
        assert osp.isfile(osp.join(work, name))
    assert '| syn/bigru |' in open(osp.join(work, 'fewshot.md')).read()
    assert 0 <= summary['results']['syn/nns']['1']['mean'] <= 100
    # an equal training subset reuses the earlier training run
    reused = load_json(osp.join(work, 'runs', 'syn_k1_t1.json'))
    assert reused['same_as'] == {'bigru': 'syn_k1_t0'} and reused['bigru'] == run['bigru']
    assert rows['1']['trained'] == 1 and not osp.isdir(osp.join(work, 'work', 'syn_k1_t1'))
    # resume: cached runs are reused, not retrained
    files = [f for f in sorted(os.listdir(osp.join(work, 'runs')))]
    before = {f: osp.getmtime(osp.join(work, 'runs', f)) for f in files}
    run_fewshot(serial_run['cfg'], {'syn': []}, work_dir=work, **serial_run['kwargs'])
    assert before == {f: osp.getmtime(osp.join(work, 'runs', f)) for f in files}


def test_workers_give_the_same_runs_and_reuse_equal_subsets(serial_run):
    work = str(serial_run['root'] / 'w2')
    parallel = run_fewshot(serial_run['cfg'], {'syn': []}, work_dir=work, workers=2, **serial_run['kwargs'])
    runs = _runs(work)
    assert sorted(runs) == ['syn_k1_t0.json', 'syn_k1_t1.json', 'syn_kall_t0.json']
    assert runs == _runs(serial_run['work'])  # every value, the test metrics included
    assert runs['syn_k1_t1.json']['same_as'] == {'bigru': 'syn_k1_t0'}
    assert {'nns', 'bigru', 'bigru_metrics'} <= set(runs['syn_kall_t0.json'])
    assert parallel['results'] == serial_run['summary']['results']
    assert not osp.isdir(osp.join(work, 'work', 'syn_k1_t1'))
    assert osp.isfile(osp.join(work, 'work', 'syn_kall_t0', 'epoch_1.pth'))


def test_results_of_changed_features_are_computed_again(tmp_path, repo_root):
    import pickle
    make_synthetic_feature_dataset(str(tmp_path / 'data'))
    cfg = tiny_config(repo_root, tmp_path / 'data', epochs=2)
    work = str(tmp_path / 'w')
    kwargs = dict(ks=[1], trials=1, methods=('bigru', 'nns'), progress=False, work_dir=work)
    # max_iters caps the epochs: one step is less than an epoch (3 actions x 2 views, batch 8)
    run_fewshot(cfg, {'syn': []}, max_iters=1, **kwargs)
    assert osp.isfile(osp.join(work, 'work', 'syn_k1_t0', 'epoch_1.pth'))
    assert not osp.isfile(osp.join(work, 'work', 'syn_k1_t0', 'epoch_2.pth'))
    first = _runs(work)['syn_k1_t0.json']
    assert set(first['inputs']) == {'syn/bigru', 'syn/nns'}
    # a changed schedule makes the BiGRU result stale, not the NNS one
    run_fewshot(cfg, {'syn': []}, **kwargs)
    second = _runs(work)['syn_k1_t0.json']
    assert second['inputs']['syn/nns'] == first['inputs']['syn/nns']
    assert second['inputs']['syn/bigru'] != first['inputs']['syn/bigru']
    assert osp.isfile(osp.join(work, 'work', 'syn_k1_t0', 'epoch_2.pth'))
    # re-extracted features (one video's file rewritten) make both stale
    feature_dir = tmp_path / 'data' / 'features' / 'synthetic'
    path = str(sorted(feature_dir.iterdir())[0])
    with open(path, 'rb') as f:
        data = pickle.load(f)
    data = [(frame, -emb, extra) for frame, emb, extra in data]
    with open(path, 'wb') as f:
        pickle.dump(data, f)
    run_fewshot(cfg, {'syn': []}, **kwargs)
    third = _runs(work)['syn_k1_t0.json']
    for method in ('syn/bigru', 'syn/nns'):
        assert third['inputs'][method] != second['inputs'][method]


def test_baseline_without_its_data_fails_before_any_training(tmp_path, repo_root):
    make_synthetic_feature_dataset(str(tmp_path / 'data'))
    cfg = tiny_config(repo_root, tmp_path / 'data', epochs=1)
    stgcn = Config.fromfile(osp.join(repo_root, 'configs/baselines/stgcn_synthsport-mini_gt-2d.py'))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        _dataset_cfg(stgcn[key])['ann_file'] = str(tmp_path / 'missing.pkl')
    work = str(tmp_path / 'w')
    with pytest.raises(FileNotFoundError, match='missing.pkl not found'):
        run_fewshot(cfg, {'syn': []}, ks=[1], trials=1, methods=('bigru', ), progress=False, work_dir=work,
                    baselines={'stgcn': stgcn})
    assert not osp.exists(osp.join(work, 'runs')) or not os.listdir(osp.join(work, 'runs'))


def test_feature_sets_are_scored_on_the_same_test_actions(tmp_path, repo_root):
    """An action one feature set has no frames for is left out of every feature set, and listed."""
    import shutil

    from vpd_mm.utils.vpd_files import load_embeddings, save_embeddings
    info = make_synthetic_feature_dataset(str(tmp_path / 'data'))
    hole = next(el for el in info['elements'] if el['video'] == info['splits']['test'][0])
    holes_dir = tmp_path / 'data' / 'features' / 'holes'
    shutil.copytree(info['feature_dir'], holes_dir)
    path = osp.join(holes_dir, hole['video'] + '.emb.pkl')
    save_embeddings(path, [r for r in load_embeddings(path) if not hole['start'] <= r[0] < hole['end']])
    cfg = tiny_config(repo_root, tmp_path / 'data')
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.on_empty = 'skip'
    summary = run_fewshot(cfg, {'syn': ['features/synthetic'], 'holes': ['features/holes']}, ks=['all'],
                          trials=1, work_dir=str(tmp_path / 'w'), methods=('nns', ), progress=False)
    assert summary['dropped_actions'] == dict(
        count=1, ids=[str(hole['id'])], by_feature_set=dict(syn=0, holes=1))
    # equal features on the same actions: equal results
    assert summary['results']['syn/nns']['all']['mean'] == summary['results']['holes/nns']['all']['mean']
    md = open(osp.join(tmp_path, 'w', 'fewshot.md')).read()
    assert f'left out of every feature set, so that all are scored on the same actions: {hole["id"]}.' in md
