"""Base class for vpd_mm models whose ``forward`` only dispatches on mmengine's ``mode``."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModel

ForwardResults = Union[Dict[str, torch.Tensor], List[dict], torch.Tensor]


class ModeDispatchModel(BaseModel):
    """An mmengine ``BaseModel`` whose ``forward`` calls :meth:`loss`, :meth:`predict` or
    :meth:`extract_feat` by ``mode``; subclasses implement those three."""

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[dict] = None,
                mode: str = 'tensor') -> ForwardResults:
        """Dispatch to :meth:`loss`, :meth:`predict` or :meth:`extract_feat` by ``mode``."""
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs)
        raise ValueError(f'Invalid mode {mode!r}; use "loss", "predict" or "tensor"')
