"""Judge VIPE* checkpoints on real poses: JHMDB GT 2D joints (3 splits) and MSR Action3D held-out subjects.

Usage::

    python tools/analysis/eval_vipe_real.py --vipe synth=CKPT_A synth+msr=CKPT_B \
        [--jhmdb ../shared/data/jhmdb_gt] [--msr ../shared/data/msr_action3d/MSRAction3DSkeletonReal3D] \
        [--splits 1 2 3] [--k 1 3 5] [--trials 3] [--workers 1] [-o work_dirs/vipe_real] \
        [--update-doc docs/vipe_real.md]

Rows: normalized 2D joints and one VIPE* feature set per ``--vipe NAME=CKPT``. JHMDB (train =
gallery, test = queries, per split): DTW 1-NN top-1, retrieval precision@1/@5 (all clips of the
split pooled, each a query; ``--retrieval-pool test``: the test clips only), few-shot BiGRU and
NNS-DTW at k clips per class (``--trials`` seeded subsets); mean ± std over the splits. MSR Action3D
held-out subjects (``--msr-val-regex``, the subjects the VIPE* training held out): per pose, finding
the other random-camera view of a pose among 100 and the distance ratio; per sequence, DTW 1-NN
action top-1 with queries seen by one random camera and the gallery (the other held-out sequences)
by another, and the same-view reference (``--msr-repeats`` camera pairs). Finished work is kept in
the work dir: NNS / retrieval and the MSR figures are reused while their inputs are unchanged,
few-shot runs are resumed (so parts can run side by side, e.g. one ``--splits S --no-msr`` process
per split, then the whole command gathers them). Writes ``OUT/results.json`` and
``OUT/results.md``; ``--update-doc`` replaces the marked block of a Markdown file with the tables.
"""
import argparse
import os.path as osp
import sys
import time

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

