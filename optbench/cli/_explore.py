"""``optbench explore``: the interactive page; a static file, or a live one from a local server."""

from __future__ import annotations

import argparse

TAKES_CONFIG = True


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "surface",
        metavar="SURFACE[:key=value,...]",
        help="a 2-D catalog surface (see `optbench list`) or path/to/file.py:function",
    )
    p.add_argument(
        "steppers",
        nargs="*",
        metavar="STEPPER:lr=...[,key=value,...]",
        help="steppers with their learning rates; a rate like 0.5eta_max moves over multiples "
        "of eta_max (default: sgd, momentum and adam with rates suited to the surface)",
    )
    p.add_argument("--steps", type=int, default=200, help="steps per run (default 200)")
    p.add_argument(
        "-o", "--out", metavar="FILE", help="the page (default ./optbench-out/SURFACE/explore.html)"
    )
    p.add_argument(
        "--starts",
        type=int,
        default=9,
        metavar="N",
        help="a static page's starts: a grid of about N x N over the window (default 9)",
    )
    p.add_argument(
        "--theme", default="light", help="light, dark, print or projector (default light)"
    )
    p.add_argument("--lang", default="en", help="en or ru (labels)")
    p.add_argument("--seed", type=int, default=0, help="seed for gradient noise (default 0)")
    p.add_argument(
        "--serve",
        action="store_true",
        help="a live page instead: a local server runs the steppers for every change",
    )
    p.add_argument("--port", type=int, default=8765, help="--serve's port (default 8765; 0: any)")
    p.add_argument(
        "--host",
        help="--serve's address (default 127.0.0.1: this machine only; 0.0.0.0: every network)",
    )


def default_steppers(surface) -> list[str]:
    """SGD at half of eta_max where the surface has one at its start, momentum and Adam at the
    race's lecture rates."""
    from optbench.cli._race import lecture_steppers

    lecture = dict(s.split(":", 1) for s in lecture_steppers(surface))
    sgd = f"sgd:{lecture['sgd']}"
    try:
        from optbench.analysis import lr_limits

        if lr_limits(surface).lambda_max > 0:
            sgd = "sgd:lr=0.5eta_max"
    except Exception:  # noqa: BLE001 - no usable Hessian: the plain rate
        pass
    return [sgd, f"momentum:{lecture['momentum']}", f"adam:{lecture['adam']}"]


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from optbench._errors import OptbenchError
    from optbench.render._style import style

    style(args.theme, args.lang)
    if args.host is not None and not args.serve:
        raise OptbenchError(f"--host (={args.host!r}) is where --serve listens: give --serve.")
    if args.serve and args.out is not None:
        raise OptbenchError(f"--out (={args.out!r}) names a static page; --serve writes none.")
    from optbench._limits import check_seed, check_steps

    check_steps(args.steps, "--steps")
    check_seed(args.seed, "--seed")
    if not 2 <= args.starts <= 41:
        raise OptbenchError(f"--starts (={args.starts}) must be an integer from 2 to 41.")
    if not 0 <= args.port <= 65535:
        raise OptbenchError(f"--port (={args.port}) must be an integer from 0 to 65535.")

    from optbench import surfaces
    from optbench.explorer import Explorer

    surface = surfaces.get_spec(args.surface)
    if surface.dim != 2:
        raise OptbenchError(
            f"surface {surface.name!r} is {surface.dim}-D; the explorer draws 2-D surfaces (a "
            "contour you click on), e.g. rosenbrock."
        )
    specs = args.steppers or default_steppers(surface)
    specs = [s[1] if isinstance(s, tuple) else s for s in specs]  # (label, spec) from a TOML
    common = dict(steps=args.steps, theme=args.theme, lang=args.lang, seed=args.seed)
    if args.serve:
        from optbench.explorer._serve import address, make_server

        ex = Explorer(args.surface, specs, live=True, **common)
        host = args.host or "127.0.0.1"
        server = make_server(ex, host, args.port)
        where = (
            "this machine only (--host to change)"
            if host in ("127.0.0.1", "localhost", "::1")
            else f"{host}: anyone who can reach this machine on it can use the page"
        )
        print(f"optbench explore: serving {address(server)} on {where}; Ctrl-C stops", flush=True)
        try:
            server.serve_forever()
        finally:
            server.server_close()
        return 0

    from optbench._io import check_path, output_dir, write_text
    from optbench.explorer._page import build

    if args.out is None:
        target = output_dir(Path("optbench-out") / surface.name) / "explore.html"
    else:
        if Path(args.out).suffix.lower() == ".html":
            output_dir(Path(args.out).parent)
        target = check_path(args.out, (".html",), "--out")
    ex = Explorer(args.surface, specs, starts=args.starts, **common)
    text = build(ex)
    write_text(target, text)
    print(f"{target}  ({len(text.encode('utf-8')) / 1e6:.2f} MB)")
    return 0
