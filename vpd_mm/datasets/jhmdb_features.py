"""JHMDB GT joints (DD-Net pickles) as per-clip "normalized joints" embedding files.

Writes the input format of :class:`FeatureSequenceDataset`: ``features/<clip>.emb.pkl`` (per
frame a ``(2, 39)`` [orig, flipped] VPD joint feature), ``annotations/elements.json`` (one whole-clip
action per clip), ``annotations/splits.json`` (``train`` / ``test``), ``annotations/fewshot.json``
(k clips per class of the training split, seeded subsets) and ``dataset.json`` (classes, fps 30).
The 15 JHMDB joints are mapped onto COCO-17 (eyes and ears, unused by the VPD feature, take the
head position), with score 1. :func:`write_jhmdb_vipe_features` adds a VIPE* feature set of the
same clips.
"""
import os.path as osp
from typing import Dict, Sequence

import numpy as np

from vpd_mm.datasets.jhmdb import load_ddnet
from vpd_mm.pose.pose_features import EMBEDDING_SUFFIX, joint_embedding_records
from vpd_mm.utils.fileio import atomic_write_json
from vpd_mm.utils.vpd_files import save_embeddings

#: COCO-17 joint -> JHMDB-15 joint (0 neck, 1 belly, 2 face, 3 R shoulder, 4 L shoulder, 5 R hip,
#: 6 L hip, 7 R elbow, 8 L elbow, 9 R knee, 10 L knee, 11 R wrist, 12 L wrist, 13 R ankle, 14 L ankle).
JHMDB_TO_COCO17 = (2, 2, 2, 2, 2, 4, 3, 8, 7, 12, 11, 6, 5, 10, 9, 14, 13)
JHMDB_FPS = 30.0
#: Few-shot sizes (clips per class) and subsets per size written by :func:`write_jhmdb_features`.
JHMDB_FEWSHOT_K = (1, 3, 5)
JHMDB_FEWSHOT_TRIALS = 5


def jhmdb_to_coco17(pose: np.ndarray) -> np.ndarray:
    """``(T, 15, 2)`` JHMDB joints -> ``(T, 17, 3)`` COCO-17 ``[x, y, 1]``."""
    pose = np.asarray(pose, dtype=np.float32)
    if pose.ndim != 3 or pose.shape[1:] != (15, 2):
        raise ValueError(f'JHMDB pose must be (T, 15, 2), got {pose.shape}')
    out = np.ones((len(pose), 17, 3), np.float32)
    out[..., :2] = pose[:, JHMDB_TO_COCO17]
    return out


def write_jhmdb_features(src_dir: str,
                         out_dir: str,
                         split: int = 1,
                         fewshot_k: Sequence[int] = JHMDB_FEWSHOT_K,
                         fewshot_trials: int = JHMDB_FEWSHOT_TRIALS,
                         seed: int = 0) -> Dict[str, int]:
    """Convert ``src_dir/GT_{train,test}_{split}.pkl`` into ``out_dir`` (see module doc).

    Args:
        src_dir: Folder with the DD-Net pickles.
        out_dir: Output folder.
        split: JHMDB split (1-3).
        fewshot_k: Few-shot sizes (clips per class) of ``annotations/fewshot.json``.
        fewshot_trials: Seeded subsets per size.
        seed: Base seed of the subsets (split ``s`` uses ``seed + s``).

    Returns:
        ``{'train': n, 'test': n, 'classes': n}``.
    """
    from vpd_mm.synthsport.generate import make_fewshot
    elements, splits, parts = [], {'train': [], 'test': []}, {}
    for part in ('train', 'test'):
        parts[part] = load_ddnet(osp.join(src_dir, f'GT_{part}_{split}.pkl'))
    classes = sorted(set(parts['train'][1]) | set(parts['test'][1]))
    for part, (poses, labels) in parts.items():
        for i, (pose, label) in enumerate(zip(poses, labels)):
            vid = f'{part}{split}_{i:04d}'
            kp = jhmdb_to_coco17(pose)
            out_path = osp.join(out_dir, 'features', vid + EMBEDDING_SUFFIX)
            if not osp.isfile(out_path):
                records = joint_embedding_records(
                    np.arange(len(kp)), kp, name=f'GT_{part}_{split}.pkl item {i}')
                save_embeddings(out_path, records)
            elements.append(dict(id=vid, video=vid, label=classes.index(label), class_name=label))
            splits[part].append(vid)
    atomic_write_json(osp.join(out_dir, 'annotations', 'elements.json'), elements)
    atomic_write_json(osp.join(out_dir, 'annotations', 'splits.json'), splits)
    atomic_write_json(
        osp.join(out_dir, 'annotations', 'fewshot.json'),
        make_fewshot(elements, splits['train'], seed + split, ks=fewshot_k, trials=fewshot_trials))
    atomic_write_json(
        osp.join(out_dir, 'dataset.json'),
        dict(name=f'jhmdb_gt_split{split}', fps=JHMDB_FPS, classes=classes))
    return dict(train=len(splits['train']), test=len(splits['test']), classes=len(classes))


def write_jhmdb_vipe_features(src_dir: str,
                              out_dir: str,
                              model,
                              split: int = 1,
                              feature_dir: str = 'vipe',
                              overwrite: bool = False) -> int:
    """Embed the clips of one JHMDB split with a VIPE* model: ``out_dir/<feature_dir>/<clip>.emb.pkl``.

    Each frame's JHMDB joints, mapped onto COCO-17 with score 1 (:func:`jhmdb_to_coco17`), are
    normalised as is and flipped and embedded (:func:`vpd_mm.pose.vipe_embeddings.vipe_embedding_records`),
    giving ``(2, D)`` records named like :func:`write_jhmdb_features`' clips.

    Args:
        src_dir: Folder with the DD-Net pickles.
        out_dir: Output folder (the one :func:`write_jhmdb_features` wrote).
        model: A ``VIPEStar`` model (:func:`vpd_mm.pose.vipe_embeddings.load_vipe_model`).
        split: JHMDB split (1-3).
        feature_dir: Sub-folder of ``out_dir`` for this feature set.
        overwrite: Rewrite existing files (otherwise they are kept: resumable).

    Returns:
        Number of files written.
    """
    from vpd_mm.pose.vipe_embeddings import vipe_embedding_records
    written = 0
    for part in ('train', 'test'):
        poses, _ = load_ddnet(osp.join(src_dir, f'GT_{part}_{split}.pkl'))
        for i, pose in enumerate(poses):
            out_path = osp.join(out_dir, feature_dir, f'{part}{split}_{i:04d}' + EMBEDDING_SUFFIX)
            if osp.isfile(out_path) and not overwrite:
                continue
            kp = jhmdb_to_coco17(pose)
            save_embeddings(out_path,
                            vipe_embedding_records(model, np.arange(len(kp)), kp,
                                                   name=f'GT_{part}_{split}.pkl item {i}'))
            written += 1
    return written
