"""Run independent training jobs in this process or spread over spawned single-threaded workers.

:class:`RunPool` runs named jobs (a picklable top-level function and its arguments): with ``workers=1``
each job runs in this process as soon as it is submitted; with ``workers > 1`` jobs go to a
``ProcessPoolExecutor`` of ``spawn`` processes, each limited to one thread (:func:`init_worker`) and
with the vpd_mm / mmaction2 registries set up. A failed job is logged with its name and traceback and
reported by :meth:`RunPool.wait`; the other jobs go on. Jobs write their own results (atomically), so
a cut-short pool leaves every finished job's output behind.
"""
import multiprocessing
import signal
import sys
import traceback
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from typing import Any, Callable, Dict, Optional, Tuple

from vpd_mm.utils.threads import use_one_thread


def init_worker() -> None:
    """Set up a spawned worker: one thread (torch, OpenMP, numba) and the vpd_mm/mmaction registries.

    Ctrl-C is left to the parent (it stops the workers), so that a worker never goes on with the next
    job after an interrupted one.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    use_one_thread()
    from .runner_utils import init_registries
    init_registries()


def describe_failure(exc: BaseException) -> str:
    """``'Type: message'`` of an exception (one line, for failure summaries)."""
    return f'{type(exc).__name__}: {exc}'.splitlines()[0]


def raise_failures(failures: Dict[str, str], what: str, kept_in: str) -> None:
    """Raise one error listing the failed jobs ``{name: 'Type: message'}`` (nothing if there are none).

    Args:
        failures: The failures returned by :meth:`RunPool.wait`.
        what: What the jobs are, in the plural (``'few-shot runs'``, ``'detection folds'``).
        kept_in: Where the finished jobs' outputs stay (a rerun redoes only the failed jobs).
    """
    if failures:
        lines = '\n'.join(f'  {name}: {error}' for name, error in sorted(failures.items()))
        raise RuntimeError(f'{len(failures)} {what} failed (the finished ones are kept in {kept_in}; run '
                           f'again to retry only the missing ones):\n{lines}')


class RunPool:
    """Runs named jobs inline (``workers=1``) or in ``workers`` spawned processes.

    Use as a context manager; leaving the block through an exception cancels the jobs not yet started
    and waits for the running ones, except on ``KeyboardInterrupt``, which stops the workers at once
    (the finished jobs' outputs stay).

    Args:
        workers: Number of worker processes; ``1`` runs every job in this process when submitted.
        progress: Show a tqdm bar over the submitted jobs.
        desc: The bar's label.
    """

    def __init__(self, workers: int = 1, progress: bool = True, desc: str = 'runs'):
        if workers < 1:
            raise ValueError(f'workers must be >= 1, got {workers}')
        self.workers = workers
        self.results: Dict[str, Any] = {}
        self.failures: Dict[str, str] = {}
        self._futures: Dict[Future, str] = {}
        self._executor: Optional[ProcessPoolExecutor] = None
        self._progress, self._desc = progress, desc
        self._bar = None  # made at the first job, so that it shows only once there is work

    def __enter__(self) -> 'RunPool':
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._bar is not None:
            self._bar.close()
        if self._executor is None:
            return
        if exc_type is not None and issubclass(exc_type, KeyboardInterrupt):
            self._terminate_workers()
        self._executor.shutdown(wait=True, cancel_futures=exc_type is not None)

    def _terminate_workers(self) -> None:
        # ProcessPoolExecutor has no public way to stop running jobs before Python 3.14.
        processes = list((getattr(self._executor, '_processes', None) or {}).values())
        for proc in processes:
            proc.terminate()
        for proc in processes:
            proc.join(timeout=10)

    def submit(self, name: str, fn: Callable, *args) -> None:
        """Run ``fn(*args)`` as job ``name`` (now, with one worker; else in a worker process)."""
        if self._bar is None:
            from tqdm import tqdm
            self._bar = tqdm(total=0, desc=self._desc, unit='run', disable=not self._progress)
        self._bar.total += 1
        self._bar.refresh()
        if self.workers == 1:
            try:
                self._done(name, fn(*args))
            except Exception as exc:  # reported by wait(); the other jobs go on
                self._failed(name, exc)
            return
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context('spawn'), initializer=init_worker)
        self._futures[self._executor.submit(fn, *args)] = name

    def wait(self) -> Tuple[Dict[str, Any], Dict[str, str]]:
        """Wait for every submitted job; return ``({name: result}, {name: 'Type: message'} of failures)``."""
        for future in as_completed(list(self._futures)):
            name = self._futures.pop(future)
            try:
                self._done(name, future.result())
            except Exception as exc:
                self._failed(name, exc)
        return dict(self.results), dict(self.failures)

    def _done(self, name: str, result: Any) -> None:
        self.results[name] = result
        self._bar.update(1)

    def _failed(self, name: str, exc: BaseException) -> None:
        self.failures[name] = describe_failure(exc)
        self._bar.write(f'run {name} failed:\n' + ''.join(traceback.format_exception(exc)), file=sys.stderr)
        self._bar.update(1)
