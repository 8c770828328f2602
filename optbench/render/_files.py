"""The race's data files: ``trajectories.csv`` and ``run.json``."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from optbench._io import write_text


def trajectories_csv(trajectories: Sequence[Any], path: str | Path) -> Path:
    """One row per (step, stepper): step, stepper label, coordinates x0..x{d-1}, loss (repr
    floats)."""
    d = np.asarray(trajectories[0].params).shape[1]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["step", "stepper", *[f"x{i}" for i in range(d)], "loss"])
    for t in trajectories:
        p = np.asarray(t.params, dtype=float)
        for k in range(len(t.loss)):
            w.writerow([k, t.label, *(repr(float(v)) for v in p[k]), repr(float(t.loss[k]))])
    return write_text(path, buf.getvalue())


def read_trajectories_csv(path: str | Path) -> dict[str, dict[str, np.ndarray]]:
    """``{label: {"params": (steps+1, d), "loss": (steps+1,)}}`` read back from
    ``trajectories.csv``."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    d = len(header) - 3
    out: dict[str, dict[str, list]] = {}
    for r in body:
        rec = out.setdefault(r[1], {"params": [], "loss": []})
        rec["params"].append([float(v) for v in r[2 : 2 + d]])
        rec["loss"].append(float(r[-1]))
    return {
        k: {"params": np.array(v["params"]), "loss": np.array(v["loss"])} for k, v in out.items()
    }


def _plain(value: Any) -> Any:
    if isinstance(value, (np.generic, np.ndarray)):
        return np.asarray(value).tolist()
    if callable(value):
        return str(value)
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
                "diverged_at": t.diverged_at,
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
    return write_text(path, json.dumps(record, indent=2, sort_keys=True, default=_plain) + "\n")
