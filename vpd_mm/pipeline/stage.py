"""Stages of a multi-step job that are skipped when their outputs are up to date.

A :class:`Stage` is one command line (a vpd_mm tool run with the environment's Python) with the
paths it reads and writes. Its *key* is a hash of the command and of the inputs' fingerprints; a
finished stage leaves ``<stamp_dir>/<name>.json`` holding the key, so a re-run skips it when neither
the command nor any input changed and its outputs still exist. Inputs produced by an earlier stage
are fingerprinted by that stage's key (cheap and exact); other files by their content hash; other
directories by the names, sizes and mtimes of their files. Each tool is itself resumable, so a stage
killed mid-way continues where it stopped when it runs again.

A *distributed* stage (a tool that takes ``--launcher``) runs on N processes when the runner is given
a launcher: ``python -m torch.distributed.run --standalone --nproc_per_node N TOOL ... --launcher
pytorch`` on this machine, or ``srun --ntasks N python TOOL ... --launcher slurm`` inside a slurm
allocation. The launcher is not part of the key: a stage finished on one process is not redone on N.

A stage whose tool exits with :data:`vpd_mm.utils.exit_status.PARTIAL` (3: some inputs finished, the
others were skipped for bad input and listed) counts as finished; the runner says so and records
``partial`` in its stamp. Any other non-zero status stops the job.
"""
import hashlib
import json
import os
import os.path as osp
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

