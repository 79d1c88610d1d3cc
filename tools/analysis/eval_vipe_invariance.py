"""Cross-view retrieval accuracy of VIPE* vs. normalized 2D joints on held-out 3D poses.

Usage::

    python tools/analysis/eval_vipe_invariance.py --source corpus:data/synthsport/pose3d_corpus --split val \
        [--checkpoint CKPT] [--num-poses 2000] [--num-candidates 100] [--seed 0] [--out RESULT.json]
    python tools/analysis/eval_vipe_invariance.py --source msr_action3d:../shared/data/msr_action3d --split all \
        --checkpoint CKPT
    python tools/analysis/eval_vipe_invariance.py --source msr_action3d:../shared/data/msr_action3d --split val \
        --val-regex '_s(09|10)_' --checkpoint CKPT   # subjects vipe-star_synthsport+msr.py holds out

Distinct 3D poses (some bone differs by >= 45 degrees from every other) are drawn from the source's
sequences of the given split (the same deterministic split as ``Pose3DDataset``), each is projected
from two random cameras (yaw U(-pi, pi), elevation and roll U(-pi/6, pi/6), orthographic), and for
each pose, view A is the query among view B of ``--num-candidates`` poses. Printed: the fraction
of queries whose nearest candidate is the other view of the same pose, and the distance ratio (mean
distance between the two views of a pose / mean distance to the other poses' views; 0 = invariant),
per feature.
"""
import argparse
import json
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        '--source', required=True, help='FORMAT:PATH with FORMAT one of corpus, h36m, amass, msr_action3d')
    parser.add_argument(
        '--split',
        default='val',
        choices=['train', 'val', 'all'],
        help='sequence split to draw poses from (use the split not trained on)')
    parser.add_argument('--val-fraction', type=float, default=0.1, help='as in the training config')
    parser.add_argument('--val-regex', help='validation = the sequence names this regex finds (overrides '
                        '--val-fraction), as the config\'s val_regex')
    parser.add_argument('--checkpoint', help='VIPE* checkpoint; without it only the 2D baseline is measured')
    parser.add_argument('--config', help='config file (default: the one stored in the checkpoint)')
    parser.add_argument('--num-poses', type=int, default=2000, help='distinct poses to draw')
    parser.add_argument('--num-candidates', type=int, default=100, help='candidates per query (N)')
    parser.add_argument(
        '--min-angle',
        type=float,
        default=45.0,
        help='poses differ pairwise by at least this bone angle (degrees)')
    parser.add_argument('--random-scores', action='store_true', help='confidences U(0.5, 1) instead of 1')
    parser.add_argument(
        '--repeats',
        type=int,
        default=5,
        help='independent camera draws on the same poses (queries = repeats x poses)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--out', help='write the result as JSON here')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import numpy as np

    from vpd_mm.datasets.pose3d_readers import load_pose3d_source, split_sequences
    from vpd_mm.pose.normalize import normalize_coco_pose
    from vpd_mm.pose.view_invariance import normalized_joints_feature, sample_distinct_poses, view_invariance
    from vpd_mm.utils.fileio import atomic_write_json

    fmt, sep, root = args.source.partition(':')
    if not sep:
        raise SystemExit(f'--source must be FORMAT:PATH, got {args.source!r}')
    seqs = load_pose3d_source(dict(format=fmt, root=root))
    keep = split_sequences([n for n, _ in seqs], args.split, args.val_fraction, args.val_regex)
    rng = np.random.default_rng(args.seed)
    poses = sample_distinct_poses([seqs[i][1] for i in keep], args.num_poses, rng, args.min_angle)
    features = {'normalized_2d_joints': normalized_joints_feature}
    if args.checkpoint:
        from vpd_mm.pose.vipe_embeddings import load_vipe_model
        model = load_vipe_model(args.checkpoint, args.config, args.device)
        features['vipe_star'] = lambda p: model.embed(normalize_coco_pose(p))
    runs = [
        view_invariance(poses, features, rng, args.num_candidates, args.random_scores)
        for _ in range(args.repeats)
    ]
    keys = [k for name in features for k in (name, f'{name}/distance_ratio')]
    result = {key: float(np.mean([r[key] for r in runs])) for key in keys}
    result.update(
        num_queries=sum(r['num_queries'] for r in runs),
        num_candidates=args.num_candidates,
        num_distinct_poses=len(poses),
        repeats=args.repeats)
    result.update(
        source=args.source,
        split=args.split,
        val_regex=args.val_regex,
        min_angle=args.min_angle,
        num_sequences=len(keep),
        checkpoint=args.checkpoint,
        seed=args.seed)
    print(
        f'{args.source} [{args.split}]: {len(keep)} sequences, {len(poses)} distinct poses '
        f'(>= {args.min_angle:g} deg apart), {result["num_queries"]} queries, '
        f'{args.num_candidates} candidates each'
    )
    for name in features:
        print(f'  {name:24s} top-1 cross-view retrieval accuracy: {100 * result[name]:.1f} %, '
              f'distance ratio same pose / different poses: {result[name + "/distance_ratio"]:.3f}')
    if args.out:
        atomic_write_json(args.out, result, indent=1)


if __name__ == '__main__':
    main()
