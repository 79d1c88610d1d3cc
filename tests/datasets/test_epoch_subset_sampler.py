import mmengine.dataset.sampler as mmengine_sampler

from vpd_mm.datasets import EpochSubsetSampler


class Frames:
    num_samples_per_epoch = 30

    def __len__(self):
        return 100


def test_fresh_subset_each_epoch_and_same_subset_after_resume():
    s = EpochSubsetSampler(Frames(), seed=3)
    assert len(s) == 30
    s.set_epoch(0)
    e0 = list(s)
    s.set_epoch(1)
    e1 = list(s)
    assert len(e0) == len(set(e0)) == 30 and all(0 <= i < 100 for i in e0)
    assert e0 != e1
    resumed = EpochSubsetSampler(Frames(), seed=3)  # a new process resuming at epoch 1
    resumed.set_epoch(1)
    assert list(resumed) == e1


def test_epochs_larger_than_the_dataset_cycle_through_all_items():
    s = EpochSubsetSampler(Frames(), num_samples=250, seed=0)
    idx = list(s)
    assert len(idx) == 250
    counts = [idx.count(i) for i in range(100)]
    assert min(counts) == 2 and max(counts) == 3


def test_ranks_split_one_shared_subset(monkeypatch):
    shares = []
    for rank in range(3):
        monkeypatch.setattr(mmengine_sampler, 'get_dist_info', lambda rank=rank: (rank, 3))
        s = EpochSubsetSampler(Frames(), seed=7)
        s.set_epoch(4)
        shares.append(list(s))
        assert len(s) == 10 and s.rank == rank
    assert sum(map(len, shares)) == 30
    assert len(set().union(*shares)) == 30  # disjoint shares of the same 30 frames
    monkeypatch.setattr(mmengine_sampler, 'get_dist_info', lambda: (0, 1))
    single = EpochSubsetSampler(Frames(), seed=7)
    single.set_epoch(4)
    assert set(single) == set().union(*shares)
