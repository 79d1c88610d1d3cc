"""Write JHMDB GT joints as "normalized joints" feature files for FeatureSequenceDataset.

Usage::

    python tools/data/make_jhmdb_features.py ../shared/data/jhmdb_gt -o data/jhmdb_features/split1 --split 1

Outputs ``features/<clip>.emb.pkl``, ``annotations/{elements,splits}.json`` and ``dataset.json``
(see :mod:`vpd_mm.datasets.jhmdb_features`). Existing feature files are kept (resumable).
Research data: keep the output under the git-ignored ``data/``.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='folder with GT_{train,test}_{1,2,3}.pkl (DD-Net format)')
    parser.add_argument('-o', '--out-dir', required=True, help='output folder')
    parser.add_argument('--split', type=int, default=1, choices=(1, 2, 3), help='JHMDB split')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.datasets.jhmdb_features import write_jhmdb_features
    counts = write_jhmdb_features(args.src, args.out_dir, args.split)
    print(f'{args.out_dir}: {counts}')


if __name__ == '__main__':
    main()
