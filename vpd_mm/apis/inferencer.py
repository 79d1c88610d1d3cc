"""``VPDInferencer``: poses, per-frame features and DTW search for video clips from Python.

In the style of mmaction2's ``MMAction2Inferencer``: build it once from configs / checkpoints, call it
on a video path or a list of them, get one result dict per clip, search clips by DTW::

    >>> from vpd_mm.apis import VPDInferencer
    >>> inferencer = VPDInferencer(features='joints')   # BlazePose-full teacher, normalized 2D joints
    >>> clips = inferencer(['clean_and_jerk.mp4', 'ta_chi.mp4', 'other.mp4'])  # doctest: +SKIP
    >>> clips[0]['features'].shape   # (frames with the athlete, [orig, flipped], D)  # doctest: +SKIP
    (300, 2, 39)
    >>> inferencer.search(clips[0], clips[1:], k=2)  # doctest: +SKIP
    [{'index': 1, 'video': 'other.mp4', 'distance': 0.41}, {'index': 0, 'video': 'ta_chi.mp4', ...}]

``tests/apis/test_inferencer.py`` runs these steps on SynthSport clips (with a trained student) and on
``../shared/data/real_videos`` (README: "Python inferencer").

Per clip: the pose teacher (``configs/teachers/*.py``, :func:`vpd_mm.teachers.build_pose_teacher`)
detects, tracks and selects the athlete and estimates its 2D pose; the features are then one of

* ``'student'``: a trained VPD student (``student_config`` + ``student_checkpoint``, a file or a
  ``tools/train.py`` work dir) on square crops + optical flow around the tracked box (``tools/apply_vpd.py``);
* ``'joints'``: the teacher's normalized 2D joints (``tools/make_joint_features.py``);
* ``'vipe'``: VIPE* embeddings of the teacher's poses (``tools/apply_vipe.py``).

Results are cached on disk under ``cache_dir/<key>/`` where the key hashes the video's bytes, the
teacher (its settings and the bytes of its weights), the feature kind and the student / VIPE* config and
weights: a second call on the same clip with the same models reads the files back (no model is even
built). The cache holds the VPD pose files (``pose/<vid>/``), the crops (student) and the embedding
pickle, so the usual tools can read them too.
"""
import hashlib
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Union

import numpy as np

FEATURE_KINDS = ('student', 'joints', 'vipe')
DEFAULT_TEACHER = 'configs/teachers/blazepose-full_coco17.py'
DEFAULT_VIPE_CHECKPOINT = 'checkpoints/teachers/vipe-star_synthsport-3d.pth'
DEFAULT_CACHE = osp.join(
    os.environ.get('VPD_MM_CACHE', osp.join(osp.expanduser('~'), '.cache', 'vpd_mm')), 'infer')
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
_RESULT = 'result.json'
_DIGESTS: Dict[tuple, str] = {}


def _repo_path(path: str) -> str:
    """``path`` as given if it exists, else relative to the repository root (shipped configs)."""
    if osp.isabs(path) or osp.exists(path):
        return path
    in_repo = osp.join(REPO_ROOT, path)
    return in_repo if osp.exists(in_repo) else path


def file_sha1(path: str) -> str:
    """SHA-1 of a file's bytes, memoised per (path, size, mtime)."""
    from vpd_mm.utils.fileio import file_digest
    st = os.stat(path)
    key = (osp.abspath(path), st.st_size, st.st_mtime_ns)
    if key not in _DIGESTS:
        _DIGESTS[key] = file_digest(path)
    return _DIGESTS[key]


