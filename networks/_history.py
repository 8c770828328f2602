"""Per-epoch records of a network run: losses, accuracies, the best epoch and early stopping.

Epoch :math:`e` ends at step :math:`e\\,m` (``m`` steps per epoch; epoch 0 is the initial network).
Early stopping with patience :math:`q` (Prechelt 1998, "Early stopping - but when?") stops at the
first epoch that comes :math:`q` epochs after the best validation loss so far without improving;
the network kept is the one at that best epoch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

COLUMNS = ("epoch", "step", "train_loss", "train_acc", "val_loss", "val_acc", "diverged")


def early_stop(val_loss: np.ndarray, patience: int | None) -> tuple[int, int]:
    """(best epoch, stop epoch) for a validation-loss curve; no patience: the minimum and the end.

    >>> early_stop(np.array([3.0, 2.0, 1.0, 1.5, 1.2, 1.1, 0.5]), patience=3)
    (2, 5)
    """
    last = len(val_loss) - 1
    if patience is None:
        return int(np.argmin(val_loss)), last
    best = 0
    for e in range(1, last + 1):
        if val_loss[e] < val_loss[best]:
            best = e
        elif e - best >= patience:
            return best, e
    return best, last


def epoch_records(problem: Any, params: Any) -> dict[str, Any]:
    """Metrics at every step and at every epoch end, and the early-stopping choice.

    Args:
      problem: a :class:`~optbench.networks.NetworkProblem`.
      params: the stacked parameter pytree of a run (steps + 1 along axis 0).

    Returns:
      ``per_step`` and ``per_epoch`` dicts of NumPy arrays (``train_loss``, ``train_acc``,
      ``val_loss``, ``val_acc`` where they exist; ``per_epoch["step"]`` the step of each epoch end),
      ``steps_per_epoch``, ``best_epoch``, ``stop_epoch`` and ``best_params`` (the parameters at the
      best epoch: lowest validation loss, or training loss without a validation set).
    """
    import jax

    per_step = problem.evaluate(params)
    n_steps = len(next(iter(per_step.values()))) - 1
    m = problem.steps_per_epoch
    steps = np.arange(0, n_steps + 1, m)
    per_epoch = {"step": steps, **{k: v[steps] for k, v in per_step.items()}}
    watch = per_epoch.get("val_loss", per_epoch["train_loss"])
    watch = np.where(np.isfinite(watch), watch, np.inf)
    best, stop = early_stop(watch, problem.patience)
    return {
        "per_step": per_step,
        "per_epoch": per_epoch,
        "steps_per_epoch": m,
        "best_epoch": best,
        "stop_epoch": stop,
        "best_params": jax.tree.map(lambda a: np.asarray(a[steps[best]]), params),
    }


def history_rows(
    extras: dict[str, Any], diverged: tuple[int, str] | None = None
) -> list[dict[str, Any]]:
    """One row per epoch (``COLUMNS``; missing metrics are NaN) for ``history.csv``.

    ``diverged``: the run's ``(diverged_at, diverged_kind)``, or None. An epoch that ends at or
    after that step holds the frozen network of the last good step; its ``diverged`` column names
    the kind (empty before).
    """
    ep = extras["per_epoch"]
    rows = []
    for e, step in enumerate(ep["step"]):
        row: dict[str, Any] = {"epoch": e, "step": int(step)}
        for k in COLUMNS[2:-1]:
            row[k] = float(ep[k][e]) if k in ep else float("nan")
        row["diverged"] = diverged[1] if diverged is not None and step >= diverged[0] else ""
        rows.append(row)
    return rows


def history_csv(extras: dict[str, Any], diverged: tuple[int, str] | None = None) -> str:
    """The per-epoch history as CSV text (9 significant digits, so reruns are byte-identical);
    see :func:`history_rows` for ``diverged``."""
    lines = [",".join(COLUMNS)]
    for row in history_rows(extras, diverged):
        lines.append(
            ",".join(f"{row[c]:.9g}" if isinstance(row[c], float) else str(row[c]) for c in COLUMNS)
        )
    return "\n".join(lines) + "\n"
