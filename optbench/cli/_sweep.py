"""``optbench sweep PROBLEM STEPPER --grid ...``: a hyperparameter grid x seeds in one
compiled call.

Writes ``results.csv``, ``run.json``, ``sensitivity.png`` and ``heatmap.png`` (when two
hyperparameters vary) into ``-o DIR`` and prints the best configurations. Finished chunks are kept
in ``DIR/chunks`` so ``--resume`` picks an interrupted sweep up where it stopped.
"""

from __future__ import annotations

import argparse

TAKES_CONFIG = True  # --config FILE.toml (optbench.cli._toml)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "problem",
        help="a surface (rosenbrock, himmelblau:..., path/to/file.py:function) or a data set "
        "name (trained with --model)",
    )
    parser.add_argument("stepper", help="NAME[:key=value,...] (the fixed hyperparameters)")
    parser.add_argument(
        "--grid",
        required=True,
        help="e.g. lr=1e-4:1:41:log,b1=0.8,0.9,0.99 (start:stop:count[:lin|log] or a list)",
    )
    parser.add_argument("--steps", type=int, default=500, help="updates per run (default 500)")
    parser.add_argument("--seeds", type=int, default=1, help="seeds per configuration (default 1)")
    parser.add_argument("--model", default="mlp:16,16:tanh", help="model for a data set problem")
    parser.add_argument("--batch", type=int, default=None, help="minibatch size for a data set")
    parser.add_argument("--dtype", default="float32", help="float32 or float64")
    parser.add_argument("--resume", action="store_true", help="reuse finished chunks in DIR/chunks")
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        help="runs per compiled call, each kept in DIR/chunks as it finishes (default: what fits "
        "in about 256 MB)",
    )
    parser.add_argument("--top", type=int, default=5, help="best configurations to print")
    parser.add_argument(
        "--label", help="the sweep's name in plots and run.json (default: the stepper's label)"
    )
    parser.add_argument("-o", "--out", default="sweep-out", help="output folder")


def problem_from(text: str, model: str, batch: int | None):
    """A surface spec, else a data set name trained with ``model``."""
    from optbench import networks, surfaces
    from optbench._errors import OptbenchError, unknown

    name = text.partition(":")[0]
    if name in surfaces.names() or ".py:" in text:  # a catalog surface or path/to/file.py:fn
        return surfaces.get_spec(text)
    if name in networks.names():
        return networks.problem(model, text, batch_size=batch)
    raise OptbenchError(
        str(unknown("surface or data set", name, surfaces.names() + networks.names()))
    )


def best_table(res, top: int) -> str:
    """The ``top`` configurations by mean final loss over seeds (failures last), as text."""
    import numpy as np

    keys, scores, group = res.config_means()
    failed = np.bincount(group, weights=res.failed.astype(float)) / np.bincount(group)
    order = np.argsort(scores, kind="stable")[:top]
    names = list(res.hparams)
    lines = ["  ".join(f"{n:>10}" for n in names) + f"  {'final loss':>12}  {'diverged':>8}"]
    for i in order:
        lines.append(
            "  ".join(f"{keys[n][i]:>10.4g}" for n in names)
            + f"  {scores[i]:>12.6g}  {failed[i]:>8.0%}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    import json
    import sys
    from pathlib import Path

    from optbench._errors import OptbenchError
    from optbench._io import check_outputs, output_dir, write_text
    from optbench.sweeps import parse_grid, plots, sweep

    grid = parse_grid(args.grid)
    if args.seeds < 1:
        raise OptbenchError(f"`--seeds` (={args.seeds}) must be an integer >= 1.")
    from optbench._run import check_steps

    check_steps(args.steps, "--steps")
    if args.chunk_size is not None and args.chunk_size < 1:
        raise OptbenchError(
            f"`--chunk-size` (={args.chunk_size}) must be a positive integer: runs per "
            "compiled call."
        )
    if args.top < 1:
        raise OptbenchError(
            f"`--top` (={args.top}) must be a positive integer: how many of the best "
            "configurations to print."
        )
    problem = problem_from(args.problem, args.model, args.batch)
    out = output_dir(args.out)
    check_outputs(out, ["results.csv", "run.json", "sensitivity.png", "heatmap.png"])
    # check everything before anything is written: a one-step sweep validates all input
    sweep(problem, args.stepper, grid, 1, 1, dtype=args.dtype, progress=False, label=args.label)
    res = sweep(
        problem,
        args.stepper,
        grid,
        args.steps,
        args.seeds,
        dtype=args.dtype,
        label=args.label,
        chunk_size=args.chunk_size,
        checkpoint_dir=output_dir(Path(out) / "chunks"),
        resume=args.resume,
    )
    for msg in res.meta["invalid"]:
        print(f"optbench: skipped: {msg}", file=sys.stderr)
    for msg in res.meta["recomputed"]:
        print(f"optbench: warning: {msg}.", file=sys.stderr)
    res.meta["warnings"] = res.warnings()
    for msg in res.meta["warnings"]:
        print(f"optbench: warning: {msg}", file=sys.stderr)
    res.to_csv(out / "results.csv", wall_time=False)  # deterministic bytes; times in run.json
    eta_max = None
    if res.meta["stepper"] == "sgd" and hasattr(problem, "fn") and "lr" in grid:
        # LeCun's eta_max = 2 / lambda_max at the start: plain gradient descent's stability limit
        from optbench.analysis import lr_limits

        eta_max = float(lr_limits(problem).eta_max)
        res.meta["eta_max_at_start"] = eta_max
    varied = [k for k, v in grid.items() if len(v) > 1]
    x = "lr" if "lr" in varied else (varied[0] if varied else next(iter(grid)))
    plots.sensitivity(
        {res.meta["label"]: res},
        out / "sensitivity.png",
        hparam=x,
        eta_max=eta_max,
        title=f"{res.meta['label']} on {res.meta['problem'].get('name')}",
    )
    if len(varied) >= 2:
        y = next(k for k in varied if k != x)
        plots.heatmap(res, x, y, out / "heatmap.png")
    write_text(
        out / "run.json",
        json.dumps(
            {**res.meta, "seeds": args.seeds, "command": "sweep", "grid_spec": args.grid},
            indent=2,
            default=str,
        )
        + "\n",
    )
    print(best_table(res, args.top))
    print(f"wrote {out}/results.csv ({len(res)} runs)")
    return 0
