import importlib.util
import os.path as osp
import pickle

import numpy as np
import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool(name):
    spec = importlib.util.spec_from_file_location(osp.basename(name), osp.join(ROOT, 'tools', f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_dump(path, n=6, classes=3, joints=15, seed=0):
    rng = np.random.default_rng(seed)
    items = [dict(pred_score=torch.tensor(rng.dirichlet(np.ones(classes)), dtype=torch.float32),
                  gt_label=torch.tensor([i % classes]), frame_dir=f'clip_{i}',
                  joint_weights=torch.tensor(rng.random(joints), dtype=torch.float32)) for i in range(n)]
    path.write_bytes(pickle.dumps(items))
    return str(path)


def test_late_fusion_tool_writes_fused_dump(tmp_path, capsys):
    a, b = write_dump(tmp_path / 'a.pkl'), write_dump(tmp_path / 'b.pkl', seed=1)
    out = tmp_path / 'fused.pkl'
    load_tool('analysis/late_fusion').main([a, b, '--weights', '2', '1', '-o', str(out)])
    fused = pickle.loads(out.read_bytes())
    sa, sb = [np.stack([d['pred_score'].numpy() for d in pickle.loads(open(p, 'rb').read())]) for p in (a, b)]
    np.testing.assert_allclose(np.stack([d['pred_score'] for d in fused]), (2 * sa + sb) / 3, rtol=1e-5)
    assert 'fused' in capsys.readouterr().out


def test_joint_importance_tool(tmp_path):
    dump = write_dump(tmp_path / 'd.pkl')
    names = tmp_path / 'classes.txt'
    names.write_text('a\nb\nc\n')
    png, csv = tmp_path / 'p.png', tmp_path / 'w.csv'
    load_tool('analysis/jmrn_joint_importance').main([dump, '--class-names', str(names), '--classes', 'a', 'c',
                                             '-o', str(png), '--csv', str(csv)])
    assert png.read_bytes()[:4] == b'\x89PNG'
    rows = csv.read_text().splitlines()
    assert rows[0].startswith('class,count,neck,belly,face') and len(rows) == 5
    weights = np.stack([d['joint_weights'].numpy() for d in pickle.loads(open(dump, 'rb').read())])
    weights = weights / weights.mean(1, keepdims=True)  # default: every clip divided by its mean
    np.testing.assert_allclose([float(v) for v in rows[1].split(',')[2:]], weights[0::3].mean(0), atol=1e-4)
    assert rows[4].startswith('all,6,')
    np.testing.assert_allclose([float(v) for v in rows[4].split(',')[2:]], weights.mean(0), atol=1e-4)
    # JSON class names (SynthSport dataset.json style) and the absolute mode
    (tmp_path / 'ds.json').write_text('{"classes": ["a", "b", "c"]}')
    load_tool('analysis/jmrn_joint_importance').main([dump, '--class-names', str(tmp_path / 'ds.json'),
                                             '--mode', 'absolute', '--raw', '-o', str(png),
                                             '--csv', str(csv)])
    raw_rows = csv.read_text().splitlines()
    np.testing.assert_allclose([float(v) for v in raw_rows[4].split(',')[2:]],
                               np.stack([d['joint_weights'].numpy() for d in pickle.loads(open(dump, 'rb').read())]).mean(0),
                               atol=1e-4)
    assert png.read_bytes()[:4] == b'\x89PNG'
    with pytest.raises(SystemExit, match='17 joints'):
        load_tool('analysis/jmrn_joint_importance').main([dump, '--layout', 'coco17', '-o', str(png)])


def test_convert_jhmdb_tool_skips_existing_output(tmp_path, capsys):
    out = tmp_path / 'x.pkl'
    out.write_bytes(b'')
    load_tool('data/convert_jhmdb').main([str(tmp_path), '-o', str(out)])
    assert 'skipping' in capsys.readouterr().out
