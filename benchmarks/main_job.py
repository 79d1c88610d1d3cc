"""The main job (``tools/run_vpd.py``, SynthSport mini): an earlier commit and this checkout, side by side.

Usage::

    python benchmarks/main_job.py [--before 67acabc] [--out work_dirs/bench_main_job] [--reuse] [--only SIDE]

Checks the ``--before`` commit out into ``OUT/before/checkout`` (``git worktree``), then runs each
version's default main job from scratch (fresh data root and work dir under ``OUT/<side>/``, the same
Python environment, one after the other on this machine) and prints one table: every stage's wall time
before and after, the totals and their ratio. ``--reuse`` reads a side's ``run_vpd.json`` from an
earlier benchmark run instead of running it again. Run it on an otherwise idle machine: the stage times
are wall-clock. Each side's console output goes to ``OUT/<side>/run_vpd.log``.
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--before', default='67acabc', help='the earlier commit (default: 67acabc)')
    parser.add_argument('--out', default='work_dirs/bench_main_job', help='where both jobs run')
    parser.add_argument('--reuse', action='store_true', help='reuse a side\'s finished run_vpd.json')
    parser.add_argument('--only', choices=['before', 'after'], help='run one side now (the table needs both: '
                        'run the other later with --reuse)')
    return parser.parse_args(argv)


def checkout(commit: str, path: str) -> str:
    """A worktree of ``commit`` at ``path`` (made once; reused when it already holds that commit)."""
    if osp.isdir(osp.join(path, '.git')) or osp.isfile(osp.join(path, '.git')):
        head = subprocess.run(['git', 'rev-parse', 'HEAD'], cwd=path, capture_output=True, text=True).stdout
        want = subprocess.run(['git', 'rev-parse', commit], cwd=ROOT, capture_output=True, text=True).stdout
        if head.strip() == want.strip():
            return path
        raise SystemExit(f'{path} holds another commit; remove it or pick another --out')
    subprocess.run(['git', 'worktree', 'add', '--force', '--detach', path, commit], cwd=ROOT, check=True)
    return path


def run_job(source: str, side_dir: str, reuse: bool) -> dict:
    """Run the default main job of ``source`` (data, work dir under ``side_dir``); its ``run_vpd.json``."""
    work = osp.join(side_dir, 'work')
    record = osp.join(work, 'run_vpd.json')
    if reuse and osp.isfile(record):
        return json.load(open(record))
    if osp.exists(work) or osp.exists(osp.join(side_dir, 'data')):
        raise SystemExit(f'{side_dir} holds an earlier run: remove it, or pass --reuse')
    os.makedirs(side_dir, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=source, MPLBACKEND='Agg')
    cmd = [sys.executable, 'tools/run_vpd.py', '--data-root', osp.join(side_dir, 'data'), '--work-dir', work]
    print(f'[{osp.basename(side_dir)}] {" ".join(cmd)} (in {source})', flush=True)
    start = time.time()
    with open(osp.join(side_dir, 'run_vpd.log'), 'w') as log:
        proc = subprocess.run(cmd, cwd=source, env=env, stdout=log, stderr=subprocess.STDOUT)
    if proc.returncode != 0:
        raise SystemExit(f'{source}: the main job failed (exit status {proc.returncode}); see '
                         f'{osp.join(side_dir, "run_vpd.log")}')
    print(f'[{osp.basename(side_dir)}] finished in {(time.time() - start) / 60:.1f} min', flush=True)
    return json.load(open(record))


def stage_table(before: dict, after: dict) -> str:
    """Markdown: seconds per stage before / after (stages in order of first appearance), totals and ratio."""
    secs = [{s['name']: s['seconds'] for s in side['stages']} for side in (before, after)]
    names = list(dict.fromkeys([s['name'] for s in before['stages']] + [s['name'] for s in after['stages']]))
    lines = ['| stage | before (s) | after (s) |', '|---|---|---|']
    for name in names:
        cells = [f'{s[name]:.0f}' if name in s else '-' for s in secs]
        lines.append(f'| {name} | {cells[0]} | {cells[1]} |')
    total = [before['seconds'], after['seconds']]
    lines.append(f'| **whole job** | **{total[0]:.0f}** | **{total[1]:.0f}** |')
    ratio = f'after / before: {total[1] / total[0]:.2f} ({total[0] / total[1]:.2f}x as fast)'
    return '\n'.join(lines) + f'\n\n{ratio}\n'


def main(argv=None):
    args = parse_args(argv)
    out = osp.abspath(args.out)
    sides = {}
    if args.only != 'after':
        source = checkout(args.before, osp.join(out, 'before', 'checkout'))
        sides['before'] = run_job(source, osp.join(out, 'before'), args.reuse)
    if args.only != 'before':
        sides['after'] = run_job(ROOT, osp.join(out, 'after'), args.reuse)
    if args.only:
        return
    before, after = sides['before'], sides['after']
    print(f'\nThe main job (tools/run_vpd.py, default config), {args.before} vs this checkout:\n')
    print(stage_table(before, after))


if __name__ == '__main__':
    main()
