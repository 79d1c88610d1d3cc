# Ablation: VI-VPD without the motion decoder -- the student regresses p_t only (no p_t - p_{t-1}).
_base_ = ['./vi-vpd_r34_synthsport.py']

model = dict(with_motion=False)
