"""The tidy results table of a sweep: one row per (configuration, seed, start), NumPy columns."""

from __future__ import annotations

import csv
import dataclasses
import io
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._divergence import KINDS as DIVERGED

# a row's kind: the runner's divergence kinds (their codes index this), then the sweep's own
KINDS = (*DIVERGED, "stalled", "invalid")
FAILED = (*DIVERGED[1:], "invalid")


def coco_targets(
    f_min: float, high: float = 1e2, low: float = 1e-8, per_decade: int = 5
) -> np.ndarray:
    r"""COCO-style targets :math:`f_{min} + 10^{k}`, k from log10(high) down to log10(low),
    5 per decade.

    Reference: Hansen et al. (2021), COCO: a platform for comparing continuous optimizers in a
    black-box setting, Optimization Methods and Software 36(1).
    """
    exps = np.linspace(np.log10(high), np.log10(low), round(np.log10(high / low) * per_decade) + 1)
    return f_min + 10.0**exps


def first_hits(loss: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """(runs, targets): the first step whose loss is <= each target, -1 if never (NaN never
    hits)."""
    loss = np.asarray(loss)
    run_min = np.minimum.accumulate(np.where(np.isnan(loss), np.inf, loss).T, axis=0)
    return first_hits_time_major(run_min, thresholds(targets, run_min.dtype))


def thresholds(targets: np.ndarray, dtype: Any) -> np.ndarray:
    """Each target as the largest value of ``dtype`` not above it.

    A loss ``v`` of that dtype satisfies ``v <= t`` (compared exactly, as float64) if and only if
    ``v <= thresholds(t)`` compared in the dtype, so the search runs in the losses' own precision.
    """
    t = np.asarray(targets, dtype=np.float64)
    c = t.astype(dtype)
    return np.where(c.astype(np.float64) > t, np.nextafter(c, np.array(-np.inf, dtype)), c)


def first_hits_time_major(run_min: Any, thresholds: np.ndarray) -> np.ndarray:
    """(runs, targets) first hits from the running minimum ``(steps+1, runs)`` of each loss curve.

    ``run_min`` may be a NumPy array or a (sharded) JAX array, which stays on its devices: each
    device searches its own runs. ``thresholds``: see :func:`thresholds`.
    """
    if not isinstance(run_min, jax.Array) or np.size(run_min) <= NUMPY_SEARCH:
        # small: NumPy searches it at once, where a compile would cost more than the search
        return search_time_major(np.asarray(run_min), thresholds, xp=np)
    if not run_min.is_fully_replicated:
        # one search per block of runs, each on the device that holds it (dispatched together)
        blocks = {sh.index[1].start or 0: sh.data for sh in run_min.addressable_shards}
        parts = [_search(blocks[k], thresholds) for k in sorted(blocks)]
        return np.concatenate([np.asarray(p) for p in parts])
    return np.asarray(_search(run_min, thresholds))


NUMPY_SEARCH = 1 << 24  # records up to this size are searched with NumPy


def search_time_major(run_min: Any, thresholds: Any, xp: Any = jnp) -> Any:
    """(runs, targets) first hits, traced (``xp=jnp``) or in NumPy: the search of
    :func:`first_hits_time_major`.

    The running minimum is non-increasing, so the first hit of target ``f`` is the number of
    rows whose running minimum is still above ``f``. That count is found for every (target, run)
    pair at once, bit by bit from the highest power of two (a branchless binary search), each
    round one gather from the flat time-major array.
    """
    length, runs = run_min.shape
    f = xp.asarray(thresholds, run_min.dtype)[:, None]
    flat = run_min.reshape(-1)
    col = xp.arange(runs, dtype=xp.int32)[None, :]
    above = xp.zeros((len(f), runs), xp.int32)  # rows known to be above f
    step = 1 << (int(length).bit_length() - 1)
    while step:
        more = above + step
        row = xp.minimum(more, length) - 1  # in range; rows past the end are masked below
        idx = row * runs + col
        got = flat.at[idx].get(mode="promise_in_bounds") if xp is jnp else flat[idx]
        above = xp.where((more <= length) & (got > f), more, above)
        step >>= 1
    return xp.where(above >= length, -1, above).T


_search = jax.jit(search_time_major)


@dataclasses.dataclass(eq=False)
class SweepResult:
    """A sweep's table. Columns are NumPy arrays of equal length (one entry per run).

    Attributes:
      hparams: name -> values of the hyperparameters that varied.
      seed, start: the seed and the index of the start point of each run.
      final_loss, best_loss: the last and the smallest recorded loss (frozen at divergence).
      diverged_at: first bad step, -1 if none. kind: '', how it diverged ('nan', 'inf',
        'blow-up', 'left the window'; see :mod:`optbench._divergence`), 'stalled' (never left its
        start) or 'invalid' (a hyperparameter value outside its range; not run).
      hits: (runs, targets) the first step reaching each target, -1 if never.
      targets: the target losses; f_min: the minimum they are measured from.
      wall_time: seconds, the run's share of its chunk's wall time.
      losses, params: per-run trajectories, only when kept.
      meta: problem, stepper, steps, dtype, starts, and the errors of invalid values.
    """

    hparams: dict[str, np.ndarray]
    seed: np.ndarray
    start: np.ndarray
    final_loss: np.ndarray
    best_loss: np.ndarray
    diverged_at: np.ndarray
    kind: np.ndarray
    hits: np.ndarray
    targets: np.ndarray
    f_min: float
    wall_time: np.ndarray
    losses: np.ndarray | None = None
    params: np.ndarray | None = None
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.seed)

    @property
    def failed(self) -> np.ndarray:
        """Divergence and invalid values count as failure."""
        return np.isin(self.kind, FAILED)

    def columns(self) -> dict[str, np.ndarray]:
        """Every row identifies its run: the stepper's name, every hyperparameter (the grid's
        and the fixed ones), the seed and the start; then what the run did."""
        n = len(self)
        cols: dict[str, np.ndarray] = {}
        if "stepper" in self.meta:
            cols["stepper"] = np.full(n, str(self.meta["stepper"]), dtype=object)
        cols.update(self.hparams)
        for k, v in self.meta.get("base", {}).items():
            if k not in cols:
                cols[k] = np.full(n, v, dtype=object)
        cols.update(
            seed=self.seed,
            start=self.start,
            final_loss=self.final_loss,
            best_loss=self.best_loss,
            diverged_at=self.diverged_at,
            kind=self.kind,
        )
        for j, t in enumerate(self.targets):
            cols[f"hit_{t - self.f_min:.1e}"] = self.hits[:, j]
        cols["wall_time"] = self.wall_time
        return cols

    def to_records(self) -> list[dict[str, Any]]:
        """One plain-Python dict per row."""
        cols = self.columns()
        return [
            {k: v[i].item() if hasattr(v[i], "item") else v[i] for k, v in cols.items()}
            for i in range(len(self))
        ]

    def _repr_html_(self) -> str:  # a notebook shows the best configurations and the plot
        from .._notebook import sweep_html

        return sweep_html(self)

    def to_csv(self, path: Any = None, *, wall_time: bool = True) -> str:
        """The table as CSV text (floats with 9 significant digits); written atomically if ``path``.

        ``wall_time=False`` leaves the one column that changes between identical runs out, so the
        same sweep writes the same bytes (``optbench sweep`` does this; its run.json has the times).
        """
        cols = self.columns()
        if not wall_time:
            del cols["wall_time"]
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(cols)
        # column by column, then rows in blocks: O(N) with a small constant (a million rows of
        # 60 columns in about 10 s), the bytes of a csv.writer given _cell of every value
        texts = [_column_text(v) for v in cols.values()]
        for lo in range(0, len(self), 65536):
            buf.writelines(
                ",".join(row) + "\n" for row in zip(*(t[lo : lo + 65536] for t in texts))
            )
        text = buf.getvalue()
        if path is not None:
            from .._io import write_text

            write_text(path, text)
        return text

    def to_pandas(self):
        """A ``pandas.DataFrame`` (needs pandas)."""
        try:
            import pandas as pd
        except ImportError:
            from .._errors import OptbenchError

            raise OptbenchError(
                "`to_pandas()` needs pandas; install it with `pip install pandas`."
            ) from None
        return pd.DataFrame(self.columns())

    def best(self) -> dict[str, Any]:
        """The configuration with the smallest mean final loss over seeds and starts
        (failures = inf); the first in grid order among equals."""
        keys, mean, group = self.config_means()
        i = int(np.argmin(mean))
        return {
            "hparams": {k: float(v[i]) for k, v in keys.items()},
            "rows": np.flatnonzero(group == i),
            "mean_final_loss": float(mean[i]),
        }

    def top(self, n: int) -> list[tuple[dict[str, float], float, float]]:
        """The ``n`` configurations with the smallest mean final loss (failures last, grid order
        among equals): each its hyperparameter values, that mean and the share of its runs that
        diverged."""
        keys, scores, group = self.config_means()
        failed = np.bincount(group, weights=self.failed.astype(float)) / np.bincount(group)
        order = np.argsort(scores, kind="stable")[:n]
        return [
            ({k: float(keys[k][i]) for k in keys}, float(scores[i]), float(failed[i]))
            for i in order
        ]

    def config_means(self) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Per distinct configuration, in grid order: its hyperparameter values, its mean final
        loss over seeds and starts (inf where any of its runs failed or the mean is not a
        number); and the configuration of each row. O(N log N) in the rows."""
        names = list(self.hparams)
        n = len(self)
        stacked = (
            np.stack([np.asarray(self.hparams[k], dtype=float) for k in names], axis=1)
            if names
            else np.zeros((n, 0))
        )
        _, first, inverse = np.unique(stacked, axis=0, return_index=True, return_inverse=True)
        rank = np.empty(len(first), np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(len(first))  # grid order
        group = rank[inverse.ravel()]
        first = np.sort(first)
        count = np.bincount(group, minlength=len(first))
        failed = np.bincount(group, weights=self.failed.astype(float), minlength=len(first)) > 0
        with np.errstate(invalid="ignore", over="ignore"):
            total = np.bincount(
                group, weights=np.asarray(self.final_loss, float), minlength=len(first)
            )
            mean = total / np.maximum(count, 1)
        mean = np.where(failed | ~np.isfinite(mean), np.inf, mean)
        return {k: stacked[first, j] for j, k in enumerate(names)}, mean, group

    def warnings(self) -> list[str]:
        """What a careful reader of this sweep should be told, one sentence each (empty when
        nothing): seeds that all gave the same run, a best configuration on the edge of the grid,
        a grid where most runs diverged."""
        out = []
        ran = self.kind != "invalid"
        n_seeds = len(np.unique(self.seed[ran]))
        if n_seeds > 1:
            # runs that differ only by their seed: one group per (configuration, start)
            keys = np.stack([*(self.hparams[k] for k in self.hparams), self.start], axis=1)[ran]
            _, group = np.unique(keys, axis=0, return_inverse=True)
            group = group.ravel()
            final = np.nan_to_num(self.final_loss[ran], nan=np.inf)
            lo = np.full(group.max() + 1, np.inf)
            hi = np.full(group.max() + 1, -np.inf)
            np.minimum.at(lo, group, final)
            np.maximum.at(hi, group, final)
            if np.array_equal(lo, hi):
                out.append(
                    f"the {n_seeds} seeds of every configuration gave the same final loss: the "
                    "problem is noiseless from a fixed start, so each interval is a single "
                    "point; use one seed, or add gradient noise or several starts."
                )
        best = self.best()
        if np.isfinite(best["mean_final_loss"]):
            for name, value in best["hparams"].items():
                values = np.unique(self.hparams[name])
                if len(values) >= 3 and value in (values[0], values[-1]):
                    side = "smallest" if value == values[0] else "largest"
                    out.append(
                        f"the best {name} ({value:g}) is the {side} value of the grid: extend "
                        "the grid beyond it, the optimum may lie outside."
                    )
        failed = self.failed[ran]
        if ran.any() and failed.mean() > 0.5:
            kinds, counts = np.unique(self.kind[ran][failed], return_counts=True)
            how = ", ".join(f"{c} {k}" for k, c in zip(kinds, counts))
            out.append(
                f"{failed.mean():.0%} of the runs diverged ({how}): most of the grid lies past "
                "the stable values; narrow it to see the rest in detail."
            )
        return out

    def groups(self) -> tuple[list[dict[str, float]], list[np.ndarray]]:
        """The distinct configurations, in grid order, and the row indices of each."""
        keys, _, group = self.config_means()
        rows = np.argsort(group, kind="stable")
        ends = np.cumsum(np.bincount(group, minlength=len(_)))[:-1]
        names = list(keys)
        dicts = [dict(zip(names, map(float, vals))) for vals in zip(*keys.values())]
        if not names:
            dicts = [{}]
        return dicts, np.split(rows, ends)


def _column_text(values: np.ndarray) -> list[str]:
    """Every cell of a column as CSV text: :func:`_cell` of each value, quoted as csv does."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        text = [f"{v:.9g}" for v in values.tolist()]
        return ["" if t == "nan" else t for t in text] if np.isnan(values).any() else text
    if values.dtype.kind in "iu":
        return list(map(str, values.tolist()))
    cache: dict[Any, str] = {}  # object and text columns: few distinct values (a stepper's name)
    out = []
    for v in values.tolist():
        key = (type(v), v)
        if key not in cache:
            cache[key] = _quoted(_cell(v))
        out.append(cache[key])
    return out


def _quoted(text: str) -> str:
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _cell(v: Any) -> str:
    if isinstance(v, (np.floating, float)):
        return "" if np.isnan(v) else f"{v:.9g}"
    return str(v.item() if hasattr(v, "item") else v)
