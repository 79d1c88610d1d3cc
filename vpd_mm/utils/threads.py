"""One compute thread per worker process (the process pools of the extraction tools and the few-shot runs)."""
import os


def use_one_thread() -> None:
    """Limit this process to one compute thread: OpenMP/MKL (for libraries loaded later), torch, OpenCV
    and numba, each where installed.

    Worker processes that run side by side call this first: more threads per worker than cores
    oversubscribe the machine, and float sums can depend on the thread count.
    """
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
    try:
        import numba
        numba.set_num_threads(1)
    except (ImportError, ValueError):  # no numba, or its thread count already fixed lower
        pass
