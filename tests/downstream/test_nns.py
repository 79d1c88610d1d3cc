import copy
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config

import vpd_mm  # noqa: F401
from vpd_mm.downstream.nns import labelled_actions, run_nns, split_datasets
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset
from vpd_mm.utils.fileio import load_json

CONFIG = 'configs/recognition/bigru_synthsport-mini_gt-joints.py'
SPLITS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


@pytest.fixture(scope='module')
def cfg(tmp_path_factory, repo_root):
    """The recognition config on synthetic data: 3 classes; 12 train, 6 val, 6 test actions."""
    root = tmp_path_factory.mktemp('nns') / 'data'
    make_synthetic_feature_dataset(str(root))
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    for key in SPLITS:
        cfg[key].dataset.data_root = str(root)
        cfg[key].dataset.feature_dirs = ['features/synthetic']
        cfg[key].dataset.serialize_data = False
    return cfg


def test_retrieval_pools_every_split_like_the_paper_code(cfg, tmp_path):
    with pytest.warns(UserWarning, match='precision@50: only 23 references'):
        summary = run_nns(cfg, {'syn': []}, work_dir=str(tmp_path))
    assert summary['retrieval_pool'] == 'all'
    assert (summary['num_train'], summary['num_test'], summary['num_retrieval']) == (12, 6, 24)
    row = summary['results']['syn']
    assert row['nn_top1'] == 100.0 and row['P@1'] == 100.0
    # every action has 7 same-class actions among the 23 others: more than 2 in its 10 nearest here
    # (a test-only pool has 1 in 5), all 7 in its 23 nearest
    assert 20.0 < row['P@10'] <= 70.0
    assert row['P@50'] == pytest.approx(100.0 * 7 / 23)
    assert load_json(osp.join(tmp_path, 'nns.json'))['results'] == summary['results']
    assert 'each of the 24 labelled actions' in open(osp.join(tmp_path, 'nns.md')).read()


def test_test_pool_ranks_the_test_actions_only(cfg, tmp_path):
    with pytest.warns(UserWarning, match='only 5 references'):
        summary = run_nns(cfg, {'syn': []}, work_dir=str(tmp_path), retrieval_pool='test')
    assert summary['num_retrieval'] == 6
    # one same-class action among the 5 others
    assert summary['results']['syn']['P@10'] == pytest.approx(20.0)
    assert 'each test action ranks the other test actions' in open(osp.join(tmp_path, 'nns.md')).read()


def test_shared_actions_are_pooled_once(cfg):
    shared = cfg.copy()
    shared.val_dataloader.dataset.split = 'test'
    feats, labels = labelled_actions(split_datasets(shared, SPLITS))
    assert len(feats) == len(labels) == 18


def test_pooled_actions_reuse_splits_already_read(cfg):
    from vpd_mm.downstream.runner_utils import dataset_actions
    datasets = split_datasets(cfg, SPLITS)
    feats, labels = labelled_actions(datasets)
    key = SPLITS[0]
    x, y, ids = dataset_actions(datasets[key])
    marked = ([np.full_like(f, 7.0) for f in x], y, ids)  # what was read is used, not re-read
    feats2, labels2 = labelled_actions(datasets, {key: marked})
    np.testing.assert_array_equal(labels2, labels)
    assert all((f == 7).all() for f in feats2[:len(x)])
    for a, b in zip(feats2[len(x):], feats[len(x):]):
        np.testing.assert_array_equal(a, b)


def test_bad_pool_or_mismatched_classes_are_named(cfg, tmp_path):
    with pytest.raises(ValueError, match="retrieval_pool must be one of.*'train'"):
        run_nns(cfg, {'syn': []}, work_dir=str(tmp_path), retrieval_pool='train')
    other = copy.deepcopy(cfg)  # the module's config stays as it is for the tests after this one
    other.test_dataloader.dataset.classes = ['class0', 'class1', 'class2', 'class3']
    with pytest.raises(ValueError, match='test_dataloader names classes'):
        labelled_actions(split_datasets(other, SPLITS))


