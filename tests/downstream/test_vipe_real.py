import os
import os.path as osp
import pickle

import numpy as np
import pytest
import torch
from mmengine.config import Config

from vpd_mm.downstream.vipe_real import (DOC_BEGIN, DOC_END, feature_set_name, jhmdb_table, msr_cross_view,
                                         msr_pose_invariance, update_doc)
from vpd_mm.pose.synthetic3d import random_pose_sequences


def _tiny_vipe_checkpoint(path, repo_root):
    """A randomly initialised small VIPE* saved like a Runner checkpoint (config in its meta)."""
    from mmaction.registry import MODELS
    from mmengine.registry import init_default_scope

    import vpd_mm  # noqa: F401
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'vipe', 'vipe-star_synthsport-3d.py'))
    cfg.model.backbone.width = 32
    cfg.model.backbone.num_blocks = 1
    cfg.model.backbone.out_channels = 8
    cfg.model.head.in_channels = 8
    init_default_scope('mmaction')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    torch.save(dict(state_dict=model.state_dict(), meta=dict(cfg=cfg.pretty_text)), path)
    return str(path)


def _fake_msr(root, rng):
    """3 actions x 3 subjects x 2 repetitions; the repetitions of an action are noisy copies."""
    from vpd_mm.datasets.pose3d_readers import KINECT20_TO_COCO
    os.makedirs(root)
    protos = [s for _, s in random_pose_sequences(3, 18, seed=3)]
    for a, proto in enumerate(protos, 1):
        for s in range(1, 4):
            for e in (1, 2):
                coco = proto + rng.normal(scale=0.005, size=proto.shape).astype(np.float32)
                kinect = np.ones((len(coco), 20, 4), np.float32)
                for c, k in enumerate(KINECT20_TO_COCO):
                    kinect[:, k, :3] = coco[:, c]
                with open(osp.join(root, f'a{a:02d}_s{s:02d}_e{e:02d}_skeleton3D.txt'), 'w') as f:
                    f.write(''.join(f'{x} {y} {z} {c}\n' for x, y, z, c in kinect.reshape(-1, 4)))


def test_msr_cross_view(tmp_path, repo_root):
    _fake_msr(str(tmp_path / 'msr'), np.random.default_rng(0))
    ckpt = _tiny_vipe_checkpoint(tmp_path / 'vipe.pth', repo_root)
    res = msr_cross_view(str(tmp_path / 'msr'), {'tiny': ckpt}, val_regex='_s0[23]_', repeats=2)
    assert res['num_sequences'] == 12 and res['num_classes'] == 3 and res['repeats'] == 2
    assert set(res['cross_view']) == {'joints', 'vipe_tiny'} == set(res['same_view'])
    # same camera, near-identical repetitions: every query finds its action
    assert res['same_view']['joints']['mean'] == 100.0
    for part in ('cross_view', 'same_view'):
        for cell in res[part].values():
            assert len(cell['values']) == 2 and 0.0 <= cell['mean'] <= 100.0
    with pytest.raises(ValueError, match='need at least 2'):
        msr_cross_view(str(tmp_path / 'msr'), {}, val_regex='_s09_')
    inv = msr_pose_invariance(
        str(tmp_path / 'msr'), {'tiny': ckpt},
        val_regex='_s0[23]_',
        num_poses=30,
        num_candidates=8,
        repeats=2)
    assert set(inv['features']) == {'joints', 'vipe_tiny'} and inv['num_candidates'] == 8
    for cell in inv['features'].values():
        assert 0.0 <= cell['top1'] <= 100.0 and cell['distance_ratio'] > 0


