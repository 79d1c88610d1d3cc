"""Faults: SIGKILL of each long stage at a random point then a rerun, a full disk, two runs on one work dir.

Each kill test runs the stage uninterrupted once (the reference), then again into a fresh folder,
kills it with SIGKILL at a random point after its first output is visible, reruns the same command
(``--resume`` where the tool has it) and compares every output file with the reference. The kill
points are random; ``VPD_MM_KILL_SEED`` (printed) replays them.
"""
import errno
import glob
import json
import os
import os.path as osp
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from reliability_helpers import (REPO, assert_same_tree, count_files, kill_when, output, random_pose, run_tool,
                                 tree, write_pose_dir)

import vpd_mm  # noqa: F401  (applies vpd_mm.compat)
from vpd_mm.datasets.synthetic_crop_store import (synthetic_crops, write_synthetic_crop_video,
                                                  write_synthetic_teacher)
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset

PY = sys.executable
STUDENT = osp.join(REPO, 'configs', 'vpd', '2d-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py')
RECOGNITION = osp.join(REPO, 'configs', 'recognition', 'bigru_synthsport-mini_gt-joints.py')


def _tool(name):
    return osp.join(REPO, 'tools', name)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (killed, not yet reaped by init) counts as gone
        return open(f'/proc/{pid}/stat').read().split(') ')[1][0] != 'Z'
    except OSError:
        return False


def _wait_gone(pids, timeout=20):
    end = time.time() + timeout
    while time.time() < end and any(_alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if _alive(p)]


@pytest.fixture(scope='module')
def videos(clips, tmp_path_factory):
    """Four 48-frame clips in one folder."""
    root = tmp_path_factory.mktemp('kill_videos')
    for name, path in clips.items():
        shutil.copy(path, root / f'{name}.mp4')
    return str(root)


# ------------------------------------------------------------------------------------- SIGKILL
@pytest.fixture(scope='module')
def poses_ref(videos, tmp_path_factory):
    """The poses stage uninterrupted (default teacher, one process, one thread)."""
    out = str(tmp_path_factory.mktemp('poses_ref'))
    proc = run_tool('extract_poses.py', videos, '-o', out, '--no-progress')
    assert proc.returncode == 0, output(proc)[-3000:]
    return out


def test_sigkill_poses_then_resume(videos, poses_ref, tmp_path, kill_rng):
    """Killed after a random number (1-3) of the 4 videos finished: the rerun with --resume redoes only the
    others, and every pose file is byte-identical to the uninterrupted run's. A second run started on
    the folder while the first is alive is refused."""
    out = str(tmp_path / 'out')
    cmd = [PY, _tool('extract_poses.py'), videos, '-o', out, '--no-progress']
    k = kill_rng.randint(1, 3)
    second = {}

    def while_alive(proc, _):
        second['proc'] = run_tool('extract_poses.py', videos, '-o', out, '--no-progress', '--resume')

    status = kill_when(cmd, lambda: count_files(osp.join(out, 'pose'), 'meta.json') >= k, str(tmp_path / 'log'),
                       kill_rng, max_delay=0.5, on_kill=while_alive)
    assert status == -9
    assert second['proc'].returncode != 0 and 'is being written by another extraction' in output(second['proc'])
    done = count_files(osp.join(out, 'pose'), 'meta.json')
    assert k <= done < 4
    proc = run_tool('extract_poses.py', videos, '-o', out, '--no-progress', '--resume')
    assert proc.returncode == 0, output(proc)[-3000:]
    summary = json.load(open(osp.join(out, 'extract_summary.json')))
    assert len(summary['processed_this_run']) == 4 - done
    masks = {out: '<OUT>', poses_ref: '<OUT>'}
    assert_same_tree(tree(osp.join(out, 'pose'), masks), tree(osp.join(poses_ref, 'pose'), masks))
    assert_same_tree(tree(osp.join(out, 'mmaction'), masks), tree(osp.join(poses_ref, 'mmaction'), masks))


