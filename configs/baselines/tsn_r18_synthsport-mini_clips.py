# mmaction2's TSN (ResNet-18 from scratch) on the athlete clips of SynthSport-mini (one clip per
# annotated action, mmaction/clips/), on the splits of the BiGRU few-shot protocol.
# Prepare:  python tools/make_synthsport.py --size mini -o data/synthsport_mini
# Train:    python tools/train.py configs/baselines/tsn_r18_synthsport-mini_clips.py
# Few-shot: python tools/fewshot.py configs/baselines/tsn_r18_synthsport-mini_clips.py \
#               --k 4 8 16 32 64 --trials 5
#           (tools/fewshot.py writes the few-shot subset as a list file and trains on it)
_base_ = ['./tsn_r18_demo-actions-rgb.py']

data_root = 'data/synthsport_mini/mmaction'
# few-shot subsets {k: [[element ids] per trial]}; tools/fewshot.py keeps the list lines of those clips
fewshot_file = 'data/synthsport_mini/annotations/fewshot.json'
num_classes = 16
max_epochs = 10

model = dict(cls_head=dict(num_classes=num_classes))
train_dataloader = dict(
    num_workers=0,
    dataset=dict(ann_file=f'{data_root}/tsn_train.txt', data_prefix=dict(video=f'{data_root}/clips')))
val_dataloader = dict(
    num_workers=0,
    dataset=dict(ann_file=f'{data_root}/tsn_val.txt', data_prefix=dict(video=f'{data_root}/clips')))
test_dataloader = dict(
    num_workers=0,
    dataset=dict(ann_file=f'{data_root}/tsn_test.txt', data_prefix=dict(video=f'{data_root}/clips')))

train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
default_hooks = dict(checkpoint=dict(interval=max_epochs, max_keep_ckpts=1))

# a fixed seed: the few-shot protocol reuses the result of a run whose training subset repeats
randomness = dict(seed=0)
