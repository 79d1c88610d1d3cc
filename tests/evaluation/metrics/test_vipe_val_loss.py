import numpy as np
import pytest
from mmaction.registry import METRICS

import vpd_mm  # noqa: F401


def test_val_loss_metric():
    m = METRICS.build(dict(type='VIPEValLoss'))
    m.process({}, [
        dict(loss=3.0, loss_contrastive=1.0, loss_recon=2.0),
        dict(loss=1.0, loss_contrastive=0.5, loss_recon=0.5)
    ])
    assert m.evaluate(2) == {'vipe/objective': 2.0, 'vipe/contrastive': 0.75, 'vipe/reconstruction': 1.25}
    with pytest.raises(KeyError, match='per-sample'):
        m.process({}, [dict(embedding=np.zeros(3))])
