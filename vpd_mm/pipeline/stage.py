"""Stages of a multi-step job that are skipped when their outputs are up to date.

A :class:`Stage` is one command line (a vpd_mm tool run with the environment's Python) with the
paths it reads and writes. Its *key* is a hash of the command and of the inputs' fingerprints; a
finished stage leaves ``<stamp_dir>/<name>.json`` holding the key, so a re-run skips it when neither
the command nor any input changed and its outputs still exist. Inputs produced by an earlier stage
are fingerprinted by that stage's key (cheap and exact); other files by their content hash; other
directories by the names, sizes and mtimes of their files. Each tool is itself resumable, so a stage
killed mid-way continues where it stopped when it runs again.
"""
import hashlib
import json
import os
import os.path as osp
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from vpd_mm.utils.fileio import atomic_write_json, load_json

#: Environment variables that do not change a stage's outputs (not part of its key).
UNKEYED_ENV = frozenset({'OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'NUMBA_NUM_THREADS',
                         'MPLBACKEND', 'PYTHONPATH'})


@dataclass
class Stage:
    """One step of a pipeline.

    Args:
        name: Unique name; also the stamp file name.
        cmd: Arguments after the Python executable (e.g. ``['tools/extract_crops.py', ...]``).
        inputs: Files or directories the command reads.
        outputs: Files or directories that must exist once it succeeded.
        env: Extra environment variables for the command. Those in :data:`UNKEYED_ENV` (thread
            counts, plotting backend, import path) change how fast or where it runs, not what it
            writes, and are left out of the stage's key.
        resume_args: Appended unless the stage's inputs changed since its last run (e.g.
            ``['--resume']``: continue a killed run, skip finished items).
        fresh_args: Appended when the inputs changed since the last run, so that the tool
            rewrites stale outputs (e.g. ``['--overwrite']``).
    """

    name: str
    cmd: List[str]
    inputs: List[str] = field(default_factory=list)
    outputs: List[str] = field(default_factory=list)
    env: Dict[str, str] = field(default_factory=dict)
    resume_args: List[str] = field(default_factory=list)
    fresh_args: List[str] = field(default_factory=list)


def _file_digest(path: str) -> str:
    sha = hashlib.sha1()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            sha.update(block)
    return sha.hexdigest()


def _dir_digest(path: str) -> str:
    sha = hashlib.sha1()
    for root, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            full = osp.join(root, name)
            st = os.stat(full)
            sha.update(f'{osp.relpath(full, path)}:{st.st_size}:{st.st_mtime_ns};'.encode())
    return sha.hexdigest()


class StageRunner:
    """Runs stages in order, skipping the up-to-date ones.

    Args:
        stamp_dir: Where the stage stamps go.
        python: The Python executable that runs the tools.
        cwd: Working directory of the commands (the repository root).
        dry_run: Only print what would run.
    """

    def __init__(self, stamp_dir: str, python: str = sys.executable, cwd: Optional[str] = None,
                 dry_run: bool = False) -> None:
        self.stamp_dir = stamp_dir
        self.python = python
        self.cwd = cwd
        self.dry_run = dry_run
        self._produced: Dict[str, str] = {}  # output path -> key of the stage that wrote it

    def _fingerprint(self, path: str) -> str:
        norm = osp.normpath(path)
        if norm in self._produced:
            return 'stage:' + self._produced[norm]
        full = osp.join(self.cwd or '.', path)
        if osp.isfile(full):
            return 'file:' + _file_digest(full)
        if osp.isdir(full):
            return 'dir:' + _dir_digest(full)
        return 'missing'

    def key(self, stage: Stage) -> str:
        """Hash of the stage's command and its inputs' fingerprints."""
        env = sorted((k, v) for k, v in stage.env.items() if k not in UNKEYED_ENV)
        parts = [json.dumps(stage.cmd), json.dumps(env)]
        parts += [f'{p}={self._fingerprint(p)}' for p in stage.inputs]
        return hashlib.sha1('\n'.join(parts).encode()).hexdigest()

    def _stamp_path(self, stage: Stage) -> str:
        return osp.join(self.stamp_dir, f'{stage.name}.json')

    def _stamp(self, stage: Stage) -> dict:
        stamp = self._stamp_path(stage)
        return load_json(stamp) if osp.isfile(stamp) else {}

    def is_up_to_date(self, stage: Stage, key: str) -> bool:
        """Whether the stage finished before with the same key and its outputs exist."""
        stamp = self._stamp(stage)
        if stamp.get('key') != key or stamp.get('state') != 'done':
            return False
        return all(osp.exists(osp.join(self.cwd or '.', p)) for p in stage.outputs)

    def command(self, stage: Stage, key: str) -> List[str]:
        """The arguments to run: resume a killed or first run, start afresh when inputs changed."""
        previous = self._stamp(stage).get('key')
        stale = previous is not None and previous != key
        return stage.cmd + (stage.fresh_args if stale else stage.resume_args)

    def run(self, stages: Sequence[Stage]) -> List[dict]:
        """Run the stages in order; return one record per stage (name, status, seconds).

        Raises:
            RuntimeError: A command failed (names the stage and its exit status); the stages
                before it keep their stamps, so the next run starts at the failed one.
        """
        records = []
        for i, stage in enumerate(stages, 1):
            key = self.key(stage)
            head = f'[{i}/{len(stages)}] {stage.name}'
            if self.is_up_to_date(stage, key):
                print(f'{head}: up to date, skipped', flush=True)
                records.append(dict(name=stage.name, status='skipped', seconds=0.0))
            else:
                cmd = self.command(stage, key)
                print(f'{head}: {" ".join(cmd)}', flush=True)
                seconds = 0.0
                if not self.dry_run:
                    start = time.time()
                    # A 'running' stamp with the new key: if this run is killed, the next one resumes
                    # (resume_args) instead of treating the half-written outputs as stale.
                    atomic_write_json(self._stamp_path(stage), dict(key=key, state='running'))
                    env = dict(os.environ, **stage.env)
                    proc = subprocess.run([self.python] + cmd, cwd=self.cwd, env=env)
                    seconds = time.time() - start
                    if proc.returncode != 0:
                        raise RuntimeError(f'stage {stage.name!r} failed with exit status {proc.returncode}: '
                                           f'{" ".join(stage.cmd)}')
                    missing = [p for p in stage.outputs if not osp.exists(osp.join(self.cwd or '.', p))]
                    if missing:
                        raise RuntimeError(f'stage {stage.name!r} finished but did not write {missing}')
                    atomic_write_json(self._stamp_path(stage), dict(key=key, state='done', cmd=cmd, seconds=seconds,
                                                                    finished=time.strftime('%Y-%m-%d %H:%M:%S')))
                    print(f'{head}: done in {seconds:.0f} s', flush=True)
                records.append(dict(name=stage.name, status='ran', seconds=round(seconds, 1)))
            for out in stage.outputs:
                self._produced[osp.normpath(out)] = key
        return records
