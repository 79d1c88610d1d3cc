"""CPU renderer (OpenCV / numpy): procedural gym background, shaded capsule bodies, boxes.

People are drawn as depth-sorted shaded capsules (limbs, torso, neck), a textured head sphere
with hair, and a torso polygon. The athlete is drawn as a separate layer averaged over several
sub-frame instants (motion blur that grows with limb speed). An id buffer records which primitive
is in front at each pixel; it gives the GT joint visibility.
"""
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np

from .skeleton import P_HEAD, P_LHAND, P_LTOE, P_NECK, P_RHAND, P_RTOE, Body

Cam = Tuple[np.ndarray, np.ndarray, np.ndarray]  # K, R, t
_LIGHT2D = np.array([-0.45, -0.9])  # light comes from the upper left in the image
SKIN = [(196, 214, 245), (170, 192, 232), (135, 165, 210), (100, 132, 180), (70, 96, 140), (50, 66, 100)]
HAIR = [(20, 20, 25), (30, 45, 70), (40, 80, 130), (90, 150, 200), (150, 150, 150), (20, 30, 50)]


def _hsv(h: float, s: float, v: float) -> Tuple[float, float, float]:
    px = cv2.cvtColor(np.uint8([[[h * 179, s * 255, v * 255]]]), cv2.COLOR_HSV2BGR)[0, 0]
    return tuple(float(c) for c in px)


@dataclass
class Appearance:
    """Colours (BGR) and clothing of one person."""
    skin: Tuple[float, float, float]
    hair: Tuple[float, float, float]
    top: Tuple[float, float, float]
    bottom: Tuple[float, float, float]
    shoes: Tuple[float, float, float]
    sleeves: str  # none / short / long
    legs: str  # bare / shorts / long


def sample_appearance(rng: np.random.Generator) -> Appearance:
    """Random skin tone, hair, clothing colours and clothing cut."""
    skin = tuple(float(np.clip(c * rng.uniform(0.92, 1.08), 0, 255)) for c in SKIN[rng.integers(len(SKIN))])
    hair = tuple(float(c) for c in HAIR[rng.integers(len(HAIR))])
    top = _hsv(rng.random(), rng.uniform(0.3, 1.0), rng.uniform(0.25, 0.95))
    bottom = top if rng.random() < 0.3 else _hsv(rng.random(), rng.uniform(0.1, 0.9), rng.uniform(0.15, 0.85))
    shoes = _hsv(rng.random(), rng.uniform(0, 0.5), rng.uniform(0.2, 1.0))
    return Appearance(skin, hair, top, bottom, shoes, str(rng.choice(['none', 'short', 'long'])),
                      str(rng.choice(['bare', 'shorts', 'long'])))


@dataclass
class Prim:
    """A drawable primitive in world coordinates."""
    kind: str  # capsule / sphere / poly
    pts: np.ndarray  # (2, 3) capsule ends, (1, 3) sphere centre, (N, 3) polygon
    radius: float
    color: Tuple[float, float, float]
    joints: Tuple[int, ...] = ()
    depth: float = 0.0
    owner: int = 0  # 0 athlete, 1.. others


