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
    parser.add_argument("--lang", default="en", help="en or ru: every word of every scene")
    parser.add_argument("--theme", default="light", help="light or dark (default light)")


def run(args: argparse.Namespace) -> int:
    from optbench import gallery

    if args.list:
        for s in gallery.scenes():
            print(f"{s.number:2d}  {s.name:<22s} {s.title}")
        return 0
    gallery.select(args.only)  # validate names before writing anything
    gallery.check_look(args.lang, args.theme)
    written = gallery.build(
        args.out, only=args.only, quick=args.quick, lang=args.lang, theme=args.theme
    )
    print(f"wrote {len(written)} files into {args.out}")
    return 0
