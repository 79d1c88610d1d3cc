"""SynthSport generation: routines -> rendered videos + GT, annotations, generic pose data, 3D corpus.

The layout written is specified in ``docs/data_formats.md``. Every per-video random choice
comes from ``np.random.default_rng([seed, 1, video_index])``, so the output does not depend on the
number of workers or on resuming, and the same seed gives the same bytes.
"""
import io
import math
import multiprocessing as mp
import os
import os.path as osp
import zipfile
from dataclasses import asdict, dataclass
from typing import Dict, Iterable, List, Sequence, Tuple

import cv2
import numpy as np

from vpd_mm.pose.coco import COCO17_NAMES, COCO17_SKELETON
from vpd_mm.utils.fileio import (atomic_write_bytes, atomic_write_json, atomic_write_pickle, atomic_write_text,
                                 load_json)
from vpd_mm.utils.vpd_files import load_coco_keypoints, save_boxes, save_coco_keypoints

from .camera import VIEW_NAMES, follow_camera, static_camera
from .motion import CLASS_NAMES, CLASSES, Motion, build_routine, compose, everyday_motion, gait, stand, turn
from .render import (BackgroundRenderer, PanoramaBackground, SensorNoise, box_prims, finish_image,
                     joint_visibility, person_prims, project, render_frame, sample_appearance, sample_background)
from .skeleton import P_HEAD, P_NECK, P_PELVIS, forward_kinematics, sample_body

NAME = 'SynthSport'
VERSION = '1.0'
FEWSHOT_K = (4, 8, 16, 32, 64)
FEWSHOT_SEEDS = 5

SIZES: Dict[str, Dict[str, int]] = {
    'mini': dict(videos=12, elements_per_video=6, generic_images=240, corpus=40),
    'standard': dict(videos=80, elements_per_video=6, generic_images=4000, corpus=400),
}


@dataclass
class GenConfig:
    """What to generate. ``size`` names a preset of :data:`SIZES` or ``custom``."""
    size: str = 'mini'
    seed: int = 0
    videos: int = 12
    elements_per_video: int = 6
    generic_images: int = 240
    corpus: int = 40
    width: int = 320
    height: int = 240
    fps: int = 25

    def validate(self) -> 'GenConfig':
        """Raise ``ValueError`` with a clear message on impossible settings."""
        checks = [(self.videos >= 1, f'--videos must be >= 1, got {self.videos}'),
                  (self.elements_per_video >= 1, f'--elements-per-video must be >= 1, got {self.elements_per_video}'),
                  (self.generic_images >= 0, f'--generic-images must be >= 0, got {self.generic_images}'),
                  (self.corpus >= 0, f'--corpus must be >= 0, got {self.corpus}'),
                  (self.width >= 64 and self.height >= 64,
                   f'image size must be >= 64x64, got {self.width}x{self.height}'),
                  (self.width % 2 == 0 and self.height % 2 == 0, 'width and height must be even (video encoding)'),
                  (5 <= self.fps <= 120, f'--fps must be in [5, 120], got {self.fps}'),
                  (self.seed >= 0, f'--seed must be >= 0, got {self.seed}')]
        for ok, msg in checks:
            if not ok:
                raise ValueError(msg)
        return self


def make_config(size: str, seed: int = 0, **overrides) -> GenConfig:
    """Build a :class:`GenConfig` from a preset name plus explicit overrides (``None`` = keep)."""
    if size not in SIZES and size != 'custom':
        raise ValueError(f'unknown size {size!r}: expected one of {sorted(SIZES) + ["custom"]}')
    base = dict(SIZES.get(size, SIZES['mini']))
    base.update({k: v for k, v in overrides.items() if v is not None})
    return GenConfig(size=size, seed=seed, **base).validate()


def video_name(index: int) -> str:
    """Name of video ``index``, e.g. ``v0007``."""
    return f'v{index:04d}'


def element_id(vid: str, j: int) -> str:
    """Id of element ``j`` of video ``vid``, e.g. ``v0007_e03``."""
    return f'{vid}_e{j:02d}'


