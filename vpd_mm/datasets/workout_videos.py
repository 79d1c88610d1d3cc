"""Labelled workout clips (``videos/<class>/*.mp4`` + per-frame repetition markers) and their protocol.

Layout read (``../shared/data/workout_videos``, see its README)::

    ROOT/videos/<class>/<clip>.mp4          the class is the folder name; the clip id is the file
                                            name without extension (spaces allowed)
    ROOT/labels/<class>/<clip>.csv          optional: one row per frame, ``frame,time,label``;
                                            ``label`` 1 marks a repetition boundary

:func:`read_workout_clips` lists the clips (probing that each video decodes; a corrupt one is listed
in ``skipped`` with the reason and left out); :func:`write_workout_root` turns them into a data root
the vpd_mm tools read (``videos/<clip>.mp4`` links to the originals, nothing is copied):

* ``annotations/clips.json``: one action per clip in ``FeatureSequenceDataset``'s format, the first
  ``max_frames`` frames (``start``/``end``), label, class name and fps;
* ``annotations/fewshot.json``: ``{k: [[clip ids] per trial]}``, ``k`` clips of every class (at most
  all but one, so every class keeps a test clip), ``trials`` subsets drawn with seeds
  ``seed .. seed + trials - 1``;
* ``annotations/splits.json``: ``all`` (every clip) and ``test_k<k>_t<trial>`` (the clips not in that
  subset: the few-shot test set);
* ``annotations/repetitions.json``: ``{clip: {markers: [frames], num_frames, fps}}`` for the clips with
  a label file (the temporal events);
* ``dataset.json``: classes, clip count, the protocol's settings and the skipped clips.
"""
import csv
import os
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from vpd_mm.utils.fileio import atomic_write_json

VIDEO_EXTENSIONS = ('.mp4', '.avi', '.mov', '.mkv', '.webm')
MARKER_HEADER = ('frame', 'time', 'label')


@dataclass
class WorkoutClip:
    """One clip of the workout set.

    Attributes:
        vid: Clip id (file name without extension).
        path: Absolute path of the video.
        label: Class name (the folder).
        num_frames: Frames the video decodes to (container count; the marker file's rows when given).
        fps: Frame rate.
        width, height: Frame size in pixels.
        markers: Frame numbers of the repetition markers (sorted), or ``None`` without a label file.
        marker_file: Path of the label file, or ``None``.
    """
    vid: str
    path: str
    label: str
    num_frames: int
    fps: float
    width: int
    height: int
    markers: Optional[List[int]] = None
    marker_file: Optional[str] = None
    extra: dict = field(default_factory=dict)


def read_marker_file(path: str) -> Tuple[int, List[int]]:
    """Read a ``frame,time,label`` repetition-marker CSV.

    Returns:
        ``(rows, marker frames)``: the number of frame rows and the frames whose label is 1.

    Raises:
        ValueError: Bad header, a row that is not three numbers with a label of 0 or 1 (``1`` or
            ``1.0``), or frame numbers that are not
            ``0, 1, 2, ...`` (the message names the file and line).
    """
    with open(path, newline='', encoding='utf-8') as f:
        rows = list(csv.reader(f))
    if not rows or tuple(c.strip() for c in rows[0]) != MARKER_HEADER:
        raise ValueError(f'{path}, line 1: expected the header {",".join(MARKER_HEADER)!r}, got '
                         f'{",".join(rows[0]) if rows else "an empty file"!r}')
    markers = []
    count = 0
    for line, row in enumerate(rows[1:], start=2):
        if not row or not ''.join(row).strip():
            continue
        try:
            if len(row) != 3:
                raise ValueError(f'{len(row)} fields')
            frame, _, label = float(row[0]), float(row[1]), float(row[2])
        except ValueError as e:
            raise ValueError(f'{path}, line {line}: expected frame,time,label (numbers), got '
                             f'{",".join(row)!r} ({e})') from None
        if frame != count:
            raise ValueError(f'{path}, line {line}: frame {row[0]} where frame {count} was expected')
        if label not in (0, 1):  # written as 0/1 or 0.0/1.0
            raise ValueError(f'{path}, line {line}: label must be 0 or 1, got {row[2]}')
        if label:
            markers.append(count)
        count += 1
    return count, markers


