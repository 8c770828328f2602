"""The pytest plugin: golden trajectories stored beside your tests (fixture ``optbench_golden``).

Registered through the ``pytest11`` entry point, so installing optbench makes it available::

    def test_my_adam(optbench_golden):
        t = optbench.testing.drive(my_adam, "rosenbrock", steps=100)
        optbench_golden.check(t)

The first run writes ``golden/<test file>/<test name>.json`` next to the test file: the iterates
and losses as JSON lists (Python's shortest round-trip repr, so float64 values are stored exactly)
and the metadata (stepper, hyperparameters, problem, start, steps, dtype, package versions).
Later runs compare against it with dtype-aware tolerances (float64: ``|new - stored| <= 1e-12 +
1e-10 |stored|``; float32: ``1e-6 + 1e-4 |stored|``) and fail naming the first differing step.
``--optbench-update-golden`` rewrites the files; ``--optbench-golden-readonly`` fails instead of
writing a missing file (for CI). This module imports neither JAX nor NumPy at import time: it
loads in every pytest run.
"""

from __future__ import annotations

import json
import re
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

TOLERANCES = {"float64": (1e-12, 1e-10), "float32": (1e-6, 1e-4)}  # (atol, rtol)
FORMAT = "optbench-golden/1"
_META = ("stepper", "label", "hparams", "problem", "start", "steps", "key", "dtype")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("optbench")
    group.addoption(
        "--optbench-update-golden",
        action="store_true",
        default=False,
        help="rewrite optbench golden trajectory files instead of comparing against them",
    )
    group.addoption(
        "--optbench-golden-readonly",
        action="store_true",
        default=False,
        help="fail when an optbench golden file is missing instead of writing it",
    )


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for dist in ("optbench", "jax", "jaxlib", "numpy", "optax", "torch"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def _dumps(record: dict) -> str:
    """JSON with the metadata indented and one line per step of the iterates and losses."""
    head = {k: v for k, v in record.items() if k not in ("params", "loss")}
    text = json.dumps(head, indent=1)[:-2]
    rows = ",\n  ".join(json.dumps(r) for r in record["params"])
    return f'{text},\n "params": [\n  {rows}\n ],\n "loss": {json.dumps(record["loss"])}\n}}\n'


class Golden:
    """Compares trajectories with golden files; made by the ``optbench_golden`` fixture."""

    def __init__(self, folder: Path, test_name: str, update: bool, readonly: bool, written: list):
        self.folder, self.test_name = folder, test_name
        self.update, self.readonly, self._written = update, readonly, written
        self._used: set[str] = set()

    def path(self, name: str | None = None) -> Path:
        base = re.sub(r"[^A-Za-z0-9_.-]+", "_", name or self.test_name).strip("_")
        return self.folder / f"{base}.json"

    def check(
        self,
        trajectory: Any,
        name: str | None = None,
        atol: float | None = None,
        rtol: float | None = None,
    ) -> Path:
        """Store ``trajectory`` (an ``optbench.Trajectory``) the first time, else compare with it.

        Args:
          trajectory: from :func:`optbench.run` or :func:`optbench.testing.drive`.
          name: the file's name when a test checks more than one trajectory (default: the test's).
          atol, rtol: override the dtype's tolerance.

        Returns:
          The golden file's path.
        """
        import numpy as np

        path = self.path(name)
        if path.name in self._used:
            raise ValueError(
                f"golden file {path.name!r} is checked twice in one test; pass name=..."
            )
        self._used.add(path.name)
        record = {"format": FORMAT}
        record.update({k: _jsonable(getattr(trajectory, k)) for k in _META})
        record["versions"] = _versions()
        record["params"] = _jsonable(np.asarray(trajectory.params, dtype=float))
        record["loss"] = _jsonable(np.asarray(trajectory.loss, dtype=float))
        record["diverged_at"] = trajectory.diverged_at
        if self.update or not path.exists():
            if self.readonly and not self.update:
                pytest.fail(
                    f"golden file {path} is missing; run pytest once without "
                    "--optbench-golden-readonly to write it.",
                    pytrace=False,
                )
            from optbench._io import write_text

            path.parent.mkdir(parents=True, exist_ok=True)
            write_text(path, _dumps(record))
            self._written.append(path)
            return path
        stored = json.loads(path.read_text(encoding="utf-8"))
        for k in _META:
            if k != "label" and stored.get(k) != record[k]:
                pytest.fail(
                    f"golden file {path}: {k} was {stored.get(k)!r}, now {record[k]!r}; run "
                    "pytest --optbench-update-golden if the change is intended.",
                    pytrace=False,
                )
        d_atol, d_rtol = TOLERANCES.get(record["dtype"], TOLERANCES["float32"])
        atol, rtol = d_atol if atol is None else atol, d_rtol if rtol is None else rtol
        for field in ("params", "loss"):
            old, new = (
                np.asarray(stored[field], dtype=float),
                np.asarray(record[field], dtype=float),
            )
            if old.shape != new.shape:
                pytest.fail(
                    f"golden file {path}: {field} has shape {old.shape}, now {new.shape}.",
                    pytrace=False,
                )
            bad = ~np.isclose(new, old, rtol=rtol, atol=atol, equal_nan=True)
            if bad.any():
                idx = tuple(int(i) for i in np.argwhere(bad)[0])
                pytest.fail(
                    f"golden file {path}: {field} first differs at step {idx[0]}"
                    + (f", coordinate {idx[1]}" if len(idx) > 1 else "")
                    + f": stored {float(old[idx])!r}, now {float(new[idx])!r}, difference "
                    f"{abs(float(new[idx]) - float(old[idx])):.3g} > {atol:g} + {rtol:g}*|stored| "
                    f"({record['dtype']}); run pytest --optbench-update-golden if the change is "
                    "intended.",
                    pytrace=False,
                )
        return path

    __call__ = check


@pytest.fixture
def optbench_golden(request: pytest.FixtureRequest) -> Golden:
    """Store a trajectory as a golden file the first time, compare against it afterwards."""
    test_path = Path(str(request.node.path))
    folder = test_path.parent / "golden" / test_path.stem
    written = request.config.stash.setdefault(_WRITTEN, [])
    return Golden(
        folder,
        request.node.name,
        request.config.getoption("optbench_update_golden"),
        request.config.getoption("optbench_golden_readonly"),
        written,
    )


_WRITTEN = pytest.StashKey[list]()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    written = config.stash.get(_WRITTEN, [])
    if written:
        terminalreporter.write_line(
            f"optbench: wrote {len(written)} golden file(s): "
            + ", ".join(str(p.name) for p in written)
        )
