import numpy as np
import pytest
from mmaction.registry import DATASETS

import vpd_mm  # noqa: F401
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset


def test_frame_labels_and_intervals(tmp_path):
    info = make_synthetic_feature_dataset(str(tmp_path), videos_per_split=(2, 1, 1), dim=4)
    ds = DATASETS.build(dict(type='FeatureVideoDataset', data_root=str(tmp_path), ann_file='annotations/elements.json',
                             feature_dirs='features/synthetic', split_file='annotations/splits.json', split='train'))
    assert len(ds) == 2
    d = ds.get_data_info(0)
    els = [e for e in info['elements'] if e['video'] == d['video']]
    np.testing.assert_array_equal(d['gt_intervals'], [[e['start'], e['end']] for e in els])
    expected = np.zeros(d['num_frames'])
    for e in els:
        expected[e['start']:e['end']] = 1
    np.testing.assert_array_equal(d['frame_labels'], expected)
    only = DATASETS.build(dict(type='FeatureVideoDataset', data_root=str(tmp_path),
                               ann_file='annotations/elements.json', feature_dirs='features/synthetic',
                               videos=[info['splits']['test'][0]]))
    assert [only.get_data_info(0)['video']] == info['splits']['test']
    with pytest.raises(FileNotFoundError, match='nope'):
        DATASETS.build(dict(type='FeatureVideoDataset', data_root=str(tmp_path), ann_file='annotations/elements.json',
                            feature_dirs='features/synthetic', videos=['nope']))


def test_actions_past_the_tracked_frames_are_bounded_by_the_video(tmp_path):
    """Teacher features end where tracking lost the athlete; the video's pose meta.json bounds actions."""
    import os.path as osp
    import pickle

    from vpd_mm.utils.fileio import atomic_write_json
    info = make_synthetic_feature_dataset(str(tmp_path), videos_per_split=(1, 1, 1), dim=4)
    vid = info['splits']['train'][0]
    last = max((e for e in info['elements'] if e['video'] == vid), key=lambda e: e['end'])
    path = osp.join(str(tmp_path), 'features', 'synthetic', f'{vid}.emb.pkl')
    with open(path, 'rb') as f:
        records = pickle.load(f)
    n = len(records)
    with open(path, 'wb') as f:  # tracking lost the athlete 3 frames before the last action ends
        pickle.dump([r for r in records if r[0] < last['end'] - 3], f)
    cfg = dict(type='FeatureVideoDataset', data_root=str(tmp_path), ann_file='annotations/elements.json',
               feature_dirs='features/synthetic', videos=[vid])
    with pytest.raises(ValueError, match=rf'{last["id"]} \(video {vid}\).*whose features cover'):
        DATASETS.build(cfg)
    atomic_write_json(osp.join(str(tmp_path), 'pose', vid, 'meta.json'), dict(num_frames=n, fps=25))
    d = DATASETS.build(cfg).get_data_info(0)
    assert [last['start'], last['end']] in d['gt_intervals'].tolist()  # the GT interval stays whole
    assert d['frame_labels'][-1] == 1 and d['frame_inds'][-1] == last['end'] - 4
    atomic_write_json(osp.join(str(tmp_path), 'pose', vid, 'meta.json'), dict(num_frames=last['end'] - 1, fps=25))
    with pytest.raises(ValueError, match=rf'outside the video, which has {last["end"] - 1} frames'):
        DATASETS.build(cfg)
