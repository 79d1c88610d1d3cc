# JHMDB split 1 from GT joints (tools/data/convert_jhmdb.py -> data/jhmdb/jhmdb_gt_2d.pkl): the whole clip
# is decoded, keypoints are resized to a 24x24 heatmap canvas, rendered per joint and aggregated into
# PoTion motion maps (N, 15, 3, 24, 24). CPU-scale schedule (a shared, loaded 2-core machine): Adam
# 1e-3, cosine, 60 epochs (~4 min with RenderJointHeatmaps; 10 epochs left every model underfitting,
# train loss ~1.1, where PAA / joint-contrastive regularisation cannot help).
# JHMDB has no validation split: tune on train1_fit / train1_holdout (a stratified 20 % of train1,
# tools/data/convert_jhmdb.py), e.g. --cfg-options train_dataloader.dataset.split=train1_fit
# val_dataloader.dataset.split=train1_holdout. The final models train on train1; they are validated
# once, at the last epoch, on test1 (no checkpoint selection) and reported with tools/test.py.
dataset_type = 'PoseDataset'
ann_file = 'data/jhmdb/jhmdb_gt_2d.pkl'
num_joints = 15
num_classes = 14
heatmap_wh = (24, 24)
left_kp = (4, 6, 8, 10, 12, 14)
right_kp = (3, 5, 7, 9, 11, 13)

render = [
    # = GeneratePoseTarget(sigma=1.0, with_kp=True, with_limb=False), vectorised (~15x faster)
    dict(type='RenderJointHeatmaps', sigma=1.0, use_score=True),
    dict(type='PoTion', num_channels=3, normalize=True),
    dict(type='PackActionInputs', meta_keys=('frame_dir', 'img_shape')),
]
train_pipeline = [dict(type='PoseDecode'), dict(type='Resize', scale=heatmap_wh, keep_ratio=False),
                  *render]
# pose-aware augmentation (beta / gamma in heatmap pixels of the 24x24 canvas)
paa_train_pipeline = [
    dict(type='PoseDecode'), dict(type='Resize', scale=heatmap_wh, keep_ratio=False),
    dict(type='PoseAwareAugmentation', beta=3.0, gamma=1.0, flip_ratio=0.5, layout='jhmdb15'),
    *render]
test_pipeline = [dict(type='PoseDecode'), dict(type='Resize', scale=heatmap_wh, keep_ratio=False),
                 *render]

# drop_last: a 1-clip last batch (433 = 27 * 16 + 1 on JHMDB) gives BatchNorm a useless batch
train_dataloader = dict(
    batch_size=16, num_workers=1, persistent_workers=True, drop_last=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(type=dataset_type, ann_file=ann_file, split='train1', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16, num_workers=1, persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, ann_file=ann_file, split='test1', pipeline=test_pipeline,
                 test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='AccMetric')
test_evaluator = val_evaluator

max_epochs = 60
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-4),
                     clip_grad=dict(max_norm=40, norm_type=2))
param_scheduler = [dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5, by_epoch=True,
                        convert_to_iter_based=True)]
auto_scale_lr = dict(enable=False, base_batch_size=16)
randomness = dict(seed=0)
