import os.path as osp

from mmengine.config import Config

import vpd_mm  # noqa: F401
from vpd_mm.downstream.detection import run_detection
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset
from vpd_mm.utils.fileio import load_json

CONFIG = 'configs/detection/bigru-det_synthsport-mini_gt-joints.py'


def test_cross_validated_detection(tmp_path, repo_root):
    make_synthetic_feature_dataset(str(tmp_path / 'data'), videos_per_split=(3, 1, 2))
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[key].dataset.data_root = str(tmp_path / 'data')
        cfg[key].dataset.feature_dirs = ['features/synthetic']
    cfg.train_dataloader.batch_size = 4
    cfg.train_dataloader.dataset.pipeline[0].window = 30
    cfg.model.backbone.hidden_channels = 8
    cfg.model.head.in_channels = 16
    work = str(tmp_path / 'det')
    result = run_detection(cfg, work, folds=3, iters=3, progress=False)
    assert result['folds'] == 3 and len(result['single_model_mAP']) == 3
    assert result['num_test_videos'] == 2
    assert 15 <= result['mean_train_length'] < 20
    for t in ('0.3', '0.5', '0.7'):
        assert 0.0 <= result['ensemble'][f'AP@{t}'] <= 1.0
    assert load_json(osp.join(work, 'detection.json'))['ensemble'] == result['ensemble']
    assert osp.isfile(osp.join(work, 'fold2', 'test_activations.pkl'))
    assert '| ensemble |' in open(osp.join(work, 'detection.md')).read()
