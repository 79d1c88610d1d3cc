import os.path as osp
import pickle

import numpy as np
import pytest
from mmaction.registry import DATASETS

import vpd_mm  # noqa: F401
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset
from vpd_mm.downstream.runner_utils import init_registries
from vpd_mm.utils.fileio import atomic_write_json, load_json
from vpd_mm.utils.vpd_files import load_embeddings, save_embeddings


@pytest.fixture
def data(tmp_path):
    info = make_synthetic_feature_dataset(str(tmp_path), num_classes=3, videos_per_split=(2, 1, 1), dim=4)
    return tmp_path, info


def _build(root, **kw):
    cfg = dict(type='FeatureSequenceDataset', data_root=str(root), ann_file='annotations/elements.json',
               feature_dirs=['features/synthetic'], split_file='annotations/splits.json',
               dataset_info_file='dataset.json')
    cfg.update(kw)
    return DATASETS.build(cfg)


def test_loads_trimmed_actions(data):
    root, info = data
    ds = _build(root, split='train')
    train_els = [el for el in info['elements'] if el['video'] in info['splits']['train']]
    assert len(ds) == len(train_els) == 6
    assert ds.metainfo['classes'] == ('class0', 'class1', 'class2')
    first = ds.get_data_info(0)
    el = train_els[0]
    assert first['features'].shape == (el['end'] - el['start'], 2, 4)
    assert first['label'] == el['label']
    emb = np.stack([r[1] for r in load_embeddings(osp.join(info['feature_dir'], el['video'] + '.emb.pkl'))])
    np.testing.assert_array_equal(first['features'], emb[el['start']:el['end']])
    np.testing.assert_array_equal(first['frame_inds'], np.arange(el['start'], el['end']))


def test_view_modes(data):
    root, _ = data
    stack = _build(root, split='test', view_mode='stack')
    samples = _build(root, split='test', view_mode='samples')
    orig = _build(root, split='test', view_mode='orig')
    assert len(samples) == 2 * len(stack) and len(orig) == len(stack)
    s = stack.get_data_info(0)['features']
    a, b = samples.get_data_info(0), samples.get_data_info(1)
    assert (a['view'], b['view']) == (0, 1)
    np.testing.assert_array_equal(a['features'][:, 0], s[:, 0])
    np.testing.assert_array_equal(b['features'][:, 0], s[:, 1])
    np.testing.assert_array_equal(orig.get_data_info(0)['features'][:, 0], s[:, 0])


def test_fewshot_subset(data):
    root, _ = data
    subsets = load_json(osp.join(root, 'annotations', 'fewshot.json'))
    ds = _build(root, split='train', fewshot_file='annotations/fewshot.json', fewshot_k=1, fewshot_trial=1)
    assert sorted(ds.get_data_info(i)['element_id'] for i in range(len(ds))) == sorted(subsets['1'][1])
    assert sorted(ds.get_data_info(i)['label'] for i in range(len(ds))) == [0, 1, 2]
    with pytest.raises(KeyError, match='k=5'):
        _build(root, split='train', fewshot_file='annotations/fewshot.json', fewshot_k=5)


def test_resample_to_target_fps(data):
    root, info = data
    full = _build(root, split='test')
    half = _build(root, split='test', target_fps=12.5)  # source 25 fps from dataset.json
    a, b = full.get_data_info(0), half.get_data_info(0)
    assert b['num_frames'] == (a['num_frames'] + 1) // 2
    np.testing.assert_array_equal(b['frame_inds'], a['frame_inds'][::2])
    np.testing.assert_array_equal(b['features'], a['features'][::2])


def test_concatenates_sources_on_common_frames(data):
    root, info = data
    vid = info['splits']['test'][0]
    records = load_embeddings(osp.join(info['feature_dir'], vid + '.emb.pkl'))
    el = [e for e in info['elements'] if e['video'] == vid][0]
    dropped = el['start'] + 2
    other = [(f, np.full((3, ), f, np.float32), {}) for f, _, _ in records if f != dropped]  # one view, D=3
    save_embeddings(osp.join(root, 'features', 'other', vid + '.emb.pkl'), other)
    ds = _build(root, split='test', feature_dirs=['features/synthetic', 'features/other'])
    info0 = [ds.get_data_info(i) for i in range(len(ds)) if ds.get_data_info(i)['element_id'] == el['id']][0]
    assert info0['features'].shape == (el['end'] - el['start'] - 1, 2, 7)
    assert dropped not in info0['frame_inds']
    # the single-view source is repeated for both views and aligned by frame number
    np.testing.assert_array_equal(info0['features'][:, 0, 4:], info0['features'][:, 1, 4:])
    np.testing.assert_array_equal(info0['features'][:, 0, 4], info0['frame_inds'])