def _edited_copy(tmp_path):
    """The synthetic dataset with (a) one test action stretched over its whole video, too long for any
    symmetricP2 path to the 12-19 frame training actions, and (b) a second feature set, ``holes``, equal
    to the first but without the frames of another test action."""
    import shutil

    from vpd_mm.utils.fileio import atomic_write_json
    from vpd_mm.utils.vpd_files import load_embeddings, save_embeddings
    root = tmp_path / 'data'
    info = make_synthetic_feature_dataset(str(root))
    long_video, hole_video = info['splits']['test']
    elements = info['elements']
    records = load_embeddings(osp.join(info['feature_dir'], long_video + '.emb.pkl'))
    long_el = next(el for el in elements if el['video'] == long_video)
    long_el.update(start=0, end=records[-1][0] + 1)
    atomic_write_json(osp.join(root, 'annotations', 'elements.json'), elements)
    hole = next(el for el in elements if el['video'] == hole_video)
    shutil.copytree(info['feature_dir'], root / 'features' / 'holes')
    path = osp.join(root, 'features', 'holes', hole_video + '.emb.pkl')
    save_embeddings(path, [r for r in load_embeddings(path) if not hole['start'] <= r[0] < hole['end']])
    return root, long_el, hole


def test_feature_sets_share_test_actions_and_fallbacks_are_counted(tmp_path, repo_root):
    root, long_el, hole = _edited_copy(tmp_path)
    cfg = Config.fromfile(osp.join(repo_root, CONFIG))
    for key in SPLITS:
        cfg[key].dataset.update(data_root=str(root), on_empty='skip', serialize_data=False)
    with pytest.warns(UserWarning, match='precision@50'):
        summary = run_nns(cfg, {'syn': ['features/synthetic'], 'holes': ['features/holes']},
                          work_dir=str(tmp_path / 'nns'))
    # the action without frames in `holes` is left out of both feature sets
    assert summary['dropped_actions'] == dict(
        count=1, ids=[str(hole['id'])], by_feature_set=dict(syn=0, holes=1))
    assert (summary['num_test'], summary['num_retrieval']) == (5, 23)
    # ... so both are scored on the same actions and, their features being equal there, score the same
    assert summary['results']['syn'] == summary['results']['holes']
    # the stretched test action has no symmetricP2 path to any training action: symmetric2 decides it
    one = dict(symmetric2=1, majority=0)
    assert summary['nn_fallbacks'] == dict(syn=one, holes=one)
    assert summary['retrieval_views'] == 'concat'
    md = open(osp.join(tmp_path, 'nns', 'nns.md')).read()
    assert 'searched again with symmetric2 / given the majority class: syn: 1 / 0; holes: 1 / 0' in md
    assert '1 action(s) have no feature frame in some feature set (syn 0, holes 1)' in md
    assert f'scored on the same actions: {hole["id"]}.' in md


def test_intervals_beside_every_number_and_retrieval_alone(cfg, tmp_path):
    with pytest.warns(UserWarning, match='precision@50'):
        summary = run_nns(cfg, {'syn': []}, work_dir=str(tmp_path / 'a'), bootstrap=300)
    for key, value in summary['results']['syn'].items():
        low, high = summary['intervals']['syn'][key]
        assert low <= value <= high, key
    assert '| syn | 100.0 [100.0, 100.0] |' in open(tmp_path / 'a' / 'nns.md').read()
    with pytest.warns(UserWarning, match='precision@50'):
        alone = run_nns(cfg, {'syn': []}, work_dir=str(tmp_path / 'b'), nn=False)
    assert 'nn_top1' not in alone['results']['syn'] and 'num_test' not in alone
    assert alone['results']['syn']['P@10'] == summary['results']['syn']['P@10']
    text = open(tmp_path / 'b' / 'nns.md').read()
    assert 'nn_top1' not in text and f"P@k: each of the {alone['num_retrieval']} labelled actions" in text
