# VI-VPD: the student distils VIPE* embeddings (the view-invariant teacher), paper setting.
#   python tools/apply_vipe.py data/synthsport/pose CKPT -o data/synthsport/features/vipe
#   python tools/train.py configs/vpd/vi-vpd_r34_synthsport.py [--amp]
#   python tools/apply_vpd.py configs/vpd/vi-vpd_r34_synthsport.py \
#       work_dirs/vi-vpd_r34_synthsport/best_distill_objective_epoch_*.pth data/synthsport/crops \
#       -o data/synthsport/features/vi-vpd --device cuda
_base_ = ['./_base_/vpd_r34_128px.py']

teacher_dirs = ['data/synthsport/features/vipe']
embedding_dim = 32  # VIPE* embedding size (configs/vipe: embedding_dim)

model = dict(backbone=dict(out_channels=embedding_dim))
train_dataloader = dict(dataset=dict(teacher_dirs=teacher_dirs))
val_dataloader = dict(dataset=dict(teacher_dirs=teacher_dirs))
test_dataloader = val_dataloader
