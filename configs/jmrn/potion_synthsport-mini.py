# Table 1 row "PoTion" on SynthSport (17 COCO joints, 16 element classes).
# Prepare: python tools/make_synthsport.py --size mini -o data/synthsport_mini
# Train:   python tools/train.py configs/jmrn/potion_synthsport-mini.py --work-dir work_dirs/jmrn/potion_synthsport-mini
_base_ = ['../_base_/default_runtime.py', './_base_/synthsport_mini.py']
model = dict(
    type='JMRNRecognizer',
    backbone=dict(type='PoTionNet', num_joints=17, in_channels=3, block_channels=(32, 64, 128)),
    cls_head=dict(type='JMRNHead', num_classes=16, in_channels=128, dropout_ratio=0.5, topk=(1, 5)),
    data_preprocessor=dict(type='ActionDataPreprocessor'))
# no best-checkpoint selection (val is only 12 clips); keep and report the last checkpoint
default_hooks = dict(checkpoint=dict(interval={{_base_.max_epochs}}, save_best=None, max_keep_ckpts=1),
                     logger=dict(interval=10))
