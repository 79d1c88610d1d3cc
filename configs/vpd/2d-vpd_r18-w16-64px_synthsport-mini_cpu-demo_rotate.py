# The CPU demo 2D-VPD student with the rotation augmentation (FlowCropRandomRotate): half of the
# confident, mostly upright frames are turned by a random angle together with their target pose, so
# the student also learns the inverted athletes its 2D teacher fails on. Normalized 2D joint
# teachers only (a VIPE* target cannot be turned without its model).
# Measured on SynthSport standard (docs/results.md, "What set the students' defaults"): this
# narrow student learns the turned poses (inverted-frame joint error 0.644 -> 0.568) at the cost of
# upright ones (calm 0.063 -> 0.108), and NNS recognition does not gain. Wider students: not measured.
_base_ = ['./2d-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py']

input_size = 64
train_pipeline = [
    dict(type='LoadFlowCrop', with_flow=True),
    dict(type='FlowCropColorJitter', brightness=0.2, contrast=0.2, saturation=0.05, hue=0.05),
    dict(type='FlowCropRandomResizedCrop', size=input_size, scale=(0.5, 1.0), ratio=(0.9, 1.1)),
    dict(type='FlowCropFlip', prob=0.5),
    dict(type='FlowCropRandomRotate', prob=0.5, max_angle=180),
    dict(type='FlowCropBackgroundNoise', std=25.5, prob=0.5),
    dict(type='PackDistillationInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