def probe_video(path: str) -> Tuple[int, float, int, int]:
    """``(frames, fps, width, height)`` of a video that decodes.

    Raises:
        ValueError: The file cannot be opened or its first frame cannot be decoded.
    """
    import cv2
    cap = cv2.VideoCapture(path)
    try:
        if not cap.isOpened():
            raise ValueError('cannot be opened as a video')
        ok, frame = cap.read()
        if not ok or frame is None:
            raise ValueError('no frame decodes')
        frames = int(round(cap.get(cv2.CAP_PROP_FRAME_COUNT)))
        fps = float(cap.get(cv2.CAP_PROP_FPS))
        if frames <= 0:
            raise ValueError(f'reports {frames} frames')
        if not np.isfinite(fps) or fps <= 0:
            raise ValueError(f'reports a frame rate of {fps}')
        return frames, fps, int(frame.shape[1]), int(frame.shape[0])
    finally:
        cap.release()


def read_workout_clips(root: str) -> Tuple[List[WorkoutClip], List[dict]]:
    """List the clips of a workout data root.

    Args:
        root: Folder with ``videos/<class>/`` and optionally ``labels/<class>/``.

    Returns:
        ``(clips, skipped)``: the clips that decode, sorted by (class, id), and one
        ``{path, reason}`` per video left out (it does not decode).

    Raises:
        FileNotFoundError: ``root/videos`` does not exist.
        ValueError: No class folder, two clips sharing an id, or a malformed marker file (named).
    """
    videos = osp.join(root, 'videos')
    if not osp.isdir(videos):
        raise FileNotFoundError(f'{videos}: no videos folder (expected videos/<class>/*.mp4)')
    classes = sorted(d for d in os.listdir(videos) if osp.isdir(osp.join(videos, d)))
    if not classes:
        raise ValueError(f'{videos}: no class folder (expected videos/<class>/*.mp4)')
    clips: List[WorkoutClip] = []
    skipped: List[dict] = []
    seen: Dict[str, str] = {}
    for label in classes:
        folder = osp.join(videos, label)
        for name in sorted(os.listdir(folder)):
            if not name.lower().endswith(VIDEO_EXTENSIONS):
                continue
            path = osp.abspath(osp.join(folder, name))
            vid = osp.splitext(name)[0]
            if vid in seen:
                raise ValueError(f'{root}: two clips share the id {vid!r}: {seen[vid]} and {path}')
            seen[vid] = path
            try:
                frames, fps, width, height = probe_video(path)
            except ValueError as e:
                skipped.append(dict(path=path, reason=str(e)))
                continue
            marker_file = osp.join(root, 'labels', label, vid + '.csv')
            markers = None
            if osp.isfile(marker_file):
                rows, markers = read_marker_file(marker_file)
                frames = rows  # the annotated frame count
            else:
                marker_file = None
            clips.append(
                WorkoutClip(vid, path, label, frames, fps, width, height, markers,
                            None if marker_file is None else osp.abspath(marker_file)))
    if not clips:
        raise ValueError(f'{videos}: no video decodes ({len(skipped)} skipped)')
    return clips, skipped


