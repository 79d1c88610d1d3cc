# TSN (ResNet-18 from scratch, pretrained=None) from mmaction2, on DemoActions videos.
# Generate the data first:  python tools/make_demo_actions.py -o data/demo_actions
# Frames are decoded with OpenCV (decord is not part of the pinned stack).
_base_ = [
    'mmaction::recognition/tsn/tsn_imagenet-pretrained-r50_8xb32-1x1x3-100e_kinetics400-rgb.py',
    '../_base_/vpd_runtime.py'
]

data_root = 'data/demo_actions'
num_classes = 4
max_epochs = 10
input_size = 96

model = dict(
    backbone=dict(pretrained=None, depth=18),
    cls_head=dict(num_classes=num_classes, in_channels=512))

train_pipeline = [
    dict(type='OpenCVInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=3),
    dict(type='OpenCVDecode'),
    dict(type='Resize', scale=(-1, input_size)),
    dict(type='RandomResizedCrop', area_range=(0.6, 1.0)),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=False),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs')
]
val_pipeline = [
    dict(type='OpenCVInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=3, test_mode=True),
    dict(type='OpenCVDecode'),
    dict(type='Resize', scale=(-1, input_size)),
    dict(type='CenterCrop', crop_size=input_size),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs')
]
test_pipeline = [
    dict(type='OpenCVInit'),
    dict(type='SampleFrames', clip_len=1, frame_interval=1, num_clips=8, test_mode=True),
    dict(type='OpenCVDecode'),
    dict(type='Resize', scale=(-1, input_size)),
    dict(type='CenterCrop', crop_size=input_size),
    dict(type='FormatShape', input_format='NCHW'),
    dict(type='PackActionInputs')
]

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(
        ann_file=f'{data_root}/videos_train.txt',
        data_prefix=dict(video=f'{data_root}/videos'),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(
        ann_file=f'{data_root}/videos_val.txt',
        data_prefix=dict(video=f'{data_root}/videos'),
        pipeline=val_pipeline))
test_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(
        ann_file=f'{data_root}/videos_val.txt',
        data_prefix=dict(video=f'{data_root}/videos'),
        pipeline=test_pipeline))

train_cfg = dict(max_epochs=max_epochs, val_interval=5)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1),
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=0, by_epoch=True, begin=0, end=max_epochs)
]
optim_wrapper = dict(optimizer=dict(lr=0.01), clip_grad=dict(max_norm=40, norm_type=2))
default_hooks = dict(checkpoint=dict(interval=1, max_keep_ckpts=3), logger=dict(interval=5))
