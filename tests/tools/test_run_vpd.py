"""The main job's --quick variant end to end (tools/run_vpd.py): a few minutes on 2 CPU cores."""
import json
import os
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _run(args, env):
    return subprocess.run([sys.executable, 'tools/run_vpd.py', '--quick', *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def test_quick_main_job_runs_every_stage_then_skips(quick_main_job):
    # First run: the session's quick main job (tests/conftest.py), shared with the results browser's test.
    data, work, env, proc = (quick_main_job[k] for k in ('data', 'work', 'env', 'proc'))
    args = ['--data-root', data, '--work-dir', work]
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    record = json.load(open(osp.join(work, 'run_vpd.json')))
    names = [s['name'] for s in record['stages']]
    assert names == ['generate', 'poses', 'crops', 'teacher_2d', 'teacher_vipe', 'train_vpd_vi', 'apply_vpd_vi',
                     'nns', 'crossval', 'report']
    assert all(s['status'] == 'ran' for s in record['stages'])

    # Teacher files in the VPD format, evaluated against the GT.
    videos = sorted(os.listdir(osp.join(data, 'videos')))
    assert len(videos) == 4
    evaluation = json.load(open(osp.join(data, 'teacher', 'teacher_eval.json')))
    assert evaluation  # tracking + PCK tables
    # Student features: one (2, 32) [original, flipped] embedding per cropped frame, finite.
    vid = osp.splitext(videos[0])[0]
    records = pickle.load(open(osp.join(data, 'features', 'vpd_vi', f'{vid}.emb.pkl'), 'rb'))
    frames = np.load(osp.join(data, 'crops', vid, 'frames.npy'))
    assert [r[0] for r in records] == frames.tolist()
    emb = np.stack([r[1] for r in records])
    assert emb.shape[1:] == (2, 32) and np.isfinite(emb).all()
    assert not np.allclose(emb[:, 0], emb[:, 1])  # the mirrored input gives a different embedding
    # Downstream tables and the report.
    nns = json.load(open(osp.join(work, 'nns', 'nns.json')))
    assert 'teacher_vipe' in json.dumps(nns) and 'vpd_vi' in json.dumps(nns)
    crossval = json.load(open(osp.join(work, 'crossval', 'crossval.json')))
    assert crossval['num_actions'] + crossval['dropped_actions']['count'] == 12
    assert len(crossval['classes']) == 16 and crossval['methods'] == ['nns', 'bigru']
    assert [c['verdict'] in ('student', 'teacher', 'unresolved') for c in crossval['comparisons']] == [True] * 2
    html = open(osp.join(work, 'report', 'report.html')).read()
    assert 'vpd_vi' in html and '<b>Student vs teacher.</b>' in html

    # Second run: every stage is up to date and skipped.
    proc = _run(args, env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    record = json.load(open(osp.join(work, 'run_vpd.json')))
    assert all(s['status'] == 'skipped' for s in record['stages'])