SHARED = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))), 'shared', 'data')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--vipe', nargs='+', required=True, metavar='NAME=CKPT', help='VIPE* checkpoints')
    parser.add_argument('--jhmdb', default=osp.join(SHARED, 'jhmdb_gt'), help='DD-Net JHMDB GT pickles')
    parser.add_argument(
        '--msr',
        default=osp.join(SHARED, 'msr_action3d', 'MSRAction3DSkeletonReal3D'),
        help='MSR Action3D skeletons')
    parser.add_argument('--msr-val-regex', default='_s(09|10)_', help='held-out MSR sequences')
    parser.add_argument('--msr-repeats', type=int, default=5, help='camera pairs of the MSR cross-view check')
    parser.add_argument(
        '--splits',
        type=int,
        nargs='*',
        default=[1, 2, 3],
        choices=[1, 2, 3],
        help='JHMDB splits (none: no JHMDB)')
    parser.add_argument('--no-msr', action='store_true', help='leave the MSR Action3D figures out')
    parser.add_argument(
        '--k',
        type=int,
        nargs='*',
        default=[1, 3, 5],
        help='few-shot clips per class (none: no few-shot runs)')
    parser.add_argument('--trials', type=int, default=3, help='few-shot subsets per k')
    parser.add_argument('--epochs', type=int, help='override the BiGRU epochs')
    parser.add_argument(
        '--fewshot-methods',
        nargs='+',
        default=['bigru', 'nns'],
        choices=['bigru', 'nns'],
        help='few-shot methods')
    parser.add_argument(
        '--retrieval-pool',
        default='all',
        choices=['all', 'test'],
        help='all: every clip of the split ranks all others (published code); test: test clips only')
    parser.add_argument('--workers', type=int, default=1, help='processes for the BiGRU trainings')
    parser.add_argument(
        '--config', default='configs/recognition/bigru_jhmdb-split1_gt-joints.py', help='JHMDB BiGRU config')
    parser.add_argument('-o', '--work-dir', default='work_dirs/vipe_real')
    parser.add_argument('--update-doc', help='Markdown file whose vipe_real block gets the tables')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.downstream.vipe_real import (JOINTS, evaluate_jhmdb, feature_set_name, jhmdb_table,
                                             msr_cross_view, msr_pose_invariance, msr_table, update_doc)
    from vpd_mm.utils.fileio import atomic_write_json, atomic_write_text, file_digest, load_json
    _sha1 = file_digest

    checkpoints = {}
    for item in args.vipe:
        name, sep, path = item.partition('=')
        if not sep or not name or not path:
            raise SystemExit(f'--vipe takes NAME=CKPT, got {item!r}')
        if not osp.isfile(path):
            raise SystemExit(f'--vipe {name}: checkpoint {path} not found')
        checkpoints[name] = path
    labels = {JOINTS: 'normalized 2D joints'}
    labels.update({feature_set_name(n): f'VIPE* {n}' for n in checkpoints})
    seconds = {}

    def write(jhmdb, msr=None, invariance=None):
        """Results so far: results.json, results.md and the doc's block (after each phase)."""
        atomic_write_json(
            osp.join(args.work_dir, 'results.json'),
            dict(jhmdb=jhmdb, msr=msr, msr_pose_invariance=invariance, seconds=seconds),
            indent=1)
        ckpts = ', '.join(f'`{n}` = `{p}`' for n, p in checkpoints.items())
        pool = 'all clips of the split' if args.retrieval_pool == 'all' else 'the test clips'
        text = f'VIPE* checkpoints: {ckpts}.\n'
        if args.splits:
            text += (
                f'\nJHMDB GT joints (DD-Net pickles, 14 classes), splits {", ".join(map(str, args.splits))}; '
                f'retrieval among {pool}; ' +
                (f'few-shot ({", ".join(args.fewshot_methods)}): {args.trials} subsets per k'
                 + (f', BiGRU of `{args.config}`' if 'bigru' in args.fewshot_methods else '')
                 if args.k else 'no few-shot runs') +
                '.\n\n' + jhmdb_table(jhmdb, labels))
        if msr is not None:
            reps = msr['repeats']
            text += (
                f'\nMSR Action3D held-out sequences (`{args.msr_val_regex}`: {msr["num_sequences"]} '
                f'sequences, {msr["num_classes"]} actions). Per pose: {invariance["num_poses"]} distinct '
                f'poses, each seen by two random cameras, the other view searched among '
                f'{invariance["num_candidates"]} poses (top-1 %) and the distance ratio (means over {reps} '
                f'camera draws). Per sequence: DTW 1-NN action top-1 '
                f'(%), gallery = the other held-out sequences, mean ± std over {reps} camera pairs:\n\n' +
                msr_table(msr, invariance, labels))
        atomic_write_text(osp.join(args.work_dir, 'results.md'), text)
        if args.update_doc:
            update_doc(args.update_doc, text)
        return text

    # the cheap, central figures first; a cut-short run leaves them written
    start = time.time()
    jhmdb = evaluate_jhmdb(args.jhmdb, args.work_dir, checkpoints, args.config, args.splits, (1, 5),
                           args.retrieval_pool, (), args.trials, args.epochs, args.workers)
    seconds['jhmdb_nns'] = time.time() - start
    text = write(jhmdb)
    msr = invariance = None
    if not args.no_msr:
        start = time.time()
        msr_path = osp.join(args.work_dir, 'msr', 'msr.json')
        key = dict(
            checkpoints={
                n: _sha1(p)
                for n, p in checkpoints.items()
            },
            msr=osp.abspath(args.msr),
            val_regex=args.msr_val_regex,
            repeats=args.msr_repeats)
        cached = load_json(msr_path) if osp.isfile(msr_path) else {}
        if cached.get('key') == key:
            msr, invariance = cached['cross_view'], cached['pose_invariance']
        else:
            msr = msr_cross_view(args.msr, checkpoints, args.msr_val_regex, args.msr_repeats)
            invariance = msr_pose_invariance(
                args.msr, checkpoints, args.msr_val_regex, repeats=args.msr_repeats)
            atomic_write_json(msr_path, dict(key=key, cross_view=msr, pose_invariance=invariance), indent=1)
        seconds['msr'] = time.time() - start
        text = write(jhmdb, msr, invariance)
    start = time.time()
    jhmdb['fewshot_k'] = list(args.k)
    for split in args.splits if args.k else ():  # the tables are rewritten after each split
        few = evaluate_jhmdb(
            args.jhmdb,
            args.work_dir,
            checkpoints,
            args.config, [split], (1, 5),
            args.retrieval_pool,
            args.k,
            args.trials,
            args.epochs,
            args.workers,
            nns=False,
            fewshot_methods=args.fewshot_methods)
        jhmdb['splits'][str(split)]['fewshot'] = few['splits'][str(split)]['fewshot']
        seconds['jhmdb_fewshot'] = time.time() - start
        text = write(jhmdb, msr, invariance)
    print(text)
    if args.update_doc:
        print(f'updated {args.update_doc}')
    print(', '.join(f'{k} {v:.0f} s' for k, v in seconds.items()))


if __name__ == '__main__':
    main()
