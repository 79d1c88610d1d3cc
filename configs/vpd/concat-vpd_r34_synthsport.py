# Concat-VPD: the student distils VIPE* embeddings and normalized 2D joints, concatenated per frame
# (32 + 39 = 71 dims; frames must be present in both teacher files), paper setting.
_base_ = ['./_base_/vpd_r34_128px.py']

teacher_dirs = ['data/synthsport/features/vipe', 'data/synthsport/features/joints']
embedding_dim = 32 + 39

model = dict(backbone=dict(out_channels=embedding_dim))
train_dataloader = dict(dataset=dict(teacher_dirs=teacher_dirs))
val_dataloader = dict(dataset=dict(teacher_dirs=teacher_dirs))
test_dataloader = val_dataloader
