"""Multi-person tracking and athlete selection for the teacher stack (VPD data preparation).

Components are registered in :data:`TRACKERS` / :data:`ATHLETE_SELECTORS` and built from config
dicts, e.g. ``TRACKERS.build(dict(type='SortTracker'))``.
"""
from .athlete_selector import AthleteTrack, HeuristicAthleteSelector, pose_inversion
from .boxes import (cxcywh_to_xyxy, interpolate_boxes, iou_matrix, smooth_boxes, xywh_to_xyxy, xyxy_to_cxcywh,
                    xyxy_to_xywh)
from .kalman import BoxKalmanFilter
from .registry import ATHLETE_SELECTORS, TRACKERS
from .sort_tracker import SortTracker, Track, tracks_by_frame

__all__ = [
    'TRACKERS', 'ATHLETE_SELECTORS', 'SortTracker', 'Track', 'tracks_by_frame', 'HeuristicAthleteSelector',
    'AthleteTrack', 'pose_inversion', 'BoxKalmanFilter', 'iou_matrix', 'interpolate_boxes', 'smooth_boxes',
    'xyxy_to_xywh', 'xywh_to_xyxy', 'xyxy_to_cxcywh', 'cxcywh_to_xyxy'
]
