# VPD student, the paper's setting (REFERENCE.md section 2): ResNet-34 on 128x128 RGB + flow crops,
# motion decoder, summed squared error, AdamW 5e-4, batch 100, "epoch" = 20,000 random frames
# (validation 4,000 fixed frames), up to 1,000 epochs, best checkpoint by validation loss.
# Derived configs set the teacher (teacher_dirs + embedding size). Data (CONTRACT_VPD.md):
#   crops:    <crop_root>/<vid>/{rgb,flow,frames}.npy + meta.json   (tools/extract_crops.py)
#   teachers: <teacher_dir>/<vid>.emb.pkl  (2, D) [original, flipped] + kp_score
# GPU: add --amp to tools/train.py, and for tensor cores
#   --cfg-options model.channels_last=True model.data_preprocessor.channels_last=True
_base_ = ['../../_base_/default_runtime.py']

crop_root = 'data/synthsport/crops'
teacher_dirs = ['data/synthsport/features/vipe']
videos = None  # every finished video of crop_root (unlabelled video of the sport, as in the paper)
embedding_dim = 32  # = the teacher's feature size
min_kp_score = 0.5  # confidence gate on the teacher (0.7 for tennis)
input_size = 128
batch_size = 100
train_samples = 20000  # random frames per epoch
val_samples = 4000
max_epochs = 1000

# uint8 RGB (ImageNet statistics) + 8-bit flow (zero-flow/flip centre 124.5; 12.44 levels = 2 px)
flow_mean, flow_std = 124.5, 12.44
data_preprocessor = dict(
    type='FlowCropDataPreprocessor',
    mean=[123.675, 116.28, 103.53, flow_mean, flow_mean],
    std=[58.395, 57.12, 57.375, flow_std, flow_std],
    to_rgb=False)

model = dict(
    type='PoseDistillationRecognizer',
    backbone=dict(
        type='StudentResNet', depth=34, in_channels=5, base_channels=64, out_channels=embedding_dim),
    motion_head=dict(type='MotionDecoderHead', hidden_channels=(128, 128)),
    with_motion=True,
    flow_x_channel=3,
    data_preprocessor=data_preprocessor)

train_pipeline = [
    dict(type='LoadFlowCrop', with_flow=True),
    dict(type='FlowCropColorJitter', brightness=0.2, contrast=0.2, saturation=0.05, hue=0.05),
    dict(type='FlowCropRandomResizedCrop', size=input_size, scale=(0.5, 1.0), ratio=(0.9, 1.1)),
    dict(type='FlowCropFlip', prob=0.5),
    dict(type='FlowCropBackgroundNoise', std=25.5, prob=0.5),  # only where the store has mask.npy
    dict(type='PackDistillationInputs'),
]
val_pipeline = [
    dict(type='LoadFlowCrop', with_flow=True),
    dict(type='FlowCropResize', size=input_size),
    dict(type='PackDistillationInputs'),
]

dataset_common = dict(
    type='FlowAugmentedCropDataset',
    crop_root=crop_root,
    teacher_dirs=teacher_dirs,
    videos=videos,
    val_fraction=0.2,
    split_by='frame',
    min_kp_score=min_kp_score)

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=8,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='EpochSubsetSampler'),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        **dataset_common, split='train', num_samples_per_epoch=train_samples, pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=batch_size,
    num_workers=4,
    persistent_workers=True,
    pin_memory=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        **dataset_common,
        split='val',
        num_samples_per_epoch=val_samples,
        test_mode=True,
        pipeline=val_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='DistillationValLoss')
test_evaluator = val_evaluator

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(optimizer=dict(type='AdamW', lr=5e-4, weight_decay=0.01))
param_scheduler = []  # constant learning rate

default_hooks = dict(
    checkpoint=dict(
        type='CheckpointHook', interval=10, save_best='distill/objective', rule='less', max_keep_ckpts=2),
    logger=dict(type='LoggerHook', interval=50))
# average the logged loss parts over the same window as the loss (mmengine logs non-"loss" keys as
# their current value otherwise)
log_processor = dict(custom_cfg=[
    dict(data_src='pose_sse', method_name='mean', window_size=20),
    dict(data_src='motion_sse', method_name='mean', window_size=20)
])
randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)
