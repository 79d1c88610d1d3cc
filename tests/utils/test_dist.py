"""vpd_mm.utils.dist in one process (the multi-process runs are in tests/tools/test_dist_*.py)."""
import argparse
import logging

import pytest
import torch
from mmengine.config import Config

from vpd_mm.utils.dist import (add_launcher_args, configure_runner_dist, dist_backend, gather_results,
                               init_launcher, rank_device, shard)


def test_shard_strides_the_sorted_items_by_rank():
    items = ['v3', 'v0', 'v4', 'v1', 'v2']
    shares = [shard(items, rank, 2) for rank in range(2)]
    assert shares == [['v0', 'v2', 'v4'], ['v1', 'v3']]
    assert shard(items) == sorted(items)  # one process: everything
    videos = {f'v{i}': f'/videos/v{i}.mp4' for i in (2, 0, 1)}
    assert shard(videos, 1, 3) == {'v1': '/videos/v1.mp4'}
    assert shard(videos, 2, 4) == {'v2': '/videos/v2.mp4'} and shard(videos, 3, 4) == {}
    with pytest.raises(ValueError, match='rank 2 not in'):
        shard(items, 2, 2)


def test_gather_results_in_one_process_is_the_part_sorted():
    assert list(gather_results({'b': 1, 'a': 2})) == ['a', 'b']


def test_backend_is_gloo_without_cuda(caplog):
    if torch.cuda.is_available():
        pytest.skip('this machine has CUDA')
    assert dist_backend() == 'gloo'
    with caplog.at_level(logging.WARNING, logger='vpd_mm.dist'):
        assert dist_backend('nccl') == 'gloo'
    assert 'gloo instead of nccl' in caplog.text
    assert dist_backend('gloo') == 'gloo'


def test_launcher_args_and_single_process_init(monkeypatch):
    parser = add_launcher_args(argparse.ArgumentParser())
    assert parser.parse_args([]).launcher == 'none'
    assert parser.parse_args(['--launcher', 'pytorch', '--local-rank', '1']).local_rank == 1
    assert init_launcher('none') == (0, 1)
    assert rank_device('cuda') == 'cuda' and rank_device('cpu') == 'cpu'
    for key in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'):
        monkeypatch.delenv(key, raising=False)
    with pytest.raises(RuntimeError, match='RANK.*torch.distributed.run'):
        init_launcher('pytorch')
    with pytest.raises(ValueError, match='launcher must be one of'):
        init_launcher('mpirun')


def test_runner_config_for_cpu_ddp():
    if torch.cuda.is_available():
        pytest.skip('this machine has CUDA')
    cfg = Config(
        dict(env_cfg=dict(cudnn_benchmark=False, dist_cfg=dict(backend='nccl')), find_unused_parameters=True))
    configure_runner_dist(cfg, 'none')
    assert cfg.env_cfg.dist_cfg.backend == 'nccl' and 'model_wrapper_cfg' not in cfg
    configure_runner_dist(cfg, 'pytorch')
    assert cfg.env_cfg.dist_cfg.backend == 'gloo' and cfg.env_cfg.cudnn_benchmark is False
    assert cfg.model_wrapper_cfg == dict(
        type='MMDistributedDataParallel', device_ids=None, find_unused_parameters=True)
    cfg = Config(dict(model_wrapper_cfg=dict(type='MMDistributedDataParallel', device_ids=[0])))
    configure_runner_dist(cfg, 'pytorch')
    assert cfg.model_wrapper_cfg.device_ids == [0]  # a config's own choice stays
