"""Registries of the tracking components.

Trackers and athlete selectors are not mmaction2 models, so they get their own mmengine
registries (scope ``vpd_mm``); build them from config dicts::

    from vpd_mm.tracking import ATHLETE_SELECTORS, TRACKERS
    tracker = TRACKERS.build(dict(type='SortTracker', iou_thr=0.3))
    selector = ATHLETE_SELECTORS.build(dict(type='HeuristicAthleteSelector', weights=dict(size=2.0)))

Building does not depend on mmengine's default scope (mmdet / mmpose / mmaction may be current
while the teacher stack runs), so no scope switching or scope warnings happen.
"""
from typing import Any, Optional

from mmengine.registry import Registry


def build_plain(cfg: Any, registry: Registry, default_args: Optional[dict] = None) -> Any:
    """Build ``cfg['type']`` from ``registry`` with the remaining keys as arguments.

    Raises:
        KeyError: The type is not registered (the message lists the registered ones).
    """
    args = dict(default_args or {})
    args.update(dict(cfg))
    if 'type' not in args:
        raise KeyError(f'a {registry.name} config needs a "type", got {dict(cfg)}')
    obj_type = args.pop('type')
    obj_cls = registry.get(obj_type) if isinstance(obj_type, str) else obj_type
    if obj_cls is None:
        raise KeyError(f'{obj_type!r} is not in the {registry.name} registry; registered: '
                       f'{sorted(registry.module_dict)}')
    return obj_cls(**args)


#: Multi-object trackers: ``tracker(detections) -> List[Track]``.
TRACKERS = Registry('tracker', scope='vpd_mm', build_func=build_plain, locations=['vpd_mm.tracking'])
#: Athlete selectors: ``selector(tracks, frame_size, poses) -> AthleteTrack``.
ATHLETE_SELECTORS = Registry(
    'athlete selector', scope='vpd_mm', build_func=build_plain, locations=['vpd_mm.tracking'])
