"""3D pose dataset for training VIPE* (REFERENCE.md section 1)."""
import copy
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmaction.registry import DATASETS, TRANSFORMS
from mmengine.dataset import Compose
from torch.utils.data import Dataset

from ..pose.canonical3d import canonical_bone_directions
from .pose3d_readers import load_pose3d_source, split_sequences


@DATASETS.register_module()
class Pose3DDataset(Dataset):
    """Frames of 3D pose sequences from one or more corpora, fed through a VIPE* pipeline.

    Each source is a dict ``{format, root, [name], [unit_scale], [up_axis]}`` (formats in
    :mod:`vpd_mm.datasets.pose3d_readers`: ``'corpus'`` -- SynthSport's ``pose3d_corpus/`` and the
    documented simple format --, ``'h36m'``, ``'amass'``, ``'msr_action3d'``). Source ``i`` feeds
    decoder head ``i`` (``dataset_idx``), so a model trained on K sources needs
    ``VIPEStarHead(num_datasets=K)``.

    Sequences are split into train / val deterministically by name (:func:`split_sequences`): by a
    stable hash (``val_fraction``) or, with ``val_regex``, the names the regex finds are the
    validation part (e.g. ``'_s(09|10)_'``: MSR Action3D subjects 9 and 10 held out).

    Several corpora can also be joined with mmengine's ``ConcatDataset``, one ``Pose3DDataset`` per
    corpus, each with its own ``dataset_idx`` (decoder head), split rule and ``samples_per_epoch``
    (which sets the mix); see ``configs/vipe/vipe-star_synthsport+msr.py``.

    An item is one frame; ``samples_per_epoch`` makes an "epoch" that many frames drawn at random
    (train) or evenly spaced over all frames (``test_mode``), like VPD's fixed-size epochs.

    The pipeline receives: ``joints3d`` (17, 3), ``sequence`` (T, 17, 3), ``bone_dirs`` (T, 13, 3)
    canonical bone directions of the sequence, ``frame_idx``, ``seq_name``, ``dataset_idx``,
    ``sample_idx`` and ``rng`` (a ``numpy.random.Generator``; seeded by the index in ``test_mode`` so
    validation views are the same every epoch).

    Args:
        sources: Source dicts (see above).
        pipeline: Transform configs (e.g. ``SampleHardNegative3D``, ``RandomFlipPose3D``,
            ``Canonical3DTargets``, ``RandomCameraViews``, ``PackVIPEInputs``).
        split: ``'train'``, ``'val'`` or ``'all'``.
        val_fraction: Fraction of sequences (per source) held out as validation.
        val_regex: Validation sequences are those whose name this regex finds (``re.search``);
            overrides ``val_fraction``.
        dataset_idx: Decoder head of the first source (source ``k`` feeds head ``dataset_idx + k``);
            set it when this dataset is one part of a ``ConcatDataset``.
        frame_stride: Use every ``frame_stride``-th frame as an anchor (negatives still use all).
        samples_per_epoch: Fixed epoch length, or None for one item per anchor frame.
        test_mode: Deterministic sampling.
        seed: Base seed of the ``test_mode`` generators.
    """

    def __init__(self,
                 sources: Sequence[Dict],
                 pipeline: Sequence[Union[dict, callable]],
                 split: str = 'train',
                 val_fraction: float = 0.1,
                 val_regex: Optional[str] = None,
                 dataset_idx: int = 0,
                 frame_stride: int = 1,
                 samples_per_epoch: Optional[int] = None,
                 test_mode: bool = False,
                 seed: int = 0) -> None:
        if isinstance(sources, dict):
            sources = [sources]
        if not sources:
            raise ValueError('Pose3DDataset needs at least one source')
        if frame_stride < 1:
            raise ValueError(f'frame_stride must be >= 1, got {frame_stride}')
        self.sources = [dict(s) for s in sources]
        self.split = split
        self.test_mode = test_mode
        self.seed = seed
        self.samples_per_epoch = samples_per_epoch
        if dataset_idx < 0:
            raise ValueError(f'dataset_idx must be >= 0, got {dataset_idx}')
        self.dataset_idx = dataset_idx
        # built from mmaction's registry explicitly: works whatever the current default scope is
        self.pipeline = Compose([TRANSFORMS.build(t) if isinstance(t, dict) else t for t in pipeline])
        self.sequences: List[np.ndarray] = []
        self.bone_dirs: List[np.ndarray] = []
        self.seq_names: List[str] = []
        self.seq_dataset: List[int] = []
        for k, src in enumerate(self.sources):
            seqs = load_pose3d_source(src)
            keep = split_sequences([n for n, _ in seqs], split, val_fraction, val_regex)
            for i in keep:
                name, joints = seqs[i]
                self.sequences.append(joints)
                self.bone_dirs.append(canonical_bone_directions(joints, name))
                self.seq_names.append(f"{src.get('name', src.get('format', 'corpus'))}/{name}")
                self.seq_dataset.append(dataset_idx + k)
        anchors = [np.arange(0, len(s), frame_stride) for s in self.sequences]
        if not sum(len(a) for a in anchors):
            raise ValueError(f'Pose3DDataset: split {split!r} of {self.sources} holds no frames')
        self._anchor_seq = np.concatenate([np.full(len(a), i, np.int32) for i, a in enumerate(anchors)])
        self._anchor_frame = np.concatenate(anchors).astype(np.int32)

    @property
    def metainfo(self) -> dict:
        """Dataset meta information (source names, their decoder heads, number of decoder heads)."""
        return dict(
            dataset_names=[s.get('name', s.get('format', 'corpus')) for s in self.sources],
            dataset_indices=list(range(self.dataset_idx, self.dataset_idx + len(self.sources))),
            num_datasets=self.dataset_idx + len(self.sources),
            split=self.split)

    @property
    def num_frames(self) -> int:
        """Number of anchor frames."""
        return len(self._anchor_frame)

    def full_init(self) -> None:
        """Nothing to do: data are loaded in ``__init__`` (kept for mmengine's Runner)."""

    def __len__(self) -> int:
        return self.samples_per_epoch if self.samples_per_epoch else self.num_frames

    def get_data_info(self, idx: int) -> dict:
        """The raw item ``idx`` before the pipeline."""
        if not 0 <= idx < len(self):
            raise IndexError(f'index {idx} out of range for {len(self)} items')
        if self.test_mode:
            rng = np.random.default_rng([self.seed, idx])
        else:
            # torch's generator: reseeded per worker *and* per epoch by the DataLoader (numpy's global
            # state is reset to the same seed whenever non-persistent workers restart), and
            # reproducible under the Runner's `randomness.seed`
            rng = np.random.default_rng(int(torch.randint(0, 2**62, (1, )).item()))
        if self.samples_per_epoch and not self.test_mode:
            k = int(rng.integers(self.num_frames))
        elif self.samples_per_epoch:
            k = (idx * self.num_frames) // self.samples_per_epoch
        else:
            k = idx
        s, f = int(self._anchor_seq[k]), int(self._anchor_frame[k])
        return dict(
            joints3d=self.sequences[s][f],
            sequence=self.sequences[s],
            bone_dirs=self.bone_dirs[s],
            frame_idx=f,
            seq_name=self.seq_names[s],
            dataset_idx=self.seq_dataset[s],
            sample_idx=idx,
            rng=rng)

    def __getitem__(self, idx: int) -> dict:
        return self.pipeline(copy.copy(self.get_data_info(idx)))
