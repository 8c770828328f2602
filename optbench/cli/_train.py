"""``optbench train DATASET``: train a small network and draw what it learned.

Writes ``boundary.gif`` (2-D inputs), ``curves.png``, ``landscape.png``, ``history.csv`` and
``run.json`` into ``-o DIR`` and prints the final train/validation accuracy.
"""

from __future__ import annotations

import argparse

TAKES_CONFIG = True  # --config FILE.toml (optbench.cli._toml)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "dataset",
        help="two_gaussians, set1, xor, circles, moons, spiral, regression, "
        "digits (NAME[:key=value,...], e.g. moons:noise=0.2)",
    )
    parser.add_argument(
        "--model",
        default="mlp:16,16:tanh",
        help="mlp:SIZES[:ACTIVATION], logistic, linear or cnn (default %(default)s)",
    )
    parser.add_argument(
        "--stepper", default="adam:lr=0.01", help="NAME[:key=value,...] (default %(default)s)"
    )
    parser.add_argument(
        "--loss",
        default=None,
        help="mse, mae, binary_cross_entropy or "
        "softmax_cross_entropy (default: the model's natural loss)",
    )
    parser.add_argument(
        "--batch",
        default="32",
        help="minibatch size, 1 for stochastic, 'full' for full batch (default 32)",
    )
    parser.add_argument("--epochs", type=int, default=200, help="training epochs (default 200)")
    parser.add_argument(
        "--validation",
        type=float,
        default=0.2,
        help="held-out fraction in (0, 1), 0 for none (default 0.2)",
    )
    parser.add_argument("--weight-decay", type=float, default=0.0, help="L2 coefficient")
    parser.add_argument("--dropout", type=float, default=0.0, help="hidden-unit drop rate")
    parser.add_argument(
        "--patience",
        type=int,
        default=None,
        help="early stopping: epochs without a better validation loss",
    )
    parser.add_argument("--seed", type=int, default=0, help="data, split, shuffle and init seed")
    parser.add_argument("--frames", type=int, default=40, help="frames of boundary.gif")
    parser.add_argument("--theme", default="light", choices=("light", "dark"))
    parser.add_argument("--lang", default="en", choices=("en", "ru"))
    parser.add_argument("-o", "--out", default="train-out", help="output folder")


def _batch(text: str):
    from optbench._errors import OptbenchError

    if str(text).lower() == "full":
        return None
    try:
        return int(text)
    except ValueError:
        raise OptbenchError(
            f"`--batch` (={text!r}) must be a positive integer or 'full'."
        ) from None


