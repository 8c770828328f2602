"""``optbench check TARGET --against REFERENCE``: two optimizers, step by step, on one surface.

TARGET and REFERENCE are optbench steppers (``adam:lr=0.01``), dotted import paths
(``optax.rprop:learning_rate=0.01``, ``torch.optim.Adam:lr=0.01``) or ``module:attribute[:k=v]``
for a user's module (see :func:`optbench.testing.resolve`). Prints the largest coordinate difference
at a few steps up to the first divergence and a verdict: agree (exit status 0), disagree (1),
diverged (1: a run diverged, which step and how; the steps after it are not compared), 2 on bad
input.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "target",
        metavar="TARGET",
        help="the optimizer under test: NAME[:k=v,...], dotted.path[:k=v,...] "
        "(optax.adam:learning_rate=0.01, torch.optim.Adam:lr=0.01) or module:factory[:k=v,...]",
    )
    parser.add_argument(
        "--against",
        metavar="REFERENCE",
        required=True,
        help="the reference, in the same syntax (e.g. adam:lr=0.01)",
    )
    parser.add_argument(
        "--problem",
        metavar="SURFACE",
        default="rosenbrock",
        help="surface NAME[:key=value,...] (default: rosenbrock)",
    )
    parser.add_argument(
        "--steps", type=int, default=200, metavar="N", help="number of steps (default: 200)"
    )
    parser.add_argument(
        "--atol",
        type=float,
        default=None,
        metavar="X",
        help="largest allowed |difference| (default: 1e-10 in float64, 1e-4 in float32)",
    )
    parser.add_argument(
        "--start",
        metavar="X,Y",
        help="start point (default: the surface's); "
        "write --start=-1,2 when it starts with a minus sign",
    )
    parser.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default="float64",
        help="arithmetic of both optimizers (default: float64)",
    )


def _row_steps(end: int) -> list[int]:
    """Steps 1-5, then 10, 20, 50, 100, ... below ``end``, then ``end``."""
    marks, k = [1, 2, 3, 4, 5], 10
    while k < end:
        marks += [k, 2 * k, 5 * k]
        k *= 10
    return sorted({s for s in marks if s < end} | {end})


def _point(values) -> str:
    return "(" + ", ".join(f"{float(v):.6g}" for v in values) + ")"


def format_report(result, problem: str, lag: int | None) -> str:
    """The table (step, max |difference|, max relative difference) and the verdict."""
    a, b = result.a[0], result.b[0]
    steps = result.abs_diff.shape[1] - 1
    if result.agree:
        end = steps
    elif result.first_divergence is not None:
        end = result.first_divergence
    else:  # a run diverged: the last step both computed
        end = max(result.compared_steps(0) - 1, 0)
    lines = [
        f"target     {a.label}",
        f"reference  {b.label}",
        (
            f"problem    {problem} from {_point(a.start)}, {steps} steps, {a.dtype}, "
            f"agree when |difference| <= {result.atol:g}"
        ),
        "",
        f"{'step':>6}  {'max |diff|':>10}  {'max rel':>9}",
    ]
    for t in _row_steps(end):
        lines.append(f"{t:>6}  {result.abs_diff[0, t]:>10.3g}  {result.rel_diff[0, t]:>9.3g}")
    lines.append("")
    if result.agree:
        lines.append(
            f"agree: every step within {result.atol:g} (largest difference "
            f"{result.abs_diff.max():.3g})."
        )
        return "\n".join(lines)
    lines.append(result.divergence())
    if result.verdict == "diverged":
        lines.append("diverged")
        return "\n".join(lines)
    if lag == 1:
        lines.append(
            "diagnosis: on a constant gradient the target's first update is zero and each "
            "later update is the reference's previous one: the target lags one step behind."
        )
    elif lag == -1:
        lines.append(
            "diagnosis: on a constant gradient the reference's first update is zero and each "
            "later update is the target's previous one: the reference lags one step behind."
        )
    lines.append("disagree")
    return "\n".join(lines)


def parse_start(text: str) -> list[float]:
    """``"1,-2.5"`` -> [1.0, -2.5], or a one-sentence error naming ``--start``."""
    from optbench._errors import OptbenchError

    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise OptbenchError(
            f"`--start` (={text!r}) must be comma-separated numbers, e.g. --start=-1,2."
        ) from None


def run(args: argparse.Namespace) -> int:
    from optbench.testing import _compare
    from optbench.testing._resolve import resolve

    problem = _compare._surface(args.problem)
    start = None if args.start is None else problem.check_point(parse_start(args.start), "--start")
    target, reference = resolve(args.target), resolve(args.against)
    result = _compare.compare(
        target, reference, problem, args.steps, starts=start, dtype=args.dtype, atol=args.atol
    )
    lag = None
    if not result.agree:
        lag = _compare.lag(
            resolve(args.target), resolve(args.against), atol=max(result.atol, 1e-12)
        )
    print(format_report(result, args.problem, lag))
    return 0 if result.agree else 1