class VPDInferencer:
    """Embed video clips (teacher poses + per-frame features) and search them by DTW.

    Args:
        teacher: Pose-teacher config (``configs/teachers/*.py``; relative paths may be relative to the
            repository). Default: ``blazepose-full_coco17.py`` (real weights, offline).
        features: ``'student'``, ``'joints'`` or ``'vipe'`` (module doc). Default: ``'student'`` when a
            student is given, else ``'joints'``.
        student_config: VPD config of the student (``configs/vpd/*.py`` or the copy in its work dir).
        student_checkpoint: Student checkpoint file, or its ``tools/train.py`` work dir (best, else
            last checkpoint). Without ``student_config`` the work dir's own config dump is used.
        vipe_checkpoint: VIPE* checkpoint for ``features='vipe'``.
        device: Torch device for every model (``'cpu'``, ``'cuda'``, ``'cuda:1'``).
        batch_size: Student frames per forward pass (each also embedded mirrored).
        flow: Optical-flow backend of the student's crops (``vpd_mm.crops.flow``).
        cache_dir: Result cache folder; ``None`` disables the cache (results go to a temporary
            folder that is removed).
        progress: Show progress bars.

    Raises:
        ValueError: Unknown feature kind, or ``'student'`` without a student checkpoint.
        FileNotFoundError: A config or checkpoint does not exist.
    """

    def __init__(self,
                 teacher: str = DEFAULT_TEACHER,
                 features: Optional[str] = None,
                 student_config: Optional[str] = None,
                 student_checkpoint: Optional[str] = None,
                 vipe_checkpoint: str = DEFAULT_VIPE_CHECKPOINT,
                 device: str = 'cpu',
                 batch_size: int = 64,
                 flow: Optional[dict] = None,
                 cache_dir: Optional[str] = DEFAULT_CACHE,
                 progress: bool = True) -> None:
        from vpd_mm.teachers import load_teacher_config
        from vpd_mm.teachers.pose_teacher import teacher_settings
        features = features or ('student' if student_checkpoint else 'joints')
        if features not in FEATURE_KINDS:
            raise ValueError(f'features must be one of {FEATURE_KINDS}, got {features!r}')
        self.teacher_config = _repo_path(teacher)
        self._teacher_cfg = load_teacher_config(self.teacher_config)
        self.features = features
        self.device = device
        self.batch_size = int(batch_size)
        self.flow = dict(flow or dict(type='DISFlow'))
        self.cache_dir = cache_dir
        self.progress = progress
        ids = dict(teacher=teacher_settings(self._teacher_cfg), features=features)
        for part in ('person_finder', 'pose_estimator'):
            ckpt = self._teacher_cfg[part].get('checkpoint')
            if ckpt and osp.isfile(ckpt):
                ids[f'{part}_sha1'] = file_sha1(ckpt)
        self.student_config = self.student_checkpoint = self.vipe_checkpoint = None
        if features == 'student':
            if not student_checkpoint:
                raise ValueError(
                    "features='student' needs student_checkpoint (a file or a tools/train.py work dir)")
            from .vpd_student import resolve_checkpoint
            self.student_checkpoint = resolve_checkpoint(_repo_path(student_checkpoint))
            self.student_config = _repo_path(student_config) if student_config else _work_dir_config(
                student_checkpoint)
            for path in (self.student_config, self.student_checkpoint):
                if not osp.isfile(path):
                    raise FileNotFoundError(f'{path}: not found')
            ids.update(
                student_config=open(self.student_config).read(),
                student=file_sha1(self.student_checkpoint),
                flow=self.flow)
        elif features == 'vipe':
            self.vipe_checkpoint = _repo_path(vipe_checkpoint)
            if not osp.isfile(self.vipe_checkpoint):
                raise FileNotFoundError(f'{self.vipe_checkpoint}: VIPE* checkpoint not found')
            ids.update(vipe=file_sha1(self.vipe_checkpoint))
        #: Digest of everything besides the video that determines a result.
        self.model_id = hashlib.sha1(json.dumps(ids, sort_keys=True, default=str).encode()).hexdigest()
        self._teacher = self._student = self._vipe = None

    # ------------------------------------------------------------------ models (built on first need)
    @property
    def teacher(self):
        """The :class:`~vpd_mm.teachers.PoseTeacher` (built on first use)."""
        if self._teacher is None:
            from vpd_mm.teachers import build_pose_teacher
            self._teacher = build_pose_teacher(self._teacher_cfg, device=self.device)
        return self._teacher

    def _student_model(self):
        if self._student is None:
            from .vpd_student import load_vpd_model
            self._student = load_vpd_model(self.student_config, self.student_checkpoint, self.device)
        return self._student

    def _vipe_model(self):
        if self._vipe is None:
            from vpd_mm.pose.vipe_embeddings import load_vipe_model
            self._vipe = load_vipe_model(self.vipe_checkpoint, device=self.device)
        return self._vipe

    # ------------------------------------------------------------------ inference
    def cache_key(self, video: str) -> str:
        """The cache entry of ``video`` under these models: SHA-1 of its bytes and :attr:`model_id`."""
        if not osp.isfile(video):
            raise FileNotFoundError(f'{video}: video file not found')
        return hashlib.sha1((file_sha1(video) + self.model_id).encode()).hexdigest()[:24]

    def __call__(self, inputs: Union[str, Sequence[str]], vis_out: Optional[str] = None) -> List[dict]:
        """Poses and per-frame features of each video.

        Args:
            inputs: A video path or a list of them.
            vis_out: Folder for overlay videos (``<vid>.mp4``: the tracked box and the skeleton).

        Returns:
            One dict per video, in order: ``video`` (path), ``key`` (cache key), ``cached`` (bool),
            ``fps``, ``num_frames``, ``frames (N,)`` int64 (frames with a tracked athlete), ``boxes (N, 4)``
            ``[x, y, w, h]``, ``keypoints (N, 17, 3)`` ``[x, y, score]`` (score 0: no pose),
            ``feature_kind``, ``feature_frames (M,)`` and ``features (M, 2, D)`` float32 ``[orig,
            flipped]``, ``cache_dir`` (the clip's cache entry: VPD pose files, crops, embedding pickle;
            ``None`` without a cache).

        Raises:
            FileNotFoundError: A video does not exist.
            ValueError: The athlete was never found in a video, or it cannot be decoded (the message
                names the file).
        """
        videos = [inputs] if isinstance(inputs, (str, os.PathLike)) else list(inputs)
        if not videos:
            raise ValueError('VPDInferencer: no video given')
        videos = [os.fspath(v) for v in videos]
        keys = [self.cache_key(v) for v in videos]  # checks every path before any work
        bar = None
        if self.progress and len(videos) > 1:
            from tqdm import tqdm
            bar = tqdm(total=len(videos), desc='VPDInferencer', unit='video')
        results = []
        import tempfile
        tmp = None if self.cache_dir else tempfile.TemporaryDirectory(prefix='vpd_infer_')
        try:
            for video, key in zip(videos, keys):
                entry = osp.join(self.cache_dir or tmp.name, key)
                cached = osp.isfile(osp.join(entry, _RESULT))
                if not cached:
                    self._infer(video, entry)
                result = dict(_load_entry(entry, video), key=key, cached=cached)
                if tmp is not None:
                    result['cache_dir'] = None  # removed below
                results.append(result)
                if vis_out:
                    draw_overlay(video, results[-1], osp.join(vis_out, _vid(video) + '.mp4'))
                if bar is not None:
                    bar.update()
        finally:
            if bar is not None:
                bar.close()
            if tmp is not None:
                tmp.cleanup()
        return results

    def _infer(self, video: str, entry: str) -> None:
        from vpd_mm.teachers import VideoDecodeError
        from vpd_mm.teachers.extract import SkipVideo
        from vpd_mm.utils.fileio import atomic_write_json
        vid = _vid(video)
        pose_root = osp.join(entry, 'pose')
        try:
            meta = self.teacher.extract_video(vid, video, pose_root, progress=self.progress)
        except (VideoDecodeError, SkipVideo) as e:
            raise ValueError(str(e) if video in str(e) else f'{video}: {e}') from e
        pose_dir = osp.join(pose_root, vid)
        if not osp.isfile(osp.join(pose_dir, 'boxes.json')):
            raise ValueError(f'{video}: the teacher found no athlete (no boxes.json written)')
        emb = osp.join(entry, 'features', vid + '.emb.pkl')
        if self.features == 'joints':
            from vpd_mm.pose.pose_features import write_joint_embeddings
            write_joint_embeddings(pose_dir, emb)
        elif self.features == 'vipe':
            from vpd_mm.pose.vipe_embeddings import write_vipe_embeddings
            write_vipe_embeddings(self._vipe_model(), pose_dir, emb)
        else:
            self._embed_student(video, vid, pose_dir, entry)
        atomic_write_json(
            osp.join(entry, _RESULT),
            dict(
                video=osp.abspath(video),
                vid=vid,
                features=self.features,
                fps=meta.get('fps'),
                num_frames=meta.get('num_frames'),
                teacher=self.teacher_config,
                model_id=self.model_id))

    def _embed_student(self, video: str, vid: str, pose_dir: str, entry: str) -> None:
        from vpd_mm.crops.extract import CropConfig, extract_video_crops
        from .vpd_student import apply_vpd
        model, cfg = self._student_model()
        size = int(cfg.get('input_size', 0) or 0)
        if size <= 0:
            raise ValueError(
                f'{self.student_config}: no input_size (the crop side the student was trained on)')
        crop_root = osp.join(entry, 'crops')
        extract_video_crops(
            video,
            osp.join(pose_dir, 'boxes.json'),
            osp.join(crop_root, vid),
            CropConfig(crop_size=size, flow=self.flow),
            pose_meta_path=osp.join(pose_dir, 'meta.json'),
            progress=self.progress)
        apply_vpd(
            model,
            cfg,
            crop_root,
            osp.join(entry, 'features'),
            videos=[vid],
            batch_size=self.batch_size,
            progress=self.progress)

    # ------------------------------------------------------------------ search
    def search(self,
               query: Union[str, dict],
               gallery: Sequence[Union[str, dict]],
               k: int = 5,
               views: str = 'concat') -> List[dict]:
        """The ``k`` gallery clips nearest to ``query`` by the project's retrieval DTW.

        The cost is ``tools/nns.py``'s retrieval cost (:func:`clip_costs`): symmetricP2 DTW of
        unit-normalised per-frame features with a Euclidean local cost, normalised by the path length; the
        original and flipped views side by side (``views='concat'``, the paper's published code) or the
        lowest cost over the view combinations (``views='min'``). Videos (paths) are embedded first (cached).

        Args:
            query: A result of this inferencer, or a video path.
            gallery: Results or video paths.
            k: Number of neighbours.
            views: ``'concat'`` or ``'min'``.

        Returns:
            ``[{'index': position in gallery, 'video': path, 'distance': DTW cost}]``, nearest first (ties:
            gallery order); pairs that cannot be aligned (symmetricP2 needs lengths within 3/2 of each
            other) come last with distance ``inf``.

        Raises:
            ValueError: Empty gallery, or clips with different feature kinds.
        """
        from vpd_mm.evaluation.functional.retrieval import rank_refs
        if not gallery:
            raise ValueError('search: the gallery is empty')
        items = [query] + list(gallery)
        paths = [i for i in items if not isinstance(i, dict)]
        embedded = iter(self(paths)) if paths else iter(())
        items = [i if isinstance(i, dict) else next(embedded) for i in items]
        kinds = {i.get('feature_kind') for i in items}
        if len(kinds) > 1:
            raise ValueError(f'search: the clips hold different feature kinds {sorted(map(str, kinds))}')
        cost = clip_costs(items[0]['features'], [i['features'] for i in items[1:]], views)
        order = rank_refs(cost[None])[0][:k]
        return [dict(index=int(j), video=items[1 + j]['video'], distance=float(cost[j])) for j in order]


