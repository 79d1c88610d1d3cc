"""Convert the DD-Net JHMDB GT-joint pickles to an mmaction2 PoseDataset pickle (for JMRN/PoTion).

Example::

    python tools/data/convert_jhmdb.py ../shared/data/jhmdb_gt -o data/jhmdb/jhmdb_gt_2d.pkl

Writes OUTPUT (split keys train1/test1/train2/test2/train3/test3, plus train{s}_fit /
train{s}_holdout: a stratified 20 % of every train split held out for tuning; 15 JHMDB joints in
pixels of a 320x240 canvas, one person per clip) and OUTPUT's sibling ``classes.txt``. Skips the
work when OUTPUT exists unless ``--overwrite``. Research data: keep the output outside the
repository's tracked files (``data/`` is git-ignored).
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='folder with GT_{train,test}_{1,2,3}.pkl (DD-Net format)')
    parser.add_argument('-o', '--out', default='data/jhmdb/jhmdb_gt_2d.pkl', help='output pickle')
    parser.add_argument('--splits', type=int, nargs='+', default=[1, 2, 3], help='splits to convert')
    parser.add_argument('--canvas', type=int, nargs=2, default=[320, 240], metavar=('W', 'H'),
                        help='pixel canvas the normalised joints are mapped to')
    parser.add_argument('--scale', type=float, default=160.0, help='pixels per normalised unit')
    parser.add_argument('--holdout-fraction', type=float, default=0.2,
                        help='stratified part of every train split held out for tuning '
                             '(split keys train{s}_fit / train{s}_holdout)')
    parser.add_argument('--holdout-seed', type=int, default=0, help='seed of the held-out part')
    parser.add_argument('--overwrite', action='store_true', help='rewrite an existing output')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.datasets.jhmdb import convert_jhmdb
    from vpd_mm.utils.fileio import atomic_write_pickle, atomic_write_text
    if osp.exists(args.out) and not args.overwrite:
        print(f'{args.out} exists, skipping (use --overwrite to rebuild)')
        return
    data = convert_jhmdb(args.src, args.splits, tuple(args.canvas), args.scale, args.holdout_fraction,
                         args.holdout_seed)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    atomic_write_pickle(args.out, data)
    atomic_write_text(osp.join(osp.dirname(osp.abspath(args.out)), 'classes.txt'),
                      '\n'.join(data['classes']) + '\n')
    sizes = ', '.join(f'{k}: {len(v)}' for k, v in data['split'].items())
    print(f"wrote {args.out}: {len(data['annotations'])} clips, {len(data['classes'])} classes; {sizes}")


if __name__ == '__main__':
    main()
