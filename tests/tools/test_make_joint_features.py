import os.path as osp
import runpy
import sys

import numpy as np

from vpd_mm.utils.vpd_files import load_embeddings, save_boxes, save_coco_keypoints


def test_tool_writes_and_skips(tmp_path, repo_root, capsys, monkeypatch):
    kp = np.zeros((17, 3), np.float32)
    kp[:, :2] = np.random.default_rng(0).uniform(0, 100, (17, 2))
    kp[:, 2] = 1
    for vid in ('a', 'b'):
        save_coco_keypoints(tmp_path / 'pose' / vid / 'coco_keypoints.json.gz', [(0, [(1.0, [0, 0, 100, 100], kp)]),
                                                                                 (1, [(1.0, [0, 0, 100, 100], kp)])])
        save_boxes(tmp_path / 'pose' / vid / 'boxes.json', [(0, [0, 0, 100, 100]), (1, [0, 0, 100, 100])])
    tool = osp.join(repo_root, 'tools', 'make_joint_features.py')
    out = str(tmp_path / 'feat')
    monkeypatch.setattr(sys, 'argv', [tool, str(tmp_path / 'pose'), '-o', out])
    runpy.run_path(tool, run_name='__main__')
    assert '2 written, 0 skipped' in capsys.readouterr().out
    assert load_embeddings(osp.join(out, 'a.emb.pkl'))[1][1].shape == (2, 39)
    runpy.run_path(tool, run_name='__main__')
    assert '0 written, 2 skipped' in capsys.readouterr().out
