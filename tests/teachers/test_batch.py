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
    with pytest.raises(ValueError, match='detector config is needed'):
        extract_poses([('a', 'a.mp4')], str(tmp_path), 'pose.py', None)
    with pytest.raises(ValueError, match='every track would die'):
        from vpd_mm.teachers import ExtractOptions
        extract_poses([('a', 'a.mp4')],
                      str(tmp_path),
                      'pose.py',
                      None,
                      det_config='det.py',
                      options=ExtractOptions(det_interval=30))
    with pytest.raises(ValueError, match='workers must be >= 1'):
        extract_poses([('a', 'a.mp4')], str(tmp_path), 'pose.py', None, boxes_from=str(tmp_path), workers=0)
