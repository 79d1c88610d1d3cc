# Table 1 row "PoTion": PoTion baseline CNN on the 15 stacked joint motion maps (45 channels).
# Prepare: python tools/data/convert_jhmdb.py ../shared/data/jhmdb_gt -o data/jhmdb/jhmdb_gt_2d.pkl
# Train:   python tools/train.py configs/jmrn/potion_jhmdb-split1.py --seed 0 \
#              --work-dir work_dirs/jmrn_final/potion_jhmdb-split1_seed0
# Test:    python tools/test.py configs/jmrn/potion_jhmdb-split1.py \
#              work_dirs/jmrn_final/potion_jhmdb-split1_seed0/epoch_60.pth \
#              --dump work_dirs/jmrn_final/potion_jhmdb-split1_seed0/test_dump.pkl
# (same for jmrn_*, jmrn-paa_*, jmrn-paa-jcl_*; joint-importance plot: tools/analysis/jmrn_joint_importance.py;
# results and commands: docs/jmrn.md)
_base_ = ['../_base_/default_runtime.py', './_base_/jhmdb_split1.py']
model = dict(
    type='JMRNRecognizer',
    backbone=dict(type='PoTionNet', num_joints=15, in_channels=3, block_channels=(32, 64, 128)),
    cls_head=dict(type='JMRNHead', num_classes=14, in_channels=128, dropout_ratio=0.5, topk=(1, 5)),
    data_preprocessor=dict(type='ActionDataPreprocessor'))
# no best-checkpoint selection (JHMDB validates on its test split); keep the last checkpoint
default_hooks = dict(checkpoint=dict(interval={{_base_.max_epochs}}, save_best=None, max_keep_ckpts=1),
                     logger=dict(interval=10))
