"""Batched mmdet person detection and mmpose top-down pose estimation.

mmdet's ``inference_detector`` runs one image per forward pass and mmpose's ``inference_topdown``
one image per call; here detection is batched over frames and pose estimation over boxes *and*
frames. Both libraries also switch mmengine's global default scope when a model is built or run
(REFERENCE.md section 6): every build and forward pass below runs inside
``DefaultScope.overwrite_default_scope`` of the model's own scope, so a detector and a pose model
can be used side by side and the caller's scope (e.g. ``mmaction``) is left untouched.

Any mmdet / mmpose config + checkpoint pair works (RTMDet, Faster R-CNN, ..., RTMPose, HRNet,
SimpleBaseline, ...) as long as the detector has a ``person`` class (or a single class) and the
pose model predicts the 17 COCO keypoints.
"""
import copy
import importlib
import os
import os.path as osp
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.registry import DefaultScope

from vpd_mm import compat

from .registry import PERSON_FINDERS, POSE_ESTIMATORS

compat.apply()  # plain-data checkpoints with numpy arrays load under torch.load(weights_only=True)

ConfigType = Union[str, os.PathLike, Config]


def load_config(config: ConfigType, cfg_options: Optional[dict] = None) -> Config:
    """Load a config file, also ``'<package>::<path>'`` names of configs shipped with a package.

    Args:
        config: Path, ``'mmdet::rtmdet/rtmdet_tiny_8xb32-300e_coco.py'``-style name or a Config.
        cfg_options: ``{dotted key: value}`` overrides merged into the config.

    Raises:
        FileNotFoundError: The config file does not exist.
    """
    if isinstance(config, Config):
        cfg = copy.deepcopy(config)
    else:
        path = os.fspath(config)
        if '::' in path and not osp.isfile(path):
            pkg, rel = path.split('::', 1)
            try:
                root = osp.dirname(importlib.import_module(pkg).__file__)
            except ImportError as e:
                raise FileNotFoundError(f'{path}: package {pkg!r} is not installed') from e
            path = osp.join(root, '.mim', 'configs', rel)
        if not osp.isfile(path):
            raise FileNotFoundError(f'{config}: config file not found')
        cfg = Config.fromfile(path)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    return cfg


def _check_checkpoint(path: Optional[str]) -> None:
    if path is not None and not osp.isfile(path):
        raise FileNotFoundError(f'{path}: checkpoint file not found')


@PERSON_FINDERS.register_module(name=['MMDetPersonFinder', 'BatchedDetector'])
class BatchedDetector:
    """An mmdet detector returning person boxes for a batch of frames (registered as the person finder
    ``MMDetPersonFinder``).

    Args:
        config: mmdet config (path, ``mmdet::...`` name or Config).
        checkpoint: Its checkpoint.
        device: ``'cpu'``, ``'cuda'``, ``'cuda:0'``, ...
        score_thr: Detections scoring below this are dropped.
        person_class: Class index of people; ``None`` = the class named ``person`` (or the only
            class of a one-class detector).
        max_per_frame: Keep at most this many people per frame (highest scores).
        min_size: Boxes are clipped to the frame; those narrower or lower than this (pixels)
            are dropped (degenerate or outside the frame).
        batch_size: Frames per forward pass.
        cfg_options: Config overrides.
    """

    def __init__(self,
                 config: ConfigType,
                 checkpoint: Optional[str],
                 device: str = 'cpu',
                 score_thr: float = 0.3,
                 person_class: Optional[int] = None,
                 max_per_frame: int = 10,
                 min_size: float = 2.0,
                 batch_size: int = 8,
                 cfg_options: Optional[dict] = None):
        from mmcv.transforms import Compose
        from mmdet.apis import init_detector
        from mmdet.utils import get_test_pipeline_cfg

        _check_checkpoint(checkpoint)
        cfg = load_config(config, cfg_options)
        self.scope = cfg.get('default_scope', 'mmdet') or 'mmdet'
        with DefaultScope.overwrite_default_scope(self.scope):
            self.model = init_detector(cfg, checkpoint, device=device)
            steps = [dict(s) for s in get_test_pipeline_cfg(cfg)]
            steps[0] = dict(type='mmdet.LoadImageFromNDArray')  # frames are arrays, not files
            steps = [s for s in steps if not str(s['type']).endswith('LoadAnnotations')]
            self.pipeline = Compose(steps)
        self.model.eval()
        classes = [str(c).lower() for c in self.model.dataset_meta.get('classes', ())]
        if person_class is None:
            if 'person' in classes:
                person_class = classes.index('person')
            elif len(classes) == 1:
                person_class = 0
            else:
                raise ValueError(f'{config}: detector has no "person" class among {classes[:10]}...; '
                                 'give the class index explicitly (--det-cat-id)')
        self.person_class = int(person_class)
        self.score_thr = score_thr
        self.max_per_frame = max_per_frame
        self.min_size = min_size
        self.batch_size = max(1, batch_size)

    @torch.no_grad()
    def __call__(self, images: Sequence[np.ndarray]) -> List[np.ndarray]:
        """Detect people in BGR frames.

        Returns:
            Per frame an ``(N, 5)`` float32 array ``[x1, y1, x2, y2, score]``, sorted by score.
        """
        out: List[np.ndarray] = []
        for i in range(0, len(images), self.batch_size):
            chunk = images[i:i + self.batch_size]
            with DefaultScope.overwrite_default_scope(self.scope):
                data = pseudo_collate([self.pipeline(dict(img=img, img_id=k)) for k, img in enumerate(chunk)])
                results = self.model.test_step(data)
            for img, res in zip(chunk, results):
                inst = res.pred_instances
                h, w = img.shape[:2]
                bboxes = inst.bboxes.float().cpu().clone()
                bboxes[:, 0::2] = bboxes[:, 0::2].clamp(0, w)  # clip to the frame
                bboxes[:, 1::2] = bboxes[:, 1::2].clamp(0, h)
                wh = bboxes[:, 2:] - bboxes[:, :2]
                scores = inst.scores.float().cpu()
                keep = (inst.labels.cpu() == self.person_class) & (scores >= self.score_thr) & \
                    (wh >= self.min_size).all(dim=1) & torch.isfinite(bboxes).all(dim=1)
                boxes = bboxes[keep].numpy().reshape(-1, 4)
                scores = scores[keep].numpy()
                order = np.argsort(-scores, kind='stable')[:self.max_per_frame]
                out.append(np.concatenate([boxes[order], scores[order, None]], axis=1).astype(np.float32))
        return out


