"""DTW nearest-neighbour classification and retrieval on full data (paper settings).

Usage::

    python tools/nns.py CONFIG [--features NAME=DIR[+DIR...] ...] [--work-dir DIR]
                        [--retrieval-pool all|test] [--retrieval-views concat|min] [--retrieval-only]

CONFIG's datasets (configs/recognition/) define the data. The rules are the paper's published
code's (docs/protocol.md). For each feature set: 1-NN top-1 of the test actions against the
training actions (symmetricP2 DTW of unit-normalised features, length-normalised cost, lowest over
the flip combinations; a test action with no symmetricP2 path to any training action is searched
with symmetric2, then given the majority class, and the table counts them), and precision@1/10/50
of retrieval: every labelled action (training, validation and test splits) ranks all the others,
as the published code pools them (``--retrieval-pool test``: the test actions rank each other), by
one DTW of its two views side by side (``--retrieval-views min``: the lowest cost over the view
combinations). Actions that some feature set has no frames for are left out of all of them (listed
in the output). Writes WORK_DIR/nns.json and nns.md and prints the table.
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
    parser.add_argument('--retrieval-views', choices=['concat', 'min'], default='concat',
                        help='retrieval cost of two actions: one DTW of the two views side by side (the '
                        'paper\'s code), or the lowest over the view combinations')
    parser.add_argument('--retrieval-only', action='store_true',
                        help='skip the 1-NN classification of the test split (e.g. where tools/crossval.py '
                        'classifies every action)')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.downstream.nns import run_nns
    from vpd_mm.downstream.summaries import nns_markdown
    from vpd_mm.downstream.runner_utils import parse_feature_sets
    name = osp.splitext(osp.basename(args.config))[0].split('_')[-1]
    summary = run_nns(args.config, parse_feature_sets(args.features, name), args.work_dir,
                      retrieval_pool=args.retrieval_pool, retrieval_views=args.retrieval_views,
                      nn=not args.retrieval_only)
    print(nns_markdown(summary))
    print(f'written: {osp.join(args.work_dir, "nns.json")}, nns.md')


if __name__ == '__main__':
    main()
