"""``optbench race``: race steppers on a surface; write the animation, the plot and the data."""

from __future__ import annotations

import argparse
import math

# The lecture set, with learning rates that behave on each catalog surface from its default start
# (chosen by running them: every path moves visibly in 300 steps and none diverges). Surfaces not
# listed get rates derived from the Hessian at the start and the size of the plot.
SHOWS = ("state",)  # what --show adds to a race's pictures
LECTURE_SET = ("sgd", "momentum", "nesterov", "rmsprop", "rprop", "adam")
LECTURE_LR: dict[str, dict[str, float]] = {
    "rosenbrock": {
        "sgd": 1e-3,
        "momentum": 1e-3,
        "nesterov": 1e-3,
        "rmsprop": 1e-2,
        "rprop": 1e-2,
        "adam": 5e-2,
    },
    "quadratic": {
        "sgd": 0.1,
        "momentum": 0.02,
        "nesterov": 0.02,
        "rmsprop": 0.02,
        "rprop": 0.05,
        "adam": 0.05,
    },
    "beale": {
        "sgd": 1e-2,
        "momentum": 3e-3,
        "nesterov": 3e-3,
        "rmsprop": 1e-2,
        "rprop": 1e-2,
        "adam": 5e-2,
    },
    "himmelblau": {
        "sgd": 5e-3,
        "momentum": 1e-3,
        "nesterov": 1e-3,
        "rmsprop": 5e-2,
        "rprop": 5e-2,
        "adam": 0.1,
    },
    "saddle": {
        "sgd": 2e-2,
        "momentum": 5e-3,
        "nesterov": 5e-3,
        "rmsprop": 5e-3,
        "rprop": 1e-2,
        "adam": 1e-2,
    },
}


TAKES_CONFIG = True  # --config FILE.toml (optbench.cli._toml)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "surface",
        metavar="SURFACE[:key=value,...]",
        help="a catalog surface (see `optbench list`) or path/to/file.py:function",
    )
    p.add_argument(
        "steppers",
        nargs="*",
        metavar="STEPPER[:key=value,...]",
        help="steppers to race (default: the lecture set sgd, momentum, nesterov, "
        "rmsprop, rprop, adam with rates suited to the surface)",
    )
    p.add_argument("--steps", type=int, default=300, help="steps per stepper (default 300)")
    p.add_argument(
        "--start",
        metavar="X,Y",
        help="start point (default: the surface's); "
        "write --start=-1,2 for a negative first coordinate",
    )
    p.add_argument(
        "-o", "--out", metavar="DIR", help="output folder (default ./optbench-out/SURFACE/)"
    )
    p.add_argument("--format", default="gif", help="gif, mp4 or png (default gif)")
    p.add_argument(
        "--dpi", type=float, help="a PNG still's print resolution (--format png), e.g. 300"
    )
    p.add_argument("--fps", type=float, default=25.0, help="frames per second (default 25)")
    p.add_argument("--duration", type=float, default=8.0, help="length in seconds (default 8)")
    p.add_argument(
        "--size",
        default="600",
        metavar="WxH",
        help="the picture's pixels, exactly, panels included: N (square) or WxH, e.g. 1280x720 "
        "(default 600)",
    )
    p.add_argument(
        "--theme", default="light", help="light, dark, print or projector (default light)"
    )
    p.add_argument("--lang", default="en", help="en or ru (labels)")
    p.add_argument("--title", help="title over the animation")
    p.add_argument("--panels", action="store_true", help="one panel per stepper")
    p.add_argument(
        "--view",
        default="2d",
        help="2d (the contour), 3d (the shaded surface) or both side by side (default 2d)",
    )
    p.add_argument(
        "--rotate",
        type=float,
        default=0.0,
        metavar="DEGREES",
        help="turn the 3-D camera this far over the animation (default 0)",
    )
    p.add_argument(
        "--log-height",
        action="store_true",
        help="3-D height: log10 of the value above the minimum",
    )
    p.add_argument("--formula", action="store_true", help="show each update rule in the legend")
    p.add_argument(
        "--show",
        action="append",
        default=[],
        metavar="WHAT",
        help="state: also draw each stepper's own state against the step, under the animation "
        "and in state.png",
    )
    p.add_argument("--seed", type=int, default=0, help="seed for gradient noise (default 0)")


def lecture_steppers(surface) -> list[str]:
    """The lecture set as specs, with learning rates for ``surface``."""
    import numpy as np

    table = LECTURE_LR.get(surface.name)
    if table is None:
        from optbench.analysis import lr_limits

        extent = float(np.max(surface.bounds[:, 1] - surface.bounds[:, 0]))
        try:
            eta = float(lr_limits(surface).eta_max)
        except Exception:  # noqa: BLE001 - a surface whose Hessian we cannot use: fall back to size
            eta = float("nan")
        gd = 0.5 * eta if np.isfinite(eta) and eta > 0 else 1e-3 * extent
        table = {
            "sgd": gd,
            "momentum": 0.2 * gd,
            "nesterov": 0.2 * gd,
            "rmsprop": 2e-3 * extent,
            "rprop": 2e-3 * extent,
            "adam": 5e-3 * extent,
        }
    return [f"{name}:lr={table[name]:.3g}" for name in LECTURE_SET]


