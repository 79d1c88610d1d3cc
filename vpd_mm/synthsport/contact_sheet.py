"""Contact sheet of a generated SynthSport: frames of every class and camera view with GT overlays."""
import os.path as osp
from typing import Dict, List

import cv2
import numpy as np

from vpd_mm.pose.draw import draw_pose
from vpd_mm.utils.fileio import load_json
from vpd_mm.utils.vpd_files import load_coco_keypoints


def read_frame(path: str, frame: int) -> np.ndarray:
    """Decode one frame of a video (raises naming the file if it cannot)."""
    cap = cv2.VideoCapture(path)
    try:
        cap.set(cv2.CAP_PROP_POS_FRAMES, frame)
        ok, img = cap.read()
    finally:
        cap.release()
    if not ok:
        raise ValueError(f'{path}: cannot decode frame {frame}')
    return img


def _label(img: np.ndarray, text: str) -> np.ndarray:
    out = img.copy()
    cv2.rectangle(out, (0, 0), (out.shape[1], 14), (0, 0, 0), -1)
    cv2.putText(out, text, (3, 11), cv2.FONT_HERSHEY_SIMPLEX, 0.38, (255, 255, 255), 1, cv2.LINE_AA)
    return out


def _crop(img: np.ndarray, box: np.ndarray, size: int) -> np.ndarray:
    x, y, w, h = box
    s = max(w, h) * 1.3 + 8
    cx, cy = x + w / 2, y + h / 2
    m = np.array([[size / s, 0, size / 2 - cx * size / s], [0, size / s, size / 2 - cy * size / s]])
    return cv2.warpAffine(img, m, (size, size), flags=cv2.INTER_LINEAR, borderValue=(0, 0, 0))


def make_contact_sheet(root: str, phases=(0.3, 0.5, 0.7)) -> np.ndarray:
    """Build the sheet: per class one full frame with GT overlay plus athlete crops (raw above, GT
    below) at several phases of one element, classes in two columns; then one strip with a frame of
    every camera view."""
    meta = load_json(osp.join(root, 'dataset.json'))
    elements = load_json(osp.join(root, 'annotations', 'elements.json'))
    W, H = meta['width'], meta['height']
    kp_cache: Dict[str, dict] = {}

    def frame_with_pose(vid: str, f: int):
        if vid not in kp_cache:
            kp_cache[vid] = load_coco_keypoints(osp.join(root, 'pose', vid, 'coco_keypoints.json.gz'))
        _, box, kp = kp_cache[vid][f][0]
        img = read_frame(osp.join(root, 'videos', vid + '.mp4'), f)
        return img, draw_pose(img, kp, box), box

    rows: List[np.ndarray] = []
    for label, name in enumerate(meta['classes']):
        cands = [e for e in elements if e['label'] == label]
        if not cands:
            continue
        e = cands[0]
        tiles = []
        for i, q in enumerate(phases):
            f = e['start'] + int(round((e['end'] - e['start'] - 1) * q))
            img, over, box = frame_with_pose(e['video'], f)
            if i == len(phases) // 2:
                tiles.insert(0, _label(over, f"{label}: {name} ({e['id']} f{f})"))
            tiles.append(np.vstack([_crop(img, box, H // 2), _crop(over, box, H // 2)]))
        rows.append(np.hstack(tiles))
    if len(rows) > 1:  # class rows in two columns
        half = (len(rows) + 1) // 2
        left, right = rows[:half], rows[half:]
        if len(right) < len(left):
            right.append(np.zeros_like(left[-1]))
        gap = np.full((left[0].shape[0], 6, 3), 255, np.uint8)
        rows = [np.hstack([a, gap, b]) for a, b in zip(left, right)]
    width = rows[0].shape[1] if rows else 4 * W
    cam_tiles = []
    for view in meta.get('views', []):
        for e in elements:
            cam = load_json(osp.join(root, 'gt', e['video'], 'camera.json'))
            if cam.get('view') == view:
                f = (e['start'] + e['end']) // 2
                cam_tiles.append(_label(frame_with_pose(e['video'], f)[1], f'view {view}: {e["video"]} f{f}'))
                break
    if cam_tiles:
        strip = np.hstack(cam_tiles)
        scale = width / strip.shape[1]
        rows.append(cv2.resize(strip, (width, int(round(strip.shape[0] * scale))), interpolation=cv2.INTER_AREA))
    return np.vstack([r if r.shape[1] == width else cv2.resize(r, (width, r.shape[0])) for r in rows])
