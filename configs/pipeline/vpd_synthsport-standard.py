# The main job on SynthSport standard (80 routines, ~73k frames): the acceptance run -- teacher vs
# student few-shot recognition (k = 8, 16, all; 5 subsets), retrieval, the no-motion / RGB-only
# ablations and the ST-GCN / TSN baselines, with the project's default teachers.
#   python tools/run_vpd.py configs/pipeline/vpd_synthsport-standard.py
# CPU-sized students (ResNet-18, width 16): 2D-VPD on 128 px crops (the paper's size; all 7 trainings so far
# beat the teacher in NNS at k=8 and in retrieval, docs/results.md), VI-VPD on 64 px crops. On a GPU use
# the paper's configs/vpd/*_r34_* instead.
_base_ = ['./vpd_synthsport-mini.py']

data_root = 'data/synthsport_standard'
generate = dict(size='standard')
work_dir = 'work_dirs/vpd_synthsport-standard'

_epochs = 120
_schedule = [f'train_cfg.max_epochs={_epochs}', f'param_scheduler.0.T_max={_epochs}',
             f'param_scheduler.0.end={_epochs}', 'train_dataloader.dataset.num_samples_per_epoch=4000',
             'val_dataloader.dataset.num_samples_per_epoch=1000']
students = dict(
    vpd_2d=dict(config='configs/vpd/2d-vpd_r18-w16-128px_synthsport-mini_cpu-demo.py', crop_size=128,
                cfg_options=_schedule),
    vpd_vi=dict(cfg_options=_schedule),
    vpd_vi_no_motion=dict(config='configs/vpd/vi-vpd_r18-w16-64px_synthsport-mini_cpu-demo_no-motion.py',
                          teacher='teacher_vipe', cfg_options=_schedule),
    vpd_vi_rgb_only=dict(config='configs/vpd/vi-vpd_r18-w16-64px_synthsport-mini_cpu-demo_rgb-only.py',
                         teacher='teacher_vipe', cfg_options=_schedule),
)
downstream = dict(
    features=['teacher_2d', 'vpd_2d', 'teacher_vipe', 'vpd_vi', 'vpd_vi_no_motion', 'vpd_vi_rgb_only'],
    # workers: trainings at a time, one single-threaded process each. epochs: 100 BiGRU epochs (the config's
    # 30 leave a k=8 set underfit); max_iters: at most ~600 steps a run, so larger sets train fewer epochs,
    # as the paper trains fewer on large sets.
    fewshot=dict(k=['8', '16', 'all'], trials=5, methods=['bigru', 'nns'], epochs=100, max_iters=600, workers=2,
                 baselines=['configs/baselines/stgcn_synthsport-mini_gt-2d.py',
                            'configs/baselines/tsn_r18_synthsport-mini_clips.py'],
                 baseline_k=['8', '16', 'all']),
    crossval=None,
    detection=None)
