"""The installed stack imports, in a fresh interpreter, in the issue's order."""
import subprocess
import sys


def test_stack_imports_in_fresh_interpreter(repo_root):
    code = ('import mmcv.ops, mmdet.apis, mmpose.apis, mmaction.models, vpd_mm\n'
            'import torch\n'
            'from mmcv.ops import nms\n'
            'boxes = torch.tensor([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60]], dtype=torch.float32)\n'
            'dets, keep = nms(boxes, torch.tensor([0.9, 0.8, 0.7]), iou_threshold=0.5)\n'
            'print(sorted(keep.tolist()))\n')
    out = subprocess.run([sys.executable, '-c', code], cwd=repo_root, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-3000:]
    # the compiled nms op suppressed the overlapping second box
    assert out.stdout.strip().splitlines()[-1] == '[0, 2]'


def test_vpd_mm_registers_into_mmaction_registries():
    import vpd_mm  # noqa: F401
    from mmaction.registry import HOOKS
    assert HOOKS.get('PlainCheckpointHook') is not None
