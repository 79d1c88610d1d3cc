#!/usr/bin/env python
"""Cross-view DTW 1-NN on SynthSport: gallery from some camera views, queries from the others.

Example (VIPE* vs normalized 2D joints, features from tools/apply_vipe.py)::

    python tools/analysis/nns_cross_view.py data/synthsport --features vipe=features/vipe joints=features/joints \\
        --gallery-views side front --query-views diagonal high -o work_dirs/cross_view.json
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

from vpd_mm.downstream.cross_view import cross_view_nns  # noqa: E402
from vpd_mm.utils import atomic_write_json  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('root', help='SynthSport root')
    parser.add_argument('--features', nargs='+', required=True, help='NAME=DIR feature sets')
    parser.add_argument('--gallery-views', nargs='+', default=['side', 'front'])
    parser.add_argument('--query-views', nargs='+', default=['diagonal', 'high'])
    parser.add_argument('--k', nargs='+', default=['8', '16', 'full'], help="few-shot k values and/or 'full'")
    parser.add_argument('-o', '--out', help='write the results as JSON')
    args = parser.parse_args()
    try:
        features = dict(item.split('=', 1) for item in args.features)
    except ValueError:
        parser.error(f'--features takes NAME=DIR pairs, got {args.features}')
    results = cross_view_nns(args.root, features, args.gallery_views, args.query_views, args.k)
    print('| features | ' + ' | '.join(f'k={k}' for k in args.k) + ' |')
    print('|---' * (len(args.k) + 1) + '|')
    for name, row in results.items():
        print(f'| {name} | ' + ' | '.join(f"{row[k]['mean']:.1f} +- {row[k]['std']:.1f}" for k in args.k) + ' |')
    if args.out:
        atomic_write_json(args.out, results, indent=2)


if __name__ == '__main__':
    main()
