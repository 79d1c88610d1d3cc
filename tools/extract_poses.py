"""Teacher pose extraction: detect, track, select the athlete and estimate its 2D pose in videos.

Usage::

    python tools/extract_poses.py VIDEOS_OR_LIST -o OUT \\
        [--det-config C --det-checkpoint F] [--pose-config C --pose-checkpoint F] \\
        [--device cpu|cuda] [--batch-size N] [--workers N] [--resume] [--boxes-from DIR] \\
        [--annotations ROOT] [--eval-gt ROOT]

VIDEOS_OR_LIST is a folder of videos, one video, or a text file listing videos (one per line,
relative to the list's folder). For every video the tool decodes the frames, detects people with
the mmdet model (batched over frames; ``--det-interval K`` detects every K-th frame only), tracks
them (``SortTracker``), selects the athlete (``HeuristicAthleteSelector``: largest / most central /
most moving / upside-down / confident, weighted), estimates the pose of every confident person
(``--pose-score-thr``) and of the athlete's final (gap-filled, smoothed) box with the mmpose
top-down model (batched over boxes and frames), and writes the VPD pose files
``OUT/pose/<vid>/{boxes.json, coco_keypoints.json.gz, meta.json}`` (meta.json last).
``--boxes-from DIR`` skips detection and tracking and uses the given ``DIR/<vid>/boxes.json``
athlete boxes (e.g. SynthSport's GT ``pose/`` folder).

At the end it writes mmaction2 PoseDataset pickles of the athlete's poses:
``OUT/mmaction/pose_videos.pkl`` (one entry per video) and, with ``--annotations ROOT`` (a
SynthSport root), ``OUT/mmaction/stgcn_teacher2d.pkl`` (one entry per element, split keys as in
SynthSport's ``mmaction/stgcn_gt2d.pkl``), and, with ``--eval-gt ROOT``, evaluates the result
against SynthSport GT (``OUT/teacher_eval.json`` + a table; see tools/eval_teacher.py).

``--workers N`` shares the videos among N processes, each with its own models and one torch
thread (up to the number of cores; on a GPU every worker holds both models in its memory). The
files are byte-identical to a one-process run with one thread (``OMP_NUM_THREADS=1``; more threads
sum floats in another order, which can change the last bits of boxes and keypoints); with workers
there is one progress bar, over the videos.

Resume: with ``--resume`` finished videos (meta.json present) and skipped ones (skipped.json) are
not decoded again; a killed run loses at most the videos in progress. Bad inputs (corrupt or empty
video, no person, boxes that do not fit the video) are skipped with ``OUT/pose/<vid>/skipped.json``
and a warning; the batch goes on. The defaults are the project's own teachers (configs/teachers/,
checkpoints/teachers/); any mmdet / mmpose config + checkpoint pair works.

Tracking and selection are configurable: ``--tracker-options max_age=30 iou_thr=0.2``,
``--selector-options weights.size=2 max_gap=50``, or ``--tracking-config FILE.py`` holding
``tracker = dict(type=...)`` and ``athlete_selector = dict(type=...)``.
"""
import argparse
import logging
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

DEFAULT_DET_CONFIG = osp.join(REPO, 'configs/teachers/rtmdet-nano_synthsport-generic.py')
DEFAULT_DET_CKPT = osp.join(REPO, 'checkpoints/teachers/rtmdet-nano_synthsport-generic.pth')
DEFAULT_POSE_CONFIG = osp.join(REPO, 'configs/teachers/rtmpose-t_synthsport-generic.py')
DEFAULT_POSE_CKPT = osp.join(REPO, 'checkpoints/teachers/rtmpose-t_synthsport-generic.pth')


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('videos', help='folder of videos, a video, or a text file listing videos')
    p.add_argument('-o', '--out', required=True, help='output folder (pose/, mmaction/, ...)')
    p.add_argument('--det-config', default=DEFAULT_DET_CONFIG, help='mmdet config (path or mmdet::name)')
    p.add_argument('--det-checkpoint', default=DEFAULT_DET_CKPT, help='mmdet checkpoint')
    p.add_argument('--pose-config', default=DEFAULT_POSE_CONFIG, help='mmpose top-down config (COCO-17)')
    p.add_argument('--pose-checkpoint', default=DEFAULT_POSE_CKPT, help='mmpose checkpoint')
    p.add_argument('--device', default='cpu', help='torch device: cpu, cuda, cuda:1, ...')
    p.add_argument(
        '--batch-size', type=int, default=32, help='boxes per pose forward pass (mixed across frames)')
    p.add_argument('--det-batch-size', type=int, default=8, help='frames per detector forward pass')
    p.add_argument('--det-score-thr', type=float, default=0.1, help='minimum detection score (tracking)')
    p.add_argument(
        '--pose-score-thr',
        type=float,
        default=0.3,
        help='detections scoring at least this get a pose in coco_keypoints.json.gz (the athlete always)')
    p.add_argument(
        '--det-cat-id', type=int, help='person class index of the detector (default: class "person")')
    p.add_argument('--max-people', type=int, default=10, help='keep at most this many detections per frame')
    p.add_argument(
        '--det-interval',
        type=int,
        default=1,
        help='detect every K-th frame only (the athlete box is interpolated in between)')
    p.add_argument(
        '--refine-iou',
        type=float,
        default=0.9,
        help='re-estimate the athlete pose on its smoothed box where IoU with the detection is lower')
    p.add_argument(
        '--boxes-from', help='folder of given <vid>/boxes.json athlete boxes: skip detection+tracking')
    p.add_argument('--tracking-config', help='python config with `tracker` and `athlete_selector` dicts')
    p.add_argument(
        '--tracker-options', nargs='+', action=DictAction, default={}, help='tracker overrides k=v')
    p.add_argument(
        '--selector-options',
        nargs='+',
        action=DictAction,
        default={},
        help='athlete selector overrides k=v (e.g. weights.size=2)')
    p.add_argument('--det-cfg-options', nargs='+', action=DictAction, help='detector config overrides k=v')
    p.add_argument('--pose-cfg-options', nargs='+', action=DictAction, help='pose config overrides k=v')
    p.add_argument('--annotations', help='SynthSport root: also write the per-element PoseDataset pickle')
    p.add_argument('--eval-gt', help='SynthSport root: evaluate against its GT at the end')
    p.add_argument('--workers', type=int, default=1, help='processes over videos (default 1)')
    p.add_argument('--resume', action='store_true', help='skip finished and skipped videos')
    p.add_argument('--overwrite', action='store_true', help='redo finished videos')
    p.add_argument('--retry-skipped', action='store_true', help='with --resume: retry skipped videos')
    p.add_argument(
        '--max-cache-mb', type=float, default=2048, help='keep decoded frames in memory up to this size')
    p.add_argument('--no-progress', action='store_true', help='no progress bars')
    args = p.parse_args(argv)
    if args.workers < 1:
        p.error(f'--workers must be at least 1, got {args.workers}')
    return args


