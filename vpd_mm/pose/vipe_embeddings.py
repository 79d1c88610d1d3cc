"""Apply a trained VIPE* model to VPD pose directories and write embedding pickles.

Per frame the athlete's COCO-17 pose (:func:`vpd_mm.pose.pose_features.load_pose_sequence`) is
normalised (:func:`vpd_mm.pose.normalize_coco_pose`) as is and horizontally flipped, both are
embedded, and the record ``(frame, (2, D) [original, flipped], {'kp_score': mean score})`` is
written (REFERENCE.md section 3). With ``invert_vertical`` the vertically inverted pose is embedded
too and concatenated, giving ``(2, 2D)`` (VPD's option for diving-style data).
"""
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..utils.vpd_files import save_embeddings
from .normalize import normalize_coco_pose, pose_confidence
from .pose_features import EMBEDDING_SUFFIX, KEYPOINTS_FILE, load_pose_sequence, write_joint_embeddings


def load_vipe_model(checkpoint: str, config: Optional[str] = None, device: str = 'cpu'):
    """Build a ``VIPEStar`` model and load a training checkpoint.

    Args:
        checkpoint: Checkpoint written by ``tools/train.py`` (mmengine Runner).
        config: Config file; by default the config stored in the checkpoint's ``meta['cfg']``.
        device: Torch device.

    Returns:
        The model in eval mode.
    """
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import vpd_mm  # noqa: F401  (registers the components)
    from mmaction.registry import MODELS

    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'{checkpoint}: checkpoint not found')
    if config is None:
        meta = torch.load(checkpoint, map_location='cpu').get('meta', {})
        if not isinstance(meta, dict) or not meta.get('cfg'):
            raise ValueError(f'{checkpoint}: no config stored in the checkpoint meta; pass --config')
        cfg = Config.fromstring(meta['cfg'], file_format='.py')
    else:
        cfg = Config.fromfile(config)
    if cfg.model.get('type') not in ('VIPEStar', 'mmaction.VIPEStar'):
        raise ValueError(
            f'{config or checkpoint}: model type is {cfg.model.get("type")!r}, expected VIPEStar')
    init_default_scope('mmaction')
    model = MODELS.build(cfg.model)
    state = torch.load(checkpoint, map_location='cpu', weights_only=True)
    state = state.get('state_dict', state)
    result = model.load_state_dict(state, strict=False)
    # Embedding needs the encoder only: release checkpoints may drop the training-only decoder head.
    missing = [k for k in result.missing_keys if not k.startswith('head.')]
    if missing or result.unexpected_keys:
        raise ValueError(f'{checkpoint}: does not match the VIPE* model of {config or "its stored config"}: '
                         f'missing {missing[:5]}, unexpected {result.unexpected_keys[:5]}')
    return model.to(device).eval()


def vipe_embedding_records(model,
                           frames: np.ndarray,
                           keypoints: np.ndarray,
                           invert_vertical: bool = False,
                           name: str = 'pose') -> List[Tuple[int, np.ndarray, dict]]:
    """Embed ``(T, 17, 3)`` poses into VPD records ``(frame, (2, D'), {'kp_score'})``.

    ``kp_score`` is :func:`~vpd_mm.pose.normalize.pose_confidence` (0 for a degenerate torso).
    """
    views = [normalize_coco_pose(keypoints, name=name), normalize_coco_pose(keypoints, flip=True, name=name)]
    emb = model.embed(np.concatenate(views)).reshape(2, len(keypoints), -1)
    if invert_vertical:
        inv = [
            normalize_coco_pose(keypoints, name=name, invert_vertical=True),
            normalize_coco_pose(keypoints, flip=True, name=name, invert_vertical=True)
        ]
        emb_inv = model.embed(np.concatenate(inv)).reshape(2, len(keypoints), -1)
        emb = np.concatenate([emb, emb_inv], axis=-1)
    scores = pose_confidence(keypoints)
    return [(int(f), np.ascontiguousarray(emb[:, i]), {
        'kp_score': float(s)
    }) for i, (f, s) in enumerate(zip(frames, scores))]


def write_vipe_embeddings(model, pose_dir: str, out_path: str, invert_vertical: bool = False) -> int:
    """Write the VIPE* embedding pickle of one video; returns the number of frames."""
    frames, keypoints = load_pose_sequence(pose_dir)
    records = vipe_embedding_records(
        model, frames, keypoints, invert_vertical, name=osp.join(os.fspath(pose_dir), KEYPOINTS_FILE))
    save_embeddings(out_path, records)
    return len(records)


def list_pose_dirs(pose_root: str) -> Dict[str, str]:
    """``{video: pose dir}`` for every subdirectory of ``pose_root`` holding keypoints.

    ``pose_root`` may also be a single video's pose directory.
    """
    if osp.isfile(osp.join(pose_root, KEYPOINTS_FILE)):
        return {osp.basename(osp.normpath(pose_root)): pose_root}
    if not osp.isdir(pose_root):
        raise FileNotFoundError(f'{pose_root}: pose directory not found')
    dirs = {
        d: osp.join(pose_root, d)
        for d in sorted(os.listdir(pose_root)) if osp.isfile(osp.join(pose_root, d, KEYPOINTS_FILE))
    }
    if not dirs:
        raise ValueError(f'{pose_root}: no <video>/{KEYPOINTS_FILE} found')
    return dirs


def apply_vipe(pose_root: str,
               model,
               out_dir: str,
               joints_out_dir: Optional[str] = None,
               invert_vertical: bool = False,
               overwrite: bool = False,
               progress: bool = True) -> Dict[str, str]:
    """Write ``out_dir/<video>.emb.pkl`` (VIPE*) and optionally ``joints_out_dir/<video>.emb.pkl``
    (normalized 2D joints) for every video; existing outputs are skipped unless ``overwrite``.

    Returns:
        ``{video: 'written' | 'skipped'}``.
    """
    dirs = list_pose_dirs(pose_root)
    status = {}
    items = dirs.items()
    if progress:
        from tqdm import tqdm
        items = tqdm(items, total=len(dirs), desc='apply_vipe')
    for vid, pose_dir in items:
        out_path = osp.join(out_dir, vid + EMBEDDING_SUFFIX)
        done = True
        if overwrite or not osp.isfile(out_path):
            write_vipe_embeddings(model, pose_dir, out_path, invert_vertical)
            done = False
        if joints_out_dir is not None:
            joints_path = osp.join(joints_out_dir, vid + EMBEDDING_SUFFIX)
            if overwrite or not osp.isfile(joints_path):
                write_joint_embeddings(pose_dir, joints_path)
                done = False
        status[vid] = 'skipped' if done else 'written'
    return status
