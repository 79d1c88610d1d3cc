"""Distributed extraction on 2 CPU processes (gloo): the outputs equal a one-process run's, file by file.

tools/extract_crops.py and tools/apply_vipe.py under ``torch.distributed.run --nproc_per_node 2
... --launcher pytorch``; a 2-process crop job killed mid-run and relaunched with --resume keeps
the videos it had finished. (tools/apply_vpd.py: tests/tools/test_dist_train_test.py, with the
student trained there.)
"""
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import cv2
import numpy as np

from vpd_mm.pipeline.stage import free_port

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def torchrun(tool, *args, nproc=2):
    """The command line of ``tools/<tool>`` on ``nproc`` local processes."""
    return [
        sys.executable, '-m', 'torch.distributed.run', f'--nproc_per_node={nproc}', '--master_addr=127.0.0.1',
        f'--master_port={free_port()}',
        osp.join(ROOT, 'tools', tool), *args, '--launcher', 'pytorch'
    ]


def _env():
    return dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS='1')


def run(cmd, timeout=300, status=0):
    proc = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == status, f'{cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}'
    return proc.stdout


def tree(root, ignore_meta_keys=('timings_s', )):
    """``{relative path: bytes}`` of every file under ``root`` (``meta.json`` without its timings)."""
    out = {}
    for base, _, files in os.walk(root):
        for name in files:
            path = osp.join(base, name)
            data = open(path, 'rb').read()
            if name == 'meta.json' and ignore_meta_keys:
                meta = json.loads(data)
                data = json.dumps({k: v for k, v in meta.items() if k not in ignore_meta_keys}).encode()
            out[osp.relpath(path, root)] = data
    return out


def make_videos(root, num_videos=5, frames=12, last_frames=400):
    """Tiny lossless videos with athlete boxes (the last one long), and one broken video (skipped)."""
    rng = np.random.default_rng(0)
    os.makedirs(root / 'videos', exist_ok=True)
    for v in range(num_videos):
        vid, n = f'v{v}', frames if v < num_videos - 1 else last_frames
        writer = cv2.VideoWriter(
            str(root / 'videos' / f'{vid}.avi'), cv2.VideoWriter_fourcc(*'FFV1'), 25, (64, 48))
        for _ in range(n):
            writer.write(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))
        writer.release()
        (root / 'pose' / vid).mkdir(parents=True)
        boxes = [[t, [8.0 + t % 20, 6.0 + v, 20.0, 28.0]] for t in range(n)]
        (root / 'pose' / vid / 'boxes.json').write_text(json.dumps(boxes))
    (root / 'videos' / 'broken.avi').write_bytes(b'not a video')
    (root / 'pose' / 'broken').mkdir()
    (root / 'pose' / 'broken' / 'boxes.json').write_text('[[0, [1, 1, 5, 5]]]')


def _children(pid):
    """``{child pid: RANK}`` of the processes whose parent is ``pid`` (Linux /proc)."""
    out = {}
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            stat = open(f'/proc/{entry}/stat').read()
            if int(stat.rsplit(')', 1)[1].split()[1]) != pid:
                continue
            environ = open(f'/proc/{entry}/environ', 'rb').read().split(b'\0')
        except (OSError, IndexError, ValueError):
            continue
        ranks = [e.split(b'=', 1)[1].decode() for e in environ if e.startswith(b'RANK=')]
        out[int(entry)] = ranks[0] if ranks else None
    return out


