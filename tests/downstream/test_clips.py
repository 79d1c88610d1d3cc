"""The clips section of unlabelled jobs: per-clip figures, overlays, report."""
import importlib.util
import json
import os.path as osp

import numpy as np
import pytest

from vpd_mm.downstream.clips import clips_markdown, clips_report
from vpd_mm.downstream.report import build_report
from vpd_mm.tracking.synthetic import athlete_boxes, render_boxes_video
from vpd_mm.utils.fileio import atomic_write_json
from vpd_mm.utils.vpd_files import save_boxes, save_coco_keypoints, save_embeddings

T = 20


def _pose_files(root, vid, frames, score):
    gt = athlete_boxes(T)
    people = []
    for f in range(T):
        if f not in frames:
            people.append((f, []))
            continue
        x1, y1, x2, y2 = gt[f]
        kp = np.zeros((17, 3), np.float32)
        kp[:, 0], kp[:, 1], kp[:, 2] = (x1 + x2) / 2, np.linspace(y1, y2, 17), score
        people.append((f, [(0.9, [x1, y1, x2 - x1, y2 - y1], kp)]))
    d = osp.join(root, vid)
    save_boxes(osp.join(d, 'boxes.json'), [(f, [gt[f][0], gt[f][1], gt[f][2] - gt[f][0], gt[f][3] - gt[f][1]])
                                           for f in frames])
    save_coco_keypoints(osp.join(d, 'coco_keypoints.json.gz'), people)
    atomic_write_json(osp.join(d, 'meta.json'), dict(num_frames=T, width=320, height=240, fps=25.0, filled_frames=2))


def test_clips_report_figures_and_section(tmp_path):
    gt = athlete_boxes(T)
    videos = []
    for vid in ('a', 'b'):
        path = str(tmp_path / f'{vid}.avi')
        render_boxes_video(path, [[(gt[t], (0, 0, 255))] for t in range(T)])
        videos.append((vid, path))
    pose = tmp_path / 'pose'
    _pose_files(str(pose), 'a', list(range(T)), 0.9)
    _pose_files(str(pose), 'b', list(range(10)), 0.3)
    feats = tmp_path / 'feats'
    save_embeddings(str(feats / 'a.emb.pkl'), [(f, np.ones((2, 4)), {}) for f in range(T)])
    videos.append(('c', str(tmp_path / 'c.avi')))
    atomic_write_json(str(pose / 'c' / 'skipped.json'), dict(reason='c.avi: no person detected'))

    res = clips_report(videos, str(pose), str(tmp_path / 'out'), dict(student=str(feats)), overlays=3)
    a, b, c = res['clips']
    assert (a['athlete_frames'], a['found'], a['unsure_frames'], a['features']) == (T, 1.0, 0, dict(student=T))
    assert (b['athlete_frames'], b['found'], b['unsure_frames'], b['features']) == (10, 0.5, 10, dict(student=0))
    assert a['mean_kp_score'] == pytest.approx(0.9) and a['bridged_frames'] == 2
    assert c == dict(video='c', skipped='c.avi: no person detected')
    assert osp.getsize(res['plot']) > 10_000
    assert json.loads((tmp_path / 'out' / 'clips.json').read_text())['task'] == 'clips'
    md = clips_markdown(res)
    assert '| a | 320x240 | 20 | 100.0 % | 2 | 0.90 | 0 | 20 |' in md and '| c | skipped: c.avi' in md
    paths = build_report([str(tmp_path / 'out')], str(tmp_path / 'report' / 'r'), 'clips')
    page = open(paths['html']).read()
    assert 'Clips: what the teacher extracted' in page and 'data:image/png;base64' in page


def test_clip_report_tool(tmp_path, capsys):
    gt = athlete_boxes(T)
    render_boxes_video(str(tmp_path / 'a.avi'), [[(gt[t], (0, 0, 255))] for t in range(T)])
    _pose_files(str(tmp_path / 'pose'), 'a', list(range(T)), 0.8)
    spec = importlib.util.spec_from_file_location(
        'clip_report', osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools', 'clip_report.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main([str(tmp_path / 'a.avi'), str(tmp_path / 'pose'), '-o', str(tmp_path / 'out')]) == 0
    assert '| a | 320x240 | 20 | 100.0 % |' in capsys.readouterr().out
