import json
import os.path as osp

import numpy as np
import pytest
from mmengine.registry import init_default_scope

import vpd_mm  # noqa: F401
from mmaction.registry import DATASETS
from vpd_mm.datasets.flow_augmented_crop_dataset import frame_split_hash
from vpd_mm.datasets.synthetic_crop_store import write_synthetic_crop_video, write_synthetic_teacher
from vpd_mm.utils.vpd_files import load_embeddings

init_default_scope('mmaction')
FRAMES = np.arange(40)


def make_store(root,
               videos=('a', 'b'),
               frames=FRAMES,
               teacher_frames=None,
               scores=None,
               prev_step=1,
               dim=6,
               teacher='teacher'):
    for i, vid in enumerate(videos):
        write_synthetic_crop_video(osp.join(root, 'crops', vid), frames, size=16, prev_step=prev_step, seed=i)
        tf = frames if teacher_frames is None else teacher_frames
        write_synthetic_teacher(
            osp.join(root, teacher, f'{vid}.emb.pkl'),
            tf,
            dim=dim,
            seed=i,
            kp_score=None if scores is None else scores(tf))
    return osp.join(root, 'crops'), osp.join(root, teacher)


def build(crop_root, teacher_dirs, **kw):
    return DATASETS.build(
        dict(type='FlowAugmentedCropDataset', crop_root=crop_root, teacher_dirs=teacher_dirs, **kw))


def test_gate_keeps_confident_frames_with_a_previous_teacher_frame(tmp_path):
    # kp_score = 0 on odd frames: frame t passes only when even, and needs t - 2 (prev_step=2)
    crops, teacher = make_store(tmp_path, scores=lambda f: (f % 2 == 0).astype(float), prev_step=2)
    ds = build(crops, [teacher], split='all', min_kp_score=0.5)
    frames = sorted(
        ds.get_data_info(i)['frame'] for i in range(len(ds)) if ds.get_data_info(i)['video'] == 'a')
    assert frames == list(range(2, 40, 2))  # 0 has no t - 2
    assert ds.stats == dict(crop_frames=80, no_teacher=0, no_crop=0, low_score=40, no_prev=2, kept=38)
    # targets are the teacher's rows of t and t - prev_step
    records = {f: e for f, e, _ in load_embeddings(osp.join(teacher, 'a.emb.pkl'))}
    info = next(ds.get_data_info(i) for i in range(len(ds)) if ds.get_data_info(i)['frame'] == 10)
    assert info['video'] == 'a' and info['frame'] == 10 and info['prev_frame'] == 8
    np.testing.assert_array_equal(info['target'], records[10])
    np.testing.assert_array_equal(info['prev_target'], records[8])
    assert ds.embedding_dim == 6 and info['target'].shape == (2, 6)


def test_prev_step_is_read_from_meta_and_can_be_overridden(tmp_path):
    crops, teacher = make_store(tmp_path, prev_step=3)
    assert build(crops, [teacher], split='all').num_frames == 2 * 37
    assert build(crops, [teacher], split='all', prev_step=1).num_frames == 2 * 39


def test_frame_split_is_deterministic_disjoint_and_complete(tmp_path):
    crops, teacher = make_store(tmp_path, videos=('a', 'b', 'c'), frames=np.arange(200))
    items = {}
    for split in ('train', 'val', 'all'):
        ds = build(crops, [teacher], split=split, val_fraction=0.2)
        items[split] = {(ds.get_data_info(i)['video'], ds.get_data_info(i)['frame']) for i in range(len(ds))}
    assert not items['train'] & items['val']
    assert items['train'] | items['val'] == items['all']
    assert 0.12 < len(items['val']) / len(items['all']) < 0.28
    again = build(crops, [teacher], split='val', val_fraction=0.2)
    assert {(again.get_data_info(i)['video'], again.get_data_info(i)['frame'])
            for i in range(len(again))} == items['val']
    u = frame_split_hash('x', np.arange(20000))
    assert 0 <= u.min() and u.max() < 1 and abs((u < 0.2).mean() - 0.2) < 0.02


def test_video_split_holds_out_whole_videos(tmp_path):
    vids = tuple(f'v{i}' for i in range(10))
    crops, teacher = make_store(tmp_path, videos=vids, frames=np.arange(5))
    val = build(crops, [teacher], split='val', split_by='video', val_fraction=0.3)
    train = build(crops, [teacher], split='train', split_by='video', val_fraction=0.3)
    val_videos = {val.get_data_info(i)['video'] for i in range(len(val))}
    train_videos = {train.get_data_info(i)['video'] for i in range(len(train))}
    assert val_videos and train_videos and not val_videos & train_videos
    assert val_videos | train_videos == set(vids)


