"""One writer per work dir: a second job started on a work dir in use is refused with a clear message.

The lock is an advisory ``fcntl.flock`` on ``<work_dir>/.vpd_mm.lock``: the kernel releases it when
the holding process ends in any way (``kill -9`` included), so a killed job never leaves a stale lock
behind and the next run starts at once. The file records who holds it (pid, command, start time) for
the refusal message. Locks are per machine (``flock`` over NFS depends on the server).
"""
import contextlib
import errno
import fcntl
import os
import os.path as osp
import sys
import time
from typing import Iterator, Optional

LOCK_FILE = '.vpd_mm.lock'


class WorkDirInUseError(RuntimeError):
    """Another live process holds the work dir's lock; the message names it and the work dir."""


@contextlib.contextmanager
def hold_work_dir(work_dir: str, what: Optional[str] = None) -> Iterator[str]:
    """Hold the lock of ``work_dir`` (created if needed) for the duration of the block.

    Args:
        work_dir: The job's work dir.
        what: The job, for the message another run gets (default: this process's command line).

    Yields:
        The lock file's path.

    Raises:
        WorkDirInUseError: Another process holds it.
    """
    os.makedirs(work_dir, exist_ok=True)
    path = osp.join(work_dir, LOCK_FILE)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as e:
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            holder = os.pread(fd, 4096, 0).decode('utf-8', 'replace').strip() or 'unknown process'
            raise WorkDirInUseError(f'{work_dir} is in use by another run ({holder}; lock {path}); wait for it to '
                                    'finish or give another work dir') from None
        info = f'pid {os.getpid()}: {what or " ".join(sys.argv)}, since {time.strftime("%Y-%m-%d %H:%M:%S")}'
        os.ftruncate(fd, 0)
        os.pwrite(fd, info.encode('utf-8'), 0)
        yield path
    finally:
        os.close(fd)  # releases the lock; the file stays (removing it would race with a waiting run)


def hold_work_dir_rank0(work_dir: str, what: Optional[str] = None):
    """:func:`hold_work_dir` in the process of rank 0 (``RANK`` unset or 0); no lock in the other ranks of a
    distributed job, which share rank 0's work dir."""
    if int(os.environ.get('RANK', '0') or 0) != 0:
        return contextlib.nullcontext(None)
    return hold_work_dir(work_dir, what)
