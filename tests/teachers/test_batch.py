import os

import pytest

from vpd_mm.teachers import extract_poses
from vpd_mm.teachers.batch import LOCK_FILE, output_lock


def test_output_lock(tmp_path):
    lock = tmp_path / LOCK_FILE
    with output_lock(str(tmp_path)):
        assert lock.read_text() == str(os.getpid())
    assert not lock.exists()
    lock.write_text(str(os.getppid()))  # a live process holds the folder
    with pytest.raises(RuntimeError, match=f'another extraction \\(pid {os.getppid()}'):
        with output_lock(str(tmp_path)):
            pass
    lock.write_text('999999999')  # stale lock of a killed run: taken over
    with output_lock(str(tmp_path)):
        assert lock.read_text() == str(os.getpid())


def test_refuses_bad_arguments_before_loading_models(tmp_path):
    teacher = dict(person_finder=dict(type='BlazePosePersonFinder'), pose_estimator=dict(type='BlazePoseEstimator'))
    with pytest.raises(ValueError, match='needs person_finder'):
        extract_poses([('a', 'a.mp4')], str(tmp_path), dict(pose_estimator=teacher['pose_estimator']))
    with pytest.raises(ValueError, match='every track would die'):
        extract_poses([('a', 'a.mp4')], str(tmp_path), dict(teacher, extract=dict(det_interval=30)))
    with pytest.raises(ValueError, match="unknown extract option\\(s\\) \\['det_intervall'\\]"):
        extract_poses([('a', 'a.mp4')], str(tmp_path), dict(teacher, extract=dict(det_intervall=2)))
    with pytest.raises(ValueError, match="pose_estimator.config 'p.py' does not exist"):
        extract_poses([('a', 'a.mp4')], str(tmp_path),
                      dict(teacher, pose_estimator=dict(type='MMPoseEstimator', config='p.py', checkpoint='missing.pth')))
    with pytest.raises(ValueError, match='workers must be >= 1'):
        extract_poses([('a', 'a.mp4')], str(tmp_path), teacher, boxes_from=str(tmp_path), workers=0)
    assert not os.listdir(tmp_path)
