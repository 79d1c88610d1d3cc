# SynthSport trimmed element clips with GT 2D COCO-17 joints (tools/make_synthsport.py writes
# data/synthsport_mini/mmaction/stgcn_gt2d.pkl; splits train / val / test, 16 element classes).
# Each clip is cropped to the athlete's joint extent over the clip (PoseClipCrop, square, 25 %
# padding), resized to a 24x24 canvas, rendered per joint and aggregated into PoTion maps (N, 17, 3, 24, 24).
dataset_type = 'PoseDataset'
ann_file = 'data/synthsport_mini/mmaction/stgcn_gt2d.pkl'
num_joints = 17
num_classes = 16
heatmap_wh = (24, 24)
left_kp = (1, 3, 5, 7, 9, 11, 13, 15)
right_kp = (2, 4, 6, 8, 10, 12, 14, 16)

decode = [dict(type='PoseDecode'),
          dict(type='PoseClipCrop', padding=0.25, square=True),
          dict(type='Resize', scale=heatmap_wh, keep_ratio=False)]
render = [
    # = GeneratePoseTarget(sigma=1.0, with_kp=True, with_limb=False), vectorised (~15x faster)
    dict(type='RenderJointHeatmaps', sigma=1.0, use_score=True),
    dict(type='PoTion', num_channels=3, normalize=True),
    dict(type='PackActionInputs', meta_keys=('frame_dir', 'img_shape')),
]
train_pipeline = [*decode, *render]
paa_train_pipeline = [
    *decode,
    dict(type='PoseAwareAugmentation', beta=3.0, gamma=1.0, flip_ratio=0.5, layout='coco17'),
    *render]
test_pipeline = [*decode, *render]

# drop_last: a 1-clip last batch (433 = 27 * 16 + 1 on JHMDB) gives BatchNorm a useless batch
train_dataloader = dict(
    batch_size=16, num_workers=1, persistent_workers=True, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file=ann_file, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16, num_workers=1, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, split='val', pipeline=test_pipeline,
                 test_mode=True))
test_dataloader = dict(
    batch_size=16, num_workers=1, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, split='test', pipeline=test_pipeline,
                 test_mode=True))
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator

# 48 training clips = 3 iterations per epoch: 100 epochs (the paper's count) take ~1-2 min on CPU
max_epochs = 100
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=20)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4),
                     clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True,
                        convert_to_iter_based=True)]
auto_scale_lr = dict(enable=False, base_batch_size=16)
randomness = dict(seed=0)
