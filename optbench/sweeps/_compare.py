"""``compare``: tune each stepper on the same budget, then report the best with bootstrap intervals.

Per (problem, stepper): the configuration with the smallest mean final loss over seeds (a failed
run counts as +inf), that configuration's mean final loss and mean time-to-target with seeded
percentile-bootstrap 95% intervals over seeds (Efron & Tibshirani 1993, ch. 13), and the fraction
of grid runs that diverged. A run that never reaches the target counts as ``steps + 1`` steps in the
time-to-target mean, so failures are never dropped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .._errors import OptbenchError
from ._sweep import sweep
from ._table import SweepResult


def bootstrap_ci(
    values: np.ndarray, seed: int = 0, resamples: int = 2000
) -> tuple[float, float, float]:
    """(mean, low, high): the mean and its percentile-bootstrap 95% interval, seeded."""
    values = np.asarray(values, dtype=float)
    if values.size == 0:
        return (np.nan, np.nan, np.nan)
    if not np.all(np.isfinite(values)):
        return (float(np.mean(values)), np.nan, np.nan)
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, values.size, (resamples, values.size))].mean(axis=1)
    return float(values.mean()), float(np.percentile(means, 2.5)), float(np.percentile(means, 97.5))


@dataclasses.dataclass(eq=False)
class Comparison:
    """The sweeps of a comparison and one summary row per (problem, stepper)."""

    sweeps: dict[tuple[str, str], SweepResult]
    rows: list[dict[str, Any]]
    target: float

    def table(self) -> str:
        """The summary as a Markdown table."""
        head = (
            "| problem | stepper | best configuration | final loss (95% CI) | "
            f"steps to f_min+{self.target:g} (95% CI) | solved | diverged |"
        )
        lines = [head, "|" + "---|" * 7]
        for r in self.rows:
            cfg = ", ".join(f"{k}={v:.3g}" for k, v in r["best"].items())
            lines.append(
                f"| {r['problem']} | {r['stepper']} | {cfg} | {_ci(r['final_loss'])} | "
                f"{_ci(r['time_to_target'], '.0f')} | {r['solved']:.0%} | "
                f"{r['diverged_fraction']:.0%} |"
            )
        return "\n".join(lines)

    def warnings(self) -> list[str]:
        """Each sweep's :meth:`SweepResult.warnings`, prefixed with its problem and stepper."""
        return [f"{p} / {s}: {w}" for (p, s), res in self.sweeps.items() for w in res.warnings()]


def check_target(target: Any) -> float:
    """A time-to-target precision: a number within the COCO targets a sweep records."""
    lo, hi = 1e-8, 1e2  # coco_targets' range: f_min + 10^k for k = 2 ... -8
    ok = isinstance(target, (int, float, np.integer, np.floating)) and not isinstance(target, bool)
    if not ok or not (lo <= target <= hi):
        raise OptbenchError(
            f"`target` (={target!r}) must be a number from {lo:g} to {hi:g}: a run reaches it "
            "when its loss is within target of the problem's minimum, and a sweep records the "
            "first step for each precision f_min + 10^k, k = 2 ... -8."
        )
    return float(target)


def _ci(v: tuple[float, float, float], fmt: str = ".3g") -> str:
    mean, lo, hi = v
    if not np.isfinite(lo):
        return f"{mean:{fmt}}"
    return f"{mean:{fmt}} [{lo:{fmt}}, {hi:{fmt}}]"


def compare(
    problems: Any,
    steppers: Mapping[str, tuple[Any, Mapping[str, Any]]],
    steps: int,
    seeds: int = 5,
    *,
    target: float = 1e-4,
    bootstrap_seed: int = 0,
    **sweep_kwargs: Any,
) -> Comparison:
    """Sweep every stepper on every problem with the same steps and seeds; summarize the best.

    Args:
      problems: a problem or spec, or a list of them.
      steppers: display name -> (stepper name/spec/stepper, grid), or a list of (stepper, grid)
        pairs, each named by its sweep's label (``adam (b2=0.99)``; a repeat gets `` [2]``).
      steps, seeds: the shared budget.
      target: time-to-target is the first step with loss <= f_min + target (a COCO target).
    """
    target = check_target(target)
    if isinstance(problems, (str, bytes)) or not isinstance(problems, Sequence):
        problems = [problems]
    if not problems:
        raise OptbenchError("`problems` must name at least one problem.")
    if isinstance(steppers, Sequence) and not isinstance(steppers, (str, bytes)) and steppers:
        steppers = dict(enumerate(steppers))  # (stepper, grid) pairs, named by their sweeps
        named = False
    elif isinstance(steppers, Mapping) and steppers:
        named = True
    else:
        raise OptbenchError(
            "`steppers` must be a non-empty mapping like {'Adam': ('adam', {'lr': [...]})} "
            "or a list of (stepper, grid) pairs."
        )
    sweeps, rows = {}, []
    for problem in problems:
        label = problem if isinstance(problem, str) else getattr(problem, "name", repr(problem))
        names: dict[str, int] = {}
        for key, spec in steppers.items():
            where = f"`steppers[{key!r}]`"
            if not (isinstance(spec, tuple) and len(spec) == 2):
                raise OptbenchError(f"{where} (={spec!r}) must be a (stepper, grid) pair.")
            if named and (not isinstance(key, str) or not key.strip()):
                raise OptbenchError(f"{where}: the name {key!r} must be a non-empty string.")
            res = sweep(
                problem,
                spec[0],
                spec[1],
                steps,
                seeds,
                label=key if named else None,
                **sweep_kwargs,
            )
            name = res.meta["label"]
            n = names[name] = names.get(name, 0) + 1  # two sweeps never share a name
            if n > 1:
                name = res.meta["label"] = f"{name} [{n}]"
            sweeps[(label, name)] = res
            rows.append(_summary(res, label, name, target, steps, bootstrap_seed))
    return Comparison(sweeps, rows, target)


def _summary(
    res: SweepResult, problem: str, name: str, target: float, steps: int, seed: int
) -> dict:
    best = res.best()
    rows = best["rows"]
    j = int(np.argmin(np.abs(np.log10(res.targets - res.f_min) - np.log10(target))))
    hits = res.hits[rows, j]
    failed = res.failed[rows]
    ttt = np.where((hits < 0) | failed, steps + 1, hits)
    final = np.where(failed, np.inf, res.final_loss[rows])
    ran = res.kind != "invalid"
    return {
        "problem": problem,
        "stepper": name,
        "best": best["hparams"],
        "final_loss": bootstrap_ci(final, seed),
        "time_to_target": bootstrap_ci(ttt, seed),
        "solved": float(np.mean((hits >= 0) & ~failed)),
        "diverged_fraction": float(np.mean(res.failed[ran])) if ran.any() else 1.0,
    }
