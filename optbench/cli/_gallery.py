"""``optbench gallery``: regenerate the lecture pictures."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--only", nargs="+", metavar="NAME", help="render only these scenes")
    parser.add_argument("--quick", action="store_true", help="few steps and frames (for tests)")
    parser.add_argument(
        "-o", "--out", default="gallery", metavar="DIR", help="output folder (default: ./gallery)"
    )
    parser.add_argument("--list", action="store_true", help="list the scenes and exit")


def run(args: argparse.Namespace) -> int:
    from optbench import gallery

    if args.list:
        for s in gallery.scenes():
            print(f"{s.number:2d}  {s.name:<22s} {s.title}")
        return 0
    gallery.select(args.only)  # validate names before writing anything
    written = gallery.build(args.out, only=args.only, quick=args.quick)
    print(f"wrote {len(written)} files into {args.out}")
    return 0