def tracking_cfgs(args):
    """``(tracker cfg, athlete selector cfg)`` from the defaults, --tracking-config and the overrides."""
    from mmengine.config import Config

    from vpd_mm.teachers.batch import DEFAULT_SELECTOR, DEFAULT_TRACKER
    cfg = Config(dict(tracker=dict(DEFAULT_TRACKER), athlete_selector=dict(DEFAULT_SELECTOR)))
    if args.tracking_config:
        loaded = Config.fromfile(args.tracking_config)
        for key in ('tracker', 'athlete_selector'):
            if key in loaded:
                cfg[key] = loaded[key]
    cfg.merge_from_dict({f'tracker.{k}': v for k, v in args.tracker_options.items()})
    cfg.merge_from_dict({f'athlete_selector.{k}': v for k, v in args.selector_options.items()})
    return cfg.tracker.to_dict(), cfg.athlete_selector.to_dict()


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s')
    from vpd_mm.teachers import ExtractOptions, evaluate_teacher, extract_poses, format_report, list_videos
    from vpd_mm.utils.fileio import atomic_write_json

    videos = list_videos(args.videos)
    tracker, selector = tracking_cfgs(args)
    options = ExtractOptions(
        det_interval=args.det_interval,
        refine_iou=args.refine_iou,
        pose_score_thr=args.pose_score_thr,
        max_cache_mb=args.max_cache_mb)
    summary = extract_poses(
        videos,
        args.out,
        args.pose_config,
        args.pose_checkpoint,
        det_config=None if args.boxes_from else args.det_config,
        det_checkpoint=None if args.boxes_from else args.det_checkpoint,
        device=args.device,
        det_batch_size=args.det_batch_size,
        pose_batch_size=args.batch_size,
        det_score_thr=args.det_score_thr,
        det_cat_id=args.det_cat_id,
        max_people=args.max_people,
        tracker=tracker,
        athlete_selector=selector,
        boxes_from=args.boxes_from,
        options=options,
        resume=args.resume,
        overwrite=args.overwrite,
        retry_skipped=args.retry_skipped,
        annotations=args.annotations,
        det_cfg_options=args.det_cfg_options,
        pose_cfg_options=args.pose_cfg_options,
        progress=not args.no_progress,
        workers=args.workers)
    print(f'{len(summary["finished"])} of {len(videos)} videos finished, {len(summary["skipped"])} skipped, '
          f'{len(summary["failed"])} failed -> {osp.join(args.out, "pose")}')
    for vid, reason in summary['skipped'].items():
        print(f'  skipped {vid}: {reason}')
    for vid, err in summary['failed'].items():
        print(f'  FAILED {vid}: {err}')
    for key, path in summary['pickles'].items():
        print(f'PoseDataset ({key}): {path}')
    if args.eval_gt and summary['finished']:
        result = evaluate_teacher(osp.join(args.out, 'pose'), args.eval_gt, [v for v, _ in videos])
        atomic_write_json(osp.join(args.out, 'teacher_eval.json'), result, indent=1)
        print(format_report(result))
        print(f'evaluation: {osp.join(args.out, "teacher_eval.json")}')
    return 1 if summary['failed'] or not summary['finished'] else 0


if __name__ == '__main__':
    sys.exit(main())
