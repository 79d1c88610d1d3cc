"""Fixed-size epochs of freshly drawn random frames (VPD's "epoch" = 20,000 random frames)."""
import math
from typing import Iterator, Optional, Sized

import torch
from mmaction.registry import DATA_SAMPLERS
from mmengine.dataset import DefaultSampler


@DATA_SAMPLERS.register_module()
class EpochSubsetSampler(DefaultSampler):
    """mmengine's :class:`~mmengine.dataset.DefaultSampler` whose epoch is ``num_samples`` random items.

    Each epoch draws a new subset: the first ``num_samples`` indices of a permutation seeded by
    ``seed + epoch`` (further permutations are appended when ``num_samples`` exceeds the dataset, so
    every item appears as evenly as possible). The epoch comes from ``set_epoch`` (called by mmengine's
    ``DistSamplerSeedHook`` before every training epoch, also after ``--resume``), so a resumed run
    sees the same frames as an uninterrupted one, and every rank computes the same subset and takes
    its own ``rank::world_size`` share, as DefaultSampler does.

    Args:
        dataset: The dataset.
        num_samples: Items per epoch over all ranks; None uses ``dataset.num_samples_per_epoch`` (e.g.
            :class:`~vpd_mm.datasets.FlowAugmentedCropDataset`), and the whole dataset when that is
            None too.
        seed: Shuffling seed (shared by all ranks); None draws a synchronised random one.
        round_up: Pad the epoch to a multiple of the world size (DefaultSampler semantics).
    """

    def __init__(self,
                 dataset: Sized,
                 num_samples: Optional[int] = None,
                 seed: Optional[int] = None,
                 round_up: bool = True) -> None:
        super().__init__(dataset, shuffle=True, seed=seed, round_up=round_up)
        if num_samples is None:
            num_samples = getattr(dataset, 'num_samples_per_epoch', None) or len(dataset)
        if num_samples < 1:
            raise ValueError(f'num_samples must be >= 1, got {num_samples}')
        if len(dataset) < 1:
            raise ValueError('EpochSubsetSampler: empty dataset')
        self.epoch_size = int(num_samples)
        if self.round_up:
            self.num_samples = math.ceil(self.epoch_size / self.world_size)
            self.total_size = self.num_samples * self.world_size
        else:
            self.num_samples = math.ceil((self.epoch_size - self.rank) / self.world_size)
            self.total_size = self.epoch_size

    def epoch_indices(self) -> list:
        """All ranks' indices of the current epoch (``total_size`` items)."""
        g = torch.Generator()
        g.manual_seed(self.seed + self.epoch)
        n = len(self.dataset)
        chunks, have = [], 0
        while have < self.total_size:
            chunks.append(torch.randperm(n, generator=g))
            have += n
        return torch.cat(chunks)[:self.total_size].tolist()

    def __iter__(self) -> Iterator[int]:
        return iter(self.epoch_indices()[self.rank:self.total_size:self.world_size])
