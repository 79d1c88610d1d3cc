# Ablation of the VI-VPD CPU demo: no optical flow -- 3-channel RGB crops (same frames, targets, schedule).
_base_ = ['./vi-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py']

model = dict(
    backbone=dict(in_channels=3),
    flow_x_channel=None,
    data_preprocessor=dict(mean=[123.675, 116.28, 103.53], std=[58.395, 57.12, 57.375]))
# the base pipelines with the flow channels left out at loading
train_pipeline = [dict(_base_.train_pipeline[0], with_flow=False)] + _base_.train_pipeline[1:]
val_pipeline = [dict(_base_.val_pipeline[0], with_flow=False)] + _base_.val_pipeline[1:]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
