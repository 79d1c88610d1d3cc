import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import pytest

from vpd_mm.crops import CropStore

TOOL = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'tools', 'extract_crops.py')


def load_tool():
    spec = importlib.util.spec_from_file_location('extract_crops_tool', TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_data(root, vids=('v0', 'v1'), n=6):
    (root / 'videos').mkdir()
    rng = np.random.default_rng(0)
    for vid in vids:
        w = cv2.VideoWriter(
            str(root / 'videos' / f'{vid}.avi'), cv2.VideoWriter_fourcc(*'FFV1'), 25, (64, 48))
        for t in range(n):
            w.write(rng.integers(0, 256, (48, 64, 3), dtype=np.uint8))
        w.release()
        (root / 'pose' / vid).mkdir(parents=True)
        boxes = [[t, [10.0 + t, 8.0, 20.0, 30.0]] for t in range(n) if t != 2]
        (root / 'pose' / vid / 'boxes.json').write_text(json.dumps(boxes))


def test_cli_writes_stores_resumes_and_reports_skips(tmp_path, capsys):
    make_data(tmp_path)
    (tmp_path / 'videos' / 'broken.avi').write_bytes(b'')
    (tmp_path / 'pose' / 'broken').mkdir()
    (tmp_path / 'pose' / 'broken' / 'boxes.json').write_text('[[0, [1, 1, 5, 5]]]')
    tool = load_tool()
    out = str(tmp_path / 'crops')
    argv = [
        str(tmp_path / 'videos'),
        str(tmp_path / 'pose'), '-o', out, '--crop-size', '32', '--save-prev', '--no-progress'
    ]
    assert tool.main(argv) == 3  # some finished, one skipped (vpd_mm.utils.exit_status.PARTIAL)
    index = json.load(open(osp.join(out, 'index.json')))
    assert {v: e['status'] for v, e in index['videos'].items()} == {'v0': 'done', 'v1': 'done', 'broken': 'skipped'}
    printed = capsys.readouterr().out
    assert '2 done (10 frames' in printed and '1 skipped' in printed and 'broken.avi' in printed
    store = CropStore(osp.join(out, 'v0'))
    assert store.frames.tolist() == [0, 1, 3, 4, 5] and store.has_prev
    assert store.meta['crop_size'] == 32 and store.meta['flow_cfg'] == dict(type='DISFlow', preset='medium')
    assert store.rgb(3).shape == (32, 32, 3) and store.flow(3).shape == (32, 32, 2)
    assert tool.main(argv + ['--resume']) == 3
    printed = capsys.readouterr().out
    assert '0 done (0 frames' in printed and '2 already finished, 1 skipped' in printed


def test_cli_png_format_and_video_list(tmp_path):
    make_data(tmp_path, vids=('v0', ))
    (tmp_path / 'list.txt').write_text('videos/v0.avi\n')
    tool = load_tool()
    tool.main([
        str(tmp_path / 'list.txt'),
        str(tmp_path / 'pose'), '-o',
        str(tmp_path / 'png'), '--format', 'png', '--crop-size', '16', '--dis-preset', 'fast', '--no-progress'
    ])
    assert osp.isfile(tmp_path / 'png' / 'v0' / '4.png') and osp.isfile(
        tmp_path / 'png' / 'v0' / '4.flow.png')
    assert CropStore(str(tmp_path / 'png' / 'v0')).meta['format'] == 'png'


def test_cli_raft_needs_weights(tmp_path):
    make_data(tmp_path, vids=('v0', ))
    tool = load_tool()
    base = [str(tmp_path / 'videos'), str(tmp_path / 'pose'), '-o', str(tmp_path / 'c'), '--flow', 'raft']
    with pytest.raises(SystemExit):
        tool.main(base)
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        tool.main(base + ['--raft-weights', str(tmp_path / 'nope.pth')])
    assert not osp.exists(tmp_path / 'c')  # nothing written before the flow config is validated
