"""One compute thread per worker process (the process pools of the extraction tools and the few-shot runs)."""
import os
import sys


def use_one_thread(environ: bool = True, numba: bool = True) -> None:
    """Limit this process to one compute thread: torch, OpenCV and, optionally, numba (if imported) and
    the OpenMP / MKL variables read by libraries loaded later.

    Worker processes that run side by side call this first: more threads per worker than cores
    oversubscribe the machine, and float sums can depend on the thread count.

    Args:
        environ: Also set ``OMP_NUM_THREADS`` / ``MKL_NUM_THREADS`` to 1.
        numba: Also limit numba's threads, if numba is imported. That starts numba's threading layer.

    Workers whose results must be byte-identical to a one-process run with one torch thread (pose
    extraction) pass ``environ=False, numba=False``: with both set, the pose models' float results differed
    from the one-process run's (``tests/tools/test_extract_poses.py`` checks the files are identical).
    """
    if environ:
        for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
            os.environ[var] = '1'
    try:
        import torch
        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    try:
        import cv2
        cv2.setNumThreads(1)
    except ImportError:  # pragma: no cover
        pass
    if numba and 'numba' in sys.modules:  # never imported here: that would load it into every worker
        try:
            sys.modules['numba'].set_num_threads(1)
        except ValueError:  # its thread count already fixed lower
            pass
