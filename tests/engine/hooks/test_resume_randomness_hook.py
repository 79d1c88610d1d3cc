import random
from types import SimpleNamespace

import numpy as np
import torch
from mmaction.registry import HOOKS

import vpd_mm  # noqa: F401  (registers the hook)


def _draw():
    return random.random(), float(np.random.rand()), float(torch.rand(1))


def test_resume_restores_the_generators_of_the_checkpoint():
    hook = HOOKS.build(dict(type='ResumeRandomnessHook'))
    checkpoint = {'meta': {}}
    hook.before_save_checkpoint(None, checkpoint)  # end of an epoch: the checkpoint is written
    expected = _draw()  # what the next epoch of the uninterrupted run draws
    _draw()
    resumed = HOOKS.build(dict(type='ResumeRandomnessHook'))
    saved = torch.load(_roundtrip(checkpoint), weights_only=True)  # plain data: safe loading reads it
    resumed.after_load_checkpoint(SimpleNamespace(_resume=True), saved)
    resumed.before_train_epoch(None)
    assert _draw() == expected


def test_validation_leaves_the_generators_as_it_found_them():
    hook = HOOKS.build(dict(type='ResumeRandomnessHook'))
    hook.before_val_epoch(None)
    expected = _draw()
    _draw()  # validation draws (e.g. a data loader's seed)
    hook.after_val_epoch(None)
    assert _draw() == expected


def test_loading_for_testing_restores_nothing():
    hook = HOOKS.build(dict(type='ResumeRandomnessHook'))
    checkpoint = {'meta': {}}
    hook.before_save_checkpoint(None, checkpoint)
    first = _draw()
    hook.after_load_checkpoint(SimpleNamespace(_resume=False), checkpoint)
    hook.before_train_epoch(None)
    assert _draw() != first


def _roundtrip(obj):
    import io
    buf = io.BytesIO()
    torch.save(obj, buf)
    buf.seek(0)
    return buf