def test_extract_crops_two_processes_equal_one_and_resume_after_a_kill(tmp_path):
    make_videos(tmp_path)
    args = [
        str(tmp_path / 'videos'),
        str(tmp_path / 'pose'), '--crop-size', '32', '--save-prev', '--no-progress'
    ]
    out = run(
        [sys.executable,
         osp.join(ROOT, 'tools', 'extract_crops.py'), *args, '-o',
         str(tmp_path / 'one')], status=3)  # one video skipped (exit_status.PARTIAL)
    assert '5 done' in out and '1 skipped' in out
    # the same skip under torch.distributed.run: listed, status 0 (the launcher fails a job on any other)
    out = run(torchrun('extract_crops.py', *args, '-o', str(tmp_path / 'two')))
    assert '5 done' in out and '2 processes' in out and '1 skipped' in out
    one, two = tree(tmp_path / 'one'), tree(tmp_path / 'two')
    assert sorted(one) == sorted(two)
    assert 'index.json' in one and 'v4/rgb.npy' in one and 'broken/skipped.json' in one
    assert [p for p in one if one[p] != two[p]] == []  # bit for bit (meta.json without its timings)
    index = json.loads(one['index.json'])
    assert index['counts'] == dict(done=5, skipped=1, missing=0)

    # Rank 1 (videos v0, v2, v4 of the sorted list) is killed while it works on the long v4, after
    # the other videos are finished; the job ends, and relaunched with --resume it redoes v4 only.
    killed = tmp_path / 'killed'
    agent = subprocess.Popen(
        torchrun('extract_crops.py', *args, '-o', str(killed)),
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True)
    try:
        deadline = time.time() + 240
        while (len(list(killed.glob('v*/meta.json'))) < 4 and agent.poll() is None
               and time.time() < deadline):
            time.sleep(0.02)
        rank1 = [pid for pid, rank in _children(agent.pid).items() if rank == '1']
        assert len(rank1) == 1, 'rank 1 is not running'
        os.kill(rank1[0], signal.SIGKILL)
        assert agent.wait(timeout=120) != 0
    finally:
        for pid in [agent.pid, *_children(agent.pid)]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        agent.wait()
    finished = {p.parent.name: p.stat().st_mtime_ns for p in killed.glob('v*/meta.json')}
    assert sorted(finished) == ['v0', 'v1', 'v2', 'v3'], 'v4 finished before rank 1 was killed'
    out = run(torchrun('extract_crops.py', *args, '-o', str(killed), '--resume'))
    assert '1 done' in out and '4 already finished' in out, out
    assert {v: (killed / v / 'meta.json').stat().st_mtime_ns for v in finished} == finished  # not redone
    again = tree(killed)
    assert sorted(again) == sorted(one) and [p for p in one if one[p] != again[p]] == []


def test_apply_vipe_two_processes_equal_one(tmp_path):
    from vpd_mm.pose.camera import random_views
    from vpd_mm.pose.synthetic3d import random_pose_sequence
    from vpd_mm.utils.vpd_files import save_coco_keypoints
    rng = np.random.default_rng(0)
    for v in range(3):
        seq = random_pose_sequence(8, rng)
        records = []
        for f in range(8):
            kp = random_views(seq[f], rng, 1)[0]
            kp[:, :2] = kp[:, :2] * 200 + 300
            records.append((f, [(1.0, [0, 0, 600, 600], kp)]))
        save_coco_keypoints(str(tmp_path / 'pose' / f'vid{v}' / 'coco_keypoints.json.gz'), records)
    ckpt = osp.join(ROOT, 'checkpoints', 'teachers', 'vipe-star_synthsport-3d.pth')
    config = osp.join(ROOT, 'configs', 'vipe', 'vipe-star_synthsport-3d.py')
    args = [str(tmp_path / 'pose'), ckpt, '--config', config, '--no-progress']
    out = run([
        sys.executable,
        osp.join(ROOT, 'tools', 'apply_vipe.py'), *args, '-o',
        str(tmp_path / 'one'), '--joints-out',
        str(tmp_path / 'one_joints')
    ])
    assert '3 written' in out
    out = run(
        torchrun('apply_vipe.py', *args, '-o', str(tmp_path / 'two'), '--joints-out',
                 str(tmp_path / 'two_joints')))
    assert '3 written' in out and '2 processes' in out
    for name in ('', '_joints'):
        one, two = tree(tmp_path / f'one{name}'), tree(tmp_path / f'two{name}')
        assert sorted(one) == ['vid0.emb.pkl', 'vid1.emb.pkl', 'vid2.emb.pkl'] and one == two
