import os.path as osp
import pickle

import numpy as np
import pytest

from vpd_mm.datasets.jhmdb import convert_jhmdb, holdout_split, jhmdb_to_pixels


def write_ddnet(folder, split, train, test):
    for part, items in (('train', train), ('test', test)):
        with open(folder / f'GT_{part}_{split}.pkl', 'wb') as f:
            pickle.dump(dict(pose=[p for p, _ in items], label=[lab for _, lab in items]), f)


def clip(seed, t=4):
    return np.random.default_rng(seed).uniform(-0.5, 0.5, (t, 15, 2))


def test_pixel_mapping():
    pose = np.zeros((2, 15, 2))
    pose[1, 3] = [-1.0, 0.75]
    px = jhmdb_to_pixels(pose)
    np.testing.assert_allclose(px[0, 0], [160, 120])
    np.testing.assert_allclose(px[1, 3], [0, 240])
    with pytest.raises(ValueError, match=r'\(T, 15, 2\)'):
        jhmdb_to_pixels(np.zeros((2, 14, 2)))


def test_convert_matches_clips_across_splits(tmp_path):
    a, b, c = clip(0), clip(1), clip(2)
    write_ddnet(tmp_path, 1, [(a, 'run'), (b, 'clap')], [(c, 'run')])
    write_ddnet(tmp_path, 2, [(c, 'run'), (b, 'clap')], [(a, 'run')])
    data = convert_jhmdb(str(tmp_path), splits=(1, 2))
    assert data['classes'] == ['clap', 'run']
    assert len(data['annotations']) == 3
    assert data['split']['train1'] == ['run_0000', 'clap_0000'] and data['split']['test1'] == ['run_0001']
    assert data['split']['train2'] == ['run_0001', 'clap_0000'] and data['split']['test2'] == ['run_0000']
    anno = data['annotations'][0]
    assert anno['keypoint'].shape == (1, 4, 15, 2) and anno['keypoint'].dtype == np.float32
    assert anno['keypoint_score'].shape == (1, 4, 15) and anno['img_shape'] == (240, 320)
    assert anno['label'] == 1 and anno['total_frames'] == 4
    # every class has a single train clip here, so nothing is held out
    assert data['split']['train1_fit'] == data['split']['train1'] and data['split']['train1_holdout'] == []


def test_holdout_split_is_stratified_disjoint_and_seeded():
    ids = [f'c{i}' for i in range(30)]
    labels = [0] * 10 + [1] * 15 + [2] * 4 + [3]
    fit, held = holdout_split(ids, labels, 0.2, seed=0)
    assert sorted(fit + held) == sorted(ids) and not set(fit) & set(held)
    held_labels = sorted(labels[ids.index(x)] for x in held)
    assert held_labels == [0, 0, 1, 1, 1, 2]  # round(0.2 n) per class, >= 1, none of a singleton
    assert fit == [x for x in ids if x not in held]  # input order kept
    assert holdout_split(ids, labels, 0.2, seed=0) == (fit, held)
    assert holdout_split(ids, labels, 0.2, seed=1) != (fit, held)
    with pytest.raises(ValueError, match='fraction'):
        holdout_split(ids, labels, 1.0)


def test_convert_rejects_nan_and_leaks(tmp_path):
    bad = clip(0)
    bad[1, 2, 0] = np.nan
    write_ddnet(tmp_path, 1, [(bad, 'run')], [(clip(1), 'run')])
    with pytest.raises(ValueError, match=r'GT_train_1\.pkl item 0: .*NaN'):
        convert_jhmdb(str(tmp_path), splits=(1, ))
    write_ddnet(tmp_path, 1, [(clip(0), 'run')], [(clip(0), 'run')])
    with pytest.raises(ValueError, match='both train and test'):
        convert_jhmdb(str(tmp_path), splits=(1, ))
    with pytest.raises(FileNotFoundError, match='GT_train_3.pkl'):
        convert_jhmdb(str(tmp_path), splits=(3, ))


def test_real_jhmdb_split_sizes(shared_data):
    src = osp.join(shared_data, 'jhmdb_gt')
    if not osp.isdir(src):
        pytest.skip('jhmdb_gt not present')
    data = convert_jhmdb(src, splits=(1, ))
    assert len(data['split']['train1']) == 433 and len(data['split']['test1']) == 176
    assert len(data['classes']) == 14
    fit, held = data['split']['train1_fit'], data['split']['train1_holdout']
    assert len(fit) == 346 and len(held) == 87 and sorted(fit + held) == sorted(data['split']['train1'])