from vpd_mm.utils.exit_status import OK, PARTIAL
from vpd_mm.utils.fileio import atomic_write_json, file_digest, load_json

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
        speed_args: Always appended and left out of the key: options that change how fast the
            command runs, not what it writes (e.g. ``['--workers', '2']``), so that changing them
            neither reruns a finished stage nor invalidates the stages after it.
        distributed: The tool takes ``--launcher`` and shares its work among the processes of a
            distributed launch (see :class:`StageRunner`).
        dist_args: Appended (out of the key) when the stage runs on several processes, e.g. the
            per-process batch size that keeps a training's total batch.
    """

    name: str
    cmd: List[str]
    inputs: List[str] = field(default_factory=list)
    outputs: List[str] = field(default_factory=list)
    env: Dict[str, str] = field(default_factory=dict)
    resume_args: List[str] = field(default_factory=list)
    fresh_args: List[str] = field(default_factory=list)
    speed_args: List[str] = field(default_factory=list)
    distributed: bool = False
    dist_args: List[str] = field(default_factory=list)


LAUNCHERS = ('none', 'pytorch', 'slurm')


def free_port() -> int:
    """A TCP port that is free on this machine now (a rendezvous / ``MASTER_PORT``)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:
    """In a stage's process (``preexec_fn``): be killed when the driver dies (Linux ``PR_SET_PDEATHSIG``).

    Without it a driver killed with SIGKILL leaves its running stages behind, and the next run starts a
    second writer of the same outputs next to the orphan.
    """
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):  # not Linux: stages outlive a killed driver
        pass


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
        launcher: How distributed stages run: ``'none'`` (one process), ``'pytorch'``
            (``torch.distributed.run --standalone``: ``nproc`` processes on this machine, a free
            rendezvous port each) or ``'slurm'`` (``srun --ntasks nproc``, run inside an allocation;
            ``srun`` is the ``SRUN`` environment variable's command if set).
        nproc: Processes of a distributed stage.
    """

    def __init__(self, stamp_dir: str, python: str = sys.executable, cwd: Optional[str] = None,
                 dry_run: bool = False, launcher: str = 'none', nproc: int = 1) -> None:
        if launcher not in LAUNCHERS:
            raise ValueError(f'launcher must be one of {LAUNCHERS}, got {launcher!r}')
        if nproc < 1:
            raise ValueError(f'nproc must be at least 1, got {nproc}')
        self.stamp_dir = stamp_dir
        self.python = python
        self.cwd = cwd
        self.dry_run = dry_run
        self.launcher = launcher
        self.nproc = nproc
        self._produced: Dict[str, str] = {}  # output path -> key of the stage that wrote it

    def _fingerprint(self, path: str) -> str:
        norm = osp.normpath(path)
        if norm in self._produced:
            return 'stage:' + self._produced[norm]
        full = osp.join(self.cwd or '.', path)
        if osp.isfile(full):
            return 'file:' + file_digest(full)
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
        return stage.cmd + (stage.fresh_args if stale else stage.resume_args) + stage.speed_args

    def is_distributed(self, stage: Stage) -> bool:
        """Whether the stage runs on several processes (a distributed stage and a launcher)."""
        return stage.distributed and self.launcher != 'none' and (self.nproc > 1 or self.launcher == 'slurm')

    def launch(self, stage: Stage, cmd: List[str]) -> List[str]:
        """The full command line of ``cmd`` (from :meth:`command`): Python, or the distributed launch."""
        if not self.is_distributed(stage):
            return [self.python] + cmd
        tool = cmd + stage.dist_args
        if self.launcher == 'pytorch':
            # --standalone: a rendezvous on a free port of this machine, so stages may run side by side
            return [self.python, '-m', 'torch.distributed.run', '--standalone', f'--nproc_per_node={self.nproc}'
                    ] + tool + ['--launcher', 'pytorch']
        srun = shlex.split(os.environ.get('SRUN', 'srun'))
        return srun + [f'--ntasks={self.nproc}', '--kill-on-bad-exit=1', self.python, '-u'] + tool + [
            '--launcher', 'slurm'
        ]

    def run(self, stages: Sequence[Stage], jobs: int = 1) -> List[dict]:
        """Run the stages; return one record per stage (name, status, seconds), in stage order.

        Args:
            stages: The stages, in an order where every stage comes after those it reads from.
            jobs: How many stages may run at once. A stage starts when every earlier stage whose
                outputs it reads (see :func:`stage_dependencies`) has finished; of the stages ready
                at once, those with the longest chain of stages waiting on them start first
                (:func:`critical_path_lengths`: a student's training before a teacher-only evaluation).
                With ``jobs > 1`` each command's output goes to ``<stamp_dir>/logs/<name>.log``.

        Raises:
            RuntimeError: A command failed (names the stage, its exit status and its log). Stages
                already running are waited for; every finished stage keeps its stamp, so the next
                run starts at the failed one.
        """
        deps = stage_dependencies(stages)
        rank = critical_path_lengths(deps)
        records: Dict[int, dict] = {}
        running: Dict[int, tuple] = {}  # index -> (process, key, cmd, start, log file)
        failures: List[str] = []
        pending = list(range(len(stages)))
        while pending or running:
            progressed = True
            while progressed and not failures:  # start what can start; skipped stages free their dependents
                progressed = False
                ready = [i for i in pending if all(d in records for d in deps[i])]
                for i in sorted(ready, key=lambda i: (-rank[i], i)):
                    if len(running) >= max(1, jobs):
                        break
                    pending.remove(i)
                    started = self._start(i, stages, jobs)
                    if isinstance(started[0], str):  # ('skipped' (up to date) or 'ran' (dry run), key)
                        records[i] = dict(name=stages[i].name, status=started[0], seconds=0.0)
                        self._mark_produced(stages[i], started[1])
                        progressed = True
                    else:
                        running[i] = started
            if not running:
                break  # nothing left that can run (done, or blocked by a failure)
            for i in self._wait_any(running):
                proc, key, cmd, start, log = running.pop(i)
                try:
                    records[i] = self._finish(i, stages, proc.returncode, key, cmd, start, log)
                except RuntimeError as err:
                    failures.append(str(err))
        if failures:
            raise RuntimeError('; '.join(failures))
        return [records[i] for i in range(len(stages))]

    def _head(self, i: int, stages: Sequence[Stage]) -> str:
        return f'[{i + 1}/{len(stages)}] {stages[i].name}'

    def _mark_produced(self, stage: Stage, key: str) -> None:
        """Record ``key`` as the fingerprint of the stage's outputs (inputs of later stages)."""
        for out in stage.outputs:
            self._produced[osp.normpath(out)] = key

    def _start(self, i: int, stages: Sequence[Stage], jobs: int):
        """Start stage ``i``: its process record, or ``('skipped' | 'ran', key)`` when up to date / a dry run."""
        stage = stages[i]
        key = self.key(stage)
        head = self._head(i, stages)
        if self.is_up_to_date(stage, key):
            print(f'{head}: up to date, skipped', flush=True)
            return 'skipped', key
        cmd = self.command(stage, key)
        argv = self.launch(stage, cmd)
        print(f'{head}: {" ".join(argv if self.is_distributed(stage) else cmd)}', flush=True)
        if self.dry_run:
            return 'ran', key
        # A 'running' stamp with the new key: if this run is killed, the next one resumes
        # (resume_args) instead of treating the half-written outputs as stale.
        atomic_write_json(self._stamp_path(stage), dict(key=key, state='running'))
        env = dict(os.environ, **stage.env)
        if self.is_distributed(stage) and self.launcher == 'slurm':
            env.setdefault('MASTER_PORT', str(free_port()))  # stages may run side by side
        log = None
        if jobs > 1:
            log_path = osp.join(self.stamp_dir, 'logs', f'{stage.name}.log')
            os.makedirs(osp.dirname(log_path), exist_ok=True)
            log = open(log_path, 'w')
            print(f'{head}: started, log {log_path}', flush=True)
        proc = subprocess.Popen(argv, cwd=self.cwd, env=env, stdout=log,
                                stderr=subprocess.STDOUT if log else None,
                                preexec_fn=_die_with_parent if sys.platform.startswith('linux') else None)
        return proc, key, cmd, time.time(), log

    @staticmethod
    def _wait_any(running: Dict[int, tuple]) -> List[int]:
        while True:
            done = [i for i, (proc, *_) in running.items() if proc.poll() is not None]
            if done:
                return done
            time.sleep(0.2)

    def _finish(self, i: int, stages: Sequence[Stage], returncode: int, key: str, cmd: List[str], start: float,
                log) -> dict:
        stage = stages[i]
        seconds = time.time() - start
        where = ''
        if log is not None:
            log.close()
            where = f' (log: {log.name})'
        if returncode not in (OK, PARTIAL):
            raise RuntimeError(f'stage {stage.name!r} failed with exit status {returncode}: '
                               f'{" ".join(stage.cmd)}{where}')
        missing = [p for p in stage.outputs if not osp.exists(osp.join(self.cwd or '.', p))]
        if missing:
            raise RuntimeError(f'stage {stage.name!r} finished but did not write {missing}{where}')
        partial = returncode == PARTIAL
        atomic_write_json(self._stamp_path(stage), dict(key=key, state='done', cmd=cmd, seconds=seconds,
                                                        partial=partial,
                                                        finished=time.strftime('%Y-%m-%d %H:%M:%S')))
        note = f', some inputs skipped (exit status {PARTIAL}; the list is in its output{where})' if partial else ''
        print(f'{self._head(i, stages)}: done in {seconds:.0f} s{note}', flush=True)
        self._mark_produced(stage, key)
        return dict(name=stage.name, status='ran', seconds=round(seconds, 1), partial=partial)


def _related(a: str, b: str) -> bool:
    """Whether one path is the other or lies inside it."""
    a, b = osp.normpath(a), osp.normpath(b)
    return a == b or a.startswith(b + os.sep) or b.startswith(a + os.sep)


def stage_dependencies(stages: Sequence[Stage]) -> List[List[int]]:
    """For every stage, the earlier stages it must wait for.

    Stage ``j`` waits for an earlier stage ``i`` when one of ``j``'s inputs is, contains or lies inside
    one of ``i``'s outputs, or when both write the same path.
    """
    deps = []
    for j, later in enumerate(stages):
        deps.append([
            i for i, earlier in enumerate(stages[:j])
            if any(_related(p, out) for out in earlier.outputs for p in list(later.inputs) + list(later.outputs))
        ])
    return deps


def critical_path_lengths(deps: Sequence[Sequence[int]]) -> List[int]:
    """For every stage, the number of stages on the longest chain from it to the end (itself included).

    Args:
        deps: :func:`stage_dependencies` of the stages (each stage's earlier stages).
    """
    length = [1] * len(deps)
    for j in reversed(range(len(deps))):  # dependents come later in the list
        for i in deps[j]:
            length[i] = max(length[i], length[j] + 1)
    return length
