import subprocess
import sys

CODE = ('import os, numba; from vpd_mm.utils.threads import use_one_thread; use_one_thread({arg}); '
        'import torch, cv2; '
        'print(torch.get_num_threads(), cv2.getNumThreads(), os.environ.get("MKL_NUM_THREADS"), '
        'numba.get_num_threads())')


def _run(arg):
    env = {'OMP_NUM_THREADS': '2', 'NUMBA_NUM_THREADS': '2', 'PATH': '/usr/bin:/bin'}
    out = subprocess.run([sys.executable, '-c', CODE.format(arg=arg)], env=env, capture_output=True, text=True,
                         check=True)
    return out.stdout.split()


def test_use_one_thread_limits_torch_opencv_numba_and_the_environment():
    assert _run('') == ['1', '1', '1', '1']


def test_pose_workers_leave_the_environment_and_numba_alone():
    assert _run('environ=False, numba=False') == ['1', '1', 'None', '2']
