"""Default person detector teacher: an RTMDet "nano" (CSPNeXt, widen 0.25) at 160x160.

mmdet's RTMDet-tiny recipe with what this machine needs: one class (``person``), no downloaded
backbone weights (``init_cfg=None``), plain BN instead of SyncBN, a 160x160 input (SynthSport frames
are 320x240, people 40-160 px tall) and a CPU-sized schedule, trained from scratch on SynthSport's
generic images only (one upright person per image).

Train (writes ``work_dirs/teachers/rtmdet-nano_synthsport-generic``)::

    python tools/make_synthsport.py --size standard -o data/synthsport_standard
    python tools/train.py configs/teachers/rtmdet-nano_synthsport-generic.py
"""
_base_ = ['mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py']

max_epochs = 4
stage2_num_epochs = 1
base_lr = 2e-3
img_scale = (160, 160)
data_root = 'data/synthsport_standard/generic/'
metainfo = dict(classes=('person', ), palette=[(220, 20, 60)])
norm_cfg = dict(type='BN', momentum=0.03, eps=0.001)

model = dict(
    backbone=dict(deepen_factor=0.167, widen_factor=0.25, norm_cfg=norm_cfg, init_cfg=None),
    neck=dict(in_channels=[64, 128, 256], out_channels=64, num_csp_blocks=1, norm_cfg=norm_cfg),
    bbox_head=dict(num_classes=1, in_channels=64, feat_channels=64, norm_cfg=norm_cfg),
    test_cfg=dict(score_thr=0.05, max_per_img=20))

train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='CachedMosaic', img_scale=img_scale, pad_val=114.0, max_cached_images=20, random_pop=False),
    dict(type='RandomResize', scale=(320, 320), ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=img_scale),
    dict(type='YOLOXHSVRandomAug'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='Pad', size=img_scale, pad_val=dict(img=(114, 114, 114))),
    dict(
        type='CachedMixUp',
        img_scale=img_scale,
        ratio_range=(1.0, 1.0),
        max_cached_images=10,
        random_pop=False,
        pad_val=(114, 114, 114),
        prob=0.5),
    dict(type='PackDetInputs'),
]
train_pipeline_stage2 = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='RandomResize', scale=img_scale, ratio_range=(0.5, 2.0), keep_ratio=True),
    dict(type='RandomCrop', crop_size=img_scale),
    dict(type='YOLOXHSVRandomAug'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='Pad', size=img_scale, pad_val=dict(img=(114, 114, 114))),
    dict(type='PackDetInputs'),
]
test_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='Resize', scale=img_scale, keep_ratio=True),
    dict(type='Pad', size=img_scale, pad_val=dict(img=(114, 114, 114))),
    dict(type='LoadAnnotations', with_bbox=True),
    dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape', 'img_shape', 'scale_factor')),
]

train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/person_keypoints_train.json',
        data_prefix=dict(img='images/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=16,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(
        data_root=data_root,
        metainfo=metainfo,
        ann_file='annotations/person_keypoints_val.json',
        data_prefix=dict(img='images/'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(ann_file=data_root + 'annotations/person_keypoints_val.json')
test_evaluator = val_evaluator

train_cfg = dict(max_epochs=max_epochs, val_interval=2)
optim_wrapper = dict(optimizer=dict(lr=base_lr))
param_scheduler = [
    dict(type='LinearLR', start_factor=1.0e-3, by_epoch=False, begin=0, end=100),
    dict(
        type='CosineAnnealingLR',
        eta_min=base_lr * 0.05,
        begin=max_epochs // 2,
        end=max_epochs,
        T_max=max_epochs // 2,
        by_epoch=True,
        convert_to_iter_based=True),
]
auto_scale_lr = dict(enable=False)
default_hooks = dict(checkpoint=dict(interval=1, save_best='coco/bbox_mAP', rule='greater', max_keep_ckpts=1))
custom_hooks = [
    dict(type='EMAHook', ema_type='ExpMomentumEMA', momentum=0.0002, update_buffers=True, priority=49),
    dict(type='PipelineSwitchHook', switch_epoch=max_epochs - stage2_num_epochs,
         switch_pipeline=train_pipeline_stage2),
]
