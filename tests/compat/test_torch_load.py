import pickle

import numpy as np
import pytest
import torch

import vpd_mm  # noqa: F401  (applies the allow-list)
from vpd_mm.compat import numpy_safe_globals


def test_numpy_arrays_load_with_weights_only(tmp_path):
    path = tmp_path / 'ckpt.pth'
    obj = {'arr': np.arange(6, dtype=np.float64).reshape(2, 3), 'scalar': np.float32(1.5),
           'ints': np.array([1, 2], np.int64), 'w': torch.ones(2)}
    torch.save(obj, path)
    loaded = torch.load(path, weights_only=True)
    np.testing.assert_array_equal(loaded['arr'], obj['arr'])
    assert loaded['scalar'] == np.float32(1.5)
    assert torch.equal(loaded['w'], obj['w'])


class _Gadget:

    def __reduce__(self):
        return (getattr, ('text', 'upper'))


def test_getattr_stays_forbidden(tmp_path):
    assert getattr not in numpy_safe_globals()
    path = tmp_path / 'bad.pth'
    torch.save({'x': _Gadget()}, path)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
