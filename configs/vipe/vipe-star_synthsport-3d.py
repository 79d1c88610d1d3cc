# VIPE* (view-invariant pose embedding, the VI-VPD teacher) trained on SynthSport's 3D pose corpus.
# Small CPU default (a few minutes); vipe-star_synthsport-3d_paper.py has the paper's schedule.
# Generate the data first:  python tools/make_synthsport.py --size mini -o data/synthsport
#   python tools/train.py configs/vipe/vipe-star_synthsport-3d.py
#   python tools/apply_vipe.py data/synthsport/pose \
#       work_dirs/vipe-star_synthsport-3d/best_vipe_objective_epoch_*.pth -o OUT --joints-out OUT_JOINTS
# The default VI-VPD teacher, checkpoints/teachers/vipe-star_synthsport-3d.pth, is this config trained
# on the standard corpus, published without its training-only decoder head:
#   python tools/make_synthsport.py --size standard -o data/synthsport_standard
#   python tools/train.py configs/vipe/vipe-star_synthsport-3d.py --cfg-options \
#       train_dataloader.dataset.sources.0.root=data/synthsport_standard/pose3d_corpus \
#       val_dataloader.dataset.sources.0.root=data/synthsport_standard/pose3d_corpus
#   python tools/publish_model.py work_dirs/vipe-star_synthsport-3d/best_vipe_loss_epoch_10.pth \
#       checkpoints/teachers/vipe-star_synthsport-3d.pth --fp16 --drop-prefix head.
_base_ = ['../_base_/default_runtime.py']

data_root = 'data/synthsport'
sources = [dict(format='corpus', root=f'{data_root}/pose3d_corpus', name='synthsport')]
embedding_dim = 32
batch_size = 100
train_samples = 10000  # frames drawn per "epoch"
val_samples = 2000
max_epochs = 10

model = dict(
    type='VIPEStar',
    backbone=dict(
        type='VIPEStarEncoder',
        in_channels=39,
        out_channels=embedding_dim,
        width=1024,
        num_blocks=2,
        dropout=0.2),
    head=dict(
        type='VIPEStarHead',
        in_channels=embedding_dim,
        out_channels=91,
        hidden_channels=(512, 512),
        num_datasets=len(sources),
        loss_recon=dict(type='VIPEReconstructionLoss', loss_weight=1.0)),
    loss_contrastive=dict(type='VIPEContrastiveLoss', margin=1.0, loss_weight=1.0))

pipeline = [
    dict(type='SampleHardNegative3D', min_angle=45.0, max_tries=10),
    dict(type='RandomFlipPose3D', prob=0.5),
    dict(type='Canonical3DTargets'),
    dict(type='RandomCameraViews', num_views=2),
    dict(type='PackVIPEInputs'),
]

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='Pose3DDataset',
        sources=sources,
        split='train',
        val_fraction=0.1,
        samples_per_epoch=train_samples,
        pipeline=pipeline))
val_dataloader = dict(
    batch_size=batch_size,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='default_collate'),
    dataset=dict(
        type='Pose3DDataset',
        sources=sources,
        split='val',
        val_fraction=0.1,
        samples_per_epoch=val_samples,
        test_mode=True,
        pipeline=pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='VIPEValLoss')
test_evaluator = val_evaluator

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-4, weight_decay=0.01))
param_scheduler = []

default_hooks = dict(
    checkpoint=dict(
        type='CheckpointHook', interval=1, save_best='vipe/objective', rule='less', max_keep_ckpts=2),
    logger=dict(type='LoggerHook', interval=20))
randomness = dict(seed=0, diff_rank_seed=False, deterministic=False)
