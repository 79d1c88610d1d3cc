# ST-GCN (joint stream, 2D COCO keypoints) from mmaction2, on DemoActions.
# Generate the data first:  python tools/make_demo_actions.py -o data/demo_actions
_base_ = [
    'mmaction::skeleton/stgcn/stgcn_8xb16-joint-u100-80e_ntu60-xsub-keypoint-2d.py',
    '../_base_/vpd_runtime.py'
]

data_root = 'data/demo_actions'
ann_file = f'{data_root}/demo_actions_2d.pkl'
num_classes = 4
max_epochs = 15

model = dict(cls_head=dict(num_classes=num_classes))

train_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(times=1, dataset=dict(ann_file=ann_file, split='train')))
val_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(ann_file=ann_file, split='val'))
test_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=False,
    dataset=dict(ann_file=ann_file, split='val'))

train_cfg = dict(max_epochs=max_epochs, val_interval=5)
param_scheduler = [dict(type='CosineAnnealingLR', eta_min=0, T_max=max_epochs, by_epoch=True,
                        convert_to_iter_based=True)]
default_hooks = dict(logger=dict(interval=5))
