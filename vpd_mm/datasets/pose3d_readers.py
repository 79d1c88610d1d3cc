"""Readers of 3D pose corpora for VIPE*, all returning COCO-17 joints ``(T, 17, 3)`` in metres, y up.

Formats (``format`` key of a :class:`Pose3DDataset` source):

* ``'corpus'`` -- the documented simple format, also SynthSport's ``pose3d_corpus/``: a directory of
  ``<name>.npz`` files holding ``joints3d`` ``(T, 17, 3)`` float (COCO-17 order, metres, y up) and an
  optional scalar ``fps``, plus an optional ``index.json`` ``[{name, num_frames, fps, kind}, ...]``
  (without it every ``*.npz`` is read). :func:`save_pose3d_corpus` writes it.
* ``'h36m'`` -- Human3.6M-style joint arrays: ``*.npy`` / ``*.npz`` files of ``(T, 32, 3)`` (the full
  H3.6M skeleton) or ``(T, 17, 3)`` (the common 17-joint subset), millimetres, z up by default.
* ``'amass'`` -- AMASS-style joint arrays: ``*.npy`` / ``*.npz`` files of SMPL joints ``(T, J >= 22, 3)``
  (SMPL order: pelvis, L hip, R hip, spine1, L knee, ...), metres, z up by default.
* ``'msr_action3d'`` -- MSR Action3D Kinect skeleton text files (20 joints, ``x y z conf`` per line).

Joints a source lacks (eyes, ears, sometimes the nose) are copied from the nearest head joint; VIPE*
drops eyes and ears anyway.
"""
import glob
import os
import re
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from ..pose.canonical3d import check_pose3d
from ..utils.fileio import atomic_open, atomic_write_json, load_json

Sequence3D = Tuple[str, np.ndarray]

#: COCO-17 joint -> H3.6M 17-joint subset index (0 hip, 1-3 R leg, 4-6 L leg, 7 spine, 8 thorax,
#: 9 neck/nose, 10 head, 11-13 L arm, 14-16 R arm). Eyes/ears use the head top.
H36M17_TO_COCO = (9, 10, 10, 10, 10, 11, 14, 12, 15, 13, 16, 4, 1, 5, 2, 6, 3)
#: Indices of the 17-joint subset inside the full 32-joint H3.6M skeleton.
H36M32_TO_H36M17 = (0, 1, 2, 3, 6, 7, 8, 12, 13, 14, 15, 17, 18, 19, 25, 26, 27)
#: COCO-17 joint -> SMPL joint (15 head for nose/eyes/ears, 16/17 shoulders, 18/19 elbows,
#: 20/21 wrists, 1/2 hips, 4/5 knees, 7/8 ankles).
SMPL_TO_COCO = (15, 15, 15, 15, 15, 16, 17, 18, 19, 20, 21, 1, 2, 4, 5, 7, 8)
#: COCO-17 joint -> MSR Action3D Kinect joint (0-based; 19 head, 0/1 shoulders, 7/8 elbows,
#: 9/10 wrists, 4/5 hips, 13/14 knees, 15/16 ankles). COCO's nose, eyes and ears have no Kinect
#: joint: all five take the Kinect head (the centre of the head, a few cm above and behind the nose);
#: VIPE* keeps the nose only. Unused Kinect joints: neck (shoulder centre), spine, hip centre, hands,
#: feet. The file's left/right labels are kept: read as right-handed (x, y up, z depth) coordinates,
#: a subject facing the camera has its "right" shoulder at larger x, i.e. the poses are not mirrored.
KINECT20_TO_COCO = (19, 19, 19, 19, 19, 0, 1, 7, 8, 9, 10, 4, 5, 13, 14, 15, 16)
#: Number of joints per frame in an MSR Action3D skeleton file.
KINECT20_JOINTS = 20
#: Name of an MSR Action3D sequence: action, subject, repetition (``a01_s09_e02``).
MSR_NAME_RE = re.compile(r'a(\d+)_s(\d+)_e(\d+)')

FORMATS = ('corpus', 'h36m', 'amass', 'msr_action3d')


def to_y_up(joints: np.ndarray, up_axis: str) -> np.ndarray:
    """Rotate ``(..., 3)`` coordinates so that ``up_axis`` ('y' or 'z') becomes +y (right-handed)."""
    joints = np.asarray(joints, dtype=np.float32)
    if up_axis == 'y':
        return joints
    if up_axis == 'z':  # -90 degrees about x: (x, y, z) -> (x, z, -y)
        return np.stack([joints[..., 0], joints[..., 2], -joints[..., 1]], -1)
    raise ValueError(f"up_axis must be 'y' or 'z', got {up_axis!r}")


