# VPD's BiGRU recognizer (REFERENCE.md section 4) on SynthSport-mini, GT 2D "normalized joints".
# Prepare:  python tools/make_synthsport.py --size mini -o data/synthsport_mini
#           python tools/make_joint_features.py data/synthsport_mini/pose \
#               -o data/synthsport_mini/features/gt_joints
# Train:    python tools/train.py configs/recognition/bigru_synthsport-mini_gt-joints.py
# Few-shot: python tools/fewshot.py configs/recognition/bigru_synthsport-mini_gt-joints.py \
#               --k 4 8 16 32 64 [all] --trials 5
#           (also trains the `fewshot_baselines` below on the same subsets; `--baselines` alone skips them)
# The paper trains 500 epochs (200 on large sets); the CPU default here is short: override with
# --cfg-options max_epochs=500 train_cfg.max_epochs=500 param_scheduler.0.T_max=500
_base_ = ['../_base_/default_runtime.py']

data_root = 'data/synthsport_mini'
feature_dirs = ['features/gt_joints']  # relative to data_root; several dirs are concatenated
in_channels = 39  # sum of the sources' feature sizes
num_classes = 16  # len(dataset.json "classes"); tools/fewshot.py fills it in from the data
target_fps = None  # resample (nearest frame) to this fps; the paper uses 25 where fps varies
max_epochs = 30
batch_size = 50

model = dict(
    type='FeatureSequenceRecognizer',
    backbone=dict(
        type='BiGRU',
        in_channels=in_channels,
        hidden_channels=128,
        num_layers=2,
        input_dropout=0.2,
        bidirectional=True,
        pool='max'),
    cls_head=dict(
        type='BiGRUHead',
        num_classes=num_classes,
        in_channels=256,
        hidden_channels=256,
        dropout=0.5,
        average_clips='prob',
        topk=(1, )),
    data_preprocessor=dict(type='FeatureSequenceDataPreprocessor'),
    test_cfg=dict(attach_features=True))

dataset_type = 'FeatureSequenceDataset'
ann_file = 'annotations/elements.json'
split_file = 'annotations/splits.json'
fewshot_file = 'annotations/fewshot.json'
dataset_info_file = 'dataset.json'
pipeline = [dict(type='PackFeatureInputs')]
# mmaction2 baselines on the same splits and few-shot subsets, run by tools/fewshot.py with this config
fewshot_baselines = [
    'configs/baselines/stgcn_synthsport-mini_gt-2d.py',  # ST-GCN on the athlete's GT 2D poses
    'configs/baselines/tsn_r18_synthsport-mini_clips.py',  # TSN (ResNet-18) on the athlete clips
]

train_dataloader = dict(
    batch_size=batch_size,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    collate_fn=dict(type='pseudo_collate'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file=ann_file,
        feature_dirs=feature_dirs,
        split_file=split_file,
        split='train',
        fewshot_file=fewshot_file,
        fewshot_k=None,
        fewshot_trial=0,
        dataset_info_file=dataset_info_file,
        target_fps=target_fps,
        view_mode='samples',  # both flips are training samples
        pipeline=pipeline))
val_dataloader = dict(
    batch_size=batch_size,
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
        dataset_info_file=dataset_info_file,
        target_fps=target_fps,
        view_mode='stack',  # predictions of both flips are summed
        pipeline=pipeline,
        test_mode=True))
test_dataloader = dict(
    batch_size=batch_size,
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
        dataset_info_file=dataset_info_file,
        target_fps=target_fps,
        view_mode='stack',
        pipeline=pipeline,
        test_mode=True))

val_evaluator = dict(
    type='AccMetric',
    metric_list=('top_k_accuracy', 'mean_class_accuracy'),
    metric_options=dict(top_k_accuracy=dict(topk=(1, ))))
test_evaluator = val_evaluator

train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_begin=1, val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.01))
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0, T_max=max_epochs, by_epoch=True, convert_to_iter_based=True)
]

default_hooks = dict(
    checkpoint=dict(interval=max_epochs, max_keep_ckpts=1, save_best=None), logger=dict(interval=10))
randomness = dict(seed=0)
