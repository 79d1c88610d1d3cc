"""Choose one view ([original, flipped]) of a feature sequence."""
from typing import Dict, Union

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform


@TRANSFORMS.register_module()
class SelectFeatureView(BaseTransform):
    """Keep one view of ``(T, V, D)`` features, e.g. a random flip for training.

    Required Keys:

        - features (np.ndarray): ``(T, V, D)``.

    Modified Keys:

        - features: ``(T, 1, D)``.

    Added Keys:

        - view (int): The view kept.

    Args:
        view: ``'random'`` (uniform over the views) or a view index (0 original, 1 flipped).
    """

    def __init__(self, view: Union[str, int] = 'random') -> None:
        if view != 'random' and not isinstance(view, int):
            raise ValueError(f'view must be "random" or an int, got {view!r}')
        self.view = view

    def transform(self, results: Dict) -> Dict:
        """Keep one view of ``features`` ``(T, V, D)``: a random one or ``view``.

        Returns:
            The results dict with ``features`` ``(T, 1, D)`` and ``view`` (int).

        Raises:
            IndexError: The view index is not below ``V``.
        """
        feats = results['features']
        num_views = feats.shape[1]
        view = np.random.randint(num_views) if self.view == 'random' else self.view
        if not 0 <= view < num_views:
            raise IndexError(f'SelectFeatureView: view {view} asked, features have {num_views} view(s)')
        results['features'] = feats[:, view:view + 1]
        results['view'] = int(view)
        return results

    def __repr__(self) -> str:
        return f'{self.__class__.__name__}(view={self.view!r})'
