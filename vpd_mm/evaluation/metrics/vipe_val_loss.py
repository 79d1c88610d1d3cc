"""Validation loss of VIPE* as an mmengine metric, for checkpoint selection (``save_best``)."""
from typing import Dict, List, Sequence

import numpy as np
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric


@METRICS.register_module()
class VIPEValLoss(BaseMetric):
    """Average the per-sample losses that ``VIPEStar.predict`` returns.

    Reports ``<prefix>/objective`` (contrastive + reconstruction loss), ``<prefix>/contrastive`` and
    ``<prefix>/reconstruction``; use ``CheckpointHook(save_best='vipe/objective', rule='less')``.
    (The names avoid "loss": mmengine's LogProcessor would print a 10-epoch moving mean of keys
    matching ``.*loss.*`` instead of the epoch's value.)

    Args:
        collect_device: ``'cpu'`` or ``'gpu'``.
        prefix: Metric name prefix. Defaults to ``'vipe'``.
    """
    default_prefix = 'vipe'
    KEYS = ('loss', 'loss_contrastive', 'loss_recon')
    NAMES = ('objective', 'contrastive', 'reconstruction')

    def __init__(self, collect_device: str = 'cpu', prefix: str = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Append each sample's ``(loss, loss_contrastive, loss_recon)`` to ``self.results``.

        Raises:
            KeyError: A sample lacks one of the losses (the val pipeline does not pack targets).
        """
        for sample in data_samples:
            missing = [k for k in self.KEYS if k not in sample]
            if missing:
                raise KeyError(f'VIPEValLoss needs per-sample {missing} from VIPEStar.predict; the val '
                               f'pipeline must pack targets (PackVIPEInputs)')
            self.results.append(tuple(float(sample[k]) for k in self.KEYS))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        """Average the collected losses over the samples.

        Returns:
            ``objective``, ``contrastive`` and ``reconstruction``.
        """
        arr = np.asarray(results, dtype=np.float64).reshape(-1, len(self.KEYS))
        return {k: float(arr[:, i].mean()) for i, k in enumerate(self.NAMES)}
