"""Bad poses, features, annotations, splits and crop stores: each is refused with a message naming the
file (and the frame, action or line) and what is wrong."""
import json
import os
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from reliability_helpers import REPO, output, random_pose, run_tool, write_pose_dir

import vpd_mm  # noqa: F401  (registers the components)
from vpd_mm.datasets.synthetic_crop_store import write_synthetic_crop_video, write_synthetic_teacher
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset
from vpd_mm.utils.fileio import atomic_write_json, load_json
from vpd_mm.utils.vpd_files import save_boxes

RECOGNITION = osp.join(REPO, 'configs', 'recognition', 'bigru_synthsport-mini_gt-joints.py')


# --------------------------------------------------------------------------------------- poses
def test_all_nan_keypoints(tmp_path):
    """The joint features stop at the bad video, naming its keypoint file and first frame; the videos
    before it are written (the tool resumes past them)."""
    root = tmp_path / 'pose'
    write_pose_dir(str(root), 'a_good', random_pose(5))
    write_pose_dir(str(root), 'b_nan', np.full((5, 17, 3), np.nan))
    proc = run_tool('make_joint_features.py', root, '-o', tmp_path / 'feat')
    assert proc.returncode != 0
    assert f'{root}/b_nan/coco_keypoints.json.gz: frame 0 has NaN/inf keypoints' in output(proc)
    assert sorted(os.listdir(tmp_path / 'feat')) == ['a_good.emb.pkl']


@pytest.fixture
def crops_and_video(tmp_path, clips):
    return tmp_path, clips['clip3']


def test_pose_file_longer_than_video(crops_and_video):
    """Boxes beyond the last frame: the video is skipped with a frame-count mismatch naming both files."""
    tmp, video = crops_and_video
    save_boxes(tmp / 'pose' / 'clip3' / 'boxes.json', [(f, [100, 60, 60, 120]) for f in range(60)])
    proc = run_tool('extract_crops.py', video, tmp / 'pose', '-o', tmp / 'crops', '--crop-size', 32,
                    '--no-progress')
    reason = json.load(open(tmp / 'crops' / 'clip3' / 'skipped.json'))['reason']
    assert 'frame-count mismatch' in reason and 'boxes.json' in reason and 'clip3.mp4' in reason
    assert not osp.exists(tmp / 'crops' / 'clip3' / 'meta.json')
    assert 'skipped clip3' in output(proc)


def test_pose_file_shorter_than_video(crops_and_video):
    """Boxes for the first 20 of 48 frames only: crops for those 20 (the frames without a box have none)."""
    tmp, video = crops_and_video
    save_boxes(tmp / 'pose' / 'clip3' / 'boxes.json', [(f, [100, 60, 60, 120]) for f in range(20)])
    proc = run_tool('extract_crops.py', video, tmp / 'pose', '-o', tmp / 'crops', '--crop-size', 32,
                    '--no-progress')
    assert proc.returncode == 0, output(proc)
    meta = json.load(open(tmp / 'crops' / 'clip3' / 'meta.json'))
    assert (meta['num_rows'], meta['num_frames']) == (20, 48)
    assert np.load(tmp / 'crops' / 'clip3' / 'frames.npy').tolist() == list(range(20))


def test_pose_meta_frame_count_mismatch(crops_and_video):
    """The pose files say the video has 50 frames, it decodes to 48: skipped, naming both numbers."""
    tmp, video = crops_and_video
    save_boxes(tmp / 'pose' / 'clip3' / 'boxes.json', [(f, [100, 60, 60, 120]) for f in range(20)])
    atomic_write_json(tmp / 'pose' / 'clip3' / 'meta.json', dict(num_frames=50, fps=25.0))
    run_tool('extract_crops.py', video, tmp / 'pose', '-o', tmp / 'crops', '--crop-size', 32, '--no-progress')
    reason = json.load(open(tmp / 'crops' / 'clip3' / 'skipped.json'))['reason']
    assert 'frame-count mismatch' in reason and 'decoded 48 frames' in reason and 'says 50' in reason


def test_duplicate_video_ids(tmp_path, clips):
    """Two files that would write the same ``<vid>/`` folder: refused before any work, naming both."""
    videos = tmp_path / 'videos'
    videos.mkdir()
    os.symlink(clips['clip0'], videos / 'same.mp4')
    os.symlink(clips['clip1'], videos / 'same.avi')
    proc = run_tool('extract_poses.py', videos, '-o', tmp_path / 'out', '--no-progress')
    assert proc.returncode != 0
    assert "two videos share the id 'same'" in output(proc) and 'same.mp4' in output(proc)
    assert not osp.exists(tmp_path / 'out' / 'pose' / 'same')
    from vpd_mm.crops import find_videos  # the crops stage lists its videos the same way
    with pytest.raises(ValueError, match="two videos share the id 'same'"):
        find_videos(str(videos))


