"""Helpers of the reliability suite (docs/reliability.md lists what each test proves).

Everything is small: clips of a 2-video SynthSport cut to a few dozen frames, tiny synthetic crop
stores and features. The tools run as the user runs them, as separate processes
(``python tools/<tool>.py ...``), so exit statuses, messages and SIGKILL behave as in real use.
"""
import glob
import gzip
import json
import os
import os.path as osp
import pickle
import random
import signal
import subprocess
import sys
import time
from typing import Callable, Dict, List, Optional

import numpy as np

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
ENV = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO, MPLBACKEND='Agg')
#: keys of JSON outputs that hold timings (they differ between any two runs)
VOLATILE_KEYS = frozenset({'timings_s', 'seconds', 'elapsed_s'})


def run_tool(tool: str, *args, timeout: int = 600, env: Optional[dict] = None) -> subprocess.CompletedProcess:
    """``python tools/<tool>.py ARGS`` in the checkout; stdout and stderr captured as text."""
    return subprocess.run([sys.executable, osp.join(REPO, 'tools', tool), *map(str, args)], cwd=REPO,
                          env=env or ENV, capture_output=True, text=True, timeout=timeout)


def output(proc: subprocess.CompletedProcess) -> str:
    return proc.stdout + proc.stderr


def kill_when(cmd: List[str], ready: Callable[[], bool], log: str, rng: random.Random, max_delay: float = 0.3,
              timeout: float = 600, on_kill: Optional[Callable[[subprocess.Popen, List[int]], None]] = None) -> int:
    """Start ``cmd``, wait until ``ready()`` (progress is visible), wait a random ``[0, max_delay)`` s more,
    then SIGKILL it. Returns the exit status (``-9``). ``on_kill(proc, child_pids)`` runs just before the
    kill, with the job and its children paused (SIGSTOP), e.g. to start a second run against it.

    Raises:
        AssertionError: The process ended before it could be killed (the test would prove nothing).
    """
    with open(log, 'w') as f:
        proc = subprocess.Popen(cmd, cwd=REPO, env=ENV, stdout=f, stderr=subprocess.STDOUT)
    start = time.time()
    try:
        while not ready():
            if proc.poll() is not None:
                raise AssertionError(f'{cmd[1]} ended (status {proc.returncode}) before it could be killed:\n'
                                     f'{open(log).read()[-3000:]}')
            if time.time() - start > timeout:
                raise AssertionError(f'{cmd[1]}: no progress after {timeout} s:\n{open(log).read()[-3000:]}')
            time.sleep(0.05)
        time.sleep(rng.uniform(0, max_delay))
        assert proc.poll() is None, f'{cmd[1]} ended before the kill:\n{open(log).read()[-3000:]}'
        if on_kill is not None:  # the job is paused (SIGSTOP: alive, holding its locks) while on_kill runs
            stopped = [proc.pid] + children(proc.pid)
            for pid in stopped:
                os.kill(pid, signal.SIGSTOP)
            on_kill(proc, stopped[1:])
        os.kill(proc.pid, signal.SIGKILL)
        return proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def children(pid: int) -> List[int]:
    """Pids of the direct children of ``pid`` (Linux /proc)."""
    out = []
    for task in glob.glob(f'/proc/{pid}/task/*/children'):
        try:
            out += [int(c) for c in open(task).read().split()]
        except OSError:
            pass
    return out


def count_files(root: str, name: str) -> int:
    """How many ``<root>/*/<name>`` exist."""
    if not osp.isdir(root):
        return 0
    return sum(osp.isfile(osp.join(root, d, name)) for d in os.listdir(root))


def _normalize(obj, masks: Dict[str, str]):
    if isinstance(obj, dict):
        return {k: _normalize(v, masks) for k, v in obj.items() if k not in VOLATILE_KEYS}
    if isinstance(obj, (list, tuple)):
        return [_normalize(v, masks) for v in obj]
    if isinstance(obj, str):
        for path, token in masks.items():
            obj = obj.replace(path, token)
        return obj
    if isinstance(obj, np.ndarray):
        return ('ndarray', obj.dtype.str, obj.shape, obj.tobytes())
    if isinstance(obj, np.generic):
        return obj.item()
    return obj


def _load(path: str):
    if path.endswith('.json'):
        return json.load(open(path))
    if path.endswith('.json.gz'):
        with gzip.open(path, 'rt') as f:
            return json.load(f)
    if path.endswith('.pkl'):
        with open(path, 'rb') as f:
            return pickle.load(f)
    return None


def tree(root: str, masks: Optional[Dict[str, str]] = None, skip: Callable[[str], bool] = lambda p: False) -> dict:
    """``{relative path: content}`` of the files under ``root``: their bytes, or for JSON / pickle files that
    hold one of the ``masks`` paths or a timing (:data:`VOLATILE_KEYS`), the parsed content with those
    paths masked and the timings dropped."""
    masks = {osp.abspath(k): v for k, v in (masks or {}).items()}
    out = {}
    for d, _, names in os.walk(root):
        for name in names:
            full = osp.join(d, name)
            rel = osp.relpath(full, root)
            if skip(rel) or name.endswith('.lock'):
                continue
            raw = open(full, 'rb').read()
            out[rel] = raw
            if name.endswith(('.json', '.json.gz', '.pkl')):  # compared byte for byte unless they hold
                text = gzip.decompress(raw) if name.endswith('.gz') else raw  # a masked path or a timing
                if any(p.encode() in text for p in masks) or any(f'"{k}"'.encode() in text for k in VOLATILE_KEYS):
                    out[rel] = _normalize(_load(full), masks)
    return out


def assert_same_tree(got: dict, want: dict) -> None:
    assert sorted(got) == sorted(want), (sorted(set(got) ^ set(want)))
    differ = [p for p in want if got[p] != want[p]]
    assert not differ, f'files differ from the uninterrupted run: {differ[:10]}'


def write_pose_dir(root: str, vid: str, keypoints: np.ndarray) -> None:
    """A VPD pose directory ``root/vid`` whose athlete has ``keypoints (T, 17, 3)`` in frames 0..T-1."""
    from vpd_mm.utils.vpd_files import save_boxes, save_coco_keypoints
    box = [10.0, 10.0, 50.0, 100.0]
    save_boxes(osp.join(root, vid, 'boxes.json'), [(f, box) for f in range(len(keypoints))])
    save_coco_keypoints(osp.join(root, vid, 'coco_keypoints.json.gz'),
                        [(f, [(0.9, box, kp)]) for f, kp in enumerate(keypoints)])


def random_pose(t: int, seed: int = 0) -> np.ndarray:
    """``(t, 17, 3)`` random keypoints with score 0.9."""
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.uniform(10, 60, (t, 17, 2)), np.full((t, 17, 1), 0.9)], axis=-1)
