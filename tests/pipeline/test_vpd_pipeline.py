import os.path as osp

import pytest
from mmengine.config import Config

from vpd_mm.pipeline.vpd_pipeline import build_vpd_stages, stage_names


def _standard(repo_root, tmp_path):
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'pipeline', 'vpd_synthsport-standard.py'))
    cfg.data_root = str(tmp_path / 'ss')
    cfg.work_dir = str(tmp_path / 'work')
    return cfg


def test_standard_job_stages_and_ablation_students(repo_root, tmp_path):
    stages = build_vpd_stages(_standard(repo_root, tmp_path))
    names = stage_names(stages)
    assert names[:6] == ['generate', 'poses', 'crops', 'crops_128px', 'teacher_2d', 'teacher_vipe']
    for student in ('vpd_2d', 'vpd_vi', 'vpd_vi_no_motion', 'vpd_vi_rgb_only'):
        assert names.index(f'train_{student}') + 1 == names.index(f'apply_{student}')
    assert names[-3:] == ['nns', 'fewshot', 'report']
    nns = stages[names.index('nns')].cmd
    assert nns[nns.index('--retrieval-pool') + 1] == 'all'
    no_motion = Config.fromfile(str(tmp_path / 'work' / 'configs' / 'vpd_vi_no_motion.py'))
    assert no_motion.model.with_motion is False
    assert no_motion.train_dataloader.dataset.crop_root == str(tmp_path / 'ss' / 'crops')
    rgb = Config.fromfile(str(tmp_path / 'work' / 'configs' / 'vpd_vi_rgb_only.py'))
    assert rgb.model.backbone.in_channels == 3 and rgb.train_dataloader.dataset.pipeline[0].with_flow is False


def test_a_student_with_its_own_crop_size_reads_its_own_crops(repo_root, tmp_path):
    stages = build_vpd_stages(_standard(repo_root, tmp_path))
    crops = {s.name: s.cmd for s in stages if s.name.startswith('crops')}
    assert sorted(crops) == ['crops', 'crops_128px']
    for name, size in (('crops', '64'), ('crops_128px', '128')):
        cmd = crops[name]
        assert cmd[cmd.index('--crop-size') + 1] == size
        assert cmd[cmd.index('-o') + 1] == str(tmp_path / 'ss' / name)
    configs = tmp_path / 'work' / 'configs'
    vpd_2d, vpd_vi = (Config.fromfile(str(configs / f'{n}.py')) for n in ('vpd_2d', 'vpd_vi'))
    assert vpd_2d.input_size == 128 and vpd_vi.input_size == 64
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert vpd_2d[loader].dataset.crop_root == str(tmp_path / 'ss' / 'crops_128px')
        assert vpd_vi[loader].dataset.crop_root == str(tmp_path / 'ss' / 'crops')
    train = next(s for s in stages if s.name == 'train_vpd_2d')
    assert str(tmp_path / 'ss' / 'crops_128px') in train.inputs


@pytest.mark.parametrize('size', [0, -64, 12.5, '128', True])
def test_a_bad_student_crop_size_is_named(repo_root, tmp_path, size):
    cfg = _standard(repo_root, tmp_path)
    cfg.students.vpd_2d.crop_size = size
    with pytest.raises(ValueError, match='students.vpd_2d: crop_size must be a positive int'):
        build_vpd_stages(cfg)


def test_baselines_read_the_jobs_data(repo_root, tmp_path):
    build_vpd_stages(_standard(repo_root, tmp_path))
    root, configs = tmp_path / 'ss', tmp_path / 'work' / 'configs'
    stgcn = Config.fromfile(str(configs / 'stgcn_synthsport-mini_teacher-2d.py'))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        ds = stgcn[loader].dataset
        ds = ds.get('dataset', ds)  # the training set is wrapped in a RepeatDataset
        assert ds.ann_file == str(root / 'teacher' / 'mmaction' / 'stgcn_teacher2d.pkl')
    tsn = Config.fromfile(str(configs / 'tsn_r18_synthsport-mini_clips.py'))
    assert tsn.fewshot_file == str(root / 'annotations' / 'fewshot.json')
    for loader, split in (('train_dataloader', 'train'), ('val_dataloader', 'val'), ('test_dataloader', 'test')):
        ds = tsn[loader].dataset
        assert ds.ann_file == str(root / 'mmaction' / f'tsn_{split}.txt')
        assert ds.data_prefix.video == str(root / 'mmaction' / 'clips')


def test_unknown_baseline_kind_is_an_error(repo_root, tmp_path):
    cfg = _standard(repo_root, tmp_path)
    cfg.downstream.fewshot.baselines = ['configs/recognition/bigru_synthsport-mini_gt-joints.py']
    with pytest.raises(ValueError, match='expected a pose pickle'):
        build_vpd_stages(cfg)