def clip_costs(query: np.ndarray, gallery: Sequence[np.ndarray], views: str = 'concat') -> np.ndarray:
    """DTW costs ``(G,)`` of one ``(T, V, D)`` sequence against each gallery sequence, as ``tools/nns.py``
    retrieves (:func:`~vpd_mm.evaluation.functional.knn.retrieval_cost_matrix`, for a query outside the
    gallery)."""
    from vpd_mm.evaluation.functional import dtw_cost_matrix, flip_dtw_cost_matrix
    from vpd_mm.evaluation.functional.knn import RETRIEVAL_VIEWS, concat_views
    if views not in RETRIEVAL_VIEWS:
        raise ValueError(f'views must be one of {RETRIEVAL_VIEWS}, got {views!r}')
    if views == 'min':
        return flip_dtw_cost_matrix([query], list(gallery))[0]
    return dtw_cost_matrix(concat_views([query]), concat_views(list(gallery)), unit_norm=False)[0]


def _vid(video: str) -> str:
    return osp.splitext(osp.basename(video))[0]


def _work_dir_config(work_dir: str) -> str:
    """The config dump of a ``tools/train.py`` work dir (``<work_dir>/<name>.py``)."""
    if not osp.isdir(work_dir):
        raise ValueError(
            f'{work_dir}: a checkpoint file needs student_config (the VPD config it was trained with)')
    configs = sorted(f for f in os.listdir(work_dir) if f.endswith('.py'))
    if len(configs) != 1:
        raise ValueError(f'{work_dir}: expected one config dump (*.py), found {configs}; give student_config')
    return osp.join(work_dir, configs[0])


