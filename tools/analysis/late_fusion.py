"""Late fusion of the class scores of several mmaction2 models (e.g. JMRN + TSN, or + VPD BiGRU).

Each input is a pickle written by ``tools/test.py CONFIG CKPT --dump FILE``. Samples are matched by
``frame_dir``/``filename`` (basename without extension) when every dump has them, else by order
(``--match order`` forces that, e.g. for JMRN's ``clap_0003`` vs the BiGRU's ``test1_0042`` names of
the same JHMDB clips); the ground-truth label sequences must agree either way. Scores are turned into probabilities (softmax, unless they already are
distributions; see ``--normalize``) and averaged with ``--weights``.

Example::

    python tools/analysis/late_fusion.py work_dirs/jmrn/test.pkl work_dirs/tsn/test.pkl --weights 1 1 \\
        -o work_dirs/fusion/fused.pkl

Prints the top-1 accuracy of every input and of the fusion; ``-o`` writes the fused scores as a dump
(list of dicts with pred_score, pred_label, gt_label and sample_id).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('dumps', nargs='+', help='tools/test.py --dump pickles (>= 1)')
    parser.add_argument('--weights', type=float, nargs='+', help='one weight per dump (default: equal)')
    parser.add_argument('--normalize', default='auto', choices=['auto', 'softmax', 'none'],
                        help='how scores become probabilities before averaging')
    parser.add_argument('--match', default='auto', choices=['auto', 'id', 'order'],
                        help='align samples by id, by position, or by id when all dumps have ids')
    parser.add_argument('-o', '--out', help='write the fused scores to this pickle')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    import numpy as np

    from vpd_mm.evaluation.late_fusion import align_dumps, late_fusion, load_score_dump, top1_accuracy
    from vpd_mm.utils.fileio import atomic_write_pickle
    dumps = align_dumps([load_score_dump(p) for p in args.dumps], args.match)
    for d in dumps:
        print(f'{d.path}: top-1 {100 * top1_accuracy(d.scores, d.labels):.2f} % ({len(d.labels)} samples)')
    fused = late_fusion(dumps, args.weights, args.normalize, match='order')  # already aligned
    labels = dumps[0].labels
    print(f'fused (weights {args.weights or "equal"}): top-1 {100 * top1_accuracy(fused, labels):.2f} %')
    if args.out:
        ids = dumps[0].ids or [None] * len(labels)
        atomic_write_pickle(args.out, [
            dict(pred_score=s.astype(np.float32), pred_label=int(s.argmax()), gt_label=int(y), sample_id=i)
            for s, y, i in zip(fused, labels, ids)])
        print(f'wrote {args.out}')


if __name__ == '__main__':
    main()
