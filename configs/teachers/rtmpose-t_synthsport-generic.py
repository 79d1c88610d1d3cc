"""Default 2D pose teacher: RTMPose-t at 96x128 trained from scratch on SynthSport's generic data.

mmpose's RTMPose-t recipe with what this machine needs: no downloaded backbone weights
(``init_cfg=None``), plain BN instead of SyncBN, no Albumentations (not installed), a 96x128 input
and a CPU-sized schedule: 60 epochs, ~50 min on 2 cores (COCO AP 0.77 and PCK@0.2 0.98 on the
generic val images; the 12 epochs used until session 7 left it underfit at AP 0.17 / PCK 0.93).
It learns single people in everyday upright poses only, so, like a COCO-trained model on real
sport video, it is less reliable on fast, blurred and inverted athletes.

Train (writes ``work_dirs/teachers/rtmpose-t_synthsport-generic``)::

    python tools/make_synthsport.py --size standard -o data/synthsport_standard
    python tools/train.py configs/teachers/rtmpose-t_synthsport-generic.py
"""
_base_ = ['mmpose::body_2d_keypoint/rtmpose/coco/rtmpose-t_8xb256-420e_coco-256x192.py']

max_epochs = 60
stage2_num_epochs = 10
base_lr = 4e-3
input_size = (96, 128)  # (w, h)
data_root = 'data/synthsport_standard/generic/'

train_cfg = dict(max_epochs=max_epochs, val_interval=10)
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

codec = dict(
    type='SimCCLabel',
    input_size=input_size,
    sigma=(2.45, 2.83),
    simcc_split_ratio=2.0,
    normalize=False,
    use_dark=False)

model = dict(
    backbone=dict(norm_cfg=dict(type='BN'), init_cfg=None),
    head=dict(
        input_size=input_size,
        in_featuremap_size=tuple(s // 32 for s in input_size),
        decoder=codec))

_augment = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
]
train_pipeline = _augment + [
    dict(type='RandomBBoxTransform', scale_factor=[0.6, 1.4], rotate_factor=80),
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='mmdet.YOLOXHSVRandomAug'),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs'),
]
train_pipeline_stage2 = _augment + [
    dict(type='RandomBBoxTransform', shift_factor=0., scale_factor=[0.75, 1.25], rotate_factor=60),
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='mmdet.YOLOXHSVRandomAug'),
    dict(type='GenerateTarget', encoder=codec),
    dict(type='PackPoseInputs'),
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=input_size),
    dict(type='PackPoseInputs'),
]

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    persistent_workers=True,
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/person_keypoints_train.json',
        data_prefix=dict(img='images/'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=64,
    num_workers=1,
    persistent_workers=True,
    dataset=dict(
        data_root=data_root,
        ann_file='annotations/person_keypoints_val.json',
        data_prefix=dict(img='images/'),
        pipeline=val_pipeline))
test_dataloader = val_dataloader

custom_hooks = [
    dict(
        type='mmdet.PipelineSwitchHook',
        switch_epoch=max_epochs - stage2_num_epochs,
        switch_pipeline=train_pipeline_stage2)
]
default_hooks = dict(checkpoint=dict(interval=1, save_best='coco/AP', rule='greater', max_keep_ckpts=1))

val_evaluator = [
    dict(type='CocoMetric', ann_file=data_root + 'annotations/person_keypoints_val.json'),
    dict(type='PCKAccuracy', thr=0.2, norm_item='bbox'),
]
test_evaluator = val_evaluator