def person_prims(p: np.ndarray, body: Body, app: Appearance, owner: int = 0) -> List[Prim]:
    """Primitives of one person from its points ``(NUM_POINTS, 3)``."""
    g = body.girth
    s = body.height / 1.75
    sleeve_up = app.skin if app.sleeves == 'none' else app.top
    sleeve_lo = app.top if app.sleeves == 'long' else app.skin
    thigh = app.skin if app.legs == 'bare' else app.bottom
    shin = app.bottom if app.legs == 'long' else app.skin
    pelvis = (p[11] + p[12]) / 2
    neck = p[P_NECK]
    out = [
        Prim('poly', p[[5, 6, 12, 11]], 0.0, app.top, (5, 6, 11, 12)),
        Prim('capsule', np.stack([pelvis + 0.1 * (neck - pelvis), neck - 0.12 * (neck - pelvis)]), 0.11 * g * s,
             app.top, ()),
        Prim('capsule', p[[5, 6]], 0.06 * g * s, app.top, (5, 6)),
        Prim('capsule', p[[11, 12]], 0.085 * g * s, app.bottom, (11, 12)),
        Prim('capsule', np.stack([neck, neck + 0.45 * (p[P_HEAD] - neck)]), 0.045 * g * s, app.skin, ()),
        Prim('capsule', p[[5, 7]], 0.05 * g * s, sleeve_up, (5, 7)),
        Prim('capsule', p[[6, 8]], 0.05 * g * s, sleeve_up, (6, 8)),
        Prim('capsule', p[[7, 9]], 0.04 * g * s, sleeve_lo, (7, 9)),
        Prim('capsule', p[[8, 10]], 0.04 * g * s, sleeve_lo, (8, 10)),
        Prim('capsule', p[[9, P_LHAND]], 0.035 * s, app.skin, (9, )),
        Prim('capsule', p[[10, P_RHAND]], 0.035 * s, app.skin, (10, )),
        Prim('capsule', p[[11, 13]], 0.075 * g * s, thigh, (11, 13)),
        Prim('capsule', p[[12, 14]], 0.075 * g * s, thigh, (12, 14)),
        Prim('capsule', p[[13, 15]], 0.055 * g * s, shin, (13, 15)),
        Prim('capsule', p[[14, 16]], 0.055 * g * s, shin, (14, 16)),
        Prim('capsule', p[[15, P_LTOE]], 0.04 * s, app.shoes, (15, )),
        Prim('capsule', p[[16, P_RTOE]], 0.04 * s, app.shoes, (16, )),
    ]
    hc = p[P_HEAD]
    face = p[0] - hc
    face /= np.linalg.norm(face) + 1e-9
    up = hc - neck
    up /= np.linalg.norm(up) + 1e-9
    out.append(Prim('sphere', (hc + 0.12 * body.head_r * face)[None], body.head_r, app.skin, (0, 1, 2, 3, 4)))
    out.append(Prim('sphere', (hc - 0.3 * body.head_r * face + 0.22 * body.head_r * up)[None], 0.93 * body.head_r,
                    app.hair, (3, 4)))
    for pr in out:
        pr.owner = owner
    return out


def box_prims(center: np.ndarray, size: Sequence[float], yaw: float, color, owner: int) -> List[Prim]:
    """The six faces of an axis-aligned (then yawed) box resting at ``center`` (bottom centre)."""
    sx, sy, sz = size
    c, s = np.cos(yaw), np.sin(yaw)
    corners = []
    for dy in (0, sy):
        for dx, dz in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            x, z = dx * sx / 2, dz * sz / 2
            corners.append([center[0] + c * x + s * z, center[1] + dy, center[2] - s * x + c * z])
    q = np.asarray(corners)
    faces = [[0, 1, 2, 3], [4, 5, 6, 7], [0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7]]
    shade = [0.45, 1.0, 0.8, 0.65, 0.75, 0.9]
    return [Prim('poly', q[f], 0.0, tuple(ch * sh for ch in color), (), owner=owner) for f, sh in zip(faces, shade)]