def _load_entry(entry: str, video: str) -> dict:
    """A cache entry as the result dict of :meth:`VPDInferencer.__call__`."""
    from vpd_mm.utils.fileio import load_json
    from vpd_mm.utils.vpd_files import embeddings_to_array, load_boxes, load_embeddings
    info = load_json(osp.join(entry, _RESULT))
    vid = info['vid']
    pose_dir = osp.join(entry, 'pose', vid)
    boxes = load_boxes(osp.join(pose_dir, 'boxes.json'))
    frames = np.asarray(sorted(boxes), np.int64)
    keypoints = np.zeros((len(frames), 17, 3), np.float32)
    try:
        from vpd_mm.pose.pose_features import load_pose_sequence
        pose_frames, poses = load_pose_sequence(pose_dir)
        keypoints[np.searchsorted(frames, pose_frames)] = poses
    except ValueError:  # no frame holds a pose: keypoints stay zero
        pass
    feat_frames, feats = embeddings_to_array(load_embeddings(osp.join(entry, 'features', vid + '.emb.pkl')))
    return dict(
        video=video,
        fps=info.get('fps'),
        num_frames=info.get('num_frames'),
        frames=frames,
        boxes=np.stack([boxes[f] for f in frames]) if len(frames) else np.zeros((0, 4), np.float32),
        keypoints=keypoints,
        feature_kind=info['features'],
        feature_frames=feat_frames,
        features=feats,
        cache_dir=entry)


