"""Write the results browser: pick a query action, see its DTW neighbours per feature set.

Usage::

    python tools/results_browser.py WORK_DIR [-o OUT_DIR] [--k 10]
    python tools/results_browser.py --config CONFIG --features NAME=DIR[+DIR...] ... -o OUT_DIR \
        [--pose-root DIR] [--video-dir DIR] [--retrieval-pool all|test] [--retrieval-views concat|min]

With a main-job work dir (``tools/run_vpd.py``) the recognition config and the feature sets are
the ones its ``nns`` stage compared, with its retrieval settings (``WORK_DIR/stages/nns.json``); the
page goes to ``WORK_DIR/browser/``. Previews use the teacher's poses (``DATA_ROOT/teacher/pose``)
and the videos (``DATA_ROOT/videos``) when they exist. Open ``OUT_DIR/index.html`` in a browser: it works
from disk (``file://``) and fetches nothing. Details: vpd_mm/downstream/browser.py.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('work_dir', nargs='?', help='a tools/run_vpd.py work dir (its nns stage finished)')
    parser.add_argument('--config', help='recognition config providing the datasets')
    parser.add_argument(
        '--features', nargs='*', help='feature sets NAME=DIR[+DIR...] (relative to data_root)')
    parser.add_argument('-o', '--out-dir', help='output folder (default: WORK_DIR/browser)')
    parser.add_argument(
        '--pose-root',
        help='VPD pose dirs for the skeleton previews '
        '(default: DATA_ROOT/teacher/pose if present)')
    parser.add_argument(
        '--video-dir', help='videos for the clip previews (default: DATA_ROOT/videos if present)')
    parser.add_argument('--no-previews', action='store_true', help='no skeleton / clip previews')
    parser.add_argument('--k', type=int, default=10, help='neighbours listed per query and feature set')
    parser.add_argument(
        '--retrieval-pool',
        choices=['all', 'test'],
        default=None,
        help='queries and candidates: every labelled action (default) or the test split')
    parser.add_argument(
        '--retrieval-views',
        choices=['concat', 'min'],
        default=None,
        help='cost of two actions: one DTW of the two views side by side (default), or the '
        'lowest over the view combinations')
    parser.add_argument('--preview-frames', type=int, default=12)
    parser.add_argument('--preview-size', type=int, default=64)
    parser.add_argument('--title', default=None)
    return parser.parse_args(argv)


def nns_stage_args(work_dir: str):
    """``(config, [NAME=DIR ...], retrieval pool, retrieval views)`` of a main job's finished nns stage.

    Raises:
        FileNotFoundError: The work dir has no finished nns stage.
    """
    from vpd_mm.utils.fileio import load_json
    stamp = osp.join(work_dir, 'stages', 'nns.json')
    if not osp.isfile(stamp):
        raise FileNotFoundError(f'{stamp}: not found; run the main job (tools/run_vpd.py) first, or give '
                                '--config and --features')
    record = load_json(stamp)
    cmd = record.get('cmd')
    if record.get('state') != 'done' or not cmd:
        raise FileNotFoundError(f'{stamp}: the nns stage has not finished')
    config = cmd[1]
    features = []
    i = cmd.index('--features') + 1 if '--features' in cmd else len(cmd)
    while i < len(cmd) and not cmd[i].startswith('--'):
        features.append(cmd[i])
        i += 1
    pool = cmd[cmd.index('--retrieval-pool') + 1] if '--retrieval-pool' in cmd else 'all'
    views = cmd[cmd.index('--retrieval-views') + 1] if '--retrieval-views' in cmd else 'concat'
    return config, features, pool, views


def main(argv=None):
    args = parse_args(argv)
    from mmengine.config import Config

    from vpd_mm.downstream.browser import build_browser
    from vpd_mm.downstream.runner_utils import _dataset_cfg, parse_feature_sets

    pool, views = 'all', 'concat'
    if args.work_dir:
        config, features, pool, views = nns_stage_args(args.work_dir)
        config = args.config or config
        features = args.features or features
    elif args.config:
        config, features = args.config, args.features
    else:
        raise SystemExit('give a main-job WORK_DIR or --config (and --features)')
    pool = args.retrieval_pool or pool
    views = args.retrieval_views or views
    out_dir = args.out_dir or (osp.join(args.work_dir, 'browser') if args.work_dir else None)
    if not out_dir:
        raise SystemExit('give -o OUT_DIR')
    cfg = Config.fromfile(config)
    data_root = _dataset_cfg(cfg.test_dataloader).get('data_root') or ''
    pose_root, video_dir = args.pose_root, args.video_dir
    if pose_root is None and osp.isdir(osp.join(data_root, 'teacher', 'pose')):
        pose_root = osp.join(data_root, 'teacher', 'pose')
    if video_dir is None and osp.isdir(osp.join(data_root, 'videos')):
        video_dir = osp.join(data_root, 'videos')
    if args.no_previews:
        pose_root = video_dir = None
    name = osp.splitext(osp.basename(config))[0].split('_')[-1]
    title = args.title or f'vpd_mm results browser: {osp.basename(osp.normpath(data_root)) or name}'
    data = build_browser(
        cfg,
        parse_feature_sets(features, name),
        out_dir,
        pose_root=pose_root,
        video_dir=video_dir,
        k=args.k,
        pool=pool,
        views=views,
        preview_frames=args.preview_frames,
        preview_size=args.preview_size,
        title=title)
    for fs, row in data['feature_sets'].items():
        scores = ', '.join(f'{k} {v:.1f}' for k, v in row.items() if k == 'loo_1nn' or k.startswith('P@'))
        print(f'{fs}: {scores}')
    print(f"written: {data['index']} ({len(data['actions'])} actions)")


if __name__ == '__main__':
    main()
