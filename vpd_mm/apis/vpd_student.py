"""Load a trained VPD student and embed every frame of a crop store (``tools/apply_vpd.py``)."""
import logging
import os
import os.path as osp
from contextlib import nullcontext
from typing import Dict, List, Optional, Sequence

from mmengine.logging import print_log

EMBEDDING_SUFFIX = '.emb.pkl'
_INFERENCE_DROP = ('FlowCropRandomResizedCrop', 'FlowCropColorJitter', 'FlowCropFlip',
                   'FlowCropBackgroundNoise', 'FlowCropMotionBlur', 'FlowCropRandomRotate')


def resolve_checkpoint(checkpoint: str) -> str:
    """A checkpoint file, or for a ``tools/train.py`` work dir its best (else last) checkpoint.

    The best checkpoint is the one the work dir's latest run recorded (mmengine's ``best_ckpt`` in the
    last checkpoint), so a ``best_*.pth`` left by an earlier run in the same dir is never taken. Work dirs
    without ``last_checkpoint`` fall back to their newest ``best_*.pth``.

    Raises:
        FileNotFoundError: Neither a file nor a work dir holding a checkpoint.
    """
    import glob

    if not osp.isdir(checkpoint):
        return checkpoint
    last_file = osp.join(checkpoint, 'last_checkpoint')
    if osp.isfile(last_file):
        path = open(last_file).read().strip()
        last = path if osp.isabs(path) or osp.isfile(path) else osp.join(checkpoint, osp.basename(path))
        if not osp.isfile(last):
            raise FileNotFoundError(f'{last_file} names {path}, which does not exist')
        best = _recorded_best(last)
        if best is not None and osp.isfile(best):
            return best
        if best is not None and osp.isfile(osp.join(checkpoint, osp.basename(best))):
            return osp.join(checkpoint, osp.basename(best))  # the work dir was moved
        return last
    best = sorted(glob.glob(osp.join(checkpoint, 'best_*.pth')), key=osp.getmtime)
    if best:
        return best[-1]
    raise FileNotFoundError(f'{checkpoint}: work dir holds no best_*.pth and no last_checkpoint')


def _recorded_best(path: str) -> Optional[str]:
    """The ``best_ckpt`` an mmengine checkpoint's message hub recorded, if any."""
    from vpd_mm.compat import load_checkpoint_file
    ckpt = load_checkpoint_file(path, map_location='cpu')
    info = ckpt.get('message_hub', {}).get('runtime_info', {}) if isinstance(ckpt, dict) else {}
    best = info.get('best_ckpt')
    return best if isinstance(best, str) and best else None


def load_vpd_model(config: str, checkpoint: str, device: str = 'cpu'):
    """Build a ``PoseDistillationRecognizer`` from ``config`` and load a ``tools/train.py`` checkpoint.

    Returns:
        ``(model in eval mode on device, mmengine Config)``.
    """
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint

    import vpd_mm  # noqa: F401  (registers the components)
    from mmaction.registry import MODELS

    if not osp.isfile(config):
        raise FileNotFoundError(f'{config}: config file not found')
    checkpoint = resolve_checkpoint(checkpoint)
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'{checkpoint}: checkpoint not found')
    cfg = Config.fromfile(config)
    if cfg.model.get('type') not in ('PoseDistillationRecognizer', 'mmaction.PoseDistillationRecognizer'):
        raise ValueError(
            f'{config}: model type is {cfg.model.get("type")!r}, expected PoseDistillationRecognizer')
    init_default_scope('mmaction')
    model = MODELS.build(cfg.model)
    try:
        load_checkpoint(model, checkpoint, map_location='cpu', strict=True, logger='silent')
    except RuntimeError as e:  # missing / unexpected / mis-shaped weights: another architecture
        raise ValueError(f'{checkpoint}: does not match the model of {config} (another architecture or '
                         f'settings?): {str(e).strip()[:600]}') from e
    return model.to(device).eval(), cfg


def inference_pipeline(cfg) -> List[dict]:
    """The config's test pipeline (random augmentations removed, if any were left in it)."""
    loader = cfg.get('test_dataloader') or cfg.get('val_dataloader')
    if loader is None:
        raise KeyError(
            'the config has no test_dataloader / val_dataloader to take the inference pipeline from')
    pipeline = [dict(t) for t in loader['dataset']['pipeline']]
    return [t for t in pipeline if t.get('type') not in _INFERENCE_DROP]


