# VPD's BiGRU recognizer on JHMDB split 1, GT joints as VPD "normalized joints" (14 classes present in
# the DD-Net GT pickles). Prepare (research data, kept under the git-ignored data/):
#   python tools/data/make_jhmdb_features.py ../shared/data/jhmdb_gt -o data/jhmdb_features/split1 --split 1
# Train + test: python tools/train.py configs/recognition/bigru_jhmdb-split1_gt-joints.py
# NNS-DTW:      python tools/nns.py configs/recognition/bigru_jhmdb-split1_gt-joints.py
_base_ = ['./bigru_synthsport-mini_gt-joints.py']

data_root = 'data/jhmdb_features/split1'
feature_dirs = ['features']
num_classes = 14
max_epochs = 100

model = dict(cls_head=dict(num_classes=num_classes))
_data = dict(data_root=data_root, feature_dirs=feature_dirs, fewshot_file=None)
train_dataloader = dict(dataset=dict(**_data))
val_dataloader = dict(dataset=dict(split='test', **_data))  # JHMDB has no validation split
test_dataloader = dict(dataset=dict(**_data))

train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0, T_max=max_epochs, by_epoch=True, convert_to_iter_based=True)
]
default_hooks = dict(checkpoint=dict(interval=max_epochs))