def test_error_missing_feature_file(data):
    root, info = data
    vid = info['splits']['test'][0]
    import os
    os.remove(osp.join(info['feature_dir'], vid + '.emb.pkl'))
    with pytest.raises(FileNotFoundError, match=vid):
        _build(root, split='test')
    _build(root, split='train')  # other splits do not need the file


def _edit_elements(root, fn):
    path = osp.join(root, 'annotations', 'elements.json')
    els = load_json(path)
    fn(els)
    atomic_write_json(path, els)
    return els


def test_error_interval_outside_video(data):
    root, info = data
    vid = info['splits']['test'][0]
    n = len(load_embeddings(osp.join(info['feature_dir'], vid + '.emb.pkl')))

    def edit(els):
        el = [e for e in els if e['video'] == vid][0]
        el['end'] = n + 5
    _edit_elements(root, edit)
    with pytest.raises(ValueError, match=rf'video {vid}.*outside the video'):
        _build(root, split='test')


def test_video_length_from_pose_meta(data):
    # Teacher features miss untracked frames: with pose/<vid>/meta.json the bound is the video.
    root, info = data
    vid = info['splits']['test'][0]
    n = len(load_embeddings(osp.join(info['feature_dir'], vid + '.emb.pkl')))
    atomic_write_json(osp.join(root, 'pose', vid, 'meta.json'), dict(num_frames=n + 10, fps=25))
    els = _edit_elements(root, lambda els: [e for e in els if e['video'] == vid][0].update(end=n + 5))
    el = [e for e in els if e['video'] == vid][0]
    ds = _build(root, split='test')
    sample = [ds.get_data_info(i) for i in range(len(ds)) if ds.get_data_info(i)['element_id'] == el['id']][0]
    assert sample['frame_inds'].max() == n - 1  # the missing frames [n, n + 5) are left out
    _edit_elements(root, lambda els: [e for e in els if e['video'] == vid][0].update(end=n + 11))
    with pytest.raises(ValueError, match=rf'video {vid}.*outside the video, which has {n + 10} frames'):
        _build(root, split='test')


def test_error_empty_sequence(data):
    root, info = data
    vid = info['splits']['test'][0]
    path = osp.join(info['feature_dir'], vid + '.emb.pkl')
    el = [e for e in info['elements'] if e['video'] == vid][1]
    records = [r for r in load_embeddings(path) if not el['start'] <= r[0] < el['end']]
    save_embeddings(path, records)
    with pytest.raises(ValueError, match=rf"action {el['id']} .*empty sequence"):
        _build(root, split='test')
    ds = _build(root, split='test', on_empty='skip')
    assert ds.skipped_empty == [str(el['id'])]
    ids = {ds.get_data_info(i)['element_id'] for i in range(len(ds))}
    assert el['id'] not in ids and len(ids) == sum(e['video'] == vid for e in info['elements']) - 1


def test_error_nan_features(data):
    root, info = data
    vid = info['splits']['test'][0]
    path = osp.join(info['feature_dir'], vid + '.emb.pkl')
    records = load_embeddings(path)
    records[15][1][0, 1] = np.nan
    with open(path, 'wb') as f:
        pickle.dump(records, f)
    with pytest.raises(ValueError, match=rf'{vid}.emb.pkl: frame 15 has NaN'):
        _build(root, split='test')


def test_error_unknown_class(data):
    root, _ = data
    els = _edit_elements(root, lambda els: els[0].update(label=7, class_name='class7'))
    with pytest.raises(ValueError, match=rf"action {els[0]['id']} .*unknown class label 7"):
        _build(root)
    _edit_elements(root, lambda els: (els[0].update(label=0), els[0].pop('label'), els[0].update(class_name='zzz')))
    with pytest.raises(ValueError, match="unknown class 'zzz'"):
        _build(root)


def test_pipeline_packs(data):
    root, _ = data
    init_registries()  # mmaction default scope for the pipeline
    ds = _build(root, split='test', pipeline=[dict(type='PackFeatureInputs')], test_mode=True)
    out = ds[0]
    info = ds.get_data_info(0)
    assert tuple(out['inputs'].shape) == (2, info['num_frames'], 4)
    assert int(out['data_samples'].gt_label) == info['label']
    assert out['data_samples'].metainfo['num_frames'] == info['num_frames']