def test_sigkill_crops_then_resume(videos, poses_ref, tmp_path, kill_rng):
    """Killed after 1-3 of 4 videos: no half-written store is taken for finished, the rerun completes it,
    and every array is byte-identical to the uninterrupted run's (meta.json: all but the timings)."""
    args = [videos, osp.join(poses_ref, 'pose'), '--crop-size', '64', '--no-progress', '--resume']
    ref = str(tmp_path / 'ref')
    proc = run_tool('extract_crops.py', *args, '-o', ref)
    assert proc.returncode == 0, output(proc)[-3000:]
    out = str(tmp_path / 'out')
    k = kill_rng.randint(1, 3)
    status = kill_when([PY, _tool('extract_crops.py'), *args, '-o', out], lambda: count_files(out, 'meta.json') >= k,
                       str(tmp_path / 'log'), kill_rng, max_delay=0.3)
    assert status == -9
    for vid in os.listdir(out):  # every store is finished (meta.json) or not taken as finished
        if not osp.isfile(osp.join(out, vid, 'meta.json')):
            assert not osp.exists(osp.join(out, vid, 'frames.npy'))
    proc = run_tool('extract_crops.py', *args, '-o', out)
    assert proc.returncode == 0, output(proc)[-3000:]
    assert_same_tree(tree(out), tree(ref))


TINY_STUDENT = """_base_ = [{base!r}]
model = dict(backbone=dict(base_channels=4, out_channels=6))
train_pipeline = [
    dict(type='LoadFlowCrop'), dict(type='FlowCropColorJitter'),
    dict(type='FlowCropRandomResizedCrop', size=16), dict(type='FlowCropFlip', prob=0.5),
    dict(type='PackDistillationInputs')]
val_pipeline = [
    dict(type='LoadFlowCrop'), dict(type='FlowCropResize', size=16), dict(type='PackDistillationInputs')]
data = dict(crop_root={crops!r}, teacher_dirs=[{teacher!r}], min_kp_score=0.5)
train_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                        dataset=dict(**data, num_samples_per_epoch=32, pipeline=train_pipeline))
val_dataloader = dict(batch_size=8, num_workers=0, persistent_workers=False,
                      dataset=dict(**data, num_samples_per_epoch=8, pipeline=val_pipeline))
test_dataloader = val_dataloader
max_epochs = 4
train_cfg = dict(max_epochs=max_epochs)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=5e-6, by_epoch=True, begin=0,
                        end=max_epochs)]
default_hooks = dict(logger=dict(interval=1), checkpoint=dict(interval=1))
randomness = dict(seed=0)
"""


@pytest.fixture(scope='module')
def student(tmp_path_factory):
    """A tiny student config on synthetic crops, and its uninterrupted 4-epoch training."""
    root = tmp_path_factory.mktemp('student')
    for i, vid in enumerate(['a', 'b']):
        frames = np.arange(30)
        write_synthetic_crop_video(str(root / 'crops' / vid), frames, size=32, seed=i)
        write_synthetic_teacher(str(root / 'teacher' / f'{vid}.emb.pkl'), frames, dim=6,
                                crops=synthetic_crops(len(frames), 32, i))
    config = root / 'tiny.py'
    config.write_text(TINY_STUDENT.format(base=STUDENT, crops=str(root / 'crops'), teacher=str(root / 'teacher')))
    proc = run_tool('train.py', config, '--work-dir', root / 'ref')
    assert proc.returncode == 0, output(proc)[-3000:]
    return dict(root=root, config=str(config), ref=str(root / 'ref'))


def _state(path):
    return torch.load(path, map_location='cpu', weights_only=True)


