"""DTW nearest-neighbour classification and retrieval on full data (paper settings).

Usage::

    python tools/nns.py CONFIG [--features NAME=DIR[+DIR...] ...] [--work-dir DIR]
                        [--retrieval-pool all|test]

CONFIG's datasets (configs/recognition/) define the data. For each feature set: 1-NN top-1 of
the test actions against the training actions, and precision@1/10/50 of retrieval (all flip
combinations, symmetricP2 DTW, length-normalised cost): every labelled action (training,
validation and test splits) ranks all the others, as the paper's published code pools them
(``--retrieval-pool test``: the test actions rank each other). Writes WORK_DIR/nns.json and
nns.md and prints the table.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='recognition config providing the datasets')
    parser.add_argument('--features', nargs='*', help='feature sets NAME=DIR[+DIR...] (default: config\'s)')
    parser.add_argument('--work-dir', default='work_dirs/nns', help='output folder')
    parser.add_argument('--retrieval-pool', choices=['all', 'test'], default='all',
                        help='actions that rank each other: training + validation + test (the paper\'s '
                        'code), or test only')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.downstream.nns import run_nns
    from vpd_mm.downstream.report import nns_markdown
    from vpd_mm.downstream.runner_utils import parse_feature_sets
    name = osp.splitext(osp.basename(args.config))[0].split('_')[-1]
    summary = run_nns(args.config, parse_feature_sets(args.features, name), args.work_dir,
                      retrieval_pool=args.retrieval_pool)
    print(nns_markdown(summary))
    print(f'written: {osp.join(args.work_dir, "nns.json")}, nns.md')


if __name__ == '__main__':
    main()
