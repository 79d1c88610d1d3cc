"""How much of its teacher's motion a VPD student reproduces, frame by frame.

Usage::

    python tools/analysis/student_motion.py TEACHER_DIR NAME=STUDENT_DIR [NAME=STUDENT_DIR ...]

TEACHER_DIR holds the teacher's features (``<vid>.emb.pkl``); each STUDENT_DIR the student's estimate
of them (``tools/apply_vpd.py ... --decoded-pose``). On the frames both have (view 0), per student:

- ``R2``: share of the teacher features' variance the student explains (one mean over all frames);
- ``R2 within clip``: the same after removing each clip's own mean from both (the motion inside a clip,
  e.g. the up-and-down of a repetition, rather than the posture that tells clips apart);
- ``variance ratio``: the student's within-clip variance over the teacher's (1 = same amplitude);
- ``frame-to-frame ratio``: the student's mean frame-to-frame change over the teacher's (jitter).

Prints a Markdown table; ``--json OUT`` also writes the figures.
"""
import argparse
import glob
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

SUFFIX = '.emb.pkl'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('teacher', help='folder of the teacher features (<vid>.emb.pkl)')
    parser.add_argument(
        'students', nargs='+', metavar='NAME=DIR', help="folders of students' decoded features")
    parser.add_argument('--json', help='also write the figures to this JSON file')
    return parser.parse_args(argv)


def paired_frames(teacher_dir: str, student_dir: str) -> list:
    """``[(teacher (T, D), student (T, D))]`` per video, on the frames both have (view 0).

    Raises:
        FileNotFoundError: A folder holds no feature file, or the two share no video.
        ValueError: The feature sizes differ (the message names both files).
    """
    import numpy as np

    from vpd_mm.utils.vpd_files import embeddings_to_array, load_embeddings
    teacher_files = sorted(glob.glob(osp.join(teacher_dir, '*' + SUFFIX)))
    if not teacher_files:
        raise FileNotFoundError(f'{teacher_dir}: no *{SUFFIX} feature file')
    pairs = []
    for t_path in teacher_files:
        s_path = osp.join(student_dir, osp.basename(t_path))
        if not osp.isfile(s_path):
            continue
        t_frames, t_feats = embeddings_to_array(load_embeddings(t_path))
        s_frames, s_feats = embeddings_to_array(load_embeddings(s_path))
        t_feats = t_feats[:, 0] if t_feats.ndim == 3 else t_feats
        s_feats = s_feats[:, 0] if s_feats.ndim == 3 else s_feats
        if t_feats.shape[1] != s_feats.shape[1]:
            raise ValueError(
                f'{s_path}: {s_feats.shape[1]} features per frame, {t_path} has {t_feats.shape[1]}')
        common, ti, si = np.intersect1d(t_frames, s_frames, return_indices=True)
        if len(common) > 1:
            pairs.append((t_feats[ti].astype(np.float64), s_feats[si].astype(np.float64)))
    if not pairs:
        raise FileNotFoundError(f'{student_dir}: no video in common with {teacher_dir}')
    return pairs


def motion_figures(pairs: list) -> dict:
    """The four figures of the module docstring for one student."""
    import numpy as np
    teacher = np.concatenate([t for t, _ in pairs])
    student = np.concatenate([s for _, s in pairs])

    def r2(t, s):
        return 1.0 - float(((t - s)**2).sum()) / float(((t - t.mean(0))**2).sum())

    t_within = np.concatenate([t - t.mean(0) for t, _ in pairs])
    s_within = np.concatenate([s - s.mean(0) for _, s in pairs])
    t_step = np.concatenate([np.abs(np.diff(t, axis=0)).sum(1) for t, _ in pairs])
    s_step = np.concatenate([np.abs(np.diff(s, axis=0)).sum(1) for _, s in pairs])
    return dict(
        frames=int(len(teacher)),
        r2=r2(teacher, student),
        r2_within_clip=r2(t_within, s_within),
        variance_ratio=float((s_within**2).sum() / (t_within**2).sum()),
        frame_to_frame_ratio=float(s_step.mean() / t_step.mean()))


def main(argv=None) -> int:
    args = parse_args(argv)
    from vpd_mm.utils.fileio import atomic_write_json
    rows = {}
    for spec in args.students:
        name, sep, folder = spec.partition('=')
        if not sep:
            raise SystemExit(f'{spec}: expected NAME=DIR')
        rows[name] = motion_figures(paired_frames(args.teacher, folder))
    print('| student | frames | R2 | R2 within clip | variance ratio | frame-to-frame ratio |')
    print('|---|---|---|---|---|---|')
    for name, r in rows.items():
        print(f"| {name} | {r['frames']} | {r['r2']:.2f} | {r['r2_within_clip']:.2f} | "
              f"{r['variance_ratio']:.2f} | {r['frame_to_frame_ratio']:.2f} |")
    if args.json:
        atomic_write_json(args.json, rows, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