# ------------------------------------------------------------------------------------ features
@pytest.fixture
def features(tmp_path):
    """A synthetic feature dataset (3 classes, 6-d features) in the SynthSport layout."""
    root = str(tmp_path / 'data')
    make_synthetic_feature_dataset(root)
    return root


def _dataset(root, **kw):
    from mmaction.registry import DATASETS
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    cfg = dict(type='FeatureSequenceDataset', data_root=root, ann_file='annotations/elements.json',
               feature_dirs=['features/synthetic'], split_file='annotations/splits.json', split='train',
               dataset_info_file='dataset.json', pipeline=[dict(type='PackFeatureInputs')])
    cfg.update(kw)
    return DATASETS.build(cfg)


def test_feature_file_of_wrong_dimension(features, tmp_path):
    """6-d features, a config written for 39-d joints: training stops at the first batch, naming the
    action, its video and the config key."""
    cfg = tmp_path / 'wrong_dim.py'
    cfg.write_text(f"""_base_ = [{RECOGNITION!r}]
data_root = {features!r}
train_dataloader = dict(batch_size=4, dataset=dict(data_root=data_root, feature_dirs=['features/synthetic']))
val_dataloader = dict(dataset=dict(data_root=data_root, feature_dirs=['features/synthetic']))
test_dataloader = val_dataloader
model = dict(cls_head=dict(num_classes=3))
train_cfg = dict(max_epochs=1)
""")
    proc = run_tool('train.py', cfg, '--work-dir', tmp_path / 'work')
    assert proc.returncode != 0
    assert "features have 6 values per frame but the config's model.backbone.in_channels is 39" in output(proc)
    assert 'action ' in output(proc) and '(video v00' in output(proc)


def test_annotation_naming_unknown_class(features):
    elements = load_json(osp.join(features, 'annotations', 'elements.json'))
    elements[2]['label'] = 7
    atomic_write_json(osp.join(features, 'annotations', 'elements.json'), elements)
    with pytest.raises(ValueError, match=r'elements\.json: action 2 \(video v000\) has unknown class label 7; '
                       r'3 classes known'):
        _dataset(features)


def test_duplicate_action_ids(features):
    elements = load_json(osp.join(features, 'annotations', 'elements.json'))
    elements[4]['id'] = elements[1]['id']
    atomic_write_json(osp.join(features, 'annotations', 'elements.json'), elements)
    with pytest.raises(ValueError, match=r"elements\.json: actions #1 and #4 share the id 1"):
        _dataset(features)


def test_split_listing_a_missing_clip(features):
    splits = load_json(osp.join(features, 'annotations', 'splits.json'))
    splits['train'].append('v999')
    atomic_write_json(osp.join(features, 'annotations', 'splits.json'), splits)
    with pytest.raises(ValueError, match=r"splits\.json: split 'train' lists 1 video\(s\) with no action in "
                       r".*elements\.json, e\.g\. \['v999'\]"):
        _dataset(features)


def test_annotated_clip_without_feature_file(features):
    os.remove(osp.join(features, 'features', 'synthetic', 'v001.emb.pkl'))
    with pytest.raises(FileNotFoundError, match=r"video 'v001': no feature file.*needed by annotated actions"):
        _dataset(features)


def test_nan_in_feature_file(features):
    """A feature file with a non-finite value is refused when read, naming the file and the frame."""
    import pickle
    path = osp.join(features, 'features', 'synthetic', 'v000.emb.pkl')
    records = pickle.load(open(path, 'rb'))
    records[3][1][0, 0] = np.nan
    pickle.dump(records, open(path, 'wb'))
    with pytest.raises(ValueError, match=rf'{path}: frame {records[3][0]} has NaN/inf features'):
        _dataset(features)


# --------------------------------------------------------------------------------------- crops
@pytest.fixture
def crop_root(tmp_path):
    """Two finished synthetic crop videos and their teacher features."""
    for i, vid in enumerate(('a', 'b')):
        write_synthetic_crop_video(str(tmp_path / 'crops' / vid), np.arange(12), size=16, seed=i)
        write_synthetic_teacher(str(tmp_path / 'teacher' / f'{vid}.emb.pkl'), np.arange(12), dim=4)
    return tmp_path


