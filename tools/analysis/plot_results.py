"""Draw docs/results.png (student minus teacher per dataset and metric) from the table of docs/results.md.

Usage::

    python tools/analysis/plot_results.py [--doc docs/results.md] [-o docs/results.png]

The table lies between ``<!-- plot:begin -->`` and ``<!-- plot:end -->`` with the columns ``data |
student | teacher | metric | teacher % | student %``; one bar per row, grouped by dataset.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))

COLUMNS = ['data', 'student', 'teacher', 'metric', 'teacher %', 'student %']


def read_plot_table(path: str) -> list:
    """Rows of the marked table as dicts (``teacher %`` / ``student %`` as floats).

    Raises:
        ValueError: The markers, the header or a number is missing (the message names the file and line).
    """
    lines = open(path, encoding='utf-8').read().split('\n')
    try:
        start, end = lines.index('<!-- plot:begin -->'), lines.index('<!-- plot:end -->')
    except ValueError:
        raise ValueError(f'{path}: no <!-- plot:begin --> ... <!-- plot:end --> table') from None
    table = lines[start + 1:end]
    header = [c.strip() for c in table[0].strip('|').split('|')]
    if header != COLUMNS:
        raise ValueError(f'{path}:{start + 2}: plot table columns are {header}, expected {COLUMNS}')
    rows = []
    for offset, line in enumerate(table[2:], start + 4):
        cells = [c.strip() for c in line.strip('|').split('|')]
        row = dict(zip(COLUMNS, cells))
        try:
            row['teacher %'], row['student %'] = float(row['teacher %']), float(row['student %'])
        except (KeyError, ValueError):
            raise ValueError(
                f'{path}:{offset}: expected {len(COLUMNS)} cells with two numbers, got {line!r}') from None
        rows.append(row)
    return rows


def plot(rows: list, out: str) -> None:
    """A horizontal bar per row: student minus teacher in points, coloured by the sign."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    from vpd_mm.utils.fileio import atomic_save_figure
    labels = [f"{r['data']}: {r['student']} vs {r['teacher']}, {r['metric']}" for r in rows]
    gains = [r['student %'] - r['teacher %'] for r in rows]
    fig, ax = plt.subplots(figsize=(8.5, 0.4 * len(rows) + 1.2))
    ys = list(range(len(rows)))[::-1]
    ax.barh(ys, gains, color=['tab:green' if g > 0 else 'tab:red' if g < 0 else 'tab:gray' for g in gains])
    for y, g, r in zip(ys, gains, rows):
        ax.text(g + (0.2 if g >= 0 else -0.2), y, f"{r['teacher %']:.1f} -> {r['student %']:.1f}",
                va='center', ha='left' if g >= 0 else 'right', fontsize=8)
    ax.set_yticks(ys)
    ax.set_yticklabels(labels, fontsize=8)
    ax.axvline(0, color='black', linewidth=0.8)
    lo, hi = min(gains + [0]), max(gains + [0])
    ax.set_xlim(lo - 7, hi + 5)
    ax.set_xlabel('student minus teacher (points)')
    ax.set_title('VPD students against their pose teachers')
    fig.tight_layout()
    atomic_save_figure(fig, out, dpi=110)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
    parser.add_argument(
        '--doc', default=osp.join(root, 'docs', 'results.md'), help='Markdown file with the table')
    parser.add_argument('-o', '--out', default=osp.join(root, 'docs', 'results.png'), help='PNG to write')
    args = parser.parse_args(argv)
    rows = read_plot_table(args.doc)
    plot(rows, args.out)
    print(f'{len(rows)} rows -> {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
