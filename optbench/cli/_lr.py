"""``optbench lr PROBLEM [--at x,y]``: Hessian eigenvalues, eta_opt, eta_max, kappa.

PROBLEM is a surface (``rosenbrock:b=10``) or a data set trained by ``--model`` (``moons --model
mlp:16:tanh``), whose point is its initial weights (``--seed``).

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
        metavar="PROBLEM",
        help="a surface NAME[:key=value,...] (see `optbench list`), path/to/file.py:function, "
        "or a data set name trained with --model",
    )
    parser.add_argument(
        "--model",
        default="mlp:16,16:tanh",
        help="model for a data set problem (default %(default)s)",
    )
    parser.add_argument(
        "--batch", type=int, default=None, help="minibatch size for a data set (default: full)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of a network's initial weights (default 0)"
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


_SHOWN = 5  # with more directions than 2 * _SHOWN, the largest and the smallest few are listed


def format_limits(problem, r) -> str:
    """The report of ``optbench lr``: a table per eigen-direction, then eta_opt, eta_max, kappa."""
    if hasattr(problem, "params"):  # a surface
        params = ", ".join(
            f"{k}={_g(v) if isinstance(v, float) else v}" for k, v in problem.params.items()
        )
        name = f"{problem.name}{' (' + params + ')' if params else ''}"
        where = "(" + ", ".join(_g(float(c)) for c in r.at) + ")"
    else:
        info = problem.describe()
        name = info["name"]
        where = f"the initial weights (seed {info.get('init_seed', info.get('seed', 0))})"
    lines = [
        f"{name} at {where}, "
        + (
            "exact Hessian"
            if r.method == "exact"
            else f"{r.method} iteration (ends of the spectrum)"
        )
    ]
    rows = [("direction", "eigenvalue", "1/lambda")]
    pairs = list(enumerate(zip(r.eigenvalues, r.eta_per_direction, strict=True)))
    if len(pairs) > 2 * _SHOWN:
        pairs = pairs[:_SHOWN] + [None] + pairs[-_SHOWN:]
    rows += [
        ("...", f"({len(r.eigenvalues) - 2 * _SHOWN} more)", "")
        if p is None
        else (str(p[0] + 1), _g(p[1][0]), _g(p[1][1]))
        for p in pairs
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
    from optbench import networks, surfaces
    from optbench._errors import OptbenchError, closest, unknown
    from optbench.analysis import lr_limits
    from optbench.surfaces import get_spec

    name = args.surface.partition(":")[0].strip()
    if name in networks.names():
        problem = networks.problem(args.model, args.surface, batch_size=args.batch)
    elif (
        ".py:" not in args.surface
        and closest(name, surfaces.names() + networks.names()) in networks.names()
    ):
        raise unknown("data set", name, networks.names())  # a misspelt data set, e.g. 'mons'
    else:  # a catalog surface or path/to/file.py:function; a misspelt one suggests the surface
        problem = get_spec(args.surface)
    at = None if args.at is None else parse_point(args.at)
    if not hasattr(problem, "dim"):  # a network: its point is its initial weights
        if at is not None:
            raise OptbenchError(
                f"`--at` (={args.at!r}) names a point on a surface; a network is measured at its "
                "initial weights, chosen by --seed."
            )
        at = problem.initial(None, args.seed)
    elif at is not None and len(at) != problem.dim:
        raise OptbenchError(
            f"`--at` (={args.at!r}) has {len(at)} coordinate(s) but surface {problem.name!r} "
            f"is {problem.dim}-D."
        )
    print(format_limits(problem, lr_limits(problem, at=at, method=args.method, key=args.seed)))
    return 0
