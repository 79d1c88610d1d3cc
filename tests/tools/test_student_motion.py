"""tools/analysis/student_motion.py on a hand-made case with a known answer."""
import importlib.util
import os.path as osp

import numpy as np
import pytest

from vpd_mm.utils.vpd_files import save_embeddings

TOOL = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools', 'analysis',
                'student_motion.py')


def _tool():
    spec = importlib.util.spec_from_file_location('student_motion', TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _write(folder, vid, frames, feats):
    save_embeddings(str(folder / f'{vid}.emb.pkl'),
                    [(int(f), np.stack([x, x]).astype(np.float32), {}) for f, x in zip(frames, feats)])


def test_half_amplitude_student(tmp_path, capsys):
    """The student keeps each clip's posture and half its motion: R2 within clip 0.75, variance 0.25,
    frame-to-frame change 0.5; frames the student lacks are left out."""
    (tmp_path / 't').mkdir()
    (tmp_path / 's').mkdir()
    t = np.arange(40)
    for v, posture in enumerate([np.array([2.0, -1.0, 0.5]), np.array([-3.0, 1.0, 4.0])]):
        motion = np.stack([np.sin(t / 3.0), np.cos(t / 5.0), np.sin(t / 7.0 + v)], 1)
        motion -= motion.mean(0)
        _write(tmp_path / 't', f'v{v}', t, posture + motion)
        _write(tmp_path / 's', f'v{v}', t[5:], (posture + 0.5 * motion)[5:])
    tool = _tool()
    pairs = tool.paired_frames(str(tmp_path / 't'), str(tmp_path / 's'))
    assert [len(p[0]) for p in pairs] == [35, 35]
    # exact on a clip whose motion has zero mean (the kept frames above shift the clip means a little)
    motion = np.stack([np.sin(t), np.cos(t), np.zeros(len(t))], 1)
    motion -= motion.mean(0)
    fig = tool.motion_figures([(1.0 + motion, 1.0 + 0.5 * motion)])
    assert fig['r2_within_clip'] == pytest.approx(0.75)
    assert fig['variance_ratio'] == pytest.approx(0.25)
    assert fig['frame_to_frame_ratio'] == pytest.approx(0.5)
    assert tool.main([str(tmp_path / 't'), f's={tmp_path / "s"}', '--json', str(tmp_path / 'm.json')]) == 0
    assert '| s | 70 |' in capsys.readouterr().out


def test_bad_inputs_name_the_folder(tmp_path):
    (tmp_path / 't').mkdir()
    (tmp_path / 's').mkdir()
    tool = _tool()
    with pytest.raises(FileNotFoundError, match='no .*emb.pkl'):
        tool.paired_frames(str(tmp_path / 't'), str(tmp_path / 's'))
    _write(tmp_path / 't', 'v0', range(5), np.zeros((5, 3)))
    with pytest.raises(FileNotFoundError, match='no video in common'):
        tool.paired_frames(str(tmp_path / 't'), str(tmp_path / 's'))
    _write(tmp_path / 's', 'v0', range(5), np.zeros((5, 4)))
    with pytest.raises(ValueError, match='4 features per frame'):
        tool.paired_frames(str(tmp_path / 't'), str(tmp_path / 's'))
