# Temporal action detection (REFERENCE.md section 4): per-frame BiGRU on random 250-frame windows,
# trained on the few training videos; tools/detect.py builds the 5-fold cross-validated ensemble.
# Prepare features as in configs/recognition/bigru_synthsport-mini_gt-joints.py, then:
#   python tools/detect.py configs/detection/bigru-det_synthsport-mini_gt-joints.py
# The paper trains 1e4 steps with batch 100; the CPU default here is 100 steps with batch 16 per fold
# (about 1.5 CPU-minutes per fold). Paper schedule:
#   --iters 10000 (tools/detect.py) and train_dataloader.batch_size = 100
_base_ = ['../_base_/default_runtime.py']

data_root = 'data/synthsport_mini'
feature_dirs = ['features/gt_joints']
in_channels = 39
max_iters = 100
batch_size = 16
window = 250

model = dict(
    type='FrameBiGRUDetector',
    backbone=dict(
        type='BiGRU',
        in_channels=in_channels,
        hidden_channels=128,
        num_layers=2,
        input_dropout=0.2,
        bidirectional=True,
        pool=None),
    head=dict(type='FrameBinaryHead', in_channels=256, hidden_channels=256, dropout=0.5),
    data_preprocessor=dict(type='FeatureSequenceDataPreprocessor'))

dataset_type = 'FeatureVideoDataset'
ann_file = 'annotations/elements.json'
split_file = 'annotations/splits.json'
train_pipeline = [
    dict(type='RandomFeatureWindow', window=window),
    dict(type='SelectFeatureView', view='random'),
    dict(type='PackFeatureInputs')
]
test_pipeline = [dict(type='PackFeatureInputs')]

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_file,
        feature_dirs=feature_dirs,
        split_file=split_file,
        split='train',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_file,
        feature_dirs=feature_dirs,
        split_file=split_file,
        split='val',
        pipeline=test_pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_file,
        feature_dirs=feature_dirs,
        split_file=split_file,
        split='test',
        pipeline=test_pipeline,
        test_mode=True))

# mean_length (mean training action length) is filled in by tools/detect.py
val_evaluator = dict(
    type='TemporalDetectionMetric',
    tious=(0.3, 0.4, 0.5, 0.6, 0.7),
    threshold=0.2,
    min_length=5,  # runs of at least 5 frames, as the published code keeps them
    mean_length=None,
    length_range=(0.67, 1.33))
test_evaluator = val_evaluator

train_cfg = dict(type='IterBasedTrainLoop', max_iters=max_iters, val_interval=max_iters)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.01))
param_scheduler = []
log_processor = dict(by_epoch=False)
default_hooks = dict(
    checkpoint=dict(by_epoch=False, interval=max_iters, max_keep_ckpts=1, save_best=None),
    logger=dict(interval=20))
randomness = dict(seed=0)
