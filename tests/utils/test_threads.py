import subprocess
import sys


def test_use_one_thread_limits_torch_opencv_and_numba():
    code = ('from vpd_mm.utils.threads import use_one_thread; use_one_thread(); '
            'import os, torch, cv2, numba; '
            'print(torch.get_num_threads(), cv2.getNumThreads(), numba.get_num_threads(), '
            'os.environ["OMP_NUM_THREADS"])')
    env = {'OMP_NUM_THREADS': '2', 'NUMBA_NUM_THREADS': '2', 'PATH': '/usr/bin:/bin'}
    out = subprocess.run([sys.executable, '-c', code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ['1', '1', '1', '1']
