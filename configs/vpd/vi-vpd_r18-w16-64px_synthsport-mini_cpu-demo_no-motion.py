# Ablation of the VI-VPD CPU demo: no motion decoder -- the student regresses p_t only.
_base_ = ['./vi-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py']

model = dict(with_motion=False)
