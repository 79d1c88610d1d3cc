import json
import os.path as osp
import runpy
import sys

import pytest
from mmengine.config import Config

from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset
from vpd_mm.utils.fileio import atomic_write_json

CONFIG = 'configs/recognition/bigru_synthsport-mini_gt-joints.py'


def _work_dir(tmp_path, repo_root, views):
    """A main-job work dir whose nns stage compared one synthetic feature set (24 actions, 6 in test)."""
    root = tmp_path / 'data'
    make_synthetic_feature_dataset(str(root))
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = str(root)
    work = tmp_path / 'work'
    config = str(work / 'configs' / 'recognition.py')
    (work / 'configs').mkdir(parents=True)
    cfg.dump(config)
    atomic_write_json(
        work / 'stages' / 'nns.json',
        dict(
            key='x',
            state='done',
            cmd=[
                'tools/nns.py', config, '--features', 'syn=features/synthetic', '--work-dir',
                str(work / 'nns'), '--retrieval-pool', 'all', '--retrieval-views', views
            ]))
    return str(work)


def _run(repo_root, monkeypatch, *args):
    tool = osp.join(repo_root, 'tools', 'results_browser.py')
    monkeypatch.setattr(sys, 'argv', [tool, *args])
    runpy.run_path(tool, run_name='__main__')


def test_the_nns_stage_settings_and_their_overrides(tmp_path, repo_root, monkeypatch, capsys):
    work = _work_dir(tmp_path, repo_root, 'min')
    _run(repo_root, monkeypatch, work, '--k', '3')
    data = json.load(open(osp.join(work, 'browser', 'browser.json')))
    assert (data['views'], data['pool'], data['k'], len(data['actions'])) == ('min', 'all', 3, 24)
    assert list(data['feature_sets']) == ['syn'] and osp.isfile(osp.join(work, 'browser', 'index.html'))
    assert 'syn: loo_1nn 100.0' in capsys.readouterr().out
    out = str(tmp_path / 'other')
    _run(repo_root, monkeypatch, work, '-o', out, '--retrieval-views', 'concat', '--retrieval-pool', 'test',
         '--no-previews')
    data = json.load(open(osp.join(out, 'browser.json')))
    assert (data['views'], data['pool'], len(data['actions'])) == ('concat', 'test', 6)


def test_a_work_dir_without_a_finished_nns_stage_is_named(tmp_path, repo_root, monkeypatch):
    with pytest.raises(FileNotFoundError, match='stages/nns.json: not found; run the main job'):
        _run(repo_root, monkeypatch, str(tmp_path))
    atomic_write_json(tmp_path / 'stages' / 'nns.json', dict(key='x', state='running'))
    with pytest.raises(FileNotFoundError, match='the nns stage has not finished'):
        _run(repo_root, monkeypatch, str(tmp_path))