def _read_all(root):
    from mmaction.registry import DATASETS
    from mmengine.registry import init_default_scope
    init_default_scope('mmaction')
    ds = DATASETS.build(dict(type='FlowAugmentedCropDataset', crop_root=str(root / 'crops'),
                             teacher_dirs=[str(root / 'teacher')], split='all', min_kp_score=0,
                             pipeline=[dict(type='LoadFlowCrop', with_flow=True)]))
    return [ds[i] for i in range(len(ds))]


def test_crop_store_reads_when_intact(crop_root):
    assert len(_read_all(crop_root)) == 2 * 11  # frame 0 of each video has no previous frame


def test_missing_crop_shard(crop_root):
    os.remove(crop_root / 'crops' / 'b' / 'rgb.npy')
    with pytest.raises(ValueError, match=r'crops/b/rgb\.npy: missing crop store file'):
        _read_all(crop_root)


def test_corrupted_crop_shard(crop_root):
    path = crop_root / 'crops' / 'b' / 'rgb.npy'
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])  # cut off, as by a failed copy
    with pytest.raises(ValueError, match=r'crops/b/rgb\.npy: truncated or corrupt crop store file'):
        _read_all(crop_root)


def test_flow_and_rgb_of_different_lengths(crop_root):
    path = crop_root / 'crops' / 'a' / 'flow.npy'
    np.save(path, np.load(path)[:7])
    with pytest.raises(ValueError, match=r'crops/a/flow\.npy: expected uint8 \(12, 16, 16, 2\), got uint8 '
                       r'\(7, 16, 16, 2\)'):
        _read_all(crop_root)


def test_unfinished_crop_video_is_not_read(crop_root):
    """A video whose extraction was killed (no meta.json) is left out of the dataset, not read half-written."""
    os.remove(crop_root / 'crops' / 'b' / 'meta.json')
    assert len(_read_all(crop_root)) == 11


# ------------------------------------------------------------------------------------- configs
def test_config_key_typo_in_cfg_options(tmp_path):
    """``tools/train.py`` (and ``tools/test.py``) refuse a mistyped override before anything is written."""
    proc = run_tool('train.py', RECOGNITION, '--work-dir', tmp_path / 'w', '--cfg-options', 'train_cfg.max_epoch=1')
    assert proc.returncode != 0
    assert ("error: --cfg-options: unknown config key 'train_cfg.max_epoch': train_cfg has no 'max_epoch'; "
            "did you mean 'train_cfg.max_epochs'?") in output(proc), output(proc)[-2000:]
    assert not osp.exists(tmp_path / 'w')


def test_config_key_typo_in_nested_cfg_options():
    from vpd_mm.utils.config_check import ConfigKeyError, check_config
    with pytest.raises(ConfigKeyError, match="unknown config key 'model.backbone.hiden_channels': model.backbone "
                       "has no 'hiden_channels'; did you mean 'model.backbone.hidden_channels'"):
        check_config(Config.fromfile(RECOGNITION), 'cfg', {'model.backbone.hiden_channels': 8})


def test_config_key_typo_in_config_file(tmp_path):
    from vpd_mm.utils.config_check import ConfigKeyError, check_config
    cfg = tmp_path / 'typo.py'
    cfg.write_text(f"_base_ = [{RECOGNITION!r}]\noptim_wraper = dict(optimizer=dict(lr=0.1))\n")
    with pytest.raises(ConfigKeyError, match=f"{cfg}: unknown config key 'optim_wraper': not a Runner setting; "
                       "did you mean 'optim_wrapper'"):
        check_config(Config.fromfile(str(cfg)), str(cfg))


def test_config_key_typo_in_component_arguments():
    from vpd_mm.utils.config_check import ConfigKeyError, check_config
    cfg = Config.fromfile(RECOGNITION)
    cfg.model.cls_head.dropuot = 0.1
    with pytest.raises(ConfigKeyError, match="unknown config key 'model.cls_head.dropuot': BiGRUHead has no "
                       "argument 'dropuot'; did you mean 'model.cls_head.dropout'"):
        check_config(cfg, 'cfg')


def test_every_shipped_config_passes_the_key_check():
    """No false alarms: the check accepts every config in configs/."""
    from vpd_mm.utils.config_check import check_config
    bad = []
    for d, _, names in os.walk(osp.join(REPO, 'configs')):
        for name in sorted(names):
            if name.endswith('.py') and not d.endswith('_base_'):
                path = osp.join(d, name)
                try:
                    check_config(Config.fromfile(path), path)
                except KeyError as e:
                    bad.append(str(e))
    assert not bad, bad
