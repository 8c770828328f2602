"""The race's data files: ``trajectories.csv`` and ``run.json``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from optbench._io import check_path, write_text
from optbench.render._style import check_trajectories


def trajectories_csv(trajectories: Sequence[Any], path: str | Path) -> Path:
    """One row per (step, run): the step, the run's label, its stepper's registry name and every
    hyperparameter (as JSON), the coordinates x0..x{d-1} and the loss (repr floats), then the
    run's ``diverged_at`` and ``diverged_kind`` (the same on each of its rows; empty when it did
    not diverge)."""
    trajectories = check_trajectories(trajectories, "write")
    check_path(path)
    d = np.asarray(trajectories[0].params).shape[1]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    coords = [f"x{i}" for i in range(d)]
    w.writerow(["step", "stepper", "name", "hparams", *coords, "loss", *_DIVERGED])
    for t in trajectories:
        p = np.asarray(t.params, dtype=float)
        hp = json.dumps({k: _plain(v) for k, v in t.hparams.items()}, sort_keys=True)
        div = getattr(t, "diverged_at", None)
        tail = ["" if div is None else int(div), getattr(t, "diverged_kind", None) or ""]
        for k in range(len(t.loss)):
            row = [k, t.label, t.stepper, hp, *(repr(float(v)) for v in p[k])]
            w.writerow([*row, repr(float(t.loss[k])), *tail])
    return write_text(path, buf.getvalue())


_DIVERGED = ("diverged_at", "diverged_kind")  # per run, after the per-step columns


def read_trajectories_csv(path: str | Path) -> dict[str, dict[str, Any]]:
    """``{label: {"params": (steps+1, d), "loss": (steps+1,), "name": str, "hparams": dict,
    "diverged_at": int | None, "diverged_kind": str | None}}`` read back from
    ``trajectories.csv`` (a file written before the divergence columns existed reads as None)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    coords = [i for i, h in enumerate(header) if h[:1] == "x" and h[1:].isdigit()]
    col = {h: i for i, h in enumerate(header)}
    out: dict[str, dict[str, Any]] = {}
    for r in body:
        div, kind = (r[col[h]] if h in col else "" for h in _DIVERGED)
        rec = out.setdefault(
            r[col["stepper"]],
            {
                "params": [],
                "loss": [],
                "name": r[col["name"]],
                "hparams": r[col["hparams"]],
                "diverged_at": int(div) if div else None,
                "diverged_kind": kind or None,
            },
        )
        rec["params"].append([float(r[i]) for i in coords])
        rec["loss"].append(float(r[col["loss"]]))
    return {
        k: {
            "params": np.array(v["params"]),
            "loss": np.array(v["loss"]),
            "name": v["name"],
            "hparams": json.loads(v["hparams"]),
            "diverged_at": v["diverged_at"],
            "diverged_kind": v["diverged_kind"],
        }
        for k, v in out.items()
    }


def _plain(value: Any) -> Any:
    """A hyperparameter as JSON: numbers as they are, a schedule or function by its text."""
    if isinstance(value, (np.generic, np.ndarray)):
        return np.asarray(value).tolist()
    if callable(value):
        from optbench._names import callable_name

        return callable_name(value)
    return value


def run_record(
    trajectories: Sequence[Any],
    surface_spec: str,
    surface: Any,
    *,
    command: str,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything needed to reproduce a race: surface, steppers, steps, start, seed, versions."""
    import importlib.metadata as md

    def version(name: str) -> str | None:
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return None

    t0 = trajectories[0]
    record = {
        "command": command,
        "surface": {"spec": surface_spec, **surface.describe()},
        "steppers": [
            {
                "name": t.stepper,
                "label": t.label,
                "hparams": {k: _plain(v) for k, v in t.hparams.items()},
                # rates given in units of eta_max / eta_opt, and the point they were read at
                **({"units": t.extras["units"]} if "units" in t.extras else {}),
                "diverged_at": t.diverged_at,
                "diverged_kind": getattr(t, "diverged_kind", None),
                "final_loss": float(t.final_loss),
            }
            for t in trajectories
        ],
        "steps": t0.steps,
        "start": np.asarray(t0.start).tolist(),
        "seed": t0.key,
        "dtype": t0.dtype,
        "versions": {
            name: version(name)
            for name in ("optbench", "jax", "jaxlib", "numpy", "matplotlib", "pillow")
        },
    }
    record.update(extra or {})
    return record


def write_json(path: str | Path, record: dict[str, Any]) -> Path:
    check_path(path)
    return write_text(path, json.dumps(record, indent=2, sort_keys=True, default=_plain) + "\n")