COCO_LIMBS = ((15, 13), (13, 11), (16, 14), (14, 12), (11, 12), (5, 11), (6, 12), (5, 6), (5, 7), (6, 8),
              (7, 9), (8, 10), (1, 2), (0, 1), (0, 2), (1, 3), (2, 4), (3, 5), (4, 6))


def draw_overlay(video: str, result: dict, out_path: str, min_score: float = 0.3) -> str:
    """Write ``video`` with the tracked box and the teacher's skeleton drawn on it (mp4, same fps).

    Returns:
        ``out_path``.
    """
    import cv2

    from vpd_mm.teachers.video import iter_frames, probe_video
    info = probe_video(video)
    index = {int(f): i for i, f in enumerate(result['frames'])}
    os.makedirs(osp.dirname(osp.abspath(out_path)), exist_ok=True)
    tmp = out_path + '.part.mp4'
    writer = None
    try:
        for f, img in iter_frames(video):
            if writer is None:
                writer = cv2.VideoWriter(tmp, cv2.VideoWriter_fourcc(*'mp4v'), info.fps or 25.0,
                                         (img.shape[1], img.shape[0]))
            i = index.get(f)
            if i is not None:
                x, y, w, h = (int(round(v)) for v in result['boxes'][i])
                cv2.rectangle(img, (x, y), (x + w, y + h), (0, 200, 255), 2)
                kp = result['keypoints'][i]
                for a, b in COCO_LIMBS:
                    if kp[a, 2] >= min_score and kp[b, 2] >= min_score:
                        color = (255, 160,
                                 60) if a % 2 and b % 2 else ((60, 160,
                                                               255) if a > 4 and not a % 2 and not b % 2 else
                                                              (230, 230, 230))
                        cv2.line(img, tuple(int(v) for v in kp[a, :2]), tuple(int(v) for v in kp[b, :2]),
                                 color, 2, cv2.LINE_AA)
            writer.write(img)
    finally:
        if writer is not None:
            writer.release()
    if writer is None:
        raise ValueError(f'{video}: no decodable frame')
    os.replace(tmp, out_path)
    return out_path
