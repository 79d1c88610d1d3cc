# The --quick main job (used by the test suite): the same stages on a tiny SynthSport (4 videos of 3
# elements), short student schedules, 2-fold cross-validation (NNS and 2-epoch BiGRUs). Minutes on 2 CPU cores.
_base_ = ['./vpd_synthsport-mini.py']

data_root = 'data/synthsport_quick'
generate = dict(size='custom', videos=4, elements_per_video=3, generic_images=16, corpus=4)
work_dir = 'work_dirs/vpd_synthsport-quick'
students = dict(
    _delete_=True,
    vpd_vi=dict(config='configs/vpd/vi-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py', teacher='teacher_vipe',
                cfg_options=['train_cfg.max_epochs=1', 'train_dataloader.dataset.num_samples_per_epoch=64',
                             'val_dataloader.dataset.num_samples_per_epoch=32']))
downstream = dict(
    features=['teacher_vipe', 'vpd_vi'],
    crossval=dict(folds=2, methods=['nns', 'bigru'], epochs=2, max_iters=None),
    detection=None)
