# VPD's BiGRU recognizer for the few-shot protocol of the workout videos (4 exercises), run by
# tools/eval_workout.py: the datasets' annotation, feature and subset files are filled in per run
# (k clips per class for training, the other clips for testing; no validation split).
#   python tools/prepare_workout.py ../shared/data/workout_videos -o data/workout
#   python tools/eval_workout.py data/workout --features teacher_2d=features/teacher_2d --tasks fewshot
# Few-shot sets are 1-4 clips per class (one or two steps an epoch): 50 epochs keep the 60 runs of the
# main job (4 feature sets x k = 1, 2, 4 x 5 subsets) within its time.
_base_ = ['./bigru_synthsport-mini_gt-joints.py']

data_root = None
num_classes = 4
max_epochs = 50
model = dict(cls_head=dict(num_classes=num_classes))
train_dataloader = dict(
    dataset=dict(
        data_root=None,
        ann_file='annotations/clips.json',
        split_file=None,
        split=None,
        fewshot_file='annotations/fewshot.json'))
test_dataloader = dict(
    dataset=dict(
        data_root=None, ann_file='annotations/clips.json', split_file='annotations/splits.json', split='all'))
val_dataloader = test_dataloader
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [
    dict(type='CosineAnnealingLR', eta_min=0, T_max=max_epochs, by_epoch=True, convert_to_iter_based=True)
]
default_hooks = dict(checkpoint=dict(interval=max_epochs))