def apply_vpd(model,
              cfg,
              crop_root: str,
              out_dir: str,
              videos: Optional[Sequence[str]] = None,
              batch_size: int = 256,
              num_workers: int = 0,
              resume: bool = False,
              amp: bool = False,
              progress: bool = True,
              decode_pose: bool = False) -> Dict[str, str]:
    """Write ``out_dir/<vid>.emb.pkl`` for every finished video of ``crop_root``.

    Each record is ``(frame, (2, D) [original, mirrored], {})`` for every frame of the crop store (frames
    without a crop -- no athlete box -- have none), the teacher files' format.

    Args:
        model: ``PoseDistillationRecognizer`` in eval mode (its device is used).
        cfg: Its config (the test pipeline is reused: load, resize, pack).
        crop_root: Crop store root.
        out_dir: Output directory.
        videos: Video ids (default: all finished videos of ``crop_root``).
        batch_size: Frames per forward pass (each also embedded mirrored).
        num_workers: DataLoader workers.
        resume: Skip videos whose output file exists (otherwise they are rewritten).
        amp: float16 autocast on CUDA.
        progress: Show a tqdm bar.
        decode_pose: Write the student's estimate of the teacher's features (the motion decoder's
            ``p_t`` part; the embedding itself without a motion decoder) instead of its embedding.

    Returns:
        ``{video: 'written' | 'skipped' | 'empty'}`` (``'empty'``: the store has no frame, nothing written).
    """
    import torch
    from mmengine.dataset import default_collate
    from torch.utils.data import DataLoader

    from vpd_mm.datasets import FlowAugmentedCropDataset
    from vpd_mm.datasets.flow_augmented_crop_dataset import resolve_video_list
    from vpd_mm.utils.vpd_files import save_embeddings

    all_videos = resolve_video_list(videos, crop_root)
    if not all_videos:
        raise ValueError(f'{crop_root}: no finished crop videos (<vid>/meta.json)')
    status = {
        v: 'skipped'
        for v in all_videos if resume and osp.isfile(osp.join(out_dir, v + EMBEDDING_SUFFIX))
    }
    todo = [v for v in all_videos if v not in status]
    if not todo:
        return status
    os.makedirs(out_dir, exist_ok=True)
    dataset = FlowAugmentedCropDataset(
        crop_root=crop_root, teacher_dirs=[], videos=todo, split='all', pipeline=inference_pipeline(cfg))
    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
        collate_fn=default_collate,
        pin_memory=next(model.parameters()).is_cuda)
    device = next(model.parameters()).device
    autocast = torch.autocast('cuda', dtype=torch.float16) if amp and device.type == 'cuda' else nullcontext()
    pending: Dict[str, List] = {v: [] for v in todo}
    remaining = {v: int((dataset._vid == i).sum()) for i, v in enumerate(dataset.video_names)}

    def flush(vid: str) -> None:
        records = [(f, e, {}) for f, e in sorted(pending.pop(vid), key=lambda r: r[0])]
        save_embeddings(osp.join(out_dir, vid + EMBEDDING_SUFFIX), records)
        status[vid] = 'written'

    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(dataset), desc='apply_vpd', unit='frame')
    with torch.no_grad():
        for batch in loader:
            data = model.data_preprocessor(batch, False)
            with autocast:
                emb = model.embed_with_flip(data['inputs'], decode_pose=decode_pose)
            emb = emb.float().cpu().numpy()
            samples = batch['data_samples']
            for vid, frame, e in zip(samples['video'], samples['frame'].tolist(), emb):
                pending[vid].append((int(frame), e))
                remaining[vid] -= 1
                if remaining[vid] == 0:
                    flush(vid)
            if bar is not None:
                bar.update(len(emb))
    if bar is not None:
        bar.close()
    for vid in [v for v in todo if v in pending]:  # a store without rows: nothing to write
        print_log(
            f'apply_vpd: {osp.join(crop_root, vid)} holds no frames; no output written',
            logger='current',
            level=logging.WARNING)
        status[vid] = 'empty'
    return {v: status[v] for v in all_videos}
