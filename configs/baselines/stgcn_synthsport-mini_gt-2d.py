# mmaction2's ST-GCN (joint stream) on the athlete's GT 2D COCO-17 poses of SynthSport-mini, on the
# splits of the BiGRU few-shot protocol (mmaction/stgcn_gt2d.pkl holds train/val/test and the few-shot
# subsets as split keys train_k{K}_s{S}, identical to annotations/fewshot.json).
# Prepare:  python tools/make_synthsport.py --size mini -o data/synthsport_mini
# Train:    python tools/train.py configs/baselines/stgcn_synthsport-mini_gt-2d.py
# Few-shot: python tools/fewshot.py configs/baselines/stgcn_synthsport-mini_gt-2d.py \
#               --k 4 8 16 32 64 --trials 5
#           (tools/fewshot.py replaces the train split by train_k{K}_s{S})
_base_ = ['./stgcn_joint_demo-actions-2d.py']

data_root = 'data/synthsport_mini'
ann_file = f'{data_root}/mmaction/stgcn_gt2d.pkl'
num_classes = 16
max_epochs = 30

clip_len = 48  # SynthSport actions last 40-60 frames (the NTU recipe samples 100)

model = dict(cls_head=dict(num_classes=num_classes))


def _pipeline(num_clips, test_mode):
    return [
        dict(type='PreNormalize2D'),
        dict(type='GenSkeFeat', dataset='coco', feats=['j']),
        dict(type='UniformSampleFrames', clip_len=clip_len, num_clips=num_clips, test_mode=test_mode),
        dict(type='PoseDecode'),
        dict(type='FormatGCNInput', num_person=1),
        dict(type='PackActionInputs')
    ]


train_dataloader = dict(
    batch_size=16,
    num_workers=0,
    dataset=dict(dataset=dict(ann_file=ann_file, split='train', pipeline=_pipeline(1, False))))
val_dataloader = dict(
    batch_size=16, num_workers=0, dataset=dict(ann_file=ann_file, split='val', pipeline=_pipeline(1, True)))
test_dataloader = dict(
    batch_size=4, num_workers=0, dataset=dict(ann_file=ann_file, split='test', pipeline=_pipeline(10, True)))

optim_wrapper = dict(optimizer=dict(lr=0.02))
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0, T_max=max_epochs, by_epoch=True, convert_to_iter_based=True)
]
default_hooks = dict(checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))

# a fixed seed: the few-shot protocol reuses the result of a run whose training subset repeats
randomness = dict(seed=0)
