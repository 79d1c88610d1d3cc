"""tools/extract_poses.py on 2 CPU processes (gloo): the pose files and pickles equal a one-process run's."""
import importlib.util
import os.path as osp
import subprocess
import sys

from vpd_mm.teachers.random_init import random_teachers

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
_spec = importlib.util.spec_from_file_location('dist_extract', osp.join(ROOT, 'tests', 'tools', 'test_dist_extract.py'))
dist_extract = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(dist_extract)


def test_two_process_pose_extraction_equals_one_process(tmp_path):
    dist_extract.make_videos(tmp_path, num_videos=3, frames=6, last_frames=10)
    teachers = random_teachers(str(tmp_path / 'teachers'))
    args = [str(tmp_path / 'videos'), '--boxes-from', str(tmp_path / 'pose'), '--pose-config', teachers['pose_config'],
            '--pose-checkpoint', teachers['pose_checkpoint'], '--pose-cfg-options', 'model.test_cfg.flip_test=False',
            '--no-progress']
    one = tmp_path / 'one'
    proc = subprocess.run([sys.executable, osp.join(ROOT, 'tools', 'extract_poses.py'),
                           *args, '-o', str(one)], env=dist_extract._env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 3, proc.stderr[-3000:]  # one video skipped (exit_status.PARTIAL)
    two = tmp_path / 'two'  # under torch.distributed.run the same skip exits 0 (see exit_status)
    out = dist_extract.run(dist_extract.torchrun('extract_poses.py', *args, '-o', str(two)), timeout=600)
    assert '3 of 4 videos finished, 1 skipped, 0 failed' in out  # printed once, by rank 0
    a, b = dist_extract.tree(one), dist_extract.tree(two)
    a.pop('extract_summary.json'), b.pop('extract_summary.json')
    assert len([k for k in a if k.endswith('meta.json')]) == 3 and a == b
    # relaunched with --resume: nothing to redo, on either rank
    out = dist_extract.run(dist_extract.torchrun('extract_poses.py', *args, '-o', str(two), '--resume'), timeout=600)
    assert '3 of 4 videos finished' in out
    assert dist_extract.tree(two)['pose/v0/meta.json'] == b['pose/v0/meta.json']
