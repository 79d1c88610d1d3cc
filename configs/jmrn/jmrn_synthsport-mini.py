# Table 1 row "JMRN" on SynthSport (17 COCO joints, 16 element classes).
_base_ = ['../_base_/default_runtime.py', './_base_/synthsport_mini.py', './_base_/jmrn_small.py']
model = dict(backbone=dict(num_joints=17), cls_head=dict(num_classes=16))
# no best-checkpoint selection (val is only 12 clips); keep and report the last checkpoint
default_hooks = dict(checkpoint=dict(interval={{_base_.max_epochs}}, save_best=None, max_keep_ckpts=1),
                     logger=dict(interval=10))
