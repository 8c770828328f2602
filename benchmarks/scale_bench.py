"""Every stage of a large sweep, timed: Adam on Rosenbrock over an lr x b1 grid, 50 steps a run.

For each size N (runs), in one process set up as the ``optbench`` command sets up its own
(``optbench._config.configure_command_line``):
  plan        plan_sweep: the grid checked, the runs laid out, chunk sizes chosen;
  compile     the first sweep call less the second (same shapes: the second reuses the programs);
  compute     the second sweep call, end to end (the compiled calls, first hits, the table built);
  csv         SweepResult.to_csv to a file (the bytes `optbench sweep` writes);
  best        SweepResult.best (per-configuration means, the command's table of the best);
  warnings    SweepResult.warnings (seeds, grid edge, divergence share);
  sensitivity plots.sensitivity to a PNG;
  heatmap     plots.heatmap to a PNG.
Each stage is the median of ``--repeats`` runs (the sweep: of its warm calls; ``compile`` from the
first call). The issue's targets: every plot of 100,000 runs in <= 5 s, nothing quadratic (the
ratio of times between sizes about the ratio of sizes, or below).

Run: python benchmarks/scale_bench.py [--sizes 10000 100000 1000000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

import optbench
from optbench._config import configure_command_line
from optbench.sweeps import plots
from optbench.sweeps._plan import plan_sweep

STEPS = 50


def grid_of(n: int) -> dict[str, np.ndarray]:
    """An lr x b1 grid of n runs, lr the longer axis."""
    b1 = int(round(np.sqrt(n))) if n <= 10_000 else 100 if n <= 100_000 else 1000
    lrs = n // b1
    return {"lr": np.geomspace(1e-4, 1.0, lrs), "b1": np.linspace(0.5, 0.99, b1)}


def timed(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def stages(n: int, repeats: int, folder: Path) -> dict[str, float]:
    grid = grid_of(n)
    run = lambda: optbench.sweep("rosenbrock", "adam", grid, STEPS, progress=False)  # noqa: E731
    out: dict[str, float] = {}
    out["plan"], _ = timed(lambda: plan_sweep("rosenbrock", "adam", grid, STEPS), repeats)
    first, _ = timed(run, 1)
    out["compute"], res = timed(run, repeats)
    out["compile"] = max(first - out["compute"], 0.0)
    out["csv"], _ = timed(lambda: res.to_csv(folder / "results.csv", wall_time=False), repeats)
    out["best"], _ = timed(res.best, repeats)
    out["warnings"], _ = timed(res.warnings, repeats)
    out["sensitivity"], _ = timed(
        lambda: plots.sensitivity({"adam": res}, folder / "sensitivity.png", "lr"), repeats
    )
    out["heatmap"], _ = timed(lambda: plots.heatmap(res, "lr", "b1", folder / "heat.png"), repeats)
    assert len(res) == len(grid["lr"]) * len(grid["b1"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    configure_command_line()
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            rows[n] = stages(n, args.repeats, Path(tmp))
            print(f"N = {n:,}: " + ", ".join(f"{k} {v:.3f} s" for k, v in rows[n].items()))
    names = list(next(iter(rows.values())))
    print("\n| stage (median s) | " + " | ".join(f"N = {n:,}" for n in rows) + " |")
    print("|---|" + "---:|" * len(rows))
    for k in names:
        print(f"| {k} | " + " | ".join(f"{rows[n][k]:.3f}" for n in rows) + " |")
    plots_ = {n: rows[n]["sensitivity"] + rows[n]["heatmap"] for n in rows}
    print("| all plots | " + " | ".join(f"{plots_[n]:.3f}" for n in rows) + " |")
    sizes = list(rows)
    for a, b in zip(sizes, sizes[1:]):
        after = {k: rows[b][k] / max(rows[a][k], 1e-9) for k in ("compute", "csv", "best")}
        print(
            f"{b // a}x the runs ({a:,} -> {b:,}): "
            + ", ".join(f"{k} {v:.1f}x" for k, v in after.items())
            + f", plots {plots_[b] / plots_[a]:.1f}x"
        )


if __name__ == "__main__":
    main()
