#!/usr/bin/env python
"""Contact sheet PNG of a SynthSport: every class (full frame + athlete crops at three phases of one
element, GT skeleton: left limbs orange, right cyan, occluded joints hollow) and every camera view.

    python tools/analysis/synthsport_contact_sheet.py ROOT [-o ROOT/contact_sheet.png]
"""
import argparse
import os.path as osp
import sys


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('root', help='SynthSport root')
    p.add_argument('-o', '--out', help='output PNG (default ROOT/contact_sheet.png)')
    args = p.parse_args(argv)
    import cv2
    from vpd_mm.synthsport.contact_sheet import make_contact_sheet
    from vpd_mm.utils.fileio import atomic_write_bytes
    try:
        sheet = make_contact_sheet(args.root)
    except (FileNotFoundError, ValueError) as e:
        print(f'error: {e}', file=sys.stderr)
        return 2
    out = args.out or osp.join(args.root, 'contact_sheet.png')
    ok, buf = cv2.imencode('.png', sheet)
    if not ok:
        print(f'error: cannot encode {out}', file=sys.stderr)
        return 2
    atomic_write_bytes(out, buf.tobytes())
    print(f'{out}: {sheet.shape[1]}x{sheet.shape[0]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
