import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

import vpd_mm  # noqa: F401
from vpd_mm.downstream.fewshot import run_fewshot
from vpd_mm.downstream.runner_utils import parse_feature_sets, set_epochs
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset
from vpd_mm.utils.fileio import load_json

CONFIG = 'configs/recognition/bigru_synthsport-mini_gt-joints.py'


def tiny_config(repo_root, root, epochs=2):
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = str(root)
        cfg[key].dataset.feature_dirs = ['features/synthetic']
        cfg[key].batch_size = 8
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


def test_fewshot_protocol_writes_table_plot_and_resumes(tmp_path, repo_root):
    make_synthetic_feature_dataset(str(tmp_path / 'data'))
    cfg = tiny_config(repo_root, tmp_path / 'data', epochs=1)
    # the Runner tests with mmaction2's accuracy and the DTW retrieval metric side by side
    cfg.test_evaluator = [dict(type='AccMetric'), dict(type='DTWRetrievalMetric')]
    methods = ('bigru', 'nns')
    work = str(tmp_path / 'fs')
    summary = run_fewshot(
        cfg, {'syn': []}, ks=[1, 'all'], trials=1, work_dir=work, methods=methods, progress=False)
    rows = summary['results']['syn/bigru']
    assert rows['1']['n'] == 1 and rows['all']['n'] == 1
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
    # resume: cached runs are reused, not retrained
    before = {f: osp.getmtime(osp.join(work, 'runs', f)) for f in ('syn_k1_t0.json', 'syn_kall_t0.json')}
    run_fewshot(cfg, {'syn': []}, ks=[1, 'all'], trials=1, work_dir=work, methods=methods, progress=False)
    assert before == {f: osp.getmtime(osp.join(work, 'runs', f)) for f in before}
