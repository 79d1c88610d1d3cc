import os.path as osp

from mmengine.config import Config

import vpd_mm  # noqa: F401
from vpd_mm.downstream.detection import run_detection
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset
from vpd_mm.utils.fileio import load_json

CONFIG = 'configs/detection/bigru-det_synthsport-mini_gt-joints.py'


def _tiny_config(tmp_path, repo_root):
    make_synthetic_feature_dataset(str(tmp_path / 'data'), videos_per_split=(2, 1, 2))
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = str(tmp_path / 'data')
        cfg[key].dataset.feature_dirs = ['features/synthetic']
    cfg.train_dataloader.batch_size = 4
    cfg.train_dataloader.dataset.pipeline[0].window = 30
    cfg.model.backbone.hidden_channels = 8
    cfg.model.head.in_channels = 16
    return cfg


def test_cross_validated_detection(tmp_path, repo_root):
    cfg = _tiny_config(tmp_path, repo_root)
    work = str(tmp_path / 'det')
    result = run_detection(cfg, work, folds=2, iters=3, progress=False)
    assert result['folds'] == 2 and len(result['single_model_mAP']) == 2
    assert result['num_test_videos'] == 2
    assert 15 <= result['mean_train_length'] < 20
    for t in ('0.3', '0.5', '0.7'):
        assert 0.0 <= result['ensemble'][f'AP@{t}'] <= 1.0
    assert load_json(osp.join(work, 'detection.json'))['ensemble'] == result['ensemble']
    assert osp.isfile(osp.join(work, 'fold1', 'test_activations.pkl'))
    assert '| ensemble |' in open(osp.join(work, 'detection.md')).read()


def test_detection_folds_in_worker_processes_resume(tmp_path, repo_root):
    """Folds train in spawned workers; a rerun reuses the cached folds and gives the same result."""
    import os
    cfg = _tiny_config(tmp_path, repo_root)
    work = str(tmp_path / 'det')
    result = run_detection(cfg, work, folds=2, iters=3, progress=False, workers=2)
    assert result['folds'] == 2 and len(result['single_model_mAP']) == 2
    caches = [osp.join(work, f'fold{i}', 'test_activations.pkl') for i in range(2)]
    mtimes = [os.stat(c).st_mtime_ns for c in caches]
    again = run_detection(cfg, work, folds=2, iters=3, progress=False, workers=2)
    assert [os.stat(c).st_mtime_ns for c in caches] == mtimes  # nothing retrained
    assert again['ensemble'] == result['ensemble']


def test_bad_test_split_fails_every_fold_before_training(tmp_path, repo_root):
    """A broken test split is reported per fold, naming the file, before any fold trains."""
    import os

    import pytest
    cfg = _tiny_config(tmp_path, repo_root)
    test_video = load_json(str(tmp_path / 'data' / 'annotations' / 'splits.json'))['test'][0]
    os.remove(str(tmp_path / 'data' / 'features' / 'synthetic' / f'{test_video}.emb.pkl'))
    work = str(tmp_path / 'det')
    with pytest.raises(RuntimeError) as info:
        run_detection(cfg, work, folds=2, iters=3, progress=False)
    msg = str(info.value)
    assert msg.startswith(f'2 detection folds failed (the finished ones are kept in {work};')
    assert f"fold0: FileNotFoundError: video '{test_video}': no feature file" in msg and 'fold1:' in msg
    assert not osp.exists(osp.join(work, 'fold0', 'last_checkpoint'))  # failed before training


def _det_dataset(root, **kw):
    from mmaction.registry import DATASETS
    return DATASETS.build(
        dict(
            type='FeatureVideoDataset',
            data_root=str(root),
            ann_file='annotations/elements.json',
            feature_dirs='features/synthetic',
            split_file='annotations/splits.json',
            **kw))


def test_detection_data_bad_inputs_name_the_item(tmp_path):
    """Detection data: missing feature file, interval outside the video, empty file, NaNs -> clear errors."""
    import pickle

    import numpy as np
    import pytest

    from vpd_mm.utils.fileio import atomic_write_json
    from vpd_mm.utils.vpd_files import load_embeddings
    info = make_synthetic_feature_dataset(str(tmp_path), videos_per_split=(2, 1, 1), dim=4)
    vid = info['splits']['test'][0]
    path = osp.join(info['feature_dir'], vid + '.emb.pkl')
    records = load_embeddings(path)
    # NaN features: the file and the frame are named
    bad = [(f, e.copy(), m) for f, e, m in records]
    bad[7][1][0, 2] = np.nan
    with open(path, 'wb') as f:
        pickle.dump(bad, f)
    with pytest.raises(ValueError, match=rf'{vid}.emb.pkl: frame 7 has NaN'):
        _det_dataset(tmp_path, split='test')
    # empty feature file (no frames)
    with open(path, 'wb') as f:
        pickle.dump([], f)
    with pytest.raises(ValueError, match=rf'{vid}.emb.pkl: embedding file holds no frames'):
        _det_dataset(tmp_path, split='test')
    # missing feature file for an annotated video: the video is named
    import os
    os.remove(path)
    with pytest.raises(FileNotFoundError, match=rf"video '{vid}': no feature file"):
        _det_dataset(tmp_path, split='test')
    _det_dataset(tmp_path, split='train')  # other splits do not need it
    with open(path, 'wb') as f:
        pickle.dump(records, f)
    # an action interval outside the video: the action and the video are named
    els = [dict(e) for e in info['elements']]
    el = [e for e in els if e['video'] == vid][-1]
    el['end'] = len(records) + 40
    atomic_write_json(osp.join(str(tmp_path), 'annotations', 'elements.json'), els)
    with pytest.raises(
            ValueError, match=rf"action {el['id']} \(video {vid}\): interval .* outside the video"):
        _det_dataset(tmp_path, split='test')


def test_cross_validated_detection_sees_every_video_once_with_intervals(tmp_path, repo_root):
    import os
    cfg = _tiny_config(tmp_path, repo_root)  # 5 videos: 2 train, 1 val, 2 test
    work = str(tmp_path / 'cv')
    result = run_detection(cfg, work, folds=3, iters=3, progress=False, cross_validate=True, bootstrap=50)
    assert result['mode'] == 'cross-validated' and result['num_test_videos'] == 5
    assert result['num_actions'] == 15 and sorted(v for f in result['fold_videos'] for v in f) == [
        f'v{i:03d}' for i in range(5)]
    for key, (lo, hi) in result['intervals'].items():
        assert 0.0 <= lo <= hi <= 1.0, key
    assert '| cross-validated |' in open(osp.join(work, 'detection.md')).read()
    caches = [osp.join(work, f'fold{i}', 'cv_activations.pkl') for i in range(3)]
    mtimes = [os.stat(c).st_mtime_ns for c in caches]
    again = run_detection(cfg, work, folds=3, iters=3, progress=False, cross_validate=True, bootstrap=50)
    assert [os.stat(c).st_mtime_ns for c in caches] == mtimes and again['intervals'] == result['intervals']
