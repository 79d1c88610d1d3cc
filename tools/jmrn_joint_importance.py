"""Plot JMRN's per-class joint importance (mean joint-selector weight per class and joint).

Run ``tools/test.py CONFIG CKPT --dump test.pkl`` with a JMRN config first (JMRNRecognizer stores
``joint_weights`` per sample), then::

    python tools/jmrn_joint_importance.py test.pkl --class-names data/jhmdb/classes.txt \\
        --layout jhmdb15 --classes clap golf pullup wave -o joint_importance.png --csv weights.csv

``--csv`` also writes the full class x joint table (mean weights, sample count per class).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('dump', help='tools/test.py --dump pickle of a JMRN model')
    parser.add_argument('--class-names', help='text file, one class name per line (label order)')
    parser.add_argument('--layout', default='jhmdb15', help="joint layout for joint names ('jhmdb15', 'coco17')")
    parser.add_argument('--classes', nargs='+', help='classes to plot (default: all)')
    parser.add_argument('-o', '--out', default='joint_importance.png', help='output PNG')
    parser.add_argument('--csv', help='also write the class x joint mean-weight table here')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.datasets.joint_layouts import get_joint_layout
    from vpd_mm.evaluation.joint_importance import (class_joint_importance, load_joint_weights,
                                                     plot_joint_importance)
    from vpd_mm.utils.fileio import atomic_write_text
    weights, labels = load_joint_weights(args.dump)
    joint_names = list(get_joint_layout(args.layout)['names'])
    if weights.shape[1] != len(joint_names):
        raise SystemExit(f'{args.dump}: {weights.shape[1]} joint weights but layout {args.layout!r} '
                         f'has {len(joint_names)} joints')
    if args.class_names:
        with open(args.class_names) as f:
            class_names = [line.strip() for line in f if line.strip()]
    else:
        class_names = [str(i) for i in range(int(labels.max()) + 1)]
    means, counts = class_joint_importance(weights, labels, len(class_names))
    plot_joint_importance(means, class_names, joint_names, args.out, args.classes, counts)
    print(f'wrote {args.out} ({len(labels)} samples)')
    if args.csv:
        rows = ['class,count,' + ','.join(joint_names)]
        rows += [f'{name},{int(n)},' + ','.join(f'{v:.4f}' for v in row)
                 for name, n, row in zip(class_names, counts, means)]
        atomic_write_text(args.csv, '\n'.join(rows) + '\n')
        print(f'wrote {args.csv}')


if __name__ == '__main__':
    main()
