"""Teacher pose extraction: find, track and select the athlete and estimate its 2D pose in videos.

Usage::

    python tools/extract_poses.py VIDEOS_OR_LIST -o OUT [--teacher configs/teachers/blazepose-full_coco17.py] \\
        [--device cpu|cuda] [--workers N] [--resume] [--boxes-from DIR] [--annotations ROOT] [--eval-gt ROOT]

VIDEOS_OR_LIST is a folder of videos, one video, or a text file listing videos (one per line,
relative to the list's folder). The pose teacher is a config (``--teacher``; ``configs/teachers/``):

* ``blazepose-full_coco17.py``: MediaPipe BlazePose-full, real weights shipped in the mediapipe wheel
  (offline, Apache-2.0); use it on real video;
* ``rtmdet-nano_rtmpose-t_synthsport.py`` (the default): the project's RTMDet-nano + RTMPose-t trained
  on SynthSport; ``--det-config/--det-checkpoint/--pose-config/--pose-checkpoint`` replace its
  mmdet / mmpose models by any others (COCO-17 pose models).

For every video the tool decodes the frames, finds people with the teacher's person finder (batched
over frames; ``--det-interval K`` on every K-th frame only), tracks them (``SortTracker``), selects
the athlete (``HeuristicAthleteSelector``: largest / most central / most moving / upside-down /
confident, weighted), estimates the pose of every confident person (``--pose-score-thr``; a finder
that gives keypoints, like BlazePose's, gives them itself) and of the athlete's final (gap-filled,
smoothed) box with the top-down pose estimator, and writes the VPD pose files
``OUT/pose/<vid>/{boxes.json, coco_keypoints.json.gz, meta.json}`` (meta.json last).
``--boxes-from DIR`` skips finding and tracking and uses the given ``DIR/<vid>/boxes.json``
athlete boxes (e.g. SynthSport's GT ``pose/`` folder).

At the end it writes mmaction2 PoseDataset pickles of the athlete's poses:
``OUT/mmaction/pose_videos.pkl`` (one entry per video) and, with ``--annotations ROOT`` (a
SynthSport root), ``OUT/mmaction/stgcn_teacher2d.pkl`` (one entry per element, split keys as in
SynthSport's ``mmaction/stgcn_gt2d.pkl``), and, with ``--eval-gt ROOT``, evaluates the result
against SynthSport GT (``OUT/teacher_eval.json`` + a table; see tools/analysis/eval_teacher.py).

Distributed (``python -m torch.distributed.run --nproc_per_node N tools/extract_poses.py ... --launcher
pytorch``, or ``tools/slurm_extract.sh``): each rank takes every N-th video, rank 0 writes the pickles
and the summary after all are done; the files equal a one-process run's. ``--workers N`` shares the
videos among N processes on one machine, each with its own teacher and one torch
thread (up to the number of cores; on a GPU every worker holds the models in its memory). The
files are byte-identical to a one-process run with one thread (``OMP_NUM_THREADS=1``); with workers
there is one progress bar, over the videos.

Resume: with ``--resume`` finished videos (meta.json present) and skipped ones (skipped.json) are
not decoded again; a killed run loses at most the videos in progress. Bad inputs (corrupt or empty
video, no person, boxes that do not fit the video) are skipped with ``OUT/pose/<vid>/skipped.json``
and a warning; the batch goes on. Exit status (``vpd_mm.utils.exit_status``): 0 when every video
finished, 3 when some finished and the others were skipped (listed with their reasons), 1 when a
video failed or none finished, 2 on a bad command line.

Tracking and selection are configurable: ``--tracker-options max_age=30 iou_thr=0.2``,
``--selector-options weights.size=2 max_gap=50``, ``--tracking-config FILE.py`` holding
``tracker = dict(type=...)`` and ``athlete_selector = dict(type=...)``, or any teacher key with
``--teacher-options extract.refine_iou=0.5 person_finder.score_thr=0.2``.
"""
import argparse
import logging
import os.path as osp
import sys

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)

