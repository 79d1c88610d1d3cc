# JMRN + PAA + joint-contrastive at the paper's scale (REFERENCE.md section 5): full widths, 64x64
# motion maps, Adam 1e-4, batch 16, 100 epochs, plateau LR decay. A GPU job (hours on CPU).
# JHMDB has no validation split: this config trains on train1_fit and validates (every epoch, for
# the plateau scheduler) on train1_holdout, a stratified 20 % of train1 (tools/data/convert_jhmdb.py), so
# the test1 number of tools/test.py is untouched by the schedule.
_base_ = ['./jmrn-paa-jcl_jhmdb-split1.py']
heatmap_wh = (64, 64)
paa = dict(type='PoseAwareAugmentation', beta=8.0, gamma=3.0, flip_ratio=0.5, layout='jhmdb15')
render = [
    dict(type='RenderJointHeatmaps', sigma=2.0, use_score=True),
    dict(type='PoTion', num_channels=3, normalize=True),
    dict(type='PackActionInputs', meta_keys=('frame_dir', 'img_shape')),
]
train_pipeline = [dict(type='PoseDecode'), dict(type='Resize', scale=heatmap_wh, keep_ratio=False),
                  paa, *render]
test_pipeline = [dict(type='PoseDecode'), dict(type='Resize', scale=heatmap_wh, keep_ratio=False),
                 *render]
train_dataloader = dict(num_workers=4, dataset=dict(split='train1_fit', pipeline=train_pipeline))
val_dataloader = dict(num_workers=4, dataset=dict(split='train1_holdout', pipeline=test_pipeline))
test_dataloader = dict(num_workers=4, dataset=dict(split='test1', pipeline=test_pipeline))
model = dict(
    backbone=dict(extractor_channels=(128, 128, 256, 256), c_dim=128, selector_channels=256,
                  reasoning_channels=(256, 256, 512)),
    cls_head=dict(in_channels=512),
    contrastive_loss=dict(in_channels=128, hidden_channels=128, out_channels=128, loss_weight=0.05,
                          warmup_epochs=0))
max_epochs = 100
train_cfg = dict(max_epochs=max_epochs, val_interval=1)
default_hooks = dict(checkpoint=dict(interval=max_epochs))
optim_wrapper = dict(optimizer=dict(type='Adam', lr=1e-4, weight_decay=0.0))
param_scheduler = [dict(type='ReduceOnPlateauLR', monitor='acc/top1', rule='greater',
                        factor=0.1, patience=10, min_value=1e-6)]
