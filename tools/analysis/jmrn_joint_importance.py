"""Plot JMRN's per-class joint importance (mean joint-selector weight per class and joint).

Run ``tools/test.py CONFIG CKPT --dump test.pkl`` with a JMRN config first (JMRNRecognizer stores
``joint_weights`` per sample), then::

    python tools/analysis/jmrn_joint_importance.py test.pkl --class-names data/jhmdb/classes.txt \\
        --layout jhmdb15 --classes clap golf pullup wave -o joint_importance.png --csv weights.csv

Every clip's weights are first divided by their mean over the joints (a common scale of all joints
is absorbed by the next conv + BatchNorm; what selects joints is how a clip's weights are spread;
``--raw`` keeps the raw sigmoid weights). By default every panel then shows the class mean minus the
mean over all clips (the class-independent part dominates otherwise); ``--mode absolute`` plots the
class means.
``--class-names`` is a text file (one name per line) or a JSON file with a ``classes`` list (e.g.
SynthSport's ``dataset.json``). ``--csv`` also writes the full class x joint table (mean
(normalised) weights, sample count per class, and a last ``all`` row with the mean over all clips).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('dump', help='tools/test.py --dump pickle of a JMRN model')
    parser.add_argument('--class-names', help='class names in label order: a text file (one per '
                        "line) or a JSON file with a 'classes' list")
    parser.add_argument('--layout', default='jhmdb15', help="joint layout for joint names ('jhmdb15', 'coco17')")
    parser.add_argument('--classes', nargs='+', help='classes to plot (default: all)')
    parser.add_argument('--mode', default='relative', choices=['relative', 'absolute'],
                        help='plot class mean minus all-clip mean (relative) or the class means')
    parser.add_argument('--raw', action='store_true',
                        help="use the raw weights, not each clip's weights divided by their mean")
    parser.add_argument('-o', '--out', default='joint_importance.png', help='output PNG')
    parser.add_argument('--csv', help='also write the class x joint mean-weight table here')
    return parser.parse_args(argv)


def read_class_names(path):
    """Class names from a text file (one per line) or a JSON file (a list or ``{'classes': [...]}``)."""
    import json
    with open(path) as f:
        text = f.read()
    if path.endswith('.json'):
        data = json.loads(text)
        names = data.get('classes') if isinstance(data, dict) else data
        if not isinstance(names, list) or not names:
            raise SystemExit(f"{path}: expected a JSON list of class names or a 'classes' list")
        return [str(n) for n in names]
    return [line.strip() for line in text.splitlines() if line.strip()]


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.datasets.joint_layouts import get_joint_layout
    from vpd_mm.evaluation.joint_importance import (class_joint_importance, load_joint_weights,
                                                     normalize_clip_weights, plot_joint_importance)
    from vpd_mm.utils.fileio import atomic_write_text
    weights, labels = load_joint_weights(args.dump)
    if not args.raw:
        weights = normalize_clip_weights(weights)
    layout = get_joint_layout(args.layout)
    joint_names = list(layout['names'])
    if weights.shape[1] != len(joint_names):
        raise SystemExit(f'{args.dump}: {weights.shape[1]} joint weights but layout {args.layout!r} '
                         f'has {len(joint_names)} joints')
    class_names = (read_class_names(args.class_names) if args.class_names else
                   [str(i) for i in range(int(labels.max()) + 1)])
    if labels.max() >= len(class_names):
        raise SystemExit(f'{args.dump}: label {int(labels.max())} but only {len(class_names)} class '
                         f'names in {args.class_names}')
    means, counts = class_joint_importance(weights, labels, len(class_names))
    reference = weights.mean(0)
    plot_joint_importance(means, class_names, joint_names, args.out, args.classes, counts,
                          mode=args.mode, reference=reference, joint_order=layout.get('plot_order'),
                          value_label='joint weight' if args.raw else 'joint weight / clip mean')
    print(f'wrote {args.out} ({len(labels)} samples)')
    if args.csv:
        rows = ['class,count,' + ','.join(joint_names)]
        rows += [f'{name},{int(n)},' + ','.join(f'{v:.4f}' for v in row)
                 for name, n, row in zip(class_names, counts, means)]
        rows.append(f'all,{len(labels)},' + ','.join(f'{v:.4f}' for v in reference))
        atomic_write_text(args.csv, '\n'.join(rows) + '\n')
        print(f'wrote {args.csv}')


if __name__ == '__main__':
    main()
