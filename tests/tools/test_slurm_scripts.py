"""The srun commands of tools/slurm_train.sh and tools/slurm_extract.sh (SRUN=echo prints them)."""
import os
import os.path as osp
import shlex
import subprocess

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def srun_argv(script, *args, **env):
    proc = subprocess.run(['bash', osp.join(ROOT, 'tools', script), *args],
                          env=dict(os.environ, SRUN='echo', PYTHON='python', **env),
                          capture_output=True,
                          text=True,
                          timeout=60)
    return proc.returncode, shlex.split(proc.stdout), proc.stderr


def test_slurm_train_follows_mmaction2():
    rc, argv, err = srun_argv(
        'slurm_train.sh',
        'gpu',
        'vpd',
        'configs/x.py',
        '--work-dir',
        'w',
        GPUS='16',
        GPUS_PER_NODE='8',
        CPUS_PER_TASK='4',
        SRUN_ARGS='--time=1:00:00 --qos=high')
    assert rc == 0, err
    assert argv == [
        '-p', 'gpu', '--job-name=vpd', '--gres=gpu:8', '--ntasks-per-node=8', '--ntasks=16',
        '--cpus-per-task=4', '--kill-on-bad-exit=1', '--time=1:00:00', '--qos=high', 'python', '-u',
        osp.join(ROOT, 'tools', 'train.py'), 'configs/x.py', '--launcher', 'slurm', '--work-dir', 'w'
    ]


def test_slurm_extract_runs_a_tool_per_task():
    rc, argv, err = srun_argv(
        'slurm_extract.sh',
        'gpu',
        'poses',
        'extract_poses',
        'data/videos',
        '-o',
        'out',
        '--resume',
        GPUS='4',
        GPUS_PER_NODE='2')
    assert rc == 0, err
    assert argv == [
        '-p', 'gpu', '--job-name=poses', '--gres=gpu:2', '--ntasks-per-node=2', '--ntasks=4',
        '--cpus-per-task=5', '--kill-on-bad-exit=1', 'python', '-u',
        osp.join(ROOT, 'tools',
                 'extract_poses.py'), 'data/videos', '-o', 'out', '--resume', '--launcher', 'slurm'
    ]
    # CPU nodes: no GPU request, TASKS_PER_NODE tasks a node
    rc, argv, err = srun_argv(
        'slurm_extract.sh',
        'cpu',
        'crops',
        'extract_crops',
        'v',
        'p',
        '-o',
        'c',
        GPUS='32',
        GPUS_PER_NODE='0',
        TASKS_PER_NODE='16')
    assert rc == 0, err
    assert argv == [
        '-p', 'cpu', '--job-name=crops', '--ntasks-per-node=16', '--ntasks=32', '--cpus-per-task=5',
        '--kill-on-bad-exit=1', 'python', '-u',
        osp.join(ROOT, 'tools', 'extract_crops.py'), 'v', 'p', '-o', 'c', '--launcher', 'slurm'
    ]
    rc, _, err = srun_argv('slurm_extract.sh', 'cpu', 'x', 'make_synthsport')
    assert rc == 2 and 'unknown tool' in err


def test_slurm_run_runs_any_script_and_names_its_usage():
    rc, argv, err = srun_argv('slurm_run.sh', 'cpu', 'job', 'tools/nns.py', 'cfg.py', '--launcher', 'slurm',
                              GPUS='2', GPUS_PER_NODE='0')
    assert rc == 0, err
    assert argv == ['-p', 'cpu', '--job-name=job', '--ntasks-per-node=1', '--ntasks=2', '--cpus-per-task=5',
                    '--kill-on-bad-exit=1', 'python', '-u', 'tools/nns.py', 'cfg.py', '--launcher', 'slurm']
    rc, _, err = srun_argv('slurm_run.sh', 'cpu', 'job')
    assert rc == 2 and 'usage: bash tools/slurm_run.sh PARTITION JOB_NAME SCRIPT' in err
