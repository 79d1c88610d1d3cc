# Ablation: VI-VPD without optical flow -- 3-channel RGB crops (same frames, targets and schedule).
_base_ = ['./vi-vpd_r34_synthsport.py']

input_size = 128
model = dict(
    backbone=dict(in_channels=3),
    flow_x_channel=None,
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]))
train_pipeline = [
    dict(type='LoadFlowCrop', with_flow=False),
    dict(type='FlowCropColorJitter', brightness=0.2, contrast=0.2, saturation=0.05, hue=0.05),
    dict(type='FlowCropRandomResizedCrop', size=input_size, scale=(0.5, 1.0), ratio=(0.9, 1.1)),
    dict(type='FlowCropFlip', prob=0.5),
    dict(type='FlowCropBackgroundNoise', std=25.5, prob=0.5),
    dict(type='PackDistillationInputs'),
]
val_pipeline = [
    dict(type='LoadFlowCrop', with_flow=False),
    dict(type='FlowCropResize', size=input_size),
    dict(type='PackDistillationInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
