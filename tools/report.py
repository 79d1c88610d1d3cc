"""Gather downstream results (few-shot, NNS/retrieval, detection) into one Markdown + HTML report.

Usage::

    python tools/report.py RESULT_DIR_OR_JSON [...] -o work_dirs/report/report

Every JSON file with a ``task`` key found below the inputs becomes a section with its table; plots
(``plot`` key) are linked in the Markdown and embedded (base64) in the HTML, which is self-contained.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('inputs', nargs='+', help='result folders or JSON files')
    parser.add_argument(
        '-o', '--out', default='work_dirs/report/report', help='output prefix (.md/.html added)')
    parser.add_argument('--title', default='vpd_mm downstream report')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from vpd_mm.downstream.report import build_report
    paths = build_report(args.inputs, args.out, args.title)
    print(f"written: {paths['markdown']}, {paths['html']}")


if __name__ == '__main__':
    main()
