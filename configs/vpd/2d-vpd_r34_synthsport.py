# 2D-VPD: the student distils the teacher's normalized 2D joints (39-d), paper setting.
#   python tools/make_joint_features.py ... -o data/synthsport/features/joints
#   python tools/train.py configs/vpd/2d-vpd_r34_synthsport.py [--amp]
_base_ = ['./_base_/vpd_r34_128px.py']

teacher_dirs = ['data/synthsport/features/joints']
embedding_dim = 39  # 13 joints x (x, y, score)

model = dict(backbone=dict(out_channels=embedding_dim))
train_dataloader = dict(dataset=dict(teacher_dirs=teacher_dirs))
val_dataloader = dict(dataset=dict(teacher_dirs=teacher_dirs))
test_dataloader = val_dataloader