def test_sigkill_training_then_resume(student, tmp_path, kill_rng):
    """Killed during epoch 2-4 (after 1-3 checkpoints): ``--resume`` continues from the last complete
    checkpoint and ends with the same files; weights bit-identical to the uninterrupted run's. A second
    training on the work dir while the first is alive is refused."""
    work = str(tmp_path / 'work')
    k = kill_rng.randint(1, 3)
    second = {}

    def while_alive(proc, _):
        second['proc'] = run_tool('train.py', student['config'], '--work-dir', work)

    status = kill_when([PY, _tool('train.py'), student['config'], '--work-dir', work],
                       lambda: osp.isfile(osp.join(work, f'epoch_{k}.pth')), str(tmp_path / 'log'), kill_rng,
                       max_delay=0.5, on_kill=while_alive)
    assert status == -9
    assert second['proc'].returncode != 0, output(second['proc'])[-2000:]
    assert f'error: refused: {work} is in use by another run (pid' in output(second['proc'])
    for ckpt in glob.glob(osp.join(work, '*.pth')):  # every checkpoint left is complete
        _state(ckpt)
    proc = run_tool('train.py', student['config'], '--work-dir', work, '--resume')
    assert proc.returncode == 0, output(proc)[-3000:]
    assert 'resumed epoch' in output(proc)
    names = sorted(osp.basename(p) for p in glob.glob(osp.join(work, '*.pth')))
    assert names == sorted(osp.basename(p) for p in glob.glob(osp.join(student['ref'], '*.pth')))
    got, want = _state(osp.join(work, 'epoch_4.pth')), _state(osp.join(student['ref'], 'epoch_4.pth'))
    assert got['meta']['epoch'] == want['meta']['epoch'] == 4
    assert got['meta']['iter'] == want['meta']['iter']
    assert sorted(got['state_dict']) == sorted(want['state_dict'])
    for key, value in want['state_dict'].items():
        assert torch.equal(got['state_dict'][key], value), key


@pytest.fixture(scope='module')
def fewshot_data(tmp_path_factory):
    root = tmp_path_factory.mktemp('fewshot')
    make_synthetic_feature_dataset(str(root / 'data'), fewshot_ks=(1, ), trials=3)
    config = root / 'bigru.py'
    data = str(root / 'data')
    config.write_text(f"""_base_ = [{RECOGNITION!r}]
data_root = {data!r}
loader = dict(batch_size=8, dataset=dict(data_root=data_root, feature_dirs=['features/synthetic']))
train_dataloader = loader
val_dataloader = loader
test_dataloader = loader
model = dict(backbone=dict(hidden_channels=16), cls_head=dict(in_channels=32))
fewshot_baselines = []
""")
    args = [config, '--k', '1', '--trials', '3', '--methods', 'bigru', 'nns', '--epochs', '2', '--baselines']
    ref = root / 'ref'
    proc = run_tool('fewshot.py', *args, '--work-dir', ref)
    assert proc.returncode == 0, output(proc)[-3000:]
    return dict(args=args, ref=str(ref))


def test_sigkill_fewshot_then_resume(fewshot_data, tmp_path, kill_rng):
    """Killed after 1-2 of 3 BiGRU runs: the rerun trains only the missing runs and the results equal the
    uninterrupted run's (each run is seeded)."""
    work = str(tmp_path / 'work')
    runs = osp.join(work, 'runs')
    total = len(os.listdir(osp.join(fewshot_data['ref'], 'runs')))
    k = kill_rng.randint(1, min(3, total - 1))
    status = kill_when([PY, _tool('fewshot.py'), *map(str, fewshot_data['args']), '--work-dir', work],
                       lambda: osp.isdir(runs) and len([f for f in os.listdir(runs) if f.endswith('.json')]) >= k,
                       str(tmp_path / 'log'), kill_rng, max_delay=0.3)
    assert status == -9
    assert not osp.exists(osp.join(work, 'fewshot.json'))
    proc = run_tool('fewshot.py', *fewshot_data['args'], '--work-dir', work)
    assert proc.returncode == 0, output(proc)[-3000:]
    masks = {work: '<W>', fewshot_data['ref']: '<W>'}
    # the results: fewshot.json / .md and the run files (not the runs' mmengine logs, which hold times)
    skip = lambda rel: not (rel in ('fewshot.json', 'fewshot.md') or osp.dirname(rel) == 'runs')  # noqa: E731
    assert_same_tree(tree(work, masks, skip), tree(fewshot_data['ref'], masks, skip))