def run(args: argparse.Namespace) -> int:
    import json

    import numpy as np

    from optbench import networks
    from optbench._errors import OptbenchError
    from optbench._io import check_outputs, output_dir, write_text
    from optbench._run import MAX_STEPS, check_seed, resolve_stepper
    from optbench._run import run as run_problem
    from optbench.networks import _pictures, _plots
    from optbench.networks._history import history_csv

    if args.epochs < 1:
        raise OptbenchError(f"`--epochs` (={args.epochs}) must be a positive integer.")
    check_seed(args.seed, "--seed")
    if args.frames < 2:
        raise OptbenchError(f"`--frames` (={args.frames}) must be at least 2.")
    problem = networks.problem(
        args.model,
        args.dataset,
        args.loss,
        _batch(args.batch),
        validation=args.validation or None,
        weight_decay=args.weight_decay,
        dropout=args.dropout,
        patience=args.patience,
        seed=args.seed,
    )
    # checked (rates in units of eta_max read off the Hessian at the initial weights) before
    # anything is written; the run resolves the spec again and records the units
    resolve_stepper(args.stepper, problem, problem.initial(None, args.seed))
    steps = args.epochs * problem.steps_per_epoch
    if steps > MAX_STEPS:
        raise OptbenchError(
            f"`--epochs` (={args.epochs}) makes {steps:,} steps of {problem.steps_per_epoch} an "
            f"epoch; at most {MAX_STEPS:,} are recorded."
        )
    out = output_dir(args.out)
    check_outputs(out, ["boundary.gif", "curves.png", "landscape.png", "history.csv", "run.json"])
    traj = run_problem(problem, args.stepper, steps, key=args.seed, progress=None)
    ex = traj.extras
    ep, best, stop = ex["per_epoch"], ex["best_epoch"], ex["stop_epoch"]
    title = f"{problem.model.name} · {problem.data.name} · {traj.label}"
    written = []
    if problem.data.x.shape[1] == 2 and problem.data.kind == "classification":
        shown = _pictures.frame_steps(steps, args.frames)
        xs, ys, field = _pictures.boundary_frames(problem, traj.params, shown)
        words = _plots.TEXT[args.lang]
        titles = [f"{words['epoch']} {s // problem.steps_per_epoch} / {args.epochs}" for s in shown]
        if traj.diverged:  # frames of the frozen network say so
            note = words["diverged_step"].format(k=traj.diverged_at)
            titles = [
                f"{t} · {note}" if s >= traj.diverged_at else t for t, s in zip(titles, shown)
            ]
        written.append(
            _plots.boundary_gif(
                out / "boundary.gif",
                problem.data.x,
                problem.data.y,
                xs,
                ys,
                field,
                titles,
                n_classes=problem.data.n_classes,
                theme=args.theme,
                lang=args.lang,
            )
        )
    written.append(
        _plots.curves_png(
            out / "curves.png",
            ep,
            best_epoch=best,
            stop_epoch=stop,
            diverged_epoch=(traj.diverged_at / problem.steps_per_epoch if traj.diverged else None),
            title=title,
            theme=args.theme,
            lang=args.lang,
        )
    )
    if problem.describe()["n_params"] >= 2:  # a plane needs two parameter directions
        land = _pictures.landscape_slice(problem, traj.params)
        written.append(
            _plots.landscape_png(
                out / "landscape.png",
                land["a"],
                land["b"],
                land["loss"],
                land["path"],
                land["explained"],
                title=title,
                theme=args.theme,
                lang=args.lang,
            )
        )
    diverged = (traj.diverged_at, traj.diverged_kind) if traj.diverged else None
    written.append(write_text(out / "history.csv", history_csv(ex, diverged)))

    def final(key: str, at: int) -> float | None:
        v = float(ep[key][at]) if key in ep else None
        return v if v is not None and np.isfinite(v) else None

    record = {
        "command": "train",
        "problem": traj.problem,
        "stepper": traj.stepper,
        "label": traj.label,
        "hparams": traj.hparams,
        **({"units": ex["units"]} if "units" in ex else {}),
        "epochs": args.epochs,
        "steps": steps,
        "seed": args.seed,
        "diverged_at": traj.diverged_at,
        "diverged_kind": traj.diverged_kind,
        "best_epoch": best,
        "stop_epoch": stop,
        "final": {k: final(k, -1) for k in ep if k != "step"},
        "at_best_epoch": {k: final(k, best) for k in ep if k != "step"},
        "files": [*sorted(p.name for p in written), "run.json"],
    }
    write_text(
        out / "run.json",
        json.dumps(
            record,
            indent=2,
            sort_keys=True,
            allow_nan=False,
            default=lambda v: np.asarray(v).tolist(),
        )
        + "\n",
    )
    acc = [
        f"{name} accuracy {100 * ep[key][-1]:.1f}%"
        for name, key in (("train", "train_acc"), ("validation", "val_acc"))
        if key in ep
    ]
    loss = [
        f"{name} loss {ep[key][-1]:.4g}"
        for name, key in (("train", "train_loss"), ("validation", "val_loss"))
        if key in ep
    ]
    kept = ""
    if "val_acc" in ep:
        kept = f", validation accuracy {100 * ep['val_acc'][best]:.1f}% there"
    stopped = f", early stop at {stop}" if stop < args.epochs else ""
    if traj.diverged:
        epoch = -(-traj.diverged_at // problem.steps_per_epoch)
        print(
            f"diverged at step {traj.diverged_at} (epoch {epoch}, {traj.diverged_kind}): the run "
            "froze at its last good step, and the figures below are from there."
        )
    print(
        f"{title}: {', '.join(acc + loss)} after {args.epochs} epochs "
        f"(best epoch {best}{kept}{stopped}); "
        f"wrote {', '.join(sorted(p.name for p in written))}, run.json to {out}"
    )
    return 0