def plan_labels(cfg: GenConfig) -> List[List[int]]:
    """Element labels per video, balanced over classes and shuffled with the seed."""
    total = cfg.videos * cfg.elements_per_video
    seq = np.tile(np.arange(len(CLASSES)), math.ceil(total / len(CLASSES)))[:total]
    seq = np.random.default_rng([cfg.seed, 0]).permutation(seq)
    return [seq[i * cfg.elements_per_video:(i + 1) * cfg.elements_per_video].tolist() for i in range(cfg.videos)]


def _npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=False)
    return buf.getvalue()


def npz_bytes(**arrays: np.ndarray) -> bytes:
    """A deterministic ``.npz`` (fixed zip timestamps) readable by ``np.load``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as zf:
        for name, arr in arrays.items():
            info = zipfile.ZipInfo(name + '.npy', date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, _npy_bytes(np.asarray(arr)))
    return buf.getvalue()


class _Writer:
    """mp4 writer to a temporary name, renamed on :meth:`close` (atomic)."""

    def __init__(self, path: str, fps: float, size: Tuple[int, int]):
        os.makedirs(osp.dirname(path), exist_ok=True)
        self.path, self.tmp = path, osp.join(osp.dirname(path), '.' + osp.basename(path) + '.tmp.mp4')
        self.vw = cv2.VideoWriter(self.tmp, cv2.VideoWriter_fourcc(*'mp4v'), fps, size)
        if not self.vw.isOpened():
            raise RuntimeError(f'{path}: OpenCV cannot open an mp4v video writer')

    def write(self, img: np.ndarray) -> None:
        self.vw.write(img)

    def close(self) -> None:
        self.vw.release()
        os.replace(self.tmp, self.path)


# ----------------------------------------------------------------------------- scene extras
def _distractor_motion(rng, fps, T, pos, heading, role) -> Tuple[Motion, object]:
    body = sample_body(rng)
    if role == 'judge':
        pose = dict(lhf=1.5, rhf=1.5, lk=1.5, rk=1.5, lsf=0.7, rsf=0.7, le=1.3, re=1.3, lsa=0.1, rsa=0.1)
        seg = stand(rng, fps, T / fps, 'sides')
        for k, v in pose.items():
            seg.angles[k] = seg.angles[k] * 0 + v + (0.15 * np.sin(np.arange(seg.n) / fps * rng.uniform(0.3, 1.0))
                                                   if k in ('le', 're') else 0)
        segs = [seg]
    else:
        segs, n = [], 0
        while n < T:
            r = rng.random()
            if r < 0.55:
                s = stand(rng, fps, rng.uniform(2, 6))
            elif r < 0.8:
                s = gait(rng, fps, rng.uniform(1, 2.5), speed_scale=0.45)
                if rng.random() < 0.5:
                    segs.append(turn(rng, fps, np.pi))
                    n += segs[-1].n
            else:
                s = stand(rng, fps, rng.uniform(1.5, 3), 'front')
            segs.append(s)
            n += s.n
    m = compose(segs, body, start_pos=pos, start_heading=heading, blend=10)
    m.params = {k: v[:T] for k, v in m.params.items()}
    return m, body


def _scene_extras(rng, fps, T, cam_center, mat_half):
    """Distractor people (1-3, upright, slow) and occluder boxes around the mat."""
    people, boxes = [], []
    cam_az = math.atan2(cam_center[0], cam_center[2])
    for _ in range(int(rng.integers(1, 4))):
        role = 'judge' if rng.random() < 0.4 else 'spectator'
        near = rng.random() < 0.5
        az = cam_az + (rng.uniform(0.35, 1.0) * rng.choice([-1, 1]) if near else np.pi + rng.uniform(-0.8, 0.8))
        rad = mat_half + rng.uniform(0.8, 3.0)
        pos = np.array([rad * math.sin(az), rad * math.cos(az)])
        heading = math.atan2(-pos[0], -pos[1]) + rng.uniform(-0.5, 0.5)
        motion, body = _distractor_motion(rng, fps, T, pos, heading, role)
        people.append((forward_kinematics(motion.params, body), body, sample_appearance(rng)))
        if role == 'judge':
            fwd = np.array([math.sin(heading), 0, math.cos(heading)])
            boxes.append(box_prims(np.array([pos[0], 0, pos[1]]) + 0.6 * fwd, (1.4, 0.75, 0.6), heading,
                                   tuple(rng.uniform(40, 220, 3)), owner=1000))
    for _ in range(int(rng.integers(0, 3))):
        frac = rng.uniform(0.3, 0.6)
        aim = np.array([rng.uniform(-3, 3), 0, rng.uniform(-3, 3)])
        c = cam_center * (1 - frac) + aim * frac
        c[1] = 0.0
        size = (0.3, 2.6, 0.3) if rng.random() < 0.5 else (rng.uniform(1.2, 2.2), rng.uniform(0.8, 1.3), 0.08)
        boxes.append(box_prims(c, size, rng.uniform(-np.pi, np.pi), tuple(rng.uniform(40, 220, 3)), owner=1000))
    return people, boxes


def _subframes(pts: np.ndarray, f: int, shutter: float, n_sub: int) -> List[np.ndarray]:
    """Athlete points at ``n_sub`` instants spread over a shutter centred on frame ``f``."""
    out = []
    last = len(pts) - 1
    for k in range(n_sub):
        tau = f + shutter * ((k + 0.5) / n_sub - 0.5)
        i0 = int(np.clip(math.floor(tau), 0, last))
        i1 = min(i0 + 1, last)
        w = float(np.clip(tau - i0, 0, 1))
        out.append(pts[i0] * (1 - w) + pts[i1] * w)
    return out


def _box_from_alpha(alpha: np.ndarray, kp: np.ndarray, w: int, h: int) -> List[float]:
    x, y, bw, bh = cv2.boundingRect((alpha > 0.25).astype(np.uint8))
    if bw > 0 and bh > 0:
        return [float(x), float(y), float(bw), float(bh)]
    x0, y0 = np.clip(kp[:, :2].min(0), 0, [w - 1, h - 1])
    x1, y1 = np.clip(kp[:, :2].max(0), 0, [w - 1, h - 1])
    return [float(x0), float(y0), float(max(x1 - x0, 1)), float(max(y1 - y0, 1))]


# ----------------------------------------------------------------------------- one video
def video_files(root: str, vid: str) -> List[str]:
    """Files that exist once video ``vid`` is completely generated (``elements.json`` is written last)."""
    return [osp.join(root, 'videos', vid + '.mp4'), osp.join(root, 'pose', vid, 'boxes.json'),
            osp.join(root, 'pose', vid, 'coco_keypoints.json.gz'), osp.join(root, 'pose', vid, 'meta.json'),
            osp.join(root, 'gt', vid, 'pose3d.npy'), osp.join(root, 'gt', vid, 'camera.json'),
            osp.join(root, 'gt', vid, 'frame_info.json'), osp.join(root, 'gt', vid, 'elements.json')]


def generate_video(root: str, cfg: GenConfig, index: int, labels: Sequence[int]) -> List[dict]:
    """Render one routine video with all its GT; returns its element records. Skips finished videos."""
    vid = video_name(index)
    done_marker = osp.join(root, 'gt', vid, 'elements.json')
    if all(osp.isfile(p) for p in video_files(root, vid)):
        recs = load_json(done_marker)
        if all(osp.isfile(osp.join(root, 'mmaction', 'clips', r['id'] + '.mp4')) for r in recs):
            return recs
    W, H, fps = cfg.width, cfg.height, cfg.fps
    rng = np.random.default_rng([cfg.seed, 1, index])
    body = sample_body(rng)
    app = sample_appearance(rng)
    style = sample_background(rng)
    line_angle = float(rng.uniform(-np.pi, np.pi))
    motion = build_routine(labels, rng, fps, body, line_angle)
    T = motion.num_frames
    pts = forward_kinematics(motion.params, body)
    view = VIEW_NAMES[index % len(VIEW_NAMES)]
    cams = follow_camera(pts[:, P_PELVIS], rng, W, H, line_angle, view, subject_height=body.height)
    people, boxes = _scene_extras(rng, fps, T, cams.centers[0], style.mat_half)
    shutter = float(rng.uniform(0.35, 0.75))
    sigma = float(rng.uniform(1.0, 3.5))
    try:
        bgr = PanoramaBackground(style, cams.K, cams.R, cams.t, W, H)
    except ValueError:  # extreme pan: ray cast every frame
        bgr = BackgroundRenderer(W, H, style)
    noise = SensorNoise(rng, W, H, sigma)

    recs = [dict(id=element_id(vid, j), video=vid, start=int(s), end=int(e), label=int(l), class_name=CLASS_NAMES[l])
            for j, (s, e, l) in enumerate(motion.elements)]
    label_of = np.full(T, -1, np.int64)
    for r in recs:
        label_of[r['start']:r['end']] = r['label']
    writer = _Writer(osp.join(root, 'videos', vid + '.mp4'), fps, (W, H))
    clip_writers: Dict[int, _Writer] = {}
    boxes_out, kps_out = [], []
    info = dict(limb_speed=[], inverted=[], blur=[], occluded=[], element=label_of.tolist())
    for f in range(T):
        cam = (cams.K[f], cams.R[f], cams.t[f])
        uv_now, _ = project(cam, pts[f, :17])
        uv_prev, _ = project(cam, pts[max(f - 1, 0), :17])
        speed = float(np.linalg.norm(uv_now - uv_prev, axis=1).max())
        blur = speed * shutter
        n_sub = int(min(2 * math.ceil(blur / 3.0) + 1, 9)) if blur > 1.0 else 1
        athlete = [(p, body, app) for p in _subframes(pts, f, shutter, n_sub)]
        others = [person_prims(pp[f], b, a, owner=1 + k) for k, (pp, b, a) in enumerate(people)] + boxes
        res = render_frame(bgr.render(cam), cam, athlete, others)
        vis, hidden = joint_visibility(res, cam, pts[f, :17], pts[f, P_HEAD])
        img = noise(res.image)
        kp = np.concatenate([uv_now, vis[:, None].astype(np.float64)], 1)
        box = _box_from_alpha(res.alpha, kp, W, H)
        boxes_out.append((f, box))
        kps_out.append((f, [(1.0, box, kp)]))
        up = pts[f, P_NECK] - pts[f, P_PELVIS]
        info['limb_speed'].append(round(speed, 3))
        info['inverted'].append(bool(up[1] < 0))
        info['blur'].append(round(blur, 3))
        info['occluded'].append(int(hidden.sum()))
        writer.write(img)
        for j, r in enumerate(recs):
            if f == r['start']:
                clip_writers[j] = _Writer(osp.join(root, 'mmaction', 'clips', r['id'] + '.mp4'), fps, (W, H))
            if j in clip_writers:
                clip_writers[j].write(img)
                if f == r['end'] - 1:
                    clip_writers.pop(j).close()
    writer.close()
    pose_dir, gt_dir = osp.join(root, 'pose', vid), osp.join(root, 'gt', vid)
    save_boxes(osp.join(pose_dir, 'boxes.json'), boxes_out)
    save_coco_keypoints(osp.join(pose_dir, 'coco_keypoints.json.gz'), kps_out)
    atomic_write_json(osp.join(pose_dir, 'meta.json'), dict(fps=fps, num_frames=T, width=W, height=H))
    atomic_write_bytes(osp.join(gt_dir, 'pose3d.npy'), _npy_bytes(pts[:, :17].astype(np.float32)))
    cam_json = cams.to_json()
    cam_json.update(fps=fps, width=W, height=H)
    atomic_write_json(osp.join(gt_dir, 'camera.json'), cam_json)
    atomic_write_json(osp.join(gt_dir, 'frame_info.json'), info)
    atomic_write_json(done_marker, recs)
    return recs


# ----------------------------------------------------------------------------- generic pose images
GENERIC_CHUNK = 60


def _coco_categories() -> List[dict]:
    return [dict(id=1, name='person', supercategory='person', keypoints=list(COCO17_NAMES),
                 skeleton=[[a + 1, b + 1] for a, b in COCO17_SKELETON])]


def generic_image(cfg: GenConfig, idx: int) -> Tuple[np.ndarray, dict]:
    """One generic everyday-pose image and its COCO annotation (without ids)."""
    W, H = cfg.width, cfg.height
    rng = np.random.default_rng([cfg.seed, 2, idx])
    for _ in range(50):
        body = sample_body(rng)
        app = sample_appearance(rng)
        motion = everyday_motion(rng, cfg.fps, body, rng.uniform(2.0, 4.0), noise=0.15)
        pts = forward_kinematics(motion.params, body)
        f = int(rng.integers(1, len(pts) - 1))
        p = pts[f].copy()
        p[:, [0, 2]] -= p[P_PELVIS, [0, 2]]
        target = p[P_PELVIS] * [1, 0.55, 1] + [0, 0.4, 0]
        K, R, t = static_camera(rng, target, W, H, body.height)
        cam = (K, R, t)
        style = sample_background(rng)
        half = np.diag([0.5, 0.5, 1.0]) @ K  # background ray cast at half resolution, then upscaled
        bg = cv2.resize(BackgroundRenderer(W // 2, H // 2, style).render((half, R, t)), (W, H),
                        interpolation=cv2.INTER_LINEAR)
        others = []
        if rng.random() < 0.3:
            c = -R.T @ t
            c2 = c * (1 - rng.uniform(0.3, 0.6)) + target * 0.5
            others.append(box_prims(np.array([c2[0], 0.0, c2[2]]) + rng.uniform(-0.7, 0.7, 3) * [1, 0, 1],
                                    (rng.uniform(0.3, 1.5), rng.uniform(0.5, 1.4), 0.1), rng.uniform(-np.pi, np.pi),
                                    tuple(rng.uniform(40, 220, 3)), owner=1000))
        pts_pair = pts[f - 1:f + 2] - np.array([pts[f, P_PELVIS, 0], 0, pts[f, P_PELVIS, 2]])
        athlete = [(q, body, app) for q in _subframes(pts_pair, 1, 0.2, 3)]
        res = render_frame(bg, cam, athlete, others)
        vis, _ = joint_visibility(res, cam, p[:17], p[P_HEAD])
        uv, z = project(cam, p[:17])
        inside = (uv[:, 0] >= 0) & (uv[:, 0] < W) & (uv[:, 1] >= 0) & (uv[:, 1] < H) & (z > 0.15)
        box = _box_from_alpha(res.alpha, np.concatenate([uv, vis[:, None]], 1), W, H)
        if inside.sum() < 8 or box[2] < 12 or box[3] < 24:
            continue
        img = finish_image(res.image, rng, float(rng.uniform(1.0, 3.0)))
        kps = []
        for j in range(17):
            if not inside[j]:
                kps += [0.0, 0.0, 0]
            else:
                kps += [round(float(uv[j, 0]), 2), round(float(uv[j, 1]), 2), 2 if vis[j] else 1]
        ann = dict(category_id=1, iscrowd=0, bbox=[round(v, 2) for v in box],
                   area=float((res.alpha > 0.5).sum()), keypoints=kps, num_keypoints=int(inside.sum()))
        return img, ann
    raise RuntimeError(f'generic image {idx}: no valid framing found in 50 tries')


def generate_generic_chunk(root: str, cfg: GenConfig, chunk: int) -> str:
    """Render generic images ``[chunk * GENERIC_CHUNK, ...)``; writes a part file listing them."""
    part = osp.join(root, 'generic', 'parts', f'part_{chunk:05d}.json')
    if osp.isfile(part):
        return part
    out = []
    for idx in range(chunk * GENERIC_CHUNK, min((chunk + 1) * GENERIC_CHUNK, cfg.generic_images)):
        img, ann = generic_image(cfg, idx)
        name = f'{idx:06d}.jpg'
        ok, buf = cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY, 92])
        if not ok:
            raise RuntimeError(f'cannot JPEG-encode generic image {name}')
        atomic_write_bytes(osp.join(root, 'generic', 'images', name), buf.tobytes())
        out.append(dict(index=idx, file_name=name, annotation=ann))
    atomic_write_json(part, out)
    return part


def write_generic_annotations(root: str, cfg: GenConfig) -> Dict[str, int]:
    """Merge the part files into ``person_keypoints_{train,val}.json`` (every 8th image is val)."""
    n_chunks = math.ceil(cfg.generic_images / GENERIC_CHUNK)
    splits = {s: dict(images=[], annotations=[], categories=_coco_categories(),
                      info=dict(description='SynthSport generic everyday poses', version=VERSION))
              for s in ('train', 'val')}
    for c in range(n_chunks):
        for rec in load_json(osp.join(root, 'generic', 'parts', f'part_{c:05d}.json')):
            s = 'val' if rec['index'] % 8 == 0 else 'train'
            iid = rec['index'] + 1
            splits[s]['images'].append(dict(id=iid, file_name=rec['file_name'], width=cfg.width, height=cfg.height))
            splits[s]['annotations'].append(dict(id=iid, image_id=iid, **rec['annotation']))
    for s, d in splits.items():
        atomic_write_json(osp.join(root, 'generic', 'annotations', f'person_keypoints_{s}.json'), d)
    return {s: len(d['images']) for s, d in splits.items()}


# ----------------------------------------------------------------------------- 3D pose corpus
def write_corpus(root: str, cfg: GenConfig) -> List[dict]:
    """3D joint sequences: everyday motions and sport elements (with approach and landing)."""
    index = []
    for i in range(cfg.corpus):
        rng = np.random.default_rng([cfg.seed, 4, i])
        body = sample_body(rng)
        kind = 'sport' if i % 2 else 'everyday'
        name = f'{kind}_{i:05d}'
        if kind == 'sport':
            labels = rng.integers(0, len(CLASSES), int(rng.integers(1, 3))).tolist()
            motion = build_routine(labels, rng, cfg.fps, body, float(rng.uniform(-np.pi, np.pi)), gap_scale=0.6)
        else:
            motion = everyday_motion(rng, cfg.fps, body, rng.uniform(4, 8), noise=0.1)
        joints = forward_kinematics(motion.params, body)[:, :17].astype(np.float32)
        path = osp.join(root, 'pose3d_corpus', name + '.npz')
        if not osp.isfile(path):
            atomic_write_bytes(path, npz_bytes(joints3d=joints, fps=np.float32(cfg.fps)))
        index.append(dict(name=name, num_frames=int(len(joints)), fps=cfg.fps, kind=kind))
    atomic_write_json(osp.join(root, 'pose3d_corpus', 'index.json'), index)
    return index


# ----------------------------------------------------------------------------- annotations
def make_splits(cfg: GenConfig) -> Dict[str, List[str]]:
    """Train / val / test by video (60 / 20 / 20, seeded)."""
    vids = [video_name(i) for i in range(cfg.videos)]
    n = len(vids)
    n_test = max(1, round(0.2 * n)) if n >= 2 else 0
    n_val = max(1, round(0.2 * n)) if n >= 3 else 0
    perm = np.random.default_rng([cfg.seed, 3]).permutation(n)
    test = sorted(vids[i] for i in perm[:n_test])
    val = sorted(vids[i] for i in perm[n_test:n_test + n_val])
    train = sorted(vids[i] for i in perm[n_test + n_val:])
    return dict(train=train, val=val, test=test)


def make_fewshot(elements: Sequence[dict], train_videos: Iterable[str], seed: int,
                 ks: Sequence[int] = FEWSHOT_K, trials: int = FEWSHOT_SEEDS) -> Dict[str, List[List[str]]]:
    """k examples per class from the train split (capped by availability), ``trials`` seeded subsets per k."""
    train_videos = set(train_videos)
    by_class: Dict[int, List[str]] = {}
    for e in elements:
        if e['video'] in train_videos:
            by_class.setdefault(e['label'], []).append(e['id'])
    out = {}
    for k in ks:
        subsets = []
        for s in range(trials):
            rng = np.random.default_rng([seed, 7, k, s])
            chosen = []
            for label in sorted(by_class):
                ids = sorted(by_class[label])
                take = rng.permutation(len(ids))[:min(k, len(ids))]
                chosen += [ids[i] for i in sorted(take)]
            subsets.append(chosen)
        out[str(k)] = subsets
    return out


def _keypoint_scores(kp: np.ndarray, w: int, h: int) -> np.ndarray:
    inside = (kp[..., 0] >= 0) & (kp[..., 0] < w) & (kp[..., 1] >= 0) & (kp[..., 1] < h)
    return np.where(kp[..., 2] > 0, 1.0, np.where(inside, 0.5, 0.0)).astype(np.float32)


def write_mmaction(root: str, cfg: GenConfig, elements: Sequence[dict], splits: Dict[str, List[str]],
                   fewshot: Dict[str, List[List[str]]]) -> None:
    """TSN video lists and the ST-GCN ``PoseDataset`` pickle from GT 2D joints."""
    split_of = {v: s for s, vids in splits.items() for v in vids}
    for s in ('train', 'val', 'test'):
        lines = [f"{e['id']}.mp4 {e['label']}" for e in elements if split_of[e['video']] == s]
        atomic_write_text(osp.join(root, 'mmaction', f'tsn_{s}.txt'), ''.join(l + '\n' for l in lines))
    annotations, kp_cache = [], {}
    for e in elements:
        if e['video'] not in kp_cache:
            kp_cache = {e['video']: load_coco_keypoints(osp.join(root, 'pose', e['video'], 'coco_keypoints.json.gz'))}
        frames = kp_cache[e['video']]
        kp = np.stack([frames[f][0][2] for f in range(e['start'], e['end'])])
        annotations.append(dict(frame_dir=e['id'], label=int(e['label']), img_shape=(cfg.height, cfg.width),
                                original_shape=(cfg.height, cfg.width), total_frames=int(len(kp)),
                                keypoint=kp[None, :, :, :2].astype(np.float32),
                                keypoint_score=_keypoint_scores(kp, cfg.width, cfg.height)[None]))
    split = {s: [e['id'] for e in elements if split_of[e['video']] == s] for s in ('train', 'val', 'test')}
    for k, subsets in fewshot.items():
        for i, ids in enumerate(subsets):
            split[f'train_k{k}_s{i}'] = list(ids)
    atomic_write_pickle(osp.join(root, 'mmaction', 'stgcn_gt2d.pkl'), dict(split=split, annotations=annotations))


# ----------------------------------------------------------------------------- driver
def _run_task(task):
    kind, root, cfg, arg = task
    if kind == 'video':
        idx, labels = arg
        return kind, idx, generate_video(root, cfg, idx, labels)
    return kind, arg, generate_generic_chunk(root, cfg, arg)


def generate_dataset(root: str, cfg: GenConfig, workers: int = 2, progress: bool = True) -> dict:
    """Generate (or resume) a complete SynthSport dataset under ``root``; returns ``dataset.json``."""
    cfg.validate()
    if workers < 1:
        raise ValueError(f'--workers must be >= 1, got {workers}')
    os.makedirs(root, exist_ok=True)
    ds_path = osp.join(root, 'dataset.json')
    cfg_path = osp.join(root, 'generation_config.json')
    if osp.isfile(cfg_path):
        old = load_json(cfg_path)
        if old != asdict(cfg):
            raise ValueError(f'{root} holds a SynthSport generated with different settings ({cfg_path}: {old}); '
                             'use another output directory or delete it')
    else:
        atomic_write_json(cfg_path, asdict(cfg), indent=1)
    labels = plan_labels(cfg)
    tasks = [('video', root, cfg, (i, labels[i])) for i in range(cfg.videos)]
    tasks += [('generic', root, cfg, c) for c in range(math.ceil(cfg.generic_images / GENERIC_CHUNK))]
    per_video: Dict[int, List[dict]] = {}
    bar = None
    if progress:
        from tqdm import tqdm
        bar = tqdm(total=len(tasks), desc='SynthSport', unit='task')
    if workers == 1:
        results = map(_run_task, tasks)
        pool = None
    else:
        pool = mp.get_context('fork').Pool(workers)
        results = pool.imap_unordered(_run_task, tasks)
    try:
        for kind, key, value in results:
            if kind == 'video':
                per_video[key] = value
            if bar is not None:
                bar.update(1)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
        if bar is not None:
            bar.close()
    elements = [e for i in range(cfg.videos) for e in per_video[i]]
    atomic_write_json(osp.join(root, 'annotations', 'elements.json'), elements, indent=1)
    splits = make_splits(cfg)
    atomic_write_json(osp.join(root, 'annotations', 'splits.json'), splits, indent=1)
    fewshot = make_fewshot(elements, splits['train'], cfg.seed)
    atomic_write_json(osp.join(root, 'annotations', 'fewshot.json'), fewshot)
    write_mmaction(root, cfg, elements, splits, fewshot)
    generic = write_generic_annotations(root, cfg)
    corpus = write_corpus(root, cfg)
    meta = dict(name=NAME, version=VERSION, size=cfg.size, seed=cfg.seed, fps=cfg.fps, width=cfg.width,
                height=cfg.height, classes=list(CLASS_NAMES), num_videos=cfg.videos, num_elements=len(elements),
                views=list(VIEW_NAMES), generic_images=generic, corpus_sequences=len(corpus))
    atomic_write_json(ds_path, meta, indent=1)
    return meta
