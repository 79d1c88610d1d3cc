"""tools/run_vpd.py --launcher / --nproc: which stages run distributed, and how (dry run)."""
import os
import os.path as osp
import subprocess
import sys

import pytest

from vpd_mm.pipeline.stage import Stage, StageRunner

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def test_stage_runner_launches_distributed_stages_only(monkeypatch):
    tool = Stage(
        'crops', ['tools/extract_crops.py', 'v', 'p', '-o', 'c'],
        speed_args=['--workers', '2'],
        distributed=True,
        dist_args=['--workers', '1'])
    plain = Stage('nns', ['tools/nns.py', 'cfg'])
    runner = StageRunner('stamps', python='py', launcher='pytorch', nproc=2)
    argv = runner.launch(tool, runner.command(tool, 'k'))
    assert argv[:5] == ['py', '-m', 'torch.distributed.run', '--standalone', '--nproc_per_node=2']
    assert argv[5:] == [
        'tools/extract_crops.py', 'v', 'p', '-o', 'c', '--workers', '2', '--workers', '1', '--launcher',
        'pytorch'
    ]
    assert runner.launch(plain, runner.command(plain, 'k')) == ['py', 'tools/nns.py', 'cfg']
    # the launcher is not part of a stage's key
    assert runner.key(tool) == StageRunner('stamps', python='py').key(tool)
    one = StageRunner('stamps', python='py', launcher='pytorch', nproc=1)
    assert one.launch(tool, ['tools/extract_crops.py']) == ['py', 'tools/extract_crops.py']
    monkeypatch.setenv('SRUN', 'srun --partition=gpu')
    slurm = StageRunner('stamps', python='py', launcher='slurm', nproc=4)
    assert slurm.launch(tool, ['tools/extract_crops.py']) == [
        'srun', '--partition=gpu', '--ntasks=4', '--kill-on-bad-exit=1', 'py', '-u', 'tools/extract_crops.py',
        '--workers', '1', '--launcher', 'slurm'
    ]
    with pytest.raises(ValueError, match='launcher must be one of'):
        StageRunner('stamps', launcher='mpi')


def test_quick_job_dry_run_with_two_processes(tmp_path):
    proc = subprocess.run([
        sys.executable, 'tools/run_vpd.py', '--quick', '--dry-run', '--launcher', 'pytorch', '--nproc', '2',
        '--data-root',
        str(tmp_path / 'data'), '--work-dir',
        str(tmp_path / 'w')
    ],
                          cwd=ROOT,
                          env=dict(os.environ, PYTHONPATH=ROOT),
                          capture_output=True,
                          text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    lines = {
        line.split(': ', 1)[0].split('] ', 1)[1]: line.split(': ', 1)[1]
        for line in proc.stdout.splitlines() if line.startswith('[')
    }
    launch = '-m torch.distributed.run --standalone --nproc_per_node=2'
    for name in ('poses', 'crops', 'teacher_vipe', 'train_vpd_vi', 'apply_vpd_vi'):
        assert launch in lines[name] and lines[name].endswith('--launcher pytorch'), lines[name]
    for name in ('generate', 'teacher_2d', 'nns', 'crossval', 'report'):
        assert 'torch.distributed.run' not in lines[name]
    # the student trains with the config's total batch: 32 / 2 per process
    assert '--cfg-options train_dataloader.batch_size=16 --launcher pytorch' in lines['train_vpd_vi']
    assert lines['crops'].endswith('--workers 2 --workers 1 --launcher pytorch')
