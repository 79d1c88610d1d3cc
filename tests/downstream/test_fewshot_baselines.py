"""Few-shot protocol for the mmaction2 baselines (ST-GCN on a pose pickle, TSN on a list file)."""
import os.path as osp
import pickle

import pytest
from mmengine.config import Config

import vpd_mm  # noqa: F401
from vpd_mm.baselines import make_demo_actions
from vpd_mm.downstream.fewshot import BaselineSubsets, run_fewshot
from vpd_mm.downstream.summaries import fewshot_markdown
from vpd_mm.utils.fileio import atomic_write_json, load_json

STGCN = 'configs/baselines/stgcn_synthsport-mini_gt-2d.py'
TSN = 'configs/baselines/tsn_r18_synthsport-mini_clips.py'


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    """DemoActions (4 classes, 2 train + 1 val clips each) with few-shot split keys and fewshot.json."""
    root = tmp_path_factory.mktemp('fs_baselines')
    paths = make_demo_actions(str(root / 'demo'), train_per_class=2, val_per_class=1, num_frames=12, size=48)
    with open(paths['skeleton'], 'rb') as f:
        data = pickle.load(f)
    train = data['split']['train']
    one = [c for c in train if c.endswith('_000')]
    fewshot = {'1': [one, list(reversed(one))], '2': [train, train]}
    for k, subsets in fewshot.items():
        for s, ids in enumerate(subsets):
            data['split'][f'train_k{k}_s{s}'] = ids
    with open(paths['skeleton'], 'wb') as f:
        pickle.dump(data, f)
    atomic_write_json(str(root / 'demo' / 'fewshot.json'), fewshot)
    return root / 'demo', paths, fewshot


def _stgcn_cfg(repo_root, root, paths):
    cfg = Config.fromfile(osp.join(repo_root, STGCN))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        ds = cfg[key].dataset
        ds = ds.dataset if 'dataset' in ds else ds
        ds.ann_file = paths['skeleton']
        ds.split = 'train' if key == 'train_dataloader' else 'val'
        cfg[key].batch_size = 4
        sample = ds.pipeline[2]  # UniformSampleFrames: short clips, one view at test time (speed)
        sample.clip_len, sample.num_clips = 8, 1
    cfg.model.cls_head.num_classes = 4
    # a 2-stage, 16-channel ST-GCN (speed)
    cfg.model.backbone.update(num_stages=2, base_channels=16, inflate_stages=[2], down_stages=[2])
    cfg.model.cls_head.in_channels = 32
    cfg.default_hooks.logger.interval = 1
    return cfg


def _tsn_cfg(repo_root, root, paths):
    cfg = Config.fromfile(osp.join(repo_root, TSN))
    for key, split in (('train_dataloader', 'train'), ('val_dataloader', 'val'), ('test_dataloader', 'val')):
        cfg[key].dataset.ann_file = paths[f'videos_{split}']
        cfg[key].dataset.data_prefix = dict(video=str(root / 'videos'))
    cfg.fewshot_file = str(root / 'fewshot.json')
    cfg.model.cls_head.num_classes = 4
    return cfg


def test_configs_point_at_synthsport_splits(repo_root):
    stgcn = Config.fromfile(osp.join(repo_root, STGCN))
    assert stgcn.train_dataloader.dataset.dataset.split == 'train'
    assert stgcn.test_dataloader.dataset.split == 'test'
    assert stgcn.model.cls_head.num_classes == 16
    tsn = Config.fromfile(osp.join(repo_root, TSN))
    assert tsn.train_dataloader.dataset.ann_file.endswith('tsn_train.txt')
    assert tsn.test_dataloader.dataset.ann_file.endswith('tsn_test.txt')
    assert tsn.fewshot_file.endswith('annotations/fewshot.json')
    assert tsn.model.cls_head.num_classes == 16
    bigru = Config.fromfile(osp.join(repo_root, 'configs/recognition/bigru_synthsport-mini_gt-joints.py'))
    assert set(bigru.fewshot_baselines) == {STGCN, TSN}


def test_subsets_of_pose_pickle_and_list_file(repo_root, demo, tmp_path):
    root, paths, fewshot = demo
    pose = BaselineSubsets(_stgcn_cfg(repo_root, root, paths), str(tmp_path))
    assert pose.kind == 'pose'
    assert pose.ids(1, 1) == list(reversed(fewshot['1'][0]))
    assert len(pose.ids('all', 0)) == 8
    cfg = _stgcn_cfg(repo_root, root, paths)
    pose.apply(cfg, 1, 0)
    assert cfg.train_dataloader.dataset.dataset.split == 'train_k1_s0'
    with pytest.raises(KeyError, match='train_k5_s0'):
        pose.ids(5, 0)

    tsn_cfg = _tsn_cfg(repo_root, root, paths)
    lists = BaselineSubsets(tsn_cfg, str(tmp_path / 'lists'))
    assert lists.kind == 'list'
    lists.apply(tsn_cfg, 1, 0)
    lines = open(tsn_cfg.train_dataloader.dataset.ann_file).read().split()
    assert sorted(lines[0::2]) == sorted(f'{c}.mp4' for c in fewshot['1'][0])
    assert len(lines) == 8  # 4 clips x (file, label)
    bad = load_json(str(root / 'fewshot.json'))
    bad['1'][0] = ['nope_clip']
    atomic_write_json(str(tmp_path / 'bad.json'), bad)
    tsn_cfg = _tsn_cfg(repo_root, root, paths)
    tsn_cfg.fewshot_file = str(tmp_path / 'bad.json')
    with pytest.raises(KeyError, match=r"nope_clip.*videos_train.txt"):
        BaselineSubsets(tsn_cfg, str(tmp_path)).ids(1, 0)


def test_baseline_fewshot_trains_once_per_distinct_subset(repo_root, demo, tmp_path):
    root, paths, _ = demo
    cfg = _stgcn_cfg(repo_root, root, paths)
    work = str(tmp_path / 'fs')
    summary = run_fewshot(
        None, {},
        ks=[2, 'all'],
        trials=2,
        work_dir=work,
        baselines={'stgcn': cfg},
        baseline_epochs=1,
        progress=False)
    cells = summary['results']['stgcn']
    # k=2 trials 0 and 1 and 'all' are the same 8 training clips: one training run serves all three
    assert cells['2']['n'] == 2 and cells['2']['trained'] == 1 and cells['all']['trained'] == 1
    assert cells['2']['values'][0] == cells['2']['values'][1] == cells['all']['values'][0]
    assert 0.0 <= cells['all']['mean'] <= 100.0
    assert osp.isdir(osp.join(work, 'work', 'stgcn_k2_t0'))
    assert not osp.isdir(osp.join(work, 'work', 'stgcn_k2_t1'))
    assert load_json(osp.join(work, 'runs', 'stgcn_kall_t0.json'))['same_as'] == {'stgcn': 'stgcn_k2_t0'}
    full = load_json(osp.join(work, 'recognition.json'))
    assert full['task'] == 'recognition' and full['results']['stgcn']['top-1'] == cells['all']['mean']
    assert '| stgcn |' in fewshot_markdown(summary) and 'reuse' in fewshot_markdown(summary)
