#!/usr/bin/env python
"""Measure SynthSport's fine-grainedness: GT-2D-pose 1-NN vs appearance-statistics classifiers.

    python tools/analysis/check_synthsport.py ROOT [--json OUT.json]

The pose classifier should be accurate while appearance (mean colour, clip length, box size) stays
near chance.
"""
import argparse
import sys


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('root', help='SynthSport root (made by tools/make_synthsport.py)')
    p.add_argument('--json', help='also write the numbers to this JSON file')
    args = p.parse_args(argv)
    from vpd_mm.synthsport.check import check_dataset, format_report
    from vpd_mm.utils.fileio import atomic_write_json
    try:
        res = check_dataset(args.root)
    except (FileNotFoundError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    print('\n'.join(format_report(res)))
    if args.json:
        atomic_write_json(args.json, res, indent=1)
    return 0


if __name__ == '__main__':
    sys.exit(main())