def test_jhmdb_table_and_doc_block(tmp_path):
    nns = {
        'joints': {
            'nn_top1': 50.0,
            'P@1': 40.0,
            'P@5': 30.0
        },
        'vipe_a-b': {
            'nn_top1': 60.0,
            'P@1': 45.0,
            'P@5': 35.0
        }
    }
    few = {f'{fs}/{m}': {'1': dict(mean=20.0 + i)} for i, fs in enumerate(nns) for m in ('bigru', 'nns')}
    result = dict(
        fewshot_k=[1],
        feature_sets=list(nns),
        splits={s: dict(nns=dict(results=nns), fewshot=dict(results=few))
                for s in ('1', '2')})
    table = jhmdb_table(result, {'joints': 'normalized 2D joints'})
    assert '| normalized 2D joints | DTW 1-NN top-1 | 50.0 | 50.0 | 50.0 ± 0.0 |' in table
    assert '| vipe_a-b | BiGRU k=1 | 21.0 | 21.0 | 21.0 ± 0.0 |' in table
    assert feature_set_name('a+b') == 'vipe_a-b'
    doc = tmp_path / 'doc.md'
    doc.write_text(f'# t\n\nintro\n{DOC_BEGIN}\nold\n{DOC_END}\nafter\n')
    update_doc(str(doc), table)
    text = doc.read_text()
    assert 'old' not in text and table in text and text.startswith('# t') and text.endswith('after\n')
    doc.write_text('no markers')
    with pytest.raises(ValueError, match='vipe_real:begin'):
        update_doc(str(doc), table)


def _fake_jhmdb(root, rng, classes=('clap', 'run', 'wave')):
    """DD-Net style pickles of one split: 2 training and 1 test clip per class (noisy class prototypes)."""
    os.makedirs(root)
    protos = [
        np.cumsum(rng.normal(scale=0.02, size=(16, 15, 2)), axis=0) + rng.normal(size=(1, 15, 2))
        for _ in classes
    ]
    for part, n in (('train', 2), ('test', 1)):
        poses, labels = [], []
        for c, proto in zip(classes, protos):
            for _ in range(n):
                poses.append((proto + rng.normal(scale=0.01, size=proto.shape)).astype(np.float32))
                labels.append(c)
        with open(osp.join(root, f'GT_{part}_1.pkl'), 'wb') as f:
            pickle.dump(dict(pose=poses, label=labels), f)


def test_eval_tool_end_to_end(tmp_path, repo_root, monkeypatch):
    """tools/analysis/eval_vipe_real.py on tiny fake JHMDB and MSR data: features, NNS, few-shot BiGRU, doc."""
    import importlib.util
    monkeypatch.chdir(repo_root)
    rng = np.random.default_rng(1)
    _fake_jhmdb(str(tmp_path / 'jhmdb'), rng)
    _fake_msr(str(tmp_path / 'msr'), rng)
    ckpt = _tiny_vipe_checkpoint(tmp_path / 'vipe.pth', repo_root)
    doc = tmp_path / 'vipe_real.md'
    doc.write_text(f'# VIPE*\n{DOC_BEGIN}\n{DOC_END}\n')
    spec = importlib.util.spec_from_file_location('eval_vipe_real',
                                                  osp.join(repo_root, 'tools', 'analysis', 'eval_vipe_real.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    work = tmp_path / 'work'
    tool.main([
        '--vipe', f'tiny={ckpt}', '--jhmdb',
        str(tmp_path / 'jhmdb'), '--msr',
        str(tmp_path / 'msr'), '--msr-val-regex', '_s0[23]_', '--msr-repeats', '1', '--splits', '1', '--k',
        '1', '--trials', '1', '--epochs', '1', '-o',
        str(work), '--update-doc',
        str(doc)
    ])
    feats = work / 'split1'
    assert len(os.listdir(feats / 'features')) == 9 and len(list(
        (feats / 'vipe_tiny').glob('*.emb.pkl'))) == 9
    from vpd_mm.utils import load_embeddings
    frame, emb, meta = load_embeddings(str(feats / 'vipe_tiny' / 'test1_0000.emb.pkl'))[0]
    assert emb.shape == (2, 8) and meta['kp_score'] == 1.0
    text = doc.read_text()
    for row in ('| normalized 2D joints | DTW 1-NN top-1 |', '| VIPE* tiny | retrieval P@5 |',
                '| VIPE* tiny | BiGRU k=1 |', '| VIPE* tiny | NNS-DTW k=1 |'):
        assert row in text
    # prototypes 1 apart, noise 0.01: the joints' 1-NN is right on every test clip
    assert '| normalized 2D joints | DTW 1-NN top-1 | 100.0 | 100.0 ± 0.0 |' in text
    assert 'MSR Action3D held-out sequences' in text and '| VIPE* tiny | ' in text.split('MSR Action3D')[1]
