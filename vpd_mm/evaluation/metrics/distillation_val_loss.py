"""Validation loss of the VPD student as an mmengine metric, for checkpoint selection (``save_best``)."""
from collections import deque
from typing import Dict, List, Sequence

import numpy as np
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric


@METRICS.register_module()
class DistillationValLoss(BaseMetric):
    """Average the per-sample losses that ``PoseDistillationRecognizer.predict`` returns.

    Reports ``<prefix>/objective`` (pose + motion summed squared error, the training loss),
    ``<prefix>/pose`` and ``<prefix>/motion``; with ``window > 1`` also ``<prefix>/objective_avg``,
    the mean objective of the last ``window`` evaluations (the paper picks the best epoch on a moving
    window of the validation loss; the window restarts after ``--resume``). Select checkpoints with
    ``CheckpointHook(save_best='distill/objective', rule='less')`` (or ``objective_avg``). The names
    avoid "loss": mmengine's LogProcessor would print a moving mean of keys matching ``.*loss.*``.

    Args:
        window: Moving-window length for ``objective_avg``; 1 disables it.
        collect_device: ``'cpu'`` or ``'gpu'``.
        prefix: Metric name prefix. Defaults to ``'distill'``.
    """
    default_prefix = 'distill'
    KEYS = ('loss', 'loss_pose', 'loss_motion')
    NAMES = ('objective', 'pose', 'motion')

    def __init__(self, window: int = 1, collect_device: str = 'cpu', prefix: str = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if window < 1:
            raise ValueError(f'window must be >= 1, got {window}')
        self.window = window
        self._history = deque(maxlen=window)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        """Append each sample's ``(loss, loss_pose, loss_motion)`` to ``self.results``.

        Raises:
            KeyError: A sample lacks one of the losses (the val dataset has no teacher targets).
        """
        for sample in data_samples:
            missing = [k for k in self.KEYS if k not in sample]
            if missing:
                raise KeyError(
                    f'DistillationValLoss needs per-sample {missing} from PoseDistillationRecognizer.'
                    f'predict; the val dataset must have teacher_dirs (targets)')
            self.results.append(tuple(float(sample[k]) for k in self.KEYS))

    def compute_metrics(self, results: List[tuple]) -> Dict[str, float]:
        """Average the collected losses over the samples.

        Returns:
            ``objective``, ``pose`` and ``motion``; with ``window > 1`` also ``objective_avg``, the mean
            objective of the last ``window`` evaluations.
        """
        arr = np.asarray(results, dtype=np.float64).reshape(-1, len(self.KEYS))
        out = {k: float(arr[:, i].mean()) for i, k in enumerate(self.NAMES)}
        if self.window > 1:
            self._history.append(out['objective'])
            out['objective_avg'] = float(np.mean(self._history))
        return out
