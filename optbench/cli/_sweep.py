"""``optbench sweep PROBLEM STEPPER --grid ...``: a hyperparameter grid x seeds in one
compiled call.

Writes ``results.csv``, ``run.json``, ``sensitivity.png`` and ``heatmap.png`` (when two
hyperparameters vary) into ``-o DIR`` and prints the best configurations. Finished chunks are kept
in ``DIR/chunks`` so ``--resume`` picks an interrupted sweep up where it stopped.
"""

from __future__ import annotations

import argparse
import contextlib

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
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="run the sweep in N processes on this machine, joined through JAX's coordinator on "
        "127.0.0.1, each with its share of the cores (default 1); on a cluster, start one "
        "optbench per task instead: JAX_COORDINATOR_ADDRESS, JAX_NUM_PROCESSES and "
        "JAX_PROCESS_ID, or SLURM's variables, join them",
    )
    parser.add_argument(
        "--join-timeout",
        type=int,
        default=60,
        metavar="SECONDS",
        help="how long to wait for the other processes to join (default 60)",
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
    names = list(res.hparams)
    lines = ["  ".join(f"{n:>10}" for n in names) + f"  {'final loss':>12}  {'diverged':>8}"]
    for values, score, failed in res.top(top):
        lines.append(
            "  ".join(f"{values[n]:>10.4g}" for n in names) + f"  {score:>12.6g}  {failed:>8.0%}"
        )
    return "\n".join(lines)


def supervise(argv: list[str], n: int) -> int:
    """Start ``n`` copies of this command joined through a coordinator on 127.0.0.1, each with
    its share of the cores; process 0 speaks and writes, the others compute their chunks. Wait
    for all; when one fails, stop the others and say which."""
    import os
    import socket
    import subprocess
    import sys
    import time

    from optbench._errors import OptbenchError

    with socket.socket() as s:  # a free port for process 0's coordinator
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    keep, skip = [], False  # the same command, without --processes
    for a in argv:
        if not skip and a != "--processes" and not a.startswith("--processes="):
            keep.append(a)
        skip = a == "--processes"
    share = max(1, (os.cpu_count() or 1) // n)
    procs = []
    for k in range(n):
        env = {
            **os.environ,
            "JAX_COORDINATOR_ADDRESS": f"127.0.0.1:{port}",
            "JAX_NUM_PROCESSES": str(n),
            "JAX_PROCESS_ID": str(k),
            "JAX_NUM_CPU_DEVICES": str(share),
        }
        quiet = subprocess.DEVNULL if k else None
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "optbench", *keep],
                env=env,
                stdout=quiet,
                stderr=subprocess.PIPE if k else None,
                text=True,
            )
        )
    try:
        while any(p.poll() is None for p in procs):
            if any(p.poll() not in (None, 0) for p in procs):
                break
            time.sleep(0.05)
        try:  # a mistake in the arguments ends every process: process 0 says it
            procs[0].wait(timeout=3)
        except subprocess.TimeoutExpired:
            pass
        failed = [(k, p) for k, p in enumerate(procs) if p.poll() not in (None, 0)]
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            p.wait()
    if not failed:
        return 0
    k, p = failed[0]
    if k == 0:
        return p.returncode  # process 0 said why itself
    said = (p.stderr.read() if p.stderr else "").strip().splitlines()
    raise OptbenchError(
        f"process {k} of {n} failed (exit status {p.returncode})"
        + (f": {said[-1]}" if said else ".")
    )


@contextlib.contextmanager
def _quiet_stdout():
    """This process's file descriptor 1 sent to /dev/null (a library prints there directly)."""
    import os
    import sys

    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def run(args: argparse.Namespace) -> int:
    import json
    import os
    import sys
    from pathlib import Path

    from optbench._errors import OptbenchError
    from optbench._io import check_outputs, output_dir, write_text
    from optbench.sweeps._grid import parse_grid

    grid = parse_grid(args.grid)
    if args.seeds < 1:
        raise OptbenchError(f"`--seeds` (={args.seeds}) must be an integer >= 1.")
    from optbench._limits import check_steps

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
    if args.join_timeout < 1:
        raise OptbenchError(
            f"`--join-timeout` (={args.join_timeout}) must be a positive number of seconds."
        )
    most = 4 * (os.cpu_count() or 1)
    if not 1 <= args.processes <= most:
        raise OptbenchError(
            f"`--processes` (={args.processes}) must be from 1 to {most}, four for each core of "
            "this machine."
        )
    if args.processes > 1 and "JAX_PROCESS_ID" not in os.environ:
        return supervise(args.argv, args.processes)  # they check the rest, and say it
    from optbench.sweeps import plots, sweep
    from optbench.sweeps._plan import plan_sweep
    from optbench.sweeps._processes import join_from_environment, joined

    # one of several processes: joined before JAX starts (the plan below reads the devices)
    join_from_environment(args.join_timeout)
    problem = problem_from(args.problem, args.model, args.batch)
    out = Path(args.out)
    check_outputs(out, ["results.csv", "run.json", "sensitivity.png", "heatmap.png"])
    # every value checked before anything compiles or is written
    plan_sweep(problem, args.stepper, grid, args.steps, args.seeds, dtype=args.dtype)
    out = output_dir(out)
    several = joined()[1] > 1
    with _quiet_stdout() if several else contextlib.nullcontext():  # Gloo announces itself there
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
    if joined()[0] != 0:  # another process of the sweep: process 0 writes the table
        return 0
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