DEFAULT_TEACHER = osp.join(REPO, 'configs/teachers/rtmdet-nano_rtmpose-t_synthsport.py')


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('videos', help='folder of videos, a video, or a text file listing videos')
    p.add_argument('-o', '--out', required=True, help='output folder (pose/, mmaction/, ...)')
    p.add_argument('--teacher', default=DEFAULT_TEACHER,
                   help='teacher config (configs/teachers/*.py with person_finder + pose_estimator); default: '
                   'the SynthSport-trained RTMDet-nano + RTMPose-t; real video: blazepose-full_coco17.py')
    p.add_argument('--teacher-options', nargs='+', action=DictAction, default={},
                   help='teacher config overrides k=v (e.g. extract.refine_iou=0.5)')
    p.add_argument('--det-config', help='mmdet config (path or mmdet::name): replaces the person finder')
    p.add_argument('--det-checkpoint', help='mmdet checkpoint (with --det-config)')
    p.add_argument('--pose-config', help='mmpose top-down config (COCO-17): replaces the pose estimator')
    p.add_argument('--pose-checkpoint', help='mmpose checkpoint (with --pose-config)')
    p.add_argument('--device', default='cpu', help='torch device: cpu, cuda, cuda:1, ...')
    p.add_argument('--batch-size', type=int, help='boxes per pose forward pass (mixed across frames)')
    p.add_argument('--det-batch-size', type=int, help='frames per person-finder call')
    p.add_argument('--det-score-thr', type=float, help='minimum detection score of an mmdet finder (tracking)')
    p.add_argument(
        '--pose-score-thr',
        type=float,
        help='detections scoring at least this get a pose in coco_keypoints.json.gz (the athlete always)')
    p.add_argument(
        '--det-cat-id', type=int, help='person class index of an mmdet detector (default: class "person")')
    p.add_argument('--max-people', type=int, help='keep at most this many detections per frame (mmdet finder)')
    p.add_argument(
        '--det-interval', type=int, help='detect every K-th frame only (the athlete box is interpolated in between)')
    p.add_argument(
        '--refine-iou',
        type=float,
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
    p.add_argument('--max-cache-mb', type=float, help='keep decoded frames in memory up to this size')
    p.add_argument('--no-progress', action='store_true', help='no progress bars')
    from vpd_mm.utils.dist import add_launcher_args
    add_launcher_args(p)
    args = p.parse_args(argv)
    if args.workers < 1:
        p.error(f'--workers must be at least 1, got {args.workers}')
    return args


def teacher_cfg(args) -> dict:
    """The teacher config of the command line: ``--teacher``, with its mmdet / mmpose models replaced by
    ``--det-config`` / ``--pose-config``, tracking from ``--tracking-config`` and every override applied."""
    from mmengine.config import Config

    from vpd_mm.teachers import load_teacher_config
    cfg = Config(load_teacher_config(args.teacher))
    if args.det_config:
        cfg.person_finder = dict(type='MMDetPersonFinder', config=args.det_config, checkpoint=args.det_checkpoint,
                                 score_thr=0.1, max_per_frame=10)
    if args.pose_config:
        cfg.pose_estimator = dict(type='MMPoseEstimator', config=args.pose_config, checkpoint=args.pose_checkpoint)
    if args.tracking_config:
        loaded = Config.fromfile(args.tracking_config)
        for key in ('tracker', 'athlete_selector'):
            if key in loaded:
                cfg[key] = loaded[key]
    flags = {
        'person_finder.score_thr': args.det_score_thr,
        'person_finder.person_class': args.det_cat_id,
        'person_finder.max_per_frame': args.max_people,
        'person_finder.cfg_options': args.det_cfg_options,
        'pose_estimator.cfg_options': args.pose_cfg_options,
        'extract.pose_batch_size': args.batch_size,
        'extract.det_batch_size': args.det_batch_size,
        'extract.det_interval': args.det_interval,
        'extract.refine_iou': args.refine_iou,
        'extract.pose_score_thr': args.pose_score_thr,
        'extract.max_cache_mb': args.max_cache_mb,
    }
    openmmlab = dict(person_finder=('MMDetPersonFinder', 'BatchedDetector'),
                     pose_estimator=('MMPoseEstimator', 'BatchedPoseEstimator'))
    for key, value in flags.items():
        part = key.split('.')[0]
        if value is None:
            continue
        if part in openmmlab and cfg[part].get('type') not in openmmlab[part]:
            raise SystemExit(f'{key}: the teacher\'s {part} is {cfg[part].type}, not an OpenMMLab model; '
                             f'use --teacher-options {part}.<key>=...')
        cfg.merge_from_dict({key: value})
    cfg.merge_from_dict({f'tracker.{k}': v for k, v in args.tracker_options.items()})
    cfg.merge_from_dict({f'athlete_selector.{k}': v for k, v in args.selector_options.items()})
    cfg.merge_from_dict(args.teacher_options)
    return cfg.to_dict()


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format='%(levelname)s %(name)s: %(message)s')
    from vpd_mm.teachers import evaluate_teacher, extract_poses, format_report, list_videos
    from vpd_mm.utils.dist import close, init_launcher, rank_device
    from vpd_mm.utils.exit_status import batch_exit_status
    from vpd_mm.utils.fileio import atomic_write_json

    videos = list_videos(args.videos)
    _, world_size = init_launcher(args.launcher)
    summary = extract_poses(
        videos,
        args.out,
        teacher_cfg(args),
        device=rank_device(args.device),
        boxes_from=args.boxes_from,
        resume=args.resume,
        overwrite=args.overwrite,
        retry_skipped=args.retry_skipped,
        annotations=args.annotations,
        progress=not args.no_progress,
        workers=args.workers)
    close()
    if summary is None:  # a rank other than 0 of a distributed run: rank 0 reports
        return 0
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
    return batch_exit_status(
        len(summary['finished']), len(summary['skipped']), len(summary['failed']), world_size)


if __name__ == '__main__':
    sys.exit(main())
