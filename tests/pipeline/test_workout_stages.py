import os.path as osp

import pytest
from mmengine.config import Config

from vpd_mm.pipeline.stage import stage_dependencies
from vpd_mm.pipeline.vpd_pipeline import build_vpd_stages, stage_names


def _workout(repo_root, tmp_path):
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'pipeline', 'vpd_workout.py'))
    (tmp_path / 'clips' / 'videos').mkdir(parents=True, exist_ok=True)
    cfg.data_root = str(tmp_path / 'clips')
    cfg.work_dir = str(tmp_path / 'work')
    return cfg


def test_workout_job_prepares_its_root_and_ends_with_the_workout_evaluation(repo_root, tmp_path):
    stages = build_vpd_stages(_workout(repo_root, tmp_path))
    names = stage_names(stages)
    assert names[:5] == ['prepare', 'poses', 'crops', 'teacher_2d', 'teacher_vipe']
    assert names[-2:] == ['workout', 'report'] and 'train_vpd_2d' in names and 'apply_vpd_vi' in names
    root = str(tmp_path / 'work' / 'data')  # the job's data root: the source folder is only read
    prepare = stages[0]
    assert prepare.cmd[:4] == ['tools/prepare_workout.py', str(tmp_path / 'clips'), '-o', root]
    poses = stages[1]
    assert poses.cmd[1] == osp.join(
        root, 'videos') and poses.cmd[poses.cmd.index('--teacher') + 1].endswith('blazepose-full_coco17.py')
    deps = stage_dependencies(stages)
    assert 0 in deps[1]  # the teacher waits for the prepared videos
    workout = stages[names.index('workout')]
    features = workout.cmd[workout.cmd.index('--features') + 1:workout.cmd.index('--work-dir')]
    assert features == [
        'teacher_2d=features/teacher_2d', 'vpd_2d=features/vpd_2d', 'teacher_vipe=features/teacher_vipe',
        'vpd_vi=features/vpd_vi'
    ]
    assert workout.cmd[workout.cmd.index('--pairs') + 1:][:2] == ['vpd_2d=teacher_2d', 'vpd_vi=teacher_vipe']
    assert workout.cmd[workout.cmd.index('--stage-stamps') + 1] == str(tmp_path / 'work' / 'stages')
    assert {names[i] for i in deps[names.index('workout')]} >= {'prepare', 'apply_vpd_2d', 'apply_vpd_vi'}


def test_workout_job_names_a_missing_source_or_feature_set(repo_root, tmp_path):
    cfg = _workout(repo_root, tmp_path)
    cfg.data_root = str(tmp_path / 'nowhere')
    with pytest.raises(FileNotFoundError, match='nowhere'):
        build_vpd_stages(cfg)
    cfg = _workout(repo_root, tmp_path)
    cfg.workout.features = ['teacher_2d', 'vpd_3d']
    with pytest.raises(ValueError, match="unknown feature sets \\['vpd_3d'\\]"):
        build_vpd_stages(cfg)