PIPELINE = """_base_ = [{base!r}]
# the quick main job on a folder of videos without annotations: poses, crops, teacher features
generate = None
students = dict(_delete_=True)
teachers = dict(workers=1)
crops = dict(workers=1)
"""


@pytest.fixture(scope='module')
def pipeline(videos, tmp_path_factory):
    """The driver's config and its uninterrupted run on the four clips."""
    root = tmp_path_factory.mktemp('pipeline')
    config = root / 'pipeline.py'
    config.write_text(PIPELINE.format(base=osp.join(REPO, 'configs', 'pipeline', 'vpd_synthsport-quick.py')))
    data = root / 'ref_data'
    shutil.copytree(videos, data / 'videos')
    proc = run_tool('run_vpd.py', config, '--data-root', data, '--work-dir', root / 'ref_work', '--jobs', '1')
    assert proc.returncode == 0, output(proc)[-3000:]
    return dict(root=root, config=str(config), data=str(data), work=str(root / 'ref_work'))


def _stamp_state(work, stage):
    path = osp.join(work, 'stages', f'{stage}.json')
    try:
        return json.load(open(path)).get('state')
    except (OSError, ValueError):
        return None


def test_sigkill_pipeline_driver_then_rerun(pipeline, tmp_path, kill_rng):
    """The driver killed while a random stage runs: the stage's process dies with it (no orphan keeps
    writing), a second driver on the work dir is refused while the first lives, and the rerun skips the
    finished stages, resumes the killed one and ends with the uninterrupted run's files."""
    data, work = tmp_path / 'data', str(tmp_path / 'work')
    shutil.copytree(osp.join(pipeline['data'], 'videos'), data / 'videos')
    stage = kill_rng.choice(['poses', 'crops', 'teacher_2d', 'teacher_vipe'])
    cmd = [PY, _tool('run_vpd.py'), pipeline['config'], '--data-root', str(data), '--work-dir', work, '--jobs', '1']
    seen = {}

    def while_alive(proc, stage_pids):
        seen['children'] = stage_pids
        # the stages finished before the kill (the runner starts ready stages by critical path, not in
        # list order)
        seen['done'] = [s for s in ('generate', 'poses', 'crops', 'teacher_2d', 'teacher_vipe')
                        if _stamp_state(work, s) == 'done']
        seen['second'] = run_tool('run_vpd.py', pipeline['config'], '--data-root', data, '--work-dir', work,
                                  '--dry-run')

    status = kill_when(cmd, lambda: _stamp_state(work, stage) == 'running', str(tmp_path / 'log'), kill_rng,
                       max_delay=1.0, on_kill=while_alive)
    assert status == -9
    assert seen['second'].returncode != 0
    assert f'run_vpd: refused: {work} is in use by another run' in output(seen['second'])
    assert seen['children'], 'no stage process was running'
    assert _wait_gone(seen['children']) == [], 'a stage process outlived the killed driver'
    proc = run_tool('run_vpd.py', pipeline['config'], '--data-root', data, '--work-dir', work, '--jobs', '1')
    assert proc.returncode == 0, output(proc)[-3000:]
    record = json.load(open(osp.join(work, 'run_vpd.json')))
    status_of = {s['name']: s['status'] for s in record['stages']}
    assert all(status_of[s] == 'skipped' for s in seen['done']), (seen['done'], status_of)
    assert status_of[stage] == 'ran'
    masks = {str(data): '<DATA>', pipeline['data']: '<DATA>', work: '<WORK>', pipeline['work']: '<WORK>'}
    assert_same_tree(tree(str(data), masks), tree(pipeline['data'], masks))