def h36m_to_coco(joints: np.ndarray, name: str = 'h36m') -> np.ndarray:
    """Map ``(T, 32, 3)`` or ``(T, 17, 3)`` Human3.6M joints to COCO-17 order."""
    joints = np.asarray(joints, dtype=np.float32)
    if joints.ndim != 3 or joints.shape[1:] not in ((32, 3), (17, 3)):
        raise ValueError(f'{name}: Human3.6M joints must be (T, 32, 3) or (T, 17, 3), got {joints.shape}')
    if joints.shape[1] == 32:
        joints = joints[:, list(H36M32_TO_H36M17)]
    return joints[:, list(H36M17_TO_COCO)]


def smpl_to_coco(joints: np.ndarray, name: str = 'amass') -> np.ndarray:
    """Map SMPL-order joints ``(T, J >= 22, 3)`` to COCO-17 order."""
    joints = np.asarray(joints, dtype=np.float32)
    if joints.ndim != 3 or joints.shape[1] < 22 or joints.shape[2] != 3:
        raise ValueError(f'{name}: SMPL joints must be (T, J >= 22, 3), got {joints.shape}')
    return joints[:, list(SMPL_TO_COCO)]


def kinect20_to_coco(joints: np.ndarray, name: str = 'kinect') -> np.ndarray:
    """Map MSR Action3D Kinect joints ``(T, 20, 3)`` to COCO-17 order."""
    joints = np.asarray(joints, dtype=np.float32)
    if joints.ndim != 3 or joints.shape[1:] != (20, 3):
        raise ValueError(f'{name}: Kinect joints must be (T, 20, 3), got {joints.shape}')
    return joints[:, list(KINECT20_TO_COCO)]


def _load_array(path: str, keys: Sequence[str]) -> np.ndarray:
    try:
        data = np.load(path, allow_pickle=False)
    except Exception as e:  # noqa: BLE001 - any numpy failure means an unreadable file
        raise ValueError(f'{path}: not a readable .npy/.npz file ({e})') from e
    if isinstance(data, np.ndarray):
        return data
    with data:
        for key in keys:
            if key in data.files:
                return data[key]
        if len(data.files) == 1:
            return data[data.files[0]]
        raise ValueError(f'{path}: none of the keys {list(keys)} found (has {data.files})')


def _check_sequence(name: str, joints: np.ndarray) -> np.ndarray:
    joints = check_pose3d(joints, name)
    if joints.ndim != 3 or len(joints) == 0:
        raise ValueError(f'{name}: expected a non-empty sequence (T, 17, 3), got {joints.shape}')
    return joints


def load_pose3d_corpus(root: str) -> List[Sequence3D]:
    """Read a directory in the simple corpus format (see the module docstring)."""
    if not osp.isdir(root):
        raise FileNotFoundError(f'{root}: 3D pose corpus directory not found')
    index_path = osp.join(root, 'index.json')
    if osp.isfile(index_path):
        entries = load_json(index_path)
        if not isinstance(entries, list) or not all(isinstance(e, dict) and 'name' in e for e in entries):
            raise ValueError(f'{index_path}: must be a list of {{name, num_frames, ...}} entries')
        names = [str(e['name']) for e in entries]
    else:
        names = sorted(
            osp.splitext(osp.relpath(p, root))[0]
            for p in glob.glob(osp.join(root, '**', '*.npz'), recursive=True))
    if not names:
        raise ValueError(f'{root}: no sequences (no index.json entries and no .npz files)')
    out = []
    for name in names:
        path = osp.join(root, name + '.npz')
        if not osp.isfile(path):
            raise FileNotFoundError(f'{path}: listed in {index_path} but missing')
        out.append((name, _check_sequence(path, _load_array(path, ('joints3d', )))))
    return out


def save_pose3d_corpus(root: str,
                       sequences: Sequence[Sequence3D],
                       fps: float = 30.0,
                       kind: str = 'custom') -> None:
    """Write sequences ``[(name, joints3d (T, 17, 3))]`` in the simple corpus format."""
    index = []
    for name, joints in sequences:
        joints = _check_sequence(name, joints)
        with atomic_open(osp.join(root, name + '.npz'), 'wb') as f:
            np.savez_compressed(f, joints3d=joints, fps=np.float32(fps))
        index.append(dict(name=name, num_frames=int(len(joints)), fps=float(fps), kind=kind))
    atomic_write_json(osp.join(root, 'index.json'), index, indent=1)


