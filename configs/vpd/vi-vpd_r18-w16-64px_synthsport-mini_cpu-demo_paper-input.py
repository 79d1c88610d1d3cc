# The VI-VPD CPU demo with the published student's input conventions (REFERENCE.md section 4b):
# the 5-channel first convolution starts with the mean of the RGB kernels in every channel
# (conv1_init='paper'), and the 8-bit flow is decoded as q / 255 - 0.5 (mean 127.5, std 255) instead
# of the default (q - 124.5) / 12.44 (2 px per unit). docs/protocol.md compares the two.
_base_ = ['./vi-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py']

paper_flow_mean, paper_flow_std = 127.5, 255.0
model = dict(
    backbone=dict(conv1_init='paper'),
    data_preprocessor=dict(
        mean=[123.675, 116.28, 103.53, paper_flow_mean, paper_flow_mean],
        std=[58.395, 57.12, 57.375, paper_flow_std, paper_flow_std]))
