# Repetition-boundary spotting on the workout videos: the per-frame BiGRU detector of
# bigru-det_synthsport-mini_gt-joints.py trained on the frames within a few frames of each repetition
# marker, cross-validated over clips by tools/eval_workout.py (which fills in the targets, feature
# folders and clips of every fold). Clips are 46-1726 frames: windows of 150 frames.
_base_ = ['./bigru-det_synthsport-mini_gt-joints.py']

data_root = None
window = 150
max_iters = 150
train_pipeline = [
    dict(type='RandomFeatureWindow', window=window),
    dict(type='SelectFeatureView', view='random'),
    dict(type='PackFeatureInputs')
]
train_dataloader = dict(dataset=dict(data_root=None, split_file=None, split=None, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=None, split_file=None, split=None))
test_dataloader = dict(dataset=dict(data_root=None, split_file=None, split=None))
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(checkpoint=dict(interval=max_iters))
