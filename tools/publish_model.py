"""Turn a training checkpoint into a small release checkpoint (weights + dataset meta only).

Usage::

    python tools/publish_model.py IN.pth OUT.pth [--fp16] [--drop-prefix PREFIX ...]

Drops the optimizer, scheduler and message-hub state, keeps ``state_dict`` (for runs with mmengine's
``EMAHook`` this already holds the averaged weights) and ``meta.dataset_meta`` / ``meta.cfg`` so that
``mmdet.apis.init_detector``, ``mmpose.apis.init_model`` and vpd_mm's tools read it as before.
``--fp16`` stores floating-point tensors as float16 (halves the size; loaders cast back).
``--drop-prefix`` removes parameters whose names start with PREFIX (e.g. a training-only decoder).
Prints the output's size and SHA-256. The write is atomic.
"""
import argparse
import hashlib
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('checkpoint', help='input checkpoint written by tools/train.py')
    parser.add_argument('out', help='output .pth path')
    parser.add_argument('--fp16', action='store_true', help='store float tensors as float16')
    parser.add_argument('--drop-prefix', nargs='*', default=[], help='drop parameters with these name prefixes')
    return parser.parse_args(argv)


def publish(checkpoint: str, out: str, fp16: bool = False, drop_prefixes=()) -> str:
    """Write the release checkpoint and return its SHA-256 hex digest."""
    import io

    import torch

    import vpd_mm  # noqa: F401  (allow-lists numpy types for safe loading)
    from vpd_mm.utils.fileio import atomic_write_bytes

    if not osp.isfile(checkpoint):
        raise FileNotFoundError(f'{checkpoint}: checkpoint not found')
    ckpt = torch.load(checkpoint, map_location='cpu', weights_only=True)
    if 'state_dict' not in ckpt:
        raise KeyError(f'{checkpoint}: no "state_dict" (not an mmengine checkpoint?)')
    state = {}
    for name, tensor in ckpt['state_dict'].items():
        if any(name.startswith(p) for p in drop_prefixes):
            continue
        if fp16 and tensor.is_floating_point():
            tensor = tensor.half()
        state[name] = tensor
    meta = {k: v for k, v in ckpt.get('meta', {}).items() if k in ('dataset_meta', 'cfg', 'epoch', 'iter')}
    meta['published_from'] = osp.basename(checkpoint)
    buffer = io.BytesIO()
    torch.save(dict(meta=meta, state_dict=state), buffer)
    data = buffer.getvalue()
    atomic_write_bytes(out, data)
    return hashlib.sha256(data).hexdigest()


def main(argv=None):
    args = parse_args(argv)
    digest = publish(args.checkpoint, args.out, args.fp16, args.drop_prefix)
    print(f'{args.out}: {osp.getsize(args.out) / 1e6:.2f} MB, sha256 {digest}')


if __name__ == '__main__':
    main()