def _start(text: str | None):
    from optbench._errors import OptbenchError

    if text is None:
        return None
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise OptbenchError(
            f"`--start` (={text!r}) must be numbers separated by commas, e.g. -1.5,2."
        ) from None


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from optbench._errors import OptbenchError
    from optbench.render._style import FORMATS, check_positive, check_size, style

    # Validate every option before computing or writing anything.
    if args.format not in FORMATS:
        from optbench._errors import unknown

        raise unknown("format", args.format, FORMATS)
    style(args.theme, args.lang)
    for what in args.show:
        if what not in SHOWS:
            from optbench._errors import unknown

            raise unknown("--show", what, SHOWS)
    state = "state" in args.show
    from optbench.render._animate import VIEWS

    if args.view not in VIEWS:
        from optbench._errors import unknown

        raise unknown("--view", args.view, VIEWS)
    if args.view != "2d" and args.panels:
        raise OptbenchError(f"--panels draws the contour view; --view (={args.view!r}) must be 2d.")
    if not math.isfinite(args.rotate):
        raise OptbenchError(f"--rotate (={args.rotate!r}) must be a finite number of degrees.")
    if args.format == "mp4":
        try:
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise OptbenchError(
                '--format mp4 needs imageio-ffmpeg; install it with: pip install "optbench[video]".'
            ) from None
    for name in ("fps", "duration"):
        check_positive(name, getattr(args, name))
    if args.dpi is not None:
        check_positive("dpi", args.dpi)
        if args.format != "png":
            raise OptbenchError(f"--dpi (={args.dpi:g}) stamps a PNG still: give --format png.")
    size = check_size(args.size, "--size")
    from optbench._run import check_seed, check_steps

    check_steps(args.steps, "--steps")
    check_seed(args.seed, "--seed")
    start = _start(args.start)

    import optbench
    from optbench import render
    from optbench._io import check_outputs, output_dir
    from optbench._run import resolve_stepper
    from optbench.render._files import write_json

    surface = optbench.surfaces.get_spec(args.surface)
    if surface.dim != 2:
        raise OptbenchError(
            f"surface {surface.name!r} is {surface.dim}-D; a race is drawn on 2-D surfaces."
        )
    if start is not None:
        surface.check_point(start, "--start")
    specs = args.steppers or lecture_steppers(surface)
    at = surface.initial(start, args.seed)  # where rates in units of eta_max are read off
    for s in specs:  # every spec checked before anything is written; (label, spec) from a TOML
        resolve_stepper(s[1] if isinstance(s, tuple) else s, surface, at)
    out = output_dir(args.out or Path("optbench-out") / surface.name)
    names = [f"race.{args.format}", "convergence.png", "trajectories.csv", "run.json"]
    check_outputs(out, names + (["state.png"] if state else []))

    runs = optbench.race(surface, specs, args.steps, start=start, key=args.seed, record_state=state)
    # the state first: a race with no state to draw says so before anything is written
    shown = (
        [render.state_plot(runs, out / "state.png", theme=args.theme, lang=args.lang)]
        if state
        else []
    )
    eta_max = None
    if any(t.stepper == "sgd" for t in runs):
        from optbench.analysis import lr_limits

        try:
            eta_max = float(lr_limits(surface, at=runs[0].start).eta_max)
        except Exception:  # noqa: BLE001 - the note is optional; a surface may have no usable Hessian
            eta_max = None
    written = [
        render.animate(
            runs,
            surface,
            out / f"race.{args.format}",
            fps=args.fps,
            duration=args.duration,
            size=size,
            theme=args.theme,
            lang=args.lang,
            title=args.title,
            panels=args.panels,
            show_formula=args.formula,
            view=args.view,
            rotate=args.rotate,
            log_height=args.log_height,
            show_state=state,
            dpi=args.dpi,
        ),
        render.convergence(
            runs,
            out / "convergence.png",
            surface=surface,
            eta_max=eta_max,
            theme=args.theme,
            lang=args.lang,
            title=args.title,
        ),
        render.trajectories_csv(runs, out / "trajectories.csv"),
        *shown,
    ]
    record = render.run_record(
        runs,
        args.surface,
        surface,
        command="race",
        extra={
            "specs": [s[1] if isinstance(s, tuple) else s for s in specs],
            "format": args.format,
            "fps": args.fps,
            "duration": args.duration,
            "size": f"{size[0]}x{size[1]}",
            "theme": args.theme,
            "lang": args.lang,
            "panels": args.panels,
            "show": args.show,
            "dpi": args.dpi,
            "view": args.view,
            "rotate": args.rotate,
            "log_height": args.log_height,
        },
    )
    written.append(write_json(out / "run.json", record))
    for t in runs:
        print(f"  {t.label:<40s} {t.outcome}")
    for path in written:
        print(path)
    return 0