def project(cam: Cam, pts: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """World points ``(N, 3)`` -> pixels ``(N, 2)`` and depths ``(N,)``."""
    K, R, t = cam
    c = pts @ R.T + t
    z = c[:, 2]
    return (c[:, :2] / np.maximum(z, 1e-6)[:, None]) * [K[0, 0], K[1, 1]] + [K[0, 2], K[1, 2]], z


def _project_prims(prims: Sequence[Prim], cam: Cam):
    lens = [len(p.pts) for p in prims]
    uv, z = project(cam, np.concatenate([p.pts for p in prims]))
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(int)
    depth = np.add.reduceat(z, starts) / np.asarray(lens)
    return uv, z, starts, lens, depth


def prim_depths(prims: Sequence[Prim], cam: Cam) -> None:
    """Set each primitive's depth (mean camera depth of its points)."""
    depth = _project_prims(prims, cam)[4]
    for pr, d in zip(prims, depth):
        pr.depth = float(d)


_SHADE_CACHE: Dict[Tuple[float, float, float], tuple] = {}


def _shades(color):
    out = _SHADE_CACHE.get(color)
    if out is None:
        c = np.asarray(color, float)
        out = (tuple(c * 0.5), tuple(c * 0.82), tuple(np.minimum(c * 1.08 + 22, 255)))
        if len(_SHADE_CACHE) < 100000:
            _SHADE_CACHE[color] = out
    return out


_SH = 4  # sub-pixel bits for cv2 drawing
_SC = 1 << _SH


def draw_prims(img: Optional[np.ndarray], prims: Sequence[Prim], cam: Cam, idmap: Optional[np.ndarray] = None,
               mask: Optional[np.ndarray] = None, id_base: int = 0, offset=(0.0, 0.0)) -> None:
    """Draw primitives far-to-near.

    Args:
        img: uint8 BGR target (or ``None`` to skip colour).
        prims: Primitives; their ``depth`` is updated.
        cam: Camera.
        idmap: Optional float32 image receiving ``id_base + index`` of the front primitive.
        mask: Optional uint8 coverage image (255 inside).
        offset: Pixel offset subtracted from projected points (drawing into a region of interest).
    """
    if not prims:
        return
    f = cam[0][0, 0]
    uv_all, z_all, starts, lens, depth = _project_prims(prims, cam)
    uv_all = uv_all - np.asarray(offset)
    for pr, d in zip(prims, depth):
        pr.depth = float(d)
    ok = (np.minimum.reduceat(z_all, starts) >= 0.15) & (np.maximum.reduceat(np.abs(uv_all).max(1), starts) < 1e5)
    radius = np.clip(f * np.asarray([p.radius for p in prims]) / np.maximum(depth, 0.15), 0.6, 300)
    pix = np.round(np.clip(uv_all, -1e5, 1e5) * _SC).astype(np.int64).tolist()
    th = np.maximum(1, np.round(2 * radius)).astype(int).tolist()
    th1 = np.maximum(1, np.round(1.2 * radius)).astype(int).tolist()
    th2 = np.maximum(1, np.round(0.45 * radius)).astype(int).tolist()
    off1 = np.round(_LIGHT2D[None] * radius[:, None] * 0.3 * _SC).astype(int).tolist()
    off2 = np.round(_LIGHT2D[None] * radius[:, None] * 0.5 * _SC).astype(int).tolist()
    rad_s = np.round(radius * _SC).astype(int).tolist()
    radius = radius.tolist()
    starts = starts.tolist()
    AA, L8 = cv2.LINE_AA, cv2.LINE_8
    for i in np.argsort(-depth, kind='stable').tolist():
        if not ok[i]:
            continue
        pr = prims[i]
        s0 = starts[i]
        pid = float(id_base + i)
        dark, mid, hi = _shades(pr.color)
        if pr.kind == 'poly':
            poly = np.asarray(pix[s0:s0 + lens[i]], np.int32)
            if img is not None:
                # boxes (owner >= 1000) carry pre-shaded face colours
                cv2.fillConvexPoly(img, poly, pr.color if pr.owner >= 1000 else mid, AA, _SH)
            if mask is not None:
                cv2.fillConvexPoly(mask, poly, 255, AA, _SH)
            if idmap is not None:
                cv2.fillConvexPoly(idmap, poly, pid, L8, _SH)
            continue
        r = radius[i]
        if pr.kind == 'sphere':
            cx, cy = pix[s0]
            rr = rad_s[i]
            if img is not None:
                cv2.circle(img, (cx, cy), rr, dark, -1, AA, _SH)
                ox, oy = (int(v * 0.73) for v in off1[i])
                cv2.circle(img, (cx + ox, cy + oy), int(rr * 0.75), mid, -1, AA, _SH)
                if r > 3:
                    cv2.circle(img, (cx + 2 * ox, cy + 2 * oy), int(rr * 0.35), hi, -1, AA, _SH)
            if mask is not None:
                cv2.circle(mask, (cx, cy), rr, 255, -1, AA, _SH)
            if idmap is not None:
                cv2.circle(idmap, (cx, cy), rr, pid, -1, L8, _SH)
            continue
        (ax, ay), (bx, by) = pix[s0], pix[s0 + 1]
        if img is not None:
            cv2.line(img, (ax, ay), (bx, by), dark, th[i], AA, _SH)
            if r > 1.5:
                ox, oy = off1[i]
                cv2.line(img, (ax + ox, ay + oy), (bx + ox, by + oy), mid, th1[i], AA, _SH)
                if r > 3:
                    ox, oy = off2[i]
                    cv2.line(img, (ax + ox, ay + oy), (bx + ox, by + oy), hi, th2[i], AA, _SH)
        if mask is not None:
            cv2.line(mask, (ax, ay), (bx, by), 255, th[i], AA, _SH)
        if idmap is not None:
            cv2.line(idmap, (ax, ay), (bx, by), pid, th[i], L8, _SH)


# ----------------------------------------------------------------------------- background
@dataclass
class BackgroundStyle:
    """Colours and textures of the procedural gym (floor mat, surrounding floor, wall, banners)."""
    mat: np.ndarray
    floor: np.ndarray
    wall: np.ndarray
    banner: np.ndarray
    line: np.ndarray
    mat_half: float
    wall_radius: float
    panel_count: int
    banner_freq: int
    wood_period: float
    tile: np.ndarray = field(repr=False)


def sample_background(rng: np.random.Generator) -> BackgroundStyle:
    """A random gym: mat/floor/wall colours, panel and banner layout, a noise texture tile."""
    noise = np.tile(rng.normal(0, 1, (64, 64)).astype(np.float32), (3, 3))  # tiled: seamless blur
    tile = cv2.GaussianBlur(noise, (0, 0), rng.uniform(1.0, 3.0))[64:128, 64:128]
    tile = (tile / (np.abs(tile).max() + 1e-6)).astype(np.float32)
    col = lambda: np.asarray(_hsv(rng.random(), rng.uniform(0.1, 0.8), rng.uniform(0.3, 0.9)))  # noqa: E731
    return BackgroundStyle(mat=col(), floor=np.asarray(_hsv(rng.uniform(0.05, 0.12), rng.uniform(0.3, 0.7),
                                                             rng.uniform(0.4, 0.8))) if rng.random() < 0.6 else col(),
                           wall=col(), banner=col(), line=np.asarray([235.0, 235, 235]) * rng.uniform(0.8, 1.0),
                           mat_half=float(rng.uniform(5.5, 7.0)), wall_radius=float(rng.uniform(14, 22)),
                           panel_count=int(rng.integers(24, 90)), banner_freq=int(rng.integers(3, 12)),
                           wood_period=float(rng.uniform(0.5, 1.0)), tile=tile)


class BackgroundRenderer:
    """Per-pixel ray casting of the floor plane and a cylindrical wall."""

    def __init__(self, width: int, height: int, style: BackgroundStyle):
        self.w, self.h, self.style = width, height, style

    def _tex(self, a: np.ndarray, b: np.ndarray, scale: float) -> np.ndarray:
        tile = self.style.tile
        i = np.floor(a * scale).astype(np.int64) % tile.shape[0]
        j = np.floor(b * scale).astype(np.int64) % tile.shape[1]
        return tile[i, j]

    def render(self, cam: Cam, chunk_rows: int = 256) -> np.ndarray:
        """Render the full ``height x width`` image seen by ``cam`` (in row chunks to bound memory)."""
        out = np.empty((self.h, self.w, 3), np.uint8)
        for r0 in range(0, self.h, chunk_rows):
            r1 = min(self.h, r0 + chunk_rows)
            u, v = np.meshgrid(np.arange(self.w, dtype=np.float32) + 0.5, np.arange(r0, r1, dtype=np.float32) + 0.5)
            out[r0:r1] = self._rays(cam, u.ravel(), v.ravel()).reshape(r1 - r0, self.w, 3)
        return out

    def _rays(self, cam: Cam, u: np.ndarray, v: np.ndarray) -> np.ndarray:
        K, R, t = cam
        st = self.style
        c = (-R.T @ t).astype(np.float32)
        d = np.stack([(u - K[0, 2]) / K[0, 0], (v - K[1, 2]) / K[1, 1], np.ones_like(u)], -1) @ R.astype(np.float32)
        d /= np.linalg.norm(d, axis=1, keepdims=True)
        # wall cylinder
        a = d[:, 0]**2 + d[:, 2]**2 + 1e-12
        b = c[0] * d[:, 0] + c[2] * d[:, 2]
        cc = c[0]**2 + c[2]**2 - st.wall_radius**2
        s_w = (-b + np.sqrt(np.maximum(b * b - a * cc, 0))) / a
        s_f = np.where(d[:, 1] < -1e-6, -c[1] / np.minimum(d[:, 1], -1e-6), np.inf)
        floor = s_f < s_w
        out = np.empty((len(d), 3), np.float32)
        # floor
        sf = s_f[floor]
        p = c + sf[:, None] * d[floor]
        x, z = p[:, 0], p[:, 2]
        inside = (np.abs(x) < st.mat_half) & (np.abs(z) < st.mat_half)
        noise = self._tex(x, z, 6.0)
        wood = 0.9 + 0.06 * np.sin(2 * np.pi * x / st.wood_period + 3 * noise)
        colf = np.where(inside[:, None], st.mat * (0.93 + 0.07 * noise)[:, None], st.floor * wood[:, None])
        edge = (np.abs(np.maximum(np.abs(x), np.abs(z)) - st.mat_half) < 0.05)
        colf[edge] = st.line
        fog = 1 - np.exp(-sf / 60.0)
        colf = colf * (1 - fog[:, None]) + st.wall * 0.8 * fog[:, None]
        out[floor] = colf
        # wall
        wall = ~floor
        sw = s_w[wall]
        p = c + sw[:, None] * d[wall]
        y = p[:, 1]
        ang = np.arctan2(p[:, 0], p[:, 2])
        panel = (np.abs(np.sin(ang * st.panel_count / 2)) > 0.04).astype(np.float32)
        colw = st.wall * (0.75 + 0.25 * np.clip(y / 6, 0, 1))[:, None] * (0.85 + 0.15 * panel)[:, None]
        colw = colw * (0.95 + 0.05 * self._tex(ang * 10, y, 4.0))[:, None]
        ban = (y > 0.6) & (y < 1.6) & (np.sin(ang * st.banner_freq) > 0.2)
        colw[ban] = st.banner * (0.9 + 0.1 * self._tex(ang[ban] * 20, y[ban], 8.0))[:, None]
        high = y > 7.0
        colw[high] = st.wall * 0.35
        out[wall] = colw
        return np.clip(out, 0, 255).astype(np.uint8)


class PanoramaBackground:
    """Background of a camera that only rotates and zooms about a fixed centre.

    Such frames are homographies of one wide reference view, which is ray cast once; each frame is
    then a ``cv2.warpPerspective`` of it (about 1 ms instead of a per-pixel ray cast).
    """

    def __init__(self, style: BackgroundStyle, K: np.ndarray, R: np.ndarray, t: np.ndarray, width: int, height: int,
                 max_pixels: float = 2.5e6):
        self.w, self.h = width, height
        center = -R[0].T @ t[0]
        fwd = R[:, 2].mean(0)
        from .camera import look_at
        self.R_ref = look_at(center, center + fwd)
        f_ref = float(K[:, 0, 0].max())
        corners = np.array([[0, 0, 1], [width, 0, 1], [0, height, 1], [width, height, 1], [width / 2, 0, 1],
                            [width / 2, height, 1], [0, height / 2, 1], [width, height / 2, 1]], float)
        rays = np.einsum('tij,nj->tni', np.linalg.inv(K), corners)  # camera rays
        rays = np.einsum('tji,tnj->tni', R, rays)  # world
        rays = rays @ self.R_ref.T  # reference camera
        if rays[..., 2].min() < 0.25:
            raise ValueError('camera pans too far for a single reference view')
        xy = rays[..., :2] / rays[..., 2:3]
        lo, hi = xy.reshape(-1, 2).min(0), xy.reshape(-1, 2).max(0)
        area = (hi - lo).prod() * f_ref**2
        if area > max_pixels:
            f_ref *= float(np.sqrt(max_pixels / area))
        lo, hi = lo * f_ref - 3, hi * f_ref + 3
        ref_w, ref_h = int(np.ceil(hi[0] - lo[0])), int(np.ceil(hi[1] - lo[1]))
        self.K_ref = np.array([[f_ref, 0, -lo[0]], [0, f_ref, -lo[1]], [0, 0, 1.0]])
        self.ref = BackgroundRenderer(ref_w, ref_h, style).render((self.K_ref, self.R_ref, -self.R_ref @ center))

    def render(self, cam: Cam) -> np.ndarray:
        """Background seen by ``cam`` ``(K, R, t)``: the reference view warped by the frame's homography.

        Returns:
            uint8 ``(height, width, 3)`` image.
        """
        K, R, _ = cam
        hom = self.K_ref @ self.R_ref @ R.T @ np.linalg.inv(K)  # frame pixel -> reference pixel
        return cv2.warpPerspective(self.ref, hom, (self.w, self.h), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                   borderMode=cv2.BORDER_REPLICATE)


# ----------------------------------------------------------------------------- frame composition
@dataclass
class FrameResult:
    """One frame composed by :func:`render_frame`.

    Per pixel, ``idmap`` holds the index of the athlete's front primitive, an id from 1000 on for a
    distractor or occluder primitive (whose depth is ``other_depth[id]``), or -1 for the background.
    """
    image: np.ndarray  # uint8 BGR
    alpha: np.ndarray  # athlete coverage in [0, 1] (motion blurred)
    idmap: np.ndarray  # id of the front primitive per pixel (-1 background)
    athlete_prims: List[Prim]
    other_depth: Dict[int, float]


def render_frame(bg: np.ndarray, cam: Cam, athlete: Sequence[Tuple[np.ndarray, Body, Appearance]],
                 others: Sequence[List[Prim]]) -> FrameResult:
    """Compose a frame.

    Args:
        bg: Background image (uint8, H x W x 3).
        cam: Camera of the frame.
        athlete: The athlete at each sub-frame instant ``(points, body, appearance)`` (odd count); the
            middle one is the frame's instant and is used for the id buffer.
        others: Primitive groups of distractors and occluders (each drawn as a unit).
    """
    img = bg.copy()
    h, w = img.shape[:2]
    idmap = np.full((h, w), -1.0, np.float32)
    mid = len(athlete) // 2
    a_prims = person_prims(athlete[mid][0], athlete[mid][1], athlete[mid][2], owner=0)
    prim_depths(a_prims, cam)
    groups = [(float(np.median([p.depth for p in a_prims])), None)]
    for g in others:
        prim_depths(g, cam)
        groups.append((float(np.median([p.depth for p in g])), g))
    groups.sort(key=lambda x: -x[0])
    # region of interest of the athlete layer
    allpts = np.concatenate([a[0] for a in athlete])
    uv, z = project(cam, allpts)
    alpha = np.zeros((h, w), np.float32)
    roi = None
    if (z > 0.15).all():
        margin = cam[0][0, 0] * 0.16 / max(float(z.min()), 0.15) + 3
        x0, y0 = np.maximum(np.floor(uv.min(0) - margin), 0).astype(int)
        x1, y1 = np.minimum(np.ceil(uv.max(0) + margin), [w, h]).astype(int)
        if x1 > x0 and y1 > y0:
            roi = (x0, y0, x1, y1)
    base = 1000
    other_depth: Dict[int, float] = {}
    for depth, g in groups:
        if g is None:
            if roi is not None:
                x0, y0, x1, y1 = roi
                acc = np.zeros((y1 - y0, x1 - x0, 3), np.float32)
                am = np.zeros((y1 - y0, x1 - x0), np.float32)
                for pts, body, app in athlete:
                    canvas = np.zeros((y1 - y0, x1 - x0, 3), np.uint8)
                    m = np.zeros((y1 - y0, x1 - x0), np.uint8)
                    draw_prims(canvas, person_prims(pts, body, app), cam, mask=m, offset=(x0, y0))
                    acc += canvas
                    am += m
                acc /= len(athlete)
                am /= 255.0 * len(athlete)
                sub = img[y0:y1, x0:x1].astype(np.float32)
                img[y0:y1, x0:x1] = np.clip(sub * (1 - am[..., None]) + acc, 0, 255).astype(np.uint8)
                alpha[y0:y1, x0:x1] = am
            draw_prims(None, a_prims, cam, idmap=idmap, id_base=0)
        else:
            draw_prims(img, g, cam, idmap=idmap, id_base=base)
            for i, p in enumerate(g):
                other_depth[base + i] = p.depth
            base += len(g)
    return FrameResult(img, alpha, idmap, a_prims, other_depth)


def joint_visibility(res: FrameResult, cam: Cam, joints: np.ndarray, head_c: np.ndarray,
                     tol: float = 0.03) -> Tuple[np.ndarray, np.ndarray]:
    """GT visibility of the athlete's 17 joints.

    A joint is visible when it is inside the image, no primitive other than its own limbs is in front
    of it (id buffer), and, for the face points, when it faces the camera.

    Returns:
        ``visible (17,) bool`` and ``hidden_by_other (17,) bool`` (occluded by a distractor/occluder).
    """
    h, w = res.idmap.shape
    uv, z = project(cam, joints)
    cam_c = -cam[1].T @ cam[2]
    vis = np.zeros(17, bool)
    other = np.zeros(17, bool)
    for j in range(17):
        u, v = int(np.floor(uv[j, 0])), int(np.floor(uv[j, 1]))
        if z[j] < 0.15 or not (0 <= u < w and 0 <= v < h):
            continue
        pid = int(res.idmap[v, u])
        ok = True
        if pid >= 1000:
            if res.other_depth.get(pid, np.inf) < z[j] - tol:
                ok, other[j] = False, True
        elif pid >= 0:
            pr = res.athlete_prims[pid]
            if j not in pr.joints and pr.depth < z[j] - tol:
                ok = False
        if ok and j <= 4:
            nrm = joints[j] - head_c
            view = cam_c - joints[j]
            cosang = float(nrm @ view / (np.linalg.norm(nrm) * np.linalg.norm(view) + 1e-9))
            ok = cosang > (-0.15 if j >= 3 else 0.05)
        vis[j] = ok
    return vis, other


class SensorNoise:
    """Slight blur plus Gaussian noise drawn from a small seeded bank (cheap per frame)."""

    def __init__(self, rng: np.random.Generator, width: int, height: int, sigma: float, bank: int = 6):
        self.rng = rng
        self.bank = [np.round(rng.normal(0, sigma, (height, width, 3))).astype(np.int16) for _ in range(bank)]

    def __call__(self, img: np.ndarray) -> np.ndarray:
        noise = self.bank[int(self.rng.integers(len(self.bank)))]
        dy, dx = (int(v) for v in self.rng.integers(0, 64, 2))
        noise = np.roll(noise, (dy, dx), axis=(0, 1))
        out = cv2.GaussianBlur(img, (3, 3), 0.6).astype(np.int16) + noise
        return np.clip(out, 0, 255).astype(np.uint8)


def finish_image(img: np.ndarray, rng: np.random.Generator, noise_sigma: float) -> np.ndarray:
    """Sensor look for a single image: a slight blur and Gaussian noise."""
    out = cv2.GaussianBlur(img, (3, 3), 0.6).astype(np.float32)
    out += rng.normal(0, noise_sigma, out.shape).astype(np.float32)
    return np.clip(out, 0, 255).astype(np.uint8)


__all__ = ['Appearance', 'sample_appearance', 'Prim', 'person_prims', 'box_prims', 'project', 'draw_prims',
           'BackgroundStyle', 'sample_background', 'BackgroundRenderer', 'PanoramaBackground', 'FrameResult',
           'render_frame', 'joint_visibility', 'SensorNoise', 'finish_image']
