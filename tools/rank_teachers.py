"""Rank pose teachers on annotated still images: PCK@0.1 / PCK@0.2 (box- and torso-normalised) and
per-joint errors, with ground-truth boxes and with each teacher's own person finder, side by side.

Usage::

    python tools/rank_teachers.py --teachers configs/teachers/blazepose-full_coco17.py \\
        configs/teachers/rtmdet-nano_rtmpose-t_synthsport.py \\
        --real-root ../shared/data/real_pose_images [--sets coco ochuman h36m humanart] \\
        [--coco NAME ANN_FILE [IMAGE_ROOT]] [-o ranking.json] [--markdown ranking.md]

``--real-root`` scores the 17-joint sets of ``real_pose_images`` (COCO, OCHuman, Human3.6M, Human-Art:
real people, some heavily occluded or drawn; Human3.6M's joints are mapped to COCO's, its face joints
left out); ``--coco NAME ANN_FILE [IMAGE_ROOT]`` adds any COCO
keypoint file, e.g. SynthSport's generic val images::

    --coco synthsport-val DATA/generic/annotations/person_keypoints_val.json DATA/generic/images

The table has one row per teacher, set and box source (``gt``: the pose estimator on the GT box;
``detected``: the teacher's person finder, matched to the GT people by box overlap, a missed person
counting all its joints wrong), and an "all real" row pooling the real sets' people.
Writes JSON (``-o``) and prints a Markdown table (also to ``--markdown``).
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--teachers', nargs='+', required=True, help='teacher configs (configs/teachers/*.py)')
    p.add_argument('--real-root', help='real_pose_images folder (its COCO-17 sets)')
    p.add_argument('--sets', nargs='+', help='real sets to score (default: all COCO-17 ones)')
    p.add_argument('--coco', nargs='+', action='append', default=[], metavar='NAME ANN_FILE [IMAGE_ROOT]',
                   help='another COCO keypoint set (repeatable)')
    p.add_argument('--boxes', nargs='+', default=['gt', 'detected'], choices=['gt', 'detected'])
    p.add_argument('--device', default='cpu')
    p.add_argument('-o', '--out', help='JSON result')
    p.add_argument('--markdown', help='also write the table to this Markdown file')
    args = p.parse_args(argv)
    if not args.real_root and not args.coco:
        p.error('give --real-root and/or --coco')
    for spec in args.coco:
        if len(spec) not in (2, 3):
            p.error(f'--coco takes NAME ANN_FILE [IMAGE_ROOT], got {spec}')
    return args


def _sets(args):
    from vpd_mm.teachers.real_images import REAL_SETS, load_coco_keypoint_set
    sets, real = {}, []
    if args.real_root:
        names = args.sets or list(REAL_SETS)
        unknown = sorted(set(names) - set(REAL_SETS))
        if unknown:
            raise SystemExit(f'--sets: unknown set(s) {unknown}; known: {sorted(REAL_SETS)}')
        for name in names:
            ann, layout = REAL_SETS[name]
            sets[name] = load_coco_keypoint_set(osp.join(args.real_root, name, ann), layout=layout)
            real.append(name)
    for spec in args.coco:
        sets[spec[0]] = load_coco_keypoint_set(spec[1], spec[2] if len(spec) == 3 else None)
    return sets, real


def format_table(rows) -> str:
    """Markdown table of the ranking rows."""
    lines = ['| teacher | set | boxes | people | found | PCK@0.1 bbox | PCK@0.2 bbox | PCK@0.1 torso | PCK@0.2 torso |',
             '|---|---|---|---|---|---|---|---|---|']

    def pct(v):
        return '-' if v is None else f'{100 * v:.1f}'

    for r in rows:
        m = r['metrics']
        lines.append(f"| {r['teacher']} | {r['set']} | {r['boxes']} | {m['people']} | {pct(m['found'])} | "
                     f"{pct(m['pck_bbox']['0.1'])} | {pct(m['pck_bbox']['0.2'])} | {pct(m['pck_torso']['0.1'])} | "
                     f"{pct(m['pck_torso']['0.2'])} |")
    return '\n'.join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    from vpd_mm.teachers import build_pose_teacher
    from vpd_mm.teachers.real_images import score_teacher
    from vpd_mm.utils.fileio import atomic_write_json, atomic_write_text

    sets, real = _sets(args)
    rows = []
    for path in args.teachers:
        teacher = build_pose_teacher(path, args.device)
        name = osp.splitext(osp.basename(path))[0]
        for boxes in args.boxes:
            for set_name, images in sets.items():
                rows.append(dict(teacher=name, set=set_name, boxes=boxes,
                                 metrics=score_teacher(teacher, images, boxes, progress=True)))
            if len(real) > 1:
                pooled = [img for s in real for img in sets[s]]
                rows.append(dict(teacher=name, set='all real', boxes=boxes,
                                 metrics=score_teacher(teacher, pooled, boxes)))
    table = format_table(rows)
    print(table)
    if args.out:
        atomic_write_json(args.out, dict(teachers=args.teachers, rows=rows), indent=1)
    if args.markdown:
        atomic_write_text(args.markdown, table + '\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