@pytest.mark.parametrize('stage_name,option', [('poses', 'teachers.workers'), ('crops', 'crops.workers'),
                                               ('crossval', 'downstream.crossval.workers')])
def test_worker_counts_are_passed_but_not_keyed(repo_root, tmp_path, stage_name, option):
    """Worker counts only change how fast a stage runs: a new count must not rerun finished stages."""
    from vpd_mm.pipeline.stage import StageRunner
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'pipeline', 'vpd_synthsport-mini.py'))
    cfg.data_root, cfg.work_dir = str(tmp_path / 'ss'), str(tmp_path / 'work')
    runner = StageRunner(str(tmp_path / 'stamps'))
    commands, keys = [], []
    for workers in (1, 3):
        cfg.merge_from_dict({option: workers})
        stage = next(s for s in build_vpd_stages(cfg) if s.name == stage_name)
        keys.append(runner.key(stage))
        commands.append(runner.command(stage, keys[-1]))
    assert commands[0][-2:] == ['--workers', '1'] and commands[1][-2:] == ['--workers', '3']
    assert keys[0] == keys[1]


def test_incomplete_or_unknown_student_is_named(repo_root, tmp_path):
    cfg = _standard(repo_root, tmp_path)
    cfg.students = dict(vpd_vi=dict(cfg_options=[]))  # e.g. `students = dict(_delete_=True, vpd_vi=...)`
    with pytest.raises(ValueError, match="students.vpd_vi: missing 'config' and 'teacher'"):
        build_vpd_stages(cfg)
    cfg.students = dict(vpd_x=dict(config='configs/vpd/vi-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py',
                                   teacher='teacher_3d'))
    with pytest.raises(ValueError, match="students.vpd_x: unknown teacher 'teacher_3d'"):
        build_vpd_stages(cfg)


def test_real_video_job_uses_the_real_teacher_and_ends_with_the_clips_report(repo_root, tmp_path):
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'pipeline', 'vpd_real-videos.py'))
    cfg.data_root = str(tmp_path / 'real')
    cfg.work_dir = str(tmp_path / 'work')
    (tmp_path / 'real' / 'videos').mkdir(parents=True)
    stages = build_vpd_stages(cfg)
    assert stage_names(stages) == ['poses', 'crops', 'teacher_2d', 'teacher_vipe', 'train_vpd_2d', 'apply_vpd_2d',
                                   'clips', 'report']
    poses = stages[0]
    assert poses.cmd[poses.cmd.index('--teacher') + 1] == 'configs/teachers/blazepose-full_coco17.py'
    clips = stages[-2].cmd
    assert clips[:4] == ['tools/clip_report.py', str(tmp_path / 'real' / 'videos'),
                         str(tmp_path / 'real' / 'teacher' / 'pose'), '-o']
    assert 'vpd_2d=' + str(tmp_path / 'real' / 'features' / 'vpd_2d') in clips
    # the SynthSport job's teacher inputs are its config and the four model files it names
    mini = Config.fromfile(osp.join(repo_root, 'configs', 'pipeline', 'vpd_synthsport-mini.py'))
    mini.data_root, mini.work_dir = str(tmp_path / 'ss'), str(tmp_path / 'work2')
    poses = next(s for s in build_vpd_stages(mini) if s.name == 'poses')
    assert sum(p.endswith(('.pth', '.py')) for p in poses.inputs) == 5


def test_the_demo_cross_validates_and_compares_each_student_with_its_teacher(repo_root, tmp_path):
    cfg = Config.fromfile(osp.join(repo_root, 'configs', 'pipeline', 'vpd_synthsport-mini.py'))
    cfg.data_root, cfg.work_dir = str(tmp_path / 'ss'), str(tmp_path / 'work')
    stages = build_vpd_stages(cfg)
    names = stage_names(stages)
    assert names[-3:] == ['nns', 'crossval', 'report']
    assert stages[names.index('nns')].cmd[-1] == '--retrieval-only'  # crossval classifies every action
    cmd = stages[names.index('crossval')].cmd
    assert cmd[:2] == ['tools/crossval.py', str(tmp_path / 'work' / 'configs' / 'recognition.py')]
    assert cmd[cmd.index('--folds') + 1] == '4' and cmd[cmd.index('--methods') + 1:][:1] == ['nns']
    pairs = cmd[cmd.index('--pairs') + 1:cmd.index('--pairs') + 3]
    assert pairs == ['vpd_2d:teacher_2d', 'vpd_vi:teacher_vipe']
    assert cmd[cmd.index('--reference') + 1].startswith('student: SynthSport standard')
    # the standard job keeps the paper's few-shot protocol
    standard = stage_names(build_vpd_stages(_standard(repo_root, tmp_path)))
    assert 'fewshot' in standard and 'crossval' not in standard