def fewshot_subsets(clips: Sequence[WorkoutClip],
                    ks: Sequence[int],
                    trials: int,
                    seed: int = 0) -> Dict[str, List[List[str]]]:
    """``{k: [[clip ids] per trial]}``: ``min(k, n_c - 1)`` clips of every class ``c`` per subset.

    Trial ``t`` of every ``k`` draws with ``numpy.random.default_rng(seed + t)`` (a class with one clip
    contributes none: it would leave no test clip). Ids keep the clips' order.
    """
    by_class: Dict[str, List[str]] = {}
    for c in clips:
        by_class.setdefault(c.label, []).append(c.vid)
    out = {}
    for k in ks:
        if int(k) < 1:
            raise ValueError(f'few-shot k must be >= 1, got {k}')
        subsets = []
        for t in range(trials):
            rng = np.random.default_rng(seed + t)
            chosen = set()
            for label in sorted(by_class):
                ids = by_class[label]
                n = min(int(k), len(ids) - 1)
                if n > 0:
                    chosen.update(ids[i] for i in rng.choice(len(ids), size=n, replace=False))
            subsets.append([c.vid for c in clips if c.vid in chosen])
        out[str(k)] = subsets
    return out


def clip_actions(clips: Sequence[WorkoutClip], classes: Sequence[str],
                 max_frames: Optional[int]) -> List[dict]:
    """One ``FeatureSequenceDataset`` action per clip: its first ``max_frames`` frames (all for None)."""
    out = []
    for c in clips:
        end = c.num_frames if max_frames is None else min(c.num_frames, int(max_frames))
        out.append(
            dict(
                id=c.vid,
                video=c.vid,
                start=0,
                end=end,
                label=classes.index(c.label),
                class_name=c.label,
                fps=c.fps))
    return out


def write_workout_root(source: str,
                       out: str,
                       max_frames: Optional[int] = 300,
                       ks: Sequence[int] = (1, 2, 4),
                       trials: int = 5,
                       seed: int = 0) -> dict:
    """Write the data root of a workout set (see the module docstring); return ``dataset.json``'s dict.

    ``out/videos/<clip><ext>`` are symbolic links to the source videos. Rewriting an existing root
    replaces its links and annotation files (atomically, file by file).
    """
    clips, skipped = read_workout_clips(source)
    classes = sorted({c.label for c in clips})
    videos = osp.join(out, 'videos')
    os.makedirs(videos, exist_ok=True)
    wanted = {c.vid + osp.splitext(c.path)[1]: c.path for c in clips}
    for name in os.listdir(videos):
        if name not in wanted or os.readlink(osp.join(videos, name)) != wanted[name]:
            os.remove(osp.join(videos, name))
    for name, path in wanted.items():
        link = osp.join(videos, name)
        if not osp.lexists(link):
            os.symlink(path, link)
    ann = osp.join(out, 'annotations')
    atomic_write_json(osp.join(ann, 'clips.json'), clip_actions(clips, classes, max_frames), indent=1)
    fewshot = fewshot_subsets(clips, ks, trials, seed)
    atomic_write_json(osp.join(ann, 'fewshot.json'), fewshot, indent=1)
    splits = dict(all=[c.vid for c in clips])
    for k, subsets in fewshot.items():
        for t, ids in enumerate(subsets):
            chosen = set(ids)
            splits[f'test_k{k}_t{t}'] = [c.vid for c in clips if c.vid not in chosen]
    atomic_write_json(osp.join(ann, 'splits.json'), splits, indent=1)
    reps = {
        c.vid: dict(markers=c.markers, num_frames=c.num_frames, fps=c.fps, label=c.label)
        for c in clips if c.markers is not None
    }
    atomic_write_json(osp.join(ann, 'repetitions.json'), reps, indent=1)
    info = dict(
        name='workout',
        source=osp.abspath(source),
        classes=classes,
        num_clips=len(clips),
        clips_per_class={c: sum(x.label == c for x in clips)
                         for c in classes},
        clips_without_markers=[c.vid for c in clips if c.markers is None],
        skipped=skipped,
        protocol=dict(max_frames=max_frames, fewshot_k=[int(k) for k in ks], trials=trials, seed=seed))
    atomic_write_json(osp.join(out, 'dataset.json'), info, indent=1)
    return info