# ----------------------------------------------------------------------------------- full disk
@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs: writes past its size fail with ENOSPC, as on a full disk."""
    mount = tmp_path / 'disk'
    mount.mkdir()
    proc = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', str(mount)], capture_output=True,
                          text=True)
    if proc.returncode != 0:
        pytest.skip(f'cannot mount a small tmpfs to fill (needs root): {proc.stderr.strip()}')
    try:
        yield mount
    finally:
        subprocess.run(['umount', str(mount)], capture_output=True)


def _fill(disk, leave):
    """Fill ``disk`` but ``leave`` bytes."""
    free = shutil.disk_usage(disk).free
    with open(osp.join(disk, 'ballast'), 'wb') as f:
        f.write(b'\0' * max(0, free - leave))


def _leftovers(root):
    return [osp.join(d, n) for d, _, names in os.walk(root) for n in names if n.endswith('.tmp')]


def test_disk_full_while_writing_features(tmp_path, small_disk):
    """Out of space after a few of 6 feature files: the tool stops naming the error, the files written
    are complete, no temporary file and no partial file under a final name is left; with space again
    the rerun writes the rest."""
    from vpd_mm.utils.vpd_files import load_embeddings
    for i in range(6):
        write_pose_dir(str(tmp_path / 'pose'), f'v{i}', random_pose(600, seed=i))
    out = osp.join(small_disk, 'feat')
    proc = run_tool('make_joint_features.py', tmp_path / 'pose', '-o', out)
    assert proc.returncode != 0 and 'No space left on device' in output(proc)
    written = sorted(os.listdir(out))
    assert 0 < len(written) < 6 and _leftovers(small_disk) == []
    for name in written:
        assert len(load_embeddings(osp.join(out, name))) == 600
    shutil.copytree(out, tmp_path / 'feat')  # "free some space": continue elsewhere
    proc = run_tool('make_joint_features.py', tmp_path / 'pose', '-o', tmp_path / 'feat')
    assert proc.returncode == 0 and f'{6 - len(written)} written, {len(written)} skipped' in output(proc)


def test_disk_full_while_writing_a_checkpoint(small_disk):
    """mmengine's checkpoint save (``runner.save_checkpoint`` / CheckpointHook) on a full disk: the save
    fails with ENOSPC and no truncated ``epoch_1.pth`` is left to be resumed from."""
    from mmengine.runner.checkpoint import save_checkpoint
    path = osp.join(small_disk, 'epoch_1.pth')
    with pytest.raises(OSError) as err:
        save_checkpoint(dict(state_dict=dict(w=torch.zeros(600_000))), path)  # 2.4 MB > 1 MiB
    assert err.value.errno == errno.ENOSPC
    assert os.listdir(small_disk) == []


def test_disk_full_while_writing_crops(videos, poses_ref, small_disk, tmp_path):
    """The crop arrays do not fit: every video is skipped with the disk's error as the reason, none is
    marked finished, nothing half-written is left, and the tool ends normally (no SIGBUS)."""
    _fill(small_disk, 200_000)
    out = osp.join(small_disk, 'crops')
    proc = run_tool('extract_crops.py', videos, osp.join(poses_ref, 'pose'), '-o', out, '--crop-size', 128,
                    '--no-progress')
    assert proc.returncode == 1, output(proc)[-3000:]  # ended normally: no video finished
    assert count_files(out, 'meta.json') == 0
    assert 'No space left on device' in output(proc)
    assert _leftovers(out) == []
    for vid in os.listdir(out):
        if osp.isdir(osp.join(out, vid)):
            assert not [n for n in os.listdir(osp.join(out, vid)) if n.endswith('.npy')], vid
            assert 'No space left on device' in json.load(open(osp.join(out, vid, 'skipped.json')))['reason']
