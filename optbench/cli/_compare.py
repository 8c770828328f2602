"""``optbench compare CONFIG.toml -o DIR``: tune several steppers on one budget, write report.md.

The TOML file names ``problems``, ``steps``, ``seeds``, an optional ``target`` and one table per
stepper under ``[steppers.LABEL]`` with ``stepper = "NAME[:k=v]"`` and a ``grid`` whose values are
lists of numbers or range strings such as ``"1e-4:1:13:log"``. The report holds the summary table,
lr-sensitivity plots per problem, the run-length ECDF and the Dolan-Moré performance profile.
"""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", help="a TOML file (see examples/compare_*.toml)")
    parser.add_argument("-o", "--out", default="compare-out", help="output folder")


def read_config(path: str) -> dict:
    """The TOML comparison, checked: problems, steppers (label -> (stepper, grid)), steps, seeds."""

    from optbench._errors import OptbenchError
    from optbench.cli import _toml
    from optbench.sweeps._compare import check_target

    cfg = _toml.load(path, "CONFIG")
    _toml.check_keys(cfg, ("problems", "steppers", "steps", "seeds", "target"), path)
    if "problems" not in cfg:
        raise OptbenchError(f'`problems` is missing from {path}; e.g. problems = ["rosenbrock"].')
    problems = _toml.strings(cfg["problems"], "`problems`")
    if "steppers" not in cfg:
        raise OptbenchError(f"`steppers` is missing from {path}: add [steppers.LABEL] tables.")
    tables = _toml.stepper_tables(cfg["steppers"], "steppers", ("stepper", "grid"))
    steppers = {}
    for label, t in tables.items():
        if "grid" not in t:
            raise OptbenchError(
                f'`steppers.{label}` needs a `grid` entry, e.g. grid = {{ lr = "1e-3:1:13:log" }}.'
            )
        grid = _toml.parse_grid_value(t["grid"], f"`steppers.{label}.grid`")
        steppers[label] = (t["stepper"], grid)
    steps = _toml.positive_int(cfg.get("steps", 500), "`steps`")
    seeds = _toml.positive_int(cfg.get("seeds", 5), "`seeds`")
    target = check_target(_toml.number(cfg.get("target", 1e-4), "`target`"))
    return {
        "problems": problems,
        "steppers": steppers,
        "steps": steps,
        "seeds": seeds,
        "target": float(target),
    }


def run(args: argparse.Namespace) -> int:
    import sys

    import numpy as np

    from optbench._io import check_outputs, output_dir, write_text
    from optbench.sweeps import compare, plots
    from optbench.sweeps._plan import plan_sweep

    cfg = read_config(args.config)
    out = output_dir(args.out)
    check_outputs(out, ["report.md", "ecdf.png", "profile.png"])
    # every problem, stepper and grid checked before anything compiles or is written
    for problem in cfg["problems"]:
        for label, (stepper, grid) in cfg["steppers"].items():
            plan_sweep(problem, stepper, grid, cfg["steps"], cfg["seeds"], label=label)
    cmp = compare(
        cfg["problems"], cfg["steppers"], cfg["steps"], cfg["seeds"], target=cfg["target"]
    )
    labels = list(cfg["steppers"])
    lines = [
        "# Optimizer comparison",
        "",
        (
            f"{len(cfg['problems'])} problem(s), {cfg['steps']} steps, {cfg['seeds']} seeds; each "
            "stepper's best configuration by mean final loss. Intervals: seeded percentile "
            "bootstrap (95%) over seeds. Diverged: fraction of the stepper's grid runs that "
            "diverged (counted as failures)."
        ),
        "",
        cmp.table(),
        "",
    ]
    for p in cfg["problems"]:
        name = p.replace(":", "_").replace("=", "-").replace(",", "_")
        res = {lab: cmp.sweeps[(p, lab)] for lab in labels}
        if all("lr" in r.hparams for r in res.values()):
            plots.sensitivity(res, out / f"sensitivity_{name}.png", title=p)
            lines += [f"## {p}", "", f"![lr sensitivity on {p}](sensitivity_{name}.png)", ""]
    hits = {
        lab: np.concatenate([_best_hits(cmp.sweeps[(p, lab)]) for p in cfg["problems"]])
        for lab in labels
    }
    plots.run_length_ecdf(
        hits, cfg["steps"], out / "ecdf.png", title="run-length ECDF (best configurations)"
    )
    cost = np.array(
        [
            [_mean_time(cmp.sweeps[(p, lab)], cfg["target"]) for lab in labels]
            for p in cfg["problems"]
        ]
    )
    plots.performance_profile(
        cost,
        labels,
        out / "profile.png",
        title=f"performance profile: steps to f_min + {cfg['target']:g}",
    )
    warnings = cmp.warnings()
    if warnings:
        lines += ["## Warnings", "", *(f"- {w}" for w in warnings), ""]
    lines += [
        "## Run-length ECDF",
        "",
        "![run-length ECDF](ecdf.png)",
        "",
        "## Performance profile (Dolan & Moré 2002)",
        "",
        "![performance profile](profile.png)",
        "",
    ]
    write_text(out / "report.md", "\n".join(lines))
    print(cmp.table())
    for w in warnings:
        print(f"optbench: warning: {w}", file=sys.stderr)
    print(f"wrote {out}/report.md")
    return 0


def _best_hits(res):
    import numpy as np

    rows = res.best()["rows"]
    return np.where(res.failed[rows][:, None], -1, res.hits[rows]).ravel()


def _mean_time(res, target: float) -> float:
    """Mean steps to the target of the best configuration; inf when any seed fails to reach it."""
    import numpy as np

    rows = res.best()["rows"]
    j = int(np.argmin(np.abs(np.log10(res.targets - res.f_min) - np.log10(target))))
    h = res.hits[rows, j]
    return float(np.mean(h)) if np.all(h >= 0) and not res.failed[rows].any() else float("inf")
