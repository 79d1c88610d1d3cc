# Table 1 row "JMRN" on SynthSport (17 COCO joints, 16 element classes).
_base_ = ['../_base_/default_runtime.py', './_base_/synthsport_mini.py', './_base_/jmrn_small.py']
model = dict(backbone=dict(num_joints=17), cls_head=dict(num_classes=16))
# no best-checkpoint selection (JHMDB validates on its test split); keep the last checkpoint
default_hooks = dict(checkpoint=dict(interval=5, save_best=None, max_keep_ckpts=1),
                     logger=dict(interval=10))
