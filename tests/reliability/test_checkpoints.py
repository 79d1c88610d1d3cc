"""Damaged, foreign and unsafe checkpoints: every load goes through ``torch.load(weights_only=True)`` and
a bad file is refused with a message naming it."""
import os
import os.path as osp

import pytest
import torch
from reliability_helpers import REPO, output, run_tool

import vpd_mm  # noqa: F401  (applies vpd_mm.compat)
from vpd_mm.downstream.synthetic import make_synthetic_feature_dataset

RECOGNITION = osp.join(REPO, 'configs', 'recognition', 'bigru_synthsport-mini_gt-joints.py')
STUDENT = osp.join(REPO, 'configs', 'vpd', '2d-vpd_r18-w16-64px_synthsport-mini_cpu-demo.py')


def _tiny_bigru(root, path, hidden=16):
    path.write_text(f"""_base_ = [{RECOGNITION!r}]
data_root = {root!r}
loader = dict(batch_size=8, dataset=dict(data_root=data_root, feature_dirs=['features/synthetic']))
train_dataloader = loader
val_dataloader = loader
test_dataloader = loader
model = dict(backbone=dict(in_channels=6, hidden_channels={hidden}),
             cls_head=dict(in_channels={2 * hidden}, num_classes=3))
train_cfg = dict(max_epochs=1, val_interval=1)
param_scheduler = [dict(type='CosineAnnealingLR', T_max=1, by_epoch=True, begin=0, end=1)]
default_hooks = dict(checkpoint=dict(interval=1))
""")
    return str(path)


class _Payload:
    """Unpickling this runs ``os.system`` (the classic malicious checkpoint)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f'touch {self.marker}', ))


@pytest.fixture(scope='module')
def trained(tmp_path_factory):
    """A BiGRU trained one epoch with tools/train.py, and a config of another architecture."""
    root = tmp_path_factory.mktemp('ckpt')
    make_synthetic_feature_dataset(str(root / 'data'))
    config = _tiny_bigru(str(root / 'data'), root / 'tiny.py')
    other = _tiny_bigru(str(root / 'data'), root / 'other.py', hidden=8)
    proc = run_tool('train.py', config, '--work-dir', root / 'work')
    assert proc.returncode == 0, output(proc)[-3000:]
    ckpt = str(root / 'work' / 'epoch_1.pth')
    assert osp.isfile(ckpt)
    return dict(root=root, config=config, other=other, ckpt=ckpt)


def test_good_checkpoint_tests(trained):
    proc = run_tool('test.py', trained['config'], trained['ckpt'], '--work-dir', trained['root'] / 't0')
    assert proc.returncode == 0, output(proc)[-3000:]
    assert 'acc/top1' in output(proc)


def test_truncated_checkpoint(trained, tmp_path):
    bad = tmp_path / 'truncated.pth'
    data = open(trained['ckpt'], 'rb').read()
    bad.write_bytes(data[:len(data) // 2])
    proc = run_tool('test.py', trained['config'], bad, '--work-dir', tmp_path / 'w')
    assert proc.returncode != 0
    assert f'{bad}: truncated or corrupt checkpoint, cannot be read' in output(proc)


def test_empty_checkpoint(trained, tmp_path):
    bad = tmp_path / 'empty.pth'
    bad.write_bytes(b'')
    proc = run_tool('test.py', trained['config'], bad, '--work-dir', tmp_path / 'w')
    assert proc.returncode != 0 and f'{bad}: checkpoint is empty (0 bytes)' in output(proc)


def test_checkpoint_of_another_architecture(trained, tmp_path):
    """Weights of a 16-wide BiGRU into an 8-wide one: refused, not tested with half-random weights."""
    proc = run_tool('test.py', trained['other'], trained['ckpt'], '--work-dir', tmp_path / 'w')
    assert proc.returncode != 0
    assert f"{trained['ckpt']}: does not match the model of {trained['other']}" in output(proc)
    assert 'size mismatch' in output(proc)


def test_student_checkpoint_of_another_architecture(tmp_path):
    """``tools/apply_vpd.py``'s loader: a student checkpoint of another embedding size is named."""
    from mmaction.registry import MODELS
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    from vpd_mm.apis.vpd_student import load_vpd_model
    init_default_scope('mmaction')
    cfg = Config.fromfile(STUDENT)
    cfg.model.backbone.out_channels = 8
    ckpt = tmp_path / 'student8.pth'
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict(), meta={}), ckpt)
    with pytest.raises(ValueError, match=rf'{ckpt}: does not match the model of {STUDENT}'):
        load_vpd_model(STUDENT, str(ckpt))


@pytest.mark.parametrize('where', ['test', 'load_from'])
def test_pickle_checkpoint_carrying_code_is_refused(trained, tmp_path, where):
    """A checkpoint whose unpickling would run a shell command: refused by safe loading, never run."""
    marker = tmp_path / 'pwned'
    bad = tmp_path / 'evil.pth'
    torch.save(dict(state_dict={}, meta=_Payload(str(marker))), bad)
    if where == 'test':
        proc = run_tool('test.py', trained['config'], bad, '--work-dir', tmp_path / 'w')
    else:  # a training that starts from it
        proc = run_tool('train.py', trained['config'], '--work-dir', tmp_path / 'w', '--cfg-options',
                        f'load_from={bad}')
    assert proc.returncode != 0
    assert f'{bad}: refused: the checkpoint holds Python objects that torch.load(weights_only=True) does not ' \
           'allow' in output(proc)
    assert not marker.exists(), 'the payload ran'


def test_every_checkpoint_load_is_safe():
    """No code path of vpd_mm or its tools turns safe loading off."""
    offenders = []
    for top in ('vpd_mm', 'tools'):
        for d, _, names in os.walk(osp.join(REPO, top)):
            for name in names:
                if name.endswith('.py'):
                    text = open(osp.join(d, name)).read()
                    if 'weights_only=False' in text.replace(' ', ''):
                        offenders.append(osp.join(d, name))
    assert not offenders, offenders
