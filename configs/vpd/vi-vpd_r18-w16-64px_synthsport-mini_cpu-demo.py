# VI-VPD CPU demo on SynthSport mini: the 2D-VPD demo with the VIPE* teacher (32-d embeddings of
# the teacher's 2D poses, tools/apply_vipe.py) and the paper's 0.5 confidence gate on the pose
# estimator's scores. The main job (tools/run_vpd.py) points crop_root / teacher_dirs at its outputs.
_base_ = ['./2d-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py']

crop_root = 'data/synthsport_mini/crops'
teacher_dirs = ['data/synthsport_mini/features/teacher_vipe']
embedding_dim = 32
min_kp_score = 0.5

model = dict(backbone=dict(out_channels=embedding_dim))
dataset_cfg = dict(crop_root=crop_root, teacher_dirs=teacher_dirs, min_kp_score=min_kp_score)
train_dataloader = dict(dataset=dataset_cfg)
val_dataloader = dict(dataset=dataset_cfg)
test_dataloader = val_dataloader