def _array_files(root: str) -> List[str]:
    if osp.isfile(root):
        return [root]
    if not osp.isdir(root):
        raise FileNotFoundError(f'{root}: 3D pose directory or file not found')
    files = sorted(glob.glob(osp.join(root, '**', '*.np[yz]'), recursive=True))
    if not files:
        raise ValueError(f'{root}: no .npy/.npz joint arrays found')
    return files


def load_h36m_dir(root: str, unit_scale: float = 0.001, up_axis: str = 'z') -> List[Sequence3D]:
    """Read Human3.6M-style joint arrays (keys ``joints3d``, ``positions_3d``, ``joints`` or the only one)."""
    out = []
    for path in _array_files(root):
        arr = _load_array(path, ('joints3d', 'positions_3d', 'joints'))
        if arr.ndim == 2 and arr.shape[1] in (96, 51):  # flattened (T, J * 3), as in the CDF files
            arr = arr.reshape(len(arr), -1, 3)
        coco = to_y_up(h36m_to_coco(arr, path) * unit_scale, up_axis)
        out.append((osp.splitext(osp.relpath(path,
                                             osp.dirname(root) if osp.isfile(root) else root))[0],
                    _check_sequence(path, coco)))
    return out


def load_amass_dir(root: str, unit_scale: float = 1.0, up_axis: str = 'z') -> List[Sequence3D]:
    """Read AMASS-style SMPL joint arrays (keys ``joints3d``, ``joints``, ``Jtr`` or the only one)."""
    out = []
    for path in _array_files(root):
        arr = _load_array(path, ('joints3d', 'joints', 'Jtr'))
        coco = to_y_up(smpl_to_coco(arr, path) * unit_scale, up_axis)
        out.append((osp.splitext(osp.relpath(path,
                                             osp.dirname(root) if osp.isfile(root) else root))[0],
                    _check_sequence(path, coco)))
    return out


