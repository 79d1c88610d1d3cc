import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

from mmaction.registry import HOOKS


def _checkpoint_with_message_hub():
    hub = MessageHub.get_instance('test_plain_ckpt_hook')
    for i in range(5):
        hub.update_scalar('train/loss', float(i) * 0.5)
    hub.update_info('best_score', np.float64(0.75), resumed=True)
    return {'meta': {'epoch': 3, 'score': np.float32(0.5)}, 'state_dict': {'w': torch.ones(2)},
            'message_hub': hub.state_dict()}


def test_raw_mmengine_checkpoint_fails_safe_loading(tmp_path):
    path = tmp_path / 'raw.pth'
    torch.save(_checkpoint_with_message_hub(), path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)


def test_plain_checkpoint_round_trip(tmp_path):
    hook = HOOKS.build(dict(type='PlainCheckpointHook'))
    ckpt = _checkpoint_with_message_hub()
    original = ckpt['message_hub']['log_scalars']['train/loss']
    hook.before_save_checkpoint(None, ckpt)
    path = tmp_path / 'plain.pth'
    torch.save(ckpt, path)
    loaded = torch.load(path, weights_only=True)
    hook.after_load_checkpoint(None, loaded)
    buf = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buf, HistoryBuffer)
    np.testing.assert_allclose(buf.data[0], original.data[0])
    np.testing.assert_allclose(buf.data[1], original.data[1])
    assert buf.mean() == pytest.approx(original.mean())
    assert loaded['message_hub']['runtime_info']['best_score'] == 0.75
    assert type(loaded['meta']['score']) is float
    # the rebuilt hub loads into a MessageHub like a raw one would
    hub = MessageHub.get_instance('test_plain_ckpt_hook_loaded')
    hub.load_state_dict(loaded['message_hub'])
    assert hub.get_scalar('train/loss').current() == pytest.approx(2.0)
