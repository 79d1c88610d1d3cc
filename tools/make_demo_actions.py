#!/usr/bin/env python
"""Generate DemoActions, the tiny labelled skeleton + video set of the baseline configs.

Example::

    python tools/make_demo_actions.py -o data/demo_actions
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from vpd_mm.baselines import make_demo_actions  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('-o', '--out', default='data/demo_actions', help='output directory')
    parser.add_argument('--train-per-class', type=int, default=12)
    parser.add_argument('--val-per-class', type=int, default=3)
    parser.add_argument('--frames', type=int, default=32)
    parser.add_argument('--size', type=int, default=96)
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()
    paths = make_demo_actions(args.out, args.train_per_class, args.val_per_class, args.frames, args.size,
                              seed=args.seed)
    for key, path in paths.items():
        print(f'{key}: {path}')


if __name__ == '__main__':
    main()
