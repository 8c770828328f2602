"""``optbench lr SURFACE[:key=value,...] [--at x,y]``: Hessian eigenvalues, eta_opt, eta_max, kappa.

LeCun et al. (1998), "Efficient BackProp", section 5: near a point, gradient descent with rate eta
is stable iff eta < 2/lambda_max; eta = 1/lambda_i is the best rate along eigen-direction i.
"""

from __future__ import annotations

import argparse
import math

METHODS = ("auto", "exact", "power", "lecun")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "surface",
        metavar="SURFACE",
        help="NAME[:key=value,...] (see `optbench list`) or path/to/file.py:function",
    )
    parser.add_argument(
        "--at",
        metavar="X,Y",
        help="the point, comma-separated (default: the surface's start); "
        "write --at=-1,2 when it starts with a minus sign",
    )
    parser.add_argument(
        "--method",
        choices=METHODS,
        default="auto",
        help="exact Hessian + eigh, power iteration on Hessian-vector products, or "
        "LeCun's finite-difference estimator (default: auto)",
    )


def parse_point(text: str) -> list[float]:
    """``"1,-2.5"`` -> [1.0, -2.5], or a one-sentence error naming ``--at``."""
    from optbench._errors import OptbenchError

    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        raise OptbenchError(
            f"`--at` (={text!r}) must be comma-separated numbers, e.g. --at=1,1."
        ) from None
    if not all(math.isfinite(v) for v in values):
        raise OptbenchError(f"`--at` (={text!r}) must be finite (no NaN or inf).")
    return values


def _g(v: float) -> str:
    return f"{v:.6g}"


def format_limits(surface, r) -> str:
    """The report of ``optbench lr``: a table per eigen-direction, then eta_opt, eta_max, kappa."""
    params = ", ".join(
        f"{k}={_g(v) if isinstance(v, float) else v}" for k, v in surface.params.items()
    )
    where = "(" + ", ".join(_g(float(c)) for c in r.at) + ")"
    lines = [
        f"{surface.name}{' (' + params + ')' if params else ''} at {where}, "
        + (
            "exact Hessian"
            if r.method == "exact"
            else f"{r.method} iteration (ends of the spectrum)"
        )
    ]
    rows = [("direction", "eigenvalue", "1/lambda")]
    rows += [
        (str(i + 1), _g(lam), _g(inv))
        for i, (lam, inv) in enumerate(zip(r.eigenvalues, r.eta_per_direction, strict=True))
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines += [
        "  " + "  ".join(c.rjust(w) for c, w in zip(row, widths, strict=False)) for row in rows
    ]
    kappa = (
        _g(r.kappa) if math.isfinite(r.kappa) else "inf (the Hessian is not positive definite here)"
    )
    eta = "inf (no positive curvature here)"
    lines += [
        "",
        f"  eta_opt = 1/lambda_max          = {_g(r.eta_opt) if math.isfinite(r.eta_opt) else eta}",
        f"  eta_max = 2/lambda_max          = {_g(r.eta_max) if math.isfinite(r.eta_max) else eta}",
        f"  kappa   = lambda_max/lambda_min = {kappa}",
    ]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from optbench._errors import OptbenchError
    from optbench.analysis import lr_limits
    from optbench.surfaces import get_spec

    surface = get_spec(args.surface)
    at = None if args.at is None else parse_point(args.at)
    if at is not None and len(at) != surface.dim:
        raise OptbenchError(
            f"`--at` (={args.at!r}) has {len(at)} coordinate(s) but surface {surface.name!r} "
            f"is {surface.dim}-D."
        )
    print(format_limits(surface, lr_limits(surface, at=at, method=args.method)))
    return 0
