# The standard job's data stages with three more trainings of its 128 px 2D-VPD student (seeds 2, 3, 4),
# compared with the 2D teacher by BiGRU and NNS few-shot (k = 8, 16) and retrieval; no VI-VPD students,
# ablations or baselines. Sessions 12-13 ran it (docs/results.md, "SynthSport standard"):
#   python tools/run_vpd.py configs/pipeline/vpd_synthsport-standard_2d-vpd-seeds.py --jobs 2
# ~2 h on 2 CPU cores after the data stages (two trainings side by side). `vpd_2d` is the seed-2 training.
_base_ = ['./vpd_synthsport-standard.py']

work_dir = 'work_dirs/vpd_synthsport-standard_2d-vpd-seeds'

_epochs = 120
_schedule = [f'train_cfg.max_epochs={_epochs}', f'param_scheduler.0.T_max={_epochs}',
             f'param_scheduler.0.end={_epochs}', 'train_dataloader.dataset.num_samples_per_epoch=4000',
             'val_dataloader.dataset.num_samples_per_epoch=1000']
_student = dict(config='configs/vpd/2d-vpd_r18-w16-128px_synthsport-mini_cpu-demo.py', teacher='teacher_2d',
                min_kp_score=0.5, crop_size=128)
students = dict(
    _delete_=True,
    vpd_2d=dict(**_student, cfg_options=_schedule + ['randomness.seed=2']),
    vpd_2d_s3=dict(**_student, cfg_options=_schedule + ['randomness.seed=3']),
    vpd_2d_s4=dict(**_student, cfg_options=_schedule + ['randomness.seed=4']),
)
downstream = dict(
    features=['teacher_2d', 'vpd_2d', 'vpd_2d_s3', 'vpd_2d_s4'],
    fewshot=dict(k=['8', '16'], trials=5, methods=['bigru', 'nns'], baselines=[], baseline_k=[]),
    detection=None)
