# VIPE* trained on SynthSport's synthetic 3D corpus and the real Kinect 3D skeletons of MSR Action3D,
# joined with mmengine's ConcatDataset (one Pose3DDataset per corpus, each with its own decoder head),
# same random-camera views and contrastive + reconstruction objective as vipe-star_synthsport-3d.py.
# MSR subjects 9 and 10 are held out (validation and the view-invariance figures); SynthSport's
# validation part is its usual 10 % of sequences. An "epoch" draws half its frames from each corpus.
# MSR Action3D is research data: it is read from ../shared/data, never copied into the repository.
# The MSR -> COCO-17 joint map and what it lacks: vpd_mm/datasets/pose3d_readers.py (KINECT20_TO_COCO).
#   python tools/train.py configs/vipe/vipe-star_synthsport+msr.py   (SynthSport generated in data/synthsport)
# or with another corpus (tools/analysis/run_vipe_real.sh uses the 400-sequence one of --size standard):
#   python tools/train.py configs/vipe/vipe-star_synthsport+msr.py --cfg-options \
#       train_dataloader.dataset.datasets.0.sources.0.root=CORPUS \
#       val_dataloader.dataset.datasets.0.sources.0.root=CORPUS
# Results on JHMDB and MSR (and the one command that reproduces them): docs/vipe_real.md.
_base_ = ['./vipe-star_synthsport-3d.py']

synth_root = 'data/synthsport/pose3d_corpus'
msr_root = '../shared/data/msr_action3d/MSRAction3DSkeletonReal3D'
msr_val_regex = '_s(09|10)_'  # held-out subjects
train_samples = 10000
val_samples = 2000

model = dict(head=dict(num_datasets=2))

_pipeline = [
    dict(type='SampleHardNegative3D', min_angle=45.0, max_tries=10),
    dict(type='RandomFlipPose3D', prob=0.5),
    dict(type='Canonical3DTargets'),
    dict(type='RandomCameraViews', num_views=2),
    dict(type='PackVIPEInputs'),
]


def _corpora(split, samples, test_mode):
    return [
        dict(type='Pose3DDataset', sources=[dict(format='corpus', root=synth_root, name='synthsport')],
             dataset_idx=0, split=split, val_fraction=0.1, samples_per_epoch=samples // 2,
             test_mode=test_mode, pipeline=_pipeline),
        dict(type='Pose3DDataset', sources=[dict(format='msr_action3d', root=msr_root, name='msr_action3d')],
             dataset_idx=1, split=split, val_regex=msr_val_regex, samples_per_epoch=samples - samples // 2,
             test_mode=test_mode, pipeline=_pipeline),
    ]


# the parts differ in their source names and decoder heads, nothing else
_ignore_keys = ['dataset_names', 'dataset_indices', 'num_datasets']
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=_corpora('train', train_samples, False),
        ignore_keys=_ignore_keys))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=_corpora('val', val_samples, True),
        ignore_keys=_ignore_keys))
test_dataloader = val_dataloader