def parse_msr_action3d_skeleton(path: str) -> np.ndarray:
    """Parse one MSR Action3D ``*_skeleton3D.txt`` file into raw Kinect joints ``(T, 20, 4)``.

    The file has one line ``x y z confidence`` per joint and 20 lines per frame (blank lines are
    ignored).

    Raises:
        ValueError: A line that is not four finite numbers, or a line count that is not a multiple
            of 20 (wrong joint count); the message names the file and the line.
    """
    rows, line_nos = [], []
    try:
        with open(path) as f:
            lines = f.read().splitlines()
    except UnicodeDecodeError as e:
        raise ValueError(f'{path}: not a text file ({e})') from e
    for no, line in enumerate(lines, 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 4:
            raise ValueError(f'{path}, line {no}: expected 4 numbers "x y z confidence", got '
                             f'{len(fields)} fields: {line.strip()[:80]!r}')
        try:
            values = [float(v) for v in fields]
        except ValueError:
            raise ValueError(f'{path}, line {no}: not numbers: {line.strip()[:80]!r}') from None
        if not all(np.isfinite(values)):
            raise ValueError(f'{path}, line {no}: non-finite value: {line.strip()[:80]!r}')
        rows.append(values)
        line_nos.append(no)
    if not rows:
        raise ValueError(f'{path}: no joint lines (empty file)')
    if len(rows) % KINECT20_JOINTS:
        last = len(rows) - len(rows) % KINECT20_JOINTS
        raise ValueError(f'{path}, line {line_nos[last]}: the last frame has {len(rows) - last} joint lines, '
                         f'expected {KINECT20_JOINTS} per frame ({len(rows)} joint lines in all; wrong '
                         'joint count or a truncated file)')
    return np.asarray(rows, np.float32).reshape(-1, KINECT20_JOINTS, 4)


def load_msr_action3d_skeleton(path: str) -> np.ndarray:
    """Read one MSR Action3D ``*_skeleton3D.txt`` file as COCO-17 ``(T, 17, 3)`` (metres, y up).

    Joints are mapped with :data:`KINECT20_TO_COCO`. All-zero (untracked) frames are dropped; the
    result may be empty (``a13_s09_e02`` is all zeros).

    Raises:
        ValueError: Malformed file (see :func:`parse_msr_action3d_skeleton`).
    """
    xyz = parse_msr_action3d_skeleton(path)[..., :3]
    xyz = xyz[np.abs(xyz).sum(axis=(1, 2)) > 0]
    return kinect20_to_coco(xyz, path)


def msr_action3d_ids(name: str) -> Tuple[int, int, int]:
    """``(action, subject, repetition)`` (1-based) of an MSR Action3D sequence or file name."""
    match = MSR_NAME_RE.search(osp.basename(name))
    if match is None:
        raise ValueError(f'{name}: not an MSR Action3D name (aAA_sSS_eEE)')
    return tuple(int(g) for g in match.groups())


def load_msr_action3d_dir(root: str) -> List[Sequence3D]:
    """Read every MSR Action3D skeleton file under ``root`` (skipping sequences with no tracked frame).

    Sequence names are the file names less ``_skeleton3D.txt`` (``a01_s01_e01``).
    """
    files = sorted(glob.glob(osp.join(root, '**', '*skeleton3D.txt'), recursive=True))
    if not files:
        raise ValueError(f'{root}: no *_skeleton3D.txt files found')
    out = []
    for path in files:
        joints = load_msr_action3d_skeleton(path)
        if len(joints):
            out.append((osp.basename(path).replace('_skeleton3D.txt', ''), _check_sequence(path, joints)))
    return out


def load_pose3d_source(source: Dict) -> List[Sequence3D]:
    """Load one source dict ``{format, root, [unit_scale, up_axis]}`` (see the module docstring)."""
    source = dict(source)
    fmt = source.pop('format', 'corpus')
    root = source.pop('root', None)
    if root is None:
        raise ValueError(f'3D pose source {source} has no "root"')
    root = os.path.expanduser(root)
    source.pop('name', None)
    if fmt == 'corpus':
        return load_pose3d_corpus(root, **source)
    if fmt == 'h36m':
        return load_h36m_dir(root, **source)
    if fmt == 'amass':
        return load_amass_dir(root, **source)
    if fmt == 'msr_action3d':
        return load_msr_action3d_dir(root, **source)
    raise ValueError(f'unknown 3D pose format {fmt!r}; choose one of {FORMATS}')


def split_sequences(names: Sequence[str],
                    split: str,
                    val_fraction: float,
                    val_regex: Optional[str] = None) -> List[int]:
    """Deterministic sequence-level split: indices of ``names`` in ``split`` ('train', 'val' or 'all').

    With ``val_regex``, the validation part is the names that regex finds (``re.search``), e.g.
    ``'_s(09|10)_'`` holds MSR Action3D subjects 9 and 10 out, and ``val_fraction`` is ignored.
    Otherwise it is the ``ceil(val_fraction * n)`` names that come first when ordered by a stable
    hash (CRC32), so it never depends on the listing order; with n >= 2 both parts are non-empty.
    """
    import zlib
    if split == 'all':
        return list(range(len(names)))
    if split not in ('train', 'val'):
        raise ValueError(f"split must be 'train', 'val' or 'all', got {split!r}")
    if val_regex is not None:
        pattern = re.compile(val_regex)
        val = {i for i, n in enumerate(names) if pattern.search(n)}
    else:
        order = sorted(range(len(names)), key=lambda i: (zlib.crc32(names[i].encode()), names[i]))
        num_val = int(np.ceil(val_fraction * len(names))) if val_fraction > 0 else 0
        if len(names) >= 2:
            num_val = min(max(num_val, 1), len(names) - 1)
        val = set(order[:num_val])
    return [i for i in range(len(names)) if (i in val) == (split == 'val')]


__all__ = [
    'FORMATS', 'H36M17_TO_COCO', 'H36M32_TO_H36M17', 'SMPL_TO_COCO', 'KINECT20_TO_COCO', 'KINECT20_JOINTS',
    'MSR_NAME_RE', 'to_y_up', 'h36m_to_coco', 'smpl_to_coco', 'kinect20_to_coco', 'load_pose3d_corpus',
    'save_pose3d_corpus', 'load_h36m_dir', 'load_amass_dir', 'parse_msr_action3d_skeleton',
    'load_msr_action3d_skeleton', 'msr_action3d_ids', 'load_msr_action3d_dir', 'load_pose3d_source',
    'split_sequences'
]