@POSE_ESTIMATORS.register_module(name=['MMPoseEstimator', 'BatchedPoseEstimator'])
class BatchedPoseEstimator:
    """An mmpose top-down model estimating COCO-17 poses of many boxes across frames at once
    (registered as the pose estimator ``MMPoseEstimator``).

    Args:
        config: mmpose config (path, ``mmpose::...`` name or Config).
        checkpoint: Its checkpoint.
        device: ``'cpu'``, ``'cuda'``, ...
        batch_size: Boxes per forward pass (boxes of different frames are mixed freely).
        cfg_options: Config overrides (e.g. ``{'model.test_cfg.flip_test': False}``).
    """

    def __init__(self,
                 config: ConfigType,
                 checkpoint: Optional[str],
                 device: str = 'cpu',
                 batch_size: int = 32,
                 cfg_options: Optional[dict] = None):
        from mmcv.transforms import Compose
        from mmpose.apis import init_model

        _check_checkpoint(checkpoint)
        cfg = load_config(config, cfg_options)
        self.scope = cfg.get('default_scope', 'mmpose') or 'mmpose'
        with DefaultScope.overwrite_default_scope(self.scope):
            self.model = init_model(cfg, checkpoint, device=device)
            self.pipeline = Compose(self.model.cfg.test_dataloader.dataset.pipeline)
        self.model.eval()
        num = int(self.model.dataset_meta.get('num_keypoints', 17))
        if num != 17:
            raise ValueError(
                f'{config}: pose model predicts {num} keypoints; VPD pose files need the 17 COCO '
                'keypoints')
        self.batch_size = max(1, batch_size)

    @torch.no_grad()
    def __call__(self, images: Sequence[np.ndarray], boxes: np.ndarray) -> np.ndarray:
        """Estimate one pose per ``(image, box)`` pair.

        Args:
            images: BGR frames, one per box (the same frame object may repeat).
            boxes: ``(N, 4)`` ``xyxy`` boxes.

        Returns:
            ``(N, 17, 3)`` float32 ``[x, y, score]`` in frame pixels.
        """
        boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4)
        if len(images) != len(boxes):
            raise ValueError(f'need one image per box, got {len(images)} images and {len(boxes)} boxes')
        out = np.zeros((len(boxes), 17, 3), np.float32)
        for i in range(0, len(boxes), self.batch_size):
            items = []
            with DefaultScope.overwrite_default_scope(self.scope):
                for img, box in zip(images[i:i + self.batch_size], boxes[i:i + self.batch_size]):
                    info = dict(img=img, bbox=box[None], bbox_score=np.ones(1, np.float32))
                    info.update(self.model.dataset_meta)
                    items.append(self.pipeline(info))
                results = self.model.test_step(pseudo_collate(items))
            for k, res in enumerate(results):
                kp = np.asarray(res.pred_instances.keypoints, dtype=np.float32).reshape(-1, 17, 2)[0]
                sc = np.asarray(res.pred_instances.keypoint_scores, dtype=np.float32).reshape(-1, 17)[0]
                out[i + k, :, :2] = kp
                out[i + k, :, 2] = sc
        return out
