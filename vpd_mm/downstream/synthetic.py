"""Tiny synthetic feature datasets in the SynthSport layout (for tests, demos and benchmarks).

:func:`make_synthetic_feature_dataset` writes ``dataset.json``, ``annotations/{elements,splits,
fewshot}.json`` and ``features/<name>/<video>.emb.pkl`` files (``(2, D)`` per frame) where each
class is a distinct temporal pattern plus noise, so sequence models and DTW can tell them apart.
"""
import os.path as osp
from typing import Dict

import numpy as np

from vpd_mm.utils.fileio import atomic_write_json
from vpd_mm.utils.vpd_files import save_embeddings


def make_synthetic_feature_dataset(root: str,
                                   num_classes: int = 3,
                                   videos_per_split=(4, 2, 2),
                                   actions_per_video: int = 3,
                                   dim: int = 6,
                                   fps: float = 25.0,
                                   feature_name: str = 'synthetic',
                                   seed: int = 0,
                                   fewshot_ks=(1, 2),
                                   trials: int = 2) -> Dict[str, object]:
    """Write the dataset under ``root`` and return ``{'classes', 'elements', 'splits', 'feature_dir'}``."""
    rng = np.random.default_rng(seed)
    classes = [f'class{c}' for c in range(num_classes)]
    splits = {}
    elements = []
    feature_dir = osp.join(root, 'features', feature_name)
    vid_no = 0
    for split, n in zip(('train', 'val', 'test'), videos_per_split):
        splits[split] = []
        for _ in range(n):
            vid = f'v{vid_no:03d}'
            vid_no += 1
            splits[split].append(vid)
            feats = [rng.normal(0, 0.3, (10, dim))]
            t = 10
            for _ in range(actions_per_video):
                label = len(elements) % num_classes  # round robin: every split has every class
                length = int(rng.integers(12, 20))
                phase = np.linspace(0, np.pi * (label + 1), length)
                pattern = np.stack([np.sin(phase * (1 + j % 3) + j) for j in range(dim)], axis=1)
                pattern[:, label % dim] += 2.0
                feats.append(pattern + rng.normal(0, 0.2, (length, dim)))
                elements.append(
                    dict(
                        id=len(elements),
                        video=vid,
                        start=t,
                        end=t + length,
                        label=label,
                        class_name=classes[label]))
                t += length
                gap = int(rng.integers(8, 14))
                feats.append(rng.normal(0, 0.3, (gap, dim)))
                t += gap
            feats = np.concatenate(feats).astype(np.float32)
            flipped = feats[:, ::-1] * np.float32(-1)
            frames = np.arange(len(feats))
            save_embeddings(
                osp.join(feature_dir, vid + '.emb.pkl'), [(int(f), np.stack([o, fl]), {
                    'kp_score': 1.0
                }) for f, o, fl in zip(frames, feats, flipped)])
    fewshot = {}
    train_els = [el for el in elements if el['video'] in set(splits['train'])]
    for k in fewshot_ks:
        subsets = []
        for trial in range(trials):
            sub_rng = np.random.default_rng(1000 * k + trial)
            ids = []
            for c in range(num_classes):
                cand = [el['id'] for el in train_els if el['label'] == c]
                ids += sorted(sub_rng.choice(cand, size=min(k, len(cand)),
                                             replace=False).tolist()) if cand else []
            subsets.append(ids)
        fewshot[str(k)] = subsets
    atomic_write_json(
        osp.join(root, 'dataset.json'),
        dict(name='synthetic', fps=fps, classes=classes, num_videos=vid_no, num_elements=len(elements)))
    atomic_write_json(osp.join(root, 'annotations', 'elements.json'), elements)
    atomic_write_json(osp.join(root, 'annotations', 'splits.json'), splits)
    atomic_write_json(osp.join(root, 'annotations', 'fewshot.json'), fewshot)
    return dict(classes=classes, elements=elements, splits=splits, feature_dir=feature_dir)
