"""The finished chunks of a sweep as its table: :func:`assemble` -> :class:`SweepResult`."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._names import callable_name
from ..steppers.schedules import is_schedule
from ._plan import SweepPlan
from ._table import KINDS, SweepResult, coco_targets, first_hits_time_major, thresholds


def assemble(p: SweepPlan, parts: list[dict[str, np.ndarray]]) -> SweepResult:
    """One row per run of the plan (invalid configurations included, as rows of kind
    ``invalid``), from the chunks in order."""
    total = len(p.config)
    full = len(p.run_idx) == total

    def column(key: str, fill: Any, dt: Any = None) -> np.ndarray:
        if len(parts) == 1 and full:
            return np.asarray(parts[0][key])
        head = np.asarray(parts[0][key]) if parts else np.zeros((0,), dt or np.float64)
        out = np.full((total,) + head.shape[1:], fill, dt or head.dtype)
        if parts:
            out[p.run_idx] = np.concatenate([np.asarray(part[key]) for part in parts])
        return out

    ldt = np.asarray(parts[0]["final"]).dtype if parts else np.dtype(p.dtype)
    div = column("diverged_at", -1, np.int64)
    code = column("code", 0, np.int32)
    wall = column("wall", 0.0, np.float64)
    first = column("first", np.nan, ldt).astype(np.float64)
    final = column("final", np.nan, ldt).astype(np.float64)
    losses = column("loss", np.nan) if p.keep and parts else None
    params = column("params", np.nan) if p.record and parts else None
    chunk_walls = [
        float(part["chunk_wall"]) if "chunk_wall" in part else float(np.sum(part["wall"]))
        for part in parts
    ]
    ran = p.ok[p.config]
    # each run's best recorded loss, NaN counting as +inf; NaN when every recorded loss is NaN,
    # which (runs freeze at the first bad step, keeping their last finite loss) means the first is
    best = np.full(total, np.inf)
    if parts:
        best[p.run_idx] = np.concatenate([np.asarray(part["best"]) for part in parts])
    best[np.isinf(best) & np.isnan(first)] = np.nan
    kind = np.array(KINDS)[np.asarray(code)]  # the runner's codes: optbench._divergence.KINDS
    kind[ran & (div < 0) & (best >= first)] = "stalled"
    kind[~ran] = "invalid"
    f_min = getattr(p.problem, "min_value", None)
    if f_min is None:
        lowest = np.min(best[ran], initial=np.inf)
        f_min = float(lowest) if np.isfinite(lowest) else 0.0
    targets = coco_targets(float(f_min))
    if parts and "hits" in parts[0]:  # searched in the compiled call
        hits = column("hits", -1, np.int64).astype(np.int64, copy=False)
    else:
        hits = np.full((total, len(targets)), -1, np.int64)
        if parts:
            limits = thresholds(targets, ldt)
            hits[p.run_idx] = np.concatenate(
                [first_hits_time_major(part["run_min"], limits) for part in parts]
            )
    best[~ran] = np.nan
    meta = {
        "problem": p.problem.describe(),
        "stepper": p.name,
        "label": p.label,
        "base": _fixed_values(p),
        "grid": {k: v.tolist() for k, v in p.grid.items()},
        "steps": p.steps,
        "dtype": p.dtype,
        "starts": [np.asarray(p.x0(s, 0)).tolist() for s in range(len(p.starts))]
        if isinstance(p.x0(0, 0), np.ndarray)
        else None,
        "invalid": list(p.invalid),
        # seconds inside the compiled call, per chunk (a resumed chunk: when it ran)
        "wall_time": {"total": float(sum(chunk_walls)), "chunks": chunk_walls},
    }
    if p.units:
        meta["units"] = p.units
    return SweepResult(
        hparams={k: p.cols[k][p.config] for k in p.grid},
        seed=p.seed.astype(np.int64),
        start=p.start.astype(np.int64),
        final_loss=final,
        best_loss=best,
        diverged_at=div,
        kind=kind,
        hits=hits,
        targets=targets,
        f_min=float(f_min),
        wall_time=wall,
        losses=losses,
        params=params,
        meta=meta,
    )


def _fixed_values(p: SweepPlan) -> dict[str, Any]:
    """The hyperparameters that did not vary, as the table's columns show them; a schedule whose
    peak the grid varies shows its shape, beside the peaks in the grid's column."""
    out = {
        k: v if isinstance(v, (int, float, str, bool)) else callable_name(v)
        for k, v in p.base.items()
        if k not in p.grid and (callable(v) or isinstance(v, (int, float, str, bool)))
    }
    out.update(
        {
            f"{k}_schedule": callable_name(v).replace(f"{v.lr:g}", k, 1)
            for k, v in p.base.items()
            if k in p.grid and is_schedule(v)
        }
    )
    return out
