# JMRN at CPU scale: the paper's layout with 1/8 of its widths (paper: extractor 128/128/256/256,
# c_dim 128, selector 256), for 24x24 motion maps of 15 JHMDB joints.
model = dict(
    type='JMRNRecognizer',
    backbone=dict(type='JMRN', num_joints=15, in_channels=3, extractor_channels=(16, 16, 32, 32),
                  c_dim=16, selector_channels=32, reasoning_channels=(64, 64, 128)),
    cls_head=dict(type='JMRNHead', num_classes=14, in_channels=128, dropout_ratio=0.5, topk=(1, 5)),
    data_preprocessor=dict(type='ActionDataPreprocessor'))