def test_concat_teachers_concatenate_features_on_common_frames(tmp_path):
    crops, t1 = make_store(tmp_path, dim=4, teacher='t1')
    write_synthetic_teacher(osp.join(tmp_path, 't2', 'a.emb.pkl'), np.arange(10, 40), dim=3, seed=5)
    write_synthetic_teacher(osp.join(tmp_path, 't2', 'b.emb.pkl'), np.arange(40), dim=3, seed=6)
    ds = build(crops, [t1, osp.join(tmp_path, 't2')], split='all')
    assert ds.embedding_dim == 7
    info = ds.get_data_info(0)
    assert info['video'] == 'a' and info['frame'] == 11  # t2 starts at 10, 10 has no t - 1
    t2 = {f: e for f, e, _ in load_embeddings(osp.join(tmp_path, 't2', 'a.emb.pkl'))}
    np.testing.assert_array_equal(info['target'][:, 4:], t2[11])


def test_crops_missing_for_some_frames_are_skipped_and_counted(tmp_path):
    crop_frames = np.setdiff1d(FRAMES, [5, 6, 7])  # no box on 5-7
    crops, teacher = make_store(tmp_path, frames=crop_frames, teacher_frames=FRAMES)
    ds = build(crops, [teacher], split='all')
    frames = {ds.get_data_info(i)['frame'] for i in range(len(ds)) if ds.get_data_info(i)['video'] == 'a'}
    assert frames == set(crop_frames) - {0}  # 8 keeps its target from teacher frame 7
    assert ds.stats['no_crop'] == 6 and ds.stats['no_teacher'] == 0


def test_teacher_shorter_than_the_video_drops_frames_without_teacher(tmp_path):
    crops, teacher = make_store(tmp_path, teacher_frames=np.arange(25))
    ds = build(crops, [teacher], split='all')
    assert max(ds.get_data_info(i)['frame'] for i in range(len(ds))) == 24
    assert ds.stats['no_teacher'] == 2 * 15 and ds.num_frames == 2 * 24


def test_all_frames_below_the_threshold_is_a_clear_error(tmp_path):
    crops, teacher = make_store(tmp_path, scores=lambda f: np.full(len(f), 0.3))
    with pytest.raises(ValueError, match=r"all frames of videos \['a', 'b'\].*min_kp_score=0.5"):
        build(crops, [teacher], split='all', min_kp_score=0.5)
    assert build(crops, [teacher], split='all', min_kp_score=0.25).num_frames == 78


def test_missing_teacher_file_names_the_file(tmp_path):
    crops, teacher = make_store(tmp_path)
    write_synthetic_crop_video(osp.join(crops, 'c'), FRAMES, size=16)
    with pytest.raises(FileNotFoundError, match=r'teacher/c\.emb\.pkl: teacher embedding file missing'):
        build(crops, [teacher], split='all')


def test_video_lists_and_split_files(tmp_path):
    crops, teacher = make_store(tmp_path, videos=('a', 'b', 'c'))
    assert build(crops, [teacher], videos=['b'], split='all').video_names == ['b']
    (tmp_path / 'list.txt').write_text('c\n\na\n')
    assert build(crops, [teacher], videos=str(tmp_path / 'list.txt'), split='all').video_names == ['c', 'a']
    (tmp_path / 'splits.json').write_text(json.dumps(dict(train=['a'], test=['c'])))
    assert build(crops, [teacher], videos=f'{tmp_path}/splits.json:test', split='all').video_names == ['c']
    with pytest.raises(ValueError, match='name one'):
        build(crops, [teacher], videos=str(tmp_path / 'splits.json'), split='all')


def test_test_mode_subset_and_inference_mode(tmp_path):
    crops, teacher = make_store(tmp_path, frames=np.arange(100))
    val = build(crops, [teacher], split='all', test_mode=True, num_samples_per_epoch=50)
    assert len(val) == 50 and val.num_frames == 198
    assert [val.get_data_info(i)['frame'] for i in range(len(val))] == \
        [val.get_data_info(i)['frame'] for i in range(len(val))]
    train = build(crops, [teacher], split='all', num_samples_per_epoch=50)
    assert len(train) == 198 and train.num_samples_per_epoch == 50  # the sampler draws 50 per epoch
    inf = build(crops, [], split='all')
    assert len(inf) == 200 and 'target' not in inf.get_data_info(0) and inf.embedding_dim is None


def test_pipeline_output(tmp_path):
    crops, teacher = make_store(tmp_path)
    ds = build(
        crops, [teacher],
        split='all',
        pipeline=[
            dict(type='LoadFlowCrop'),
            dict(type='FlowCropResize', size=8),
            dict(type='PackDistillationInputs')
        ])
    item = ds[3]
    assert item['inputs'].shape == (5, 8, 8) and str(item['inputs'].dtype) == 'torch.uint8'
    np.testing.assert_array_equal(item['data_samples']['target'].numpy(), ds.get_data_info(3)['target'][0])
