import importlib.util
import json
import os
import os.path as osp
import pickle
import shutil

import numpy as np
import pytest

from vpd_mm.pose.pose_features import load_pose_sequence
from vpd_mm.teachers import save_random_checkpoint
from vpd_mm.teachers.random_init import random_teachers
from vpd_mm.tracking.synthetic import athlete_boxes, render_boxes_video
from vpd_mm.utils.fileio import atomic_write_json
from vpd_mm.utils.vpd_files import load_boxes, load_coco_keypoints, save_boxes, save_coco_keypoints

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
T = 24


def _tool(name):
    spec = importlib.util.spec_from_file_location(osp.basename(name), osp.join(REPO, 'tools', f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('extract_cli')
    videos = root / 'videos'
    videos.mkdir()
    gt = athlete_boxes(T)
    render_boxes_video(
        str(videos / 'gym.avi'),
        [[(gt[t], (0, 0, 255)), (np.array([270, 80, 310, 200.0]), (255, 0, 0))] for t in range(T)])
    render_boxes_video(str(videos / 'blank.avi'), [[] for _ in range(8)])
    (videos / 'empty.mp4').write_bytes(b'')
    (videos / 'broken.mp4').write_bytes(np.random.default_rng(0).integers(0, 256, 4000, np.uint8).tobytes())
    # a mini SynthSport root: GT boxes/joints of gym, frame info, element annotations
    ss = root / 'synthsport'
    xywh = [[b[0], b[1], b[2] - b[0], b[3] - b[1]] for b in gt]
    save_boxes(ss / 'pose' / 'gym' / 'boxes.json', list(enumerate(xywh)))
    kp = np.zeros((17, 3))
    kp[:, 2] = 1
    save_coco_keypoints(ss / 'pose' / 'gym' / 'coco_keypoints.json.gz',
                        [(f, [(1.0, xywh[f], kp + [xywh[f][0] + 10, xywh[f][1] + 20, 0])]) for f in range(T)])
    atomic_write_json(ss / 'pose' / 'gym' / 'meta.json', dict(fps=25, num_frames=T, width=320, height=240))
    save_boxes(ss / 'pose' / 'blank' / 'boxes.json', [(0, [1, 1, 5, 5])])
    atomic_write_json(ss / 'pose' / 'blank' / 'meta.json', dict(fps=25, num_frames=99, width=320, height=240))
    atomic_write_json(ss / 'gt' / 'gym' / 'frame_info.json',
                      dict(limb_speed=[0.0] * T, blur=[0.0] * T, inverted=[False] * T, occluded=[0] * T))
    atomic_write_json(ss / 'annotations' / 'elements.json',
                      [dict(id='gym_e00', video='gym', start=4, end=20, label=2)])
    atomic_write_json(ss / 'annotations' / 'splits.json', dict(train=['gym'], val=[], test=['blank']))
    atomic_write_json(ss / 'annotations' / 'fewshot.json', {'1': [['gym_e00']]})
    teachers = random_teachers(str(tmp_path_factory.getbasetemp() / 'vpd_random_teachers'))
    return dict(root=root, videos=str(videos), ss=str(ss), **teachers)


def _pose_args(data):
    return [
        '--pose-config', data['pose_config'], '--pose-checkpoint', data['pose_checkpoint'],
        '--pose-cfg-options', 'model.test_cfg.flip_test=False', '--no-progress', '--batch-size', '16'
    ]


def test_given_boxes_skips_resume_and_pickles(data, tmp_path, capsys):
    tool = _tool('extract_poses')
    out = str(tmp_path / 'out')
    args = [
        data['videos'], '-o', out, '--boxes-from',
        osp.join(data['ss'], 'pose'), '--annotations', data['ss']
    ] + _pose_args(data)
    assert tool.main(args) == 3  # one finished, three skipped (vpd_mm.utils.exit_status.PARTIAL)
    summary = json.loads(open(osp.join(out, 'extract_summary.json')).read())
    assert summary['finished'] == ['gym']
    assert sorted(summary['skipped']) == ['blank', 'broken', 'empty']
    reasons = {
        v: json.load(open(osp.join(out, 'pose', v, 'skipped.json')))['reason']
        for v in summary['skipped']
    }
    assert 'frame-count mismatch' in reasons['blank'] and 'blank.avi decodes to 8 frames' in reasons['blank']
    assert 'empty.mp4: video file is empty' in reasons['empty']
    assert 'broken.mp4' in reasons['broken']
    printed = capsys.readouterr().out
    assert '1 of 4 videos finished, 3 skipped, 0 failed' in printed and 'skipped broken:' in printed
    gym = osp.join(out, 'pose', 'gym')
    assert sorted(load_boxes(osp.join(gym, 'boxes.json'))) == list(range(T))
    assert json.load(open(osp.join(gym, 'meta.json')))['num_frames'] == T
    with open(osp.join(out, 'mmaction', 'stgcn_teacher2d.pkl'), 'rb') as f:
        el = pickle.load(f)
    assert el['split'] == {'train': ['gym_e00'], 'val': [], 'test': [], 'train_k1_s0': ['gym_e00']}
    assert el['annotations'][0]['keypoint'].shape == (1, 16, 17, 2)
    with open(osp.join(out, 'mmaction', 'pose_videos.pkl'), 'rb') as f:
        assert [a['frame_dir'] for a in pickle.load(f)['annotations']] == ['gym']

    # a second plain run refuses to mix results; --resume decodes nothing
    with pytest.raises(FileExistsError, match='--resume'):
        tool.main(args)
    assert tool.main(args + ['--resume']) == 3  # the skipped videos are still listed
    assert json.load(open(osp.join(out, 'extract_summary.json')))['processed_this_run'] == []
    # killed while writing gym: meta.json missing -> only gym is redone
    mtime = osp.getmtime(osp.join(out, 'pose', 'blank', 'skipped.json'))
    os.remove(osp.join(gym, 'meta.json'))
    assert tool.main(args + ['--resume']) == 3
    summary = json.load(open(osp.join(out, 'extract_summary.json')))
    assert summary['processed_this_run'] == ['gym'] and summary['finished'] == ['gym']
    assert osp.getmtime(osp.join(out, 'pose', 'blank', 'skipped.json')) == mtime
    # a video that was finished and is now skipped keeps no stale pose files
    save_boxes(osp.join(out, 'pose', 'blank', 'boxes.json'), [(0, [1, 1, 5, 5])])
    assert tool.main(args + ['--resume', '--retry-skipped']) == 3
    assert sorted(os.listdir(osp.join(out, 'pose', 'blank'))) == ['skipped.json']
    # other settings cannot resume into the same folder
    with pytest.raises(ValueError, match='other settings'):
        tool.main(args +
                  ['--resume', '--refine-iou', '0.5', '--pose-cfg-options', 'model.test_cfg.flip_test=True'])


@pytest.fixture(scope='module')
def random_yolox(tmp_path_factory):
    """Any mmdet config works: a randomly initialised official YOLOX-nano (small input for speed)."""
    return save_random_checkpoint(
        'mmdet::yolox/yolox_nano_8xb8-300e_coco.py',
        str(tmp_path_factory.mktemp('det')),
        cfg_options={
            'test_dataloader.dataset.pipeline.1.scale': (128, 128),
            'model.test_cfg.score_thr': 0.0
        })


def _det_args(det):
    # random weights score every box ~1e-4: accept all detections and let the tracker link anything
    return [
        '--det-config', det[0], '--det-checkpoint', det[1], '--det-score-thr', '0', '--pose-score-thr', '0',
        '--max-people', '3', '--det-interval', '2', '--tracker-options', 'high_thr=0', 'low_thr=0',
        'max_center_dist=5', '--selector-options', 'weights.size=2', 'max_gap=4'
    ]


def test_detection_with_random_official_detector_and_eval(data, random_yolox, tmp_path, capsys):
    det_cfg, _ = random_yolox
    out = str(tmp_path / 'out')
    lst = tmp_path / 'list.txt'
    lst.write_text(osp.join(data['videos'], 'gym.avi') + '\n')
    args = [str(lst), '-o', out] + _det_args(random_yolox) + ['--eval-gt', data['ss']] + _pose_args(data)
    assert _tool('extract_poses').main(args) == 0
    gym = osp.join(out, 'pose', 'gym')
    meta = json.load(open(osp.join(gym, 'meta.json')))
    assert meta['source'] == 'detector' and meta['det_frames'] == T // 2 and meta['athlete_frames'] > 0
    assert meta['teacher']['person_finder']['config']['path'] == osp.abspath(det_cfg)
    settings = json.load(open(osp.join(out, 'extract_settings.json')))['teacher']
    assert settings['athlete_selector']['weights'] == {
        'size': 2
    } and settings['tracker']['max_center_dist'] == 5
    boxes = load_boxes(osp.join(gym, 'boxes.json'))
    kps = load_coco_keypoints(osp.join(gym, 'coco_keypoints.json.gz'))
    assert sorted(kps) == list(range(T)) and all(len(p) <= 4 for p in kps.values())
    assert set(boxes) <= set(range(T))
    frames, poses = load_pose_sequence(gym)
    assert frames.tolist() == sorted(boxes) and np.isfinite(poses).all()
    ev = json.load(open(osp.join(out, 'teacher_eval.json')))
    assert ev['overall']['frames'] == T and 0 <= ev['overall']['tracking']['mean_iou'] <= 1
    assert '| tracking | mean IoU |' in capsys.readouterr().out

    with pytest.raises(ValueError, match='every track would die'):
        _tool('extract_poses').main(args + ['--det-interval', '20', '--overwrite'])

    # the standalone evaluation tool gives the same numbers
    assert _tool('analysis/eval_teacher').main([out, '--gt', data['ss'], '-o', str(tmp_path / 'ev.json')]) == 0
    assert json.load(open(tmp_path / 'ev.json'))['overall'] == ev['overall']


def _tree(root):
    """``{relative path: bytes}`` of every file under ``root``."""
    out = {}
    for d, _, names in os.walk(root):
        for name in names:
            with open(osp.join(d, name), 'rb') as f:
                out[osp.relpath(osp.join(d, name), root)] = f.read()
    return out


def _run_twice(tool, args, tmp_path, name):
    """Run with --workers 1 and 2; return both output folders' files (pose/ and the PoseDataset).

    Workers compute with one thread each; the one-process run does too here, since float sums (and
    so the last bits of boxes and keypoints) depend on how many threads share them.
    """
    import torch
    trees = []
    threads = torch.get_num_threads()
    for workers in (1, 2):
        out = tmp_path / f'{name}{workers}'
        torch.set_num_threads(1)
        try:
            tool.main(args + ['-o', str(out), '--workers', str(workers)])
        finally:
            torch.set_num_threads(threads)
        summary = json.load(open(out / 'extract_summary.json'))
        assert summary['processed_this_run'] == ['blank', 'broken', 'empty', 'gym', 'gym2']
        assert list(summary['skipped']) == sorted(summary['skipped']) and summary['failed'] == {}
        assert not osp.exists(out / '.extract.lock')
        trees.append(_tree(out / 'pose'))
        if summary['finished']:
            trees[-1]['pose_videos.pkl'] = (out / 'mmaction' / 'pose_videos.pkl').read_bytes()
    return trees


def test_workers_write_the_same_files(data, random_yolox, tmp_path):
    # two good videos (gym and a copy) and three bad ones, with given boxes and with the randomly
    # initialised detector: --workers 2 must write exactly the files of --workers 1
    videos, boxes = tmp_path / 'videos', tmp_path / 'boxes'
    videos.mkdir()
    for name in ('gym.avi', 'blank.avi', 'empty.mp4', 'broken.mp4'):
        os.symlink(osp.join(data['videos'], name), videos / name)
    os.symlink(osp.join(data['videos'], 'gym.avi'), videos / 'gym2.avi')
    shutil.copytree(osp.join(data['ss'], 'pose'), boxes)
    shutil.copytree(boxes / 'gym', boxes / 'gym2')
    tool = _tool('extract_poses')
    for name, extra in (('det', _det_args(random_yolox)), ('boxes', ['--boxes-from', str(boxes)])):
        one, two = _run_twice(tool, [str(videos)] + extra + _pose_args(data), tmp_path, name)
        assert sorted(one) == sorted(two) and 'gym/coco_keypoints.json.gz' in one
        assert [p for p in one if one[p] != two[p]] == []
    assert sorted(p for p in two if p.endswith('meta.json')) == ['gym/meta.json', 'gym2/meta.json']
    assert two['gym/boxes.json'] == two['gym2/boxes.json']

    # with workers: a resume that retries the skipped videos and redoes a killed one
    out = tmp_path / 'boxes2'
    os.remove(out / 'pose' / 'gym2' / 'meta.json')
    args = [str(videos), '-o', str(out), '--boxes-from', str(boxes), '--workers', '2'] + _pose_args(data)
    assert tool.main(args + ['--resume', '--retry-skipped']) == 3
    summary = json.load(open(out / 'extract_summary.json'))
    assert summary['processed_this_run'] == ['blank', 'broken', 'empty', 'gym2']
    assert summary['finished'] == ['gym', 'gym2']
    assert sorted(summary['skipped']) == ['blank', 'broken', 'empty']
    assert _tree(out / 'pose') == {p: b for p, b in two.items() if p != 'pose_videos.pkl'}
