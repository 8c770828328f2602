"""Sweep plots from NumPy tables (no JAX): lr sensitivity, heatmaps, run-length ECDFs,
Dolan-More performance profiles and convergence basins.

References: Hansen et al. (2021), COCO (run-length ECDFs over (problem, target) pairs);
Dolan & Moré (2002), Benchmarking optimization software with performance profiles, Math. Prog. 91.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib import colormaps
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._io import check_path, save_figure
from ..render._style import at_floor, linear_threshold, log_axis, symlog_axis, zero_floor

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
# heatmap cells with no finite result: a mid grey, far from every colour of viridis
FAILED_COLOUR = "#b0b0b0"


WORDS = {
    "en": {
        "final": "final loss (x: diverged)",
        "loss": "final loss",
        "symlog": "final loss (symmetric log)",
        "zero": " (end triangle: 0)",
        "failed": "diverged / NaN / inf",
    },
    "ru": {
        "final": "итоговые потери (x: расходится)",
        "loss": "итоговые потери",
        "symlog": "итоговые потери (симметричная лог. шкала)",
        "zero": " (нижний треугольник: 0)",
        "failed": "расходится / NaN / inf",
    },
}


def _words(lang: str) -> dict[str, str]:
    if lang not in WORDS:
        from .._errors import unknown

        raise unknown("language", lang, WORDS)
    return WORDS[lang]


def _figure(w: float = 6.4, h: float = 4.2) -> Figure:
    fig = Figure(figsize=(w, h), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _config_means(res: Any) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Per distinct configuration: its hyperparameter values, and its mean final loss over seeds
    and starts (inf where any of its runs failed or the mean is not a number)."""
    if not len(res):
        return {}, np.array([np.inf])
    keys, mean, _ = res.config_means()
    return keys, mean


def _by_value(res: Any, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per value of ``name``: the best (over other hyperparameters) mean final loss, NaN where
    every configuration failed; and that flag."""
    keys, mean = _config_means(res)
    values, which = np.unique(keys[name], return_inverse=True)
    best = np.full(len(values), np.inf)
    np.minimum.at(best, which.ravel(), mean)
    failed = ~np.isfinite(best)
    return values, np.where(failed, np.nan, best), failed


def compact(v: float) -> str:
    """A short tick label with the fewest significant digits (at most 3) that give the value to
    0.05%: 0.003, 0.25, 0.999, 12.5, 1000, then mantissa and exponent (1e-4, 5.18e-5, 3e6)."""
    v = float(v)
    if v == 0 or not np.isfinite(v):
        return f"{v:g}"
    for digits in (1, 2, 3):
        text = _digits(v, digits)
        if abs(float(text) - v) <= 5e-4 * abs(v):
            break
    return text


def _digits(v: float, digits: int) -> str:
    if 1e-3 <= abs(v) < 1e4:
        return f"{float(f'{v:.{digits}g}'):g}"
    mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def tick_indices(n: int, most: int = 10) -> np.ndarray:
    """At most ``most`` evenly spaced indices into ``n`` values, both ends included; a spacing that
    divides ``n - 1`` is preferred, so the ticks of a log grid land on round values."""
    if n <= most:
        return np.arange(n)
    for k in range(most, 4, -1):
        if (n - 1) % (k - 1) == 0:
            return np.arange(0, n, (n - 1) // (k - 1))
    return np.unique(np.round(np.linspace(0, n - 1, most - 2)).astype(int))


def value_axis(ax: Any, values: np.ndarray, which: str = "y") -> float | None:
    """Scale ``ax``'s ``which`` axis for final losses: log with a zero floor (see
    ``optbench.render._style.log_axis``) when none is negative, else symmetric log over the finite
    values. Returns the zero floor (None when there is none)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size and v.min() < 0:
        symlog_axis(ax, float(v.min()), float(v.max()), linear_threshold(v))
        return None
    return log_axis(ax, v)


def sensitivity(
    results: Mapping[str, Any],
    path: Any,
    hparam: str = "lr",
    eta_max: float | None = None,
    title: str = "",
    lang: str = "en",
) -> Path:
    """Final loss (mean over seeds, best over other hyperparameters) against ``hparam``, one line
    per stepper; an x marks values where every run diverged, a dashed line marks eta_max.

    The loss axis is logarithmic; a final loss of exactly 0 is drawn at a floor a decade below the
    decade of the smallest positive one, labelled "0". Negative final losses (a surface unbounded
    below) put it on a symmetric log scale instead.
    """
    path = check_path(path, (".png",))  # before any work
    words = _words(lang)
    fig = _figure()
    ax = fig.add_subplot()
    rows = [(label, *_by_value(res, hparam)) for label, res in results.items()]
    finite = np.concatenate([y[np.isfinite(y)] for _, _, y, _ in rows] + [np.zeros(0)])
    floor = None if finite.size and finite.min() < 0 else zero_floor(finite)
    top = finite.max() if finite.size else 1.0
    for i, (label, x, y, bad) in enumerate(rows):
        c = PALETTE[i % len(PALETTE)]
        ax.plot(x, at_floor(y, floor), "o-", color=c, ms=3, label=label, zorder=3, clip_on=False)
        if bad.any():
            ax.plot(x[bad], np.full(bad.sum(), top), "x", color=c, ms=7, mew=2, zorder=3)
    if eta_max is not None:
        ax.axvline(eta_max, ls="--", color="0.4", label=rf"$\eta_{{max}}$ = {eta_max:.3g}")
    xs = np.concatenate([x for _, x, _, _ in rows] + [np.zeros(0)])
    if xs.size and np.all(xs > 0):
        ax.set_xscale("log")
    value_axis(ax, finite)
    ax.set_xlabel(hparam)
    ax.set_ylabel(words["final"])
    ax.set_title(title)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def heatmap(res: Any, x: str, y: str, path: Any, title: str = "", lang: str = "en") -> Path:
    """The mean final loss over seeds on the (x, y) grid, best over other hyperparameters.

    Colours follow a log scale from the smallest to the largest finite positive cell (a symmetric
    log scale over the finite cells when some are negative); a cell of 0 takes the lowest colour.
    Cells whose every configuration diverged (or gave NaN or inf) are drawn in ``FAILED_COLOUR``
    and named in the legend. At most 10 ticks per axis are labelled, with compact values.
    """
    path = check_path(path, (".png",))  # before any work
    words = _words(lang)
    from matplotlib.colors import LogNorm, SymLogNorm
    from matplotlib.patches import Patch

    keys, mean = _config_means(res)
    xs, ix = np.unique(keys[x], return_inverse=True)
    ys, iy = np.unique(keys[y], return_inverse=True)
    z = np.full((len(ys), len(xs)), np.inf)
    np.minimum.at(z, (iy.ravel(), ix.ravel()), mean)
    ok = np.isfinite(z)
    values = z[ok]
    cmap = colormaps["viridis"].with_extremes(bad=FAILED_COLOUR)
    if values.size and values.min() < 0:
        lin = linear_threshold(values)
        norm = SymLogNorm(lin, vmin=values.min(), vmax=values.max())
        note = words["symlog"]
    elif (values > 0).any():
        pos = values[values > 0]
        norm = LogNorm(vmin=pos.min(), vmax=pos.max() if pos.max() > pos.min() else pos.min() * 10)
        note = words["loss"]
    else:
        norm, note = None, words["loss"]
    shown = np.where(ok, z, np.nan)
    if isinstance(norm, LogNorm):  # a log norm masks zeros: put them below the scale instead
        shown = np.where(ok & (z <= 0), norm.vmin / 10, shown)
    fig = _figure()
    ax = fig.add_subplot()
    im = ax.imshow(
        np.ma.masked_invalid(shown),
        origin="lower",
        aspect="auto",
        cmap=cmap,
        norm=norm,
        interpolation="nearest",
    )
    tx, ty = tick_indices(len(xs)), tick_indices(len(ys))
    ax.set_xticks(tx, [compact(v) for v in xs[tx]], rotation=90, fontsize=7)
    ax.set_yticks(ty, [compact(v) for v in ys[ty]], fontsize=7)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(title)
    below = isinstance(norm, LogNorm) and bool((values <= 0).any())
    fig.colorbar(
        im,
        ax=ax,
        label=note + (words["zero"] if below else ""),
        extend="min" if below else "neither",
    )
    if not ok.all():
        failed = Patch(facecolor=FAILED_COLOUR, edgecolor="0.3", label=words["failed"])
        fig.legend(handles=[failed], loc="outside lower right", fontsize=7, frameon=False)
    return save_figure(fig, path)


def run_length_ecdf(runs: Mapping[str, np.ndarray], steps: int, path: Any, title: str = "") -> Path:
    """COCO run-length ECDF: for each stepper, the fraction of (problem, target, seed) triples
    solved within t steps. ``runs[label]`` holds first-hit steps, -1 (or failure) meaning never."""
    path = check_path(path, (".png",))  # before any work
    fig = _figure()
    ax = fig.add_subplot()
    t = np.arange(steps + 1)
    for i, (label, hits) in enumerate(runs.items()):
        hits = np.asarray(hits).ravel()
        solved = np.sort(hits[hits >= 0])
        frac = np.searchsorted(solved, t, side="right") / max(hits.size, 1)
        ax.step(np.maximum(t, 1), frac, where="post", color=PALETTE[i % len(PALETTE)], label=label)
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlabel("steps")
    ax.set_ylabel("fraction of (problem, target) pairs solved")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def performance_ratios(cost: np.ndarray) -> np.ndarray:
    r"""Dolan-Moré ratios :math:`r_{p,s} = t_{p,s} / \min_s t_{p,s}`; inf for failures.

    ``cost`` is (problems, solvers) with inf for a failed solver; a problem nobody solved gives inf.
    """
    cost = np.asarray(cost, dtype=float)
    best = np.min(cost, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cost / best
    solved = np.isfinite(cost)
    # a zero best cost (solved at step 0): ratio 1 for every solver that also took 0 steps
    r = np.where(best > 0, r, np.where(cost == best, 1.0, np.inf))
    return np.where(solved, r, np.inf)


def performance_profile(
    cost: np.ndarray, labels: Sequence[str], path: Any, title: str = ""
) -> Path:
    r"""Dolan-Moré profile :math:`\rho_s(\tau) = |\{p: r_{p,s} \le \tau\}| / n_p`."""
    path = check_path(path, (".png",))  # before any work
    r = performance_ratios(cost)
    finite = r[np.isfinite(r)]
    taus = np.logspace(0, np.log10(max(2.0, finite.max() * 1.1 if finite.size else 2.0)), 200)
    fig = _figure()
    ax = fig.add_subplot()
    for i, label in enumerate(labels):
        rho = (r[:, i][None, :] <= taus[:, None]).mean(axis=1)
        ax.step(taus, rho, where="post", color=PALETTE[i % len(PALETTE)], label=label)
    ax.set_xscale("log")
    ax.set_ylim(0, 1.02)
    ax.set_xlabel(r"$\tau$ (within a factor of the best)")
    ax.set_ylabel(r"$\rho(\tau)$: fraction of problems")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def basin_labels(finals: np.ndarray, minima: np.ndarray, tol: float = 1e-2) -> np.ndarray:
    """Index of the known minimum each final point lies within ``tol`` of, -1 if none."""
    d = np.linalg.norm(finals[:, None, :] - minima[None, :, :], axis=-1)
    idx = np.argmin(d, axis=1)
    return np.where(np.take_along_axis(d, idx[:, None], 1)[:, 0] <= tol, idx, -1)


def basins(
    starts: np.ndarray,
    finals: np.ndarray,
    minima: np.ndarray,
    shape: tuple[int, int],
    path: Any,
    title: str = "",
    tol: float = 1e-2,
) -> Path:
    """Convergence basins: each start on a ``shape`` (ny, nx) grid coloured by the minimum its run
    reached (grey: none). ``starts`` and ``finals`` are (ny*nx, 2), row-major over y then x."""
    path = check_path(path, (".png",))  # before any work
    from matplotlib.colors import ListedColormap

    lab = basin_labels(finals, minima, tol).reshape(shape)
    fig = _figure(5.2, 4.6)
    ax = fig.add_subplot()
    sx, sy = starts[:, 0].reshape(shape), starts[:, 1].reshape(shape)
    cmap = ListedColormap(["0.85"] + list(PALETTE[: len(minima)]))
    ax.pcolormesh(sx, sy, lab + 1, cmap=cmap, vmin=0, vmax=len(minima), shading="nearest")
    for k, m in enumerate(minima):
        ax.plot(*m, "*", color="white", mec="black", ms=12)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_title(title)
    return save_figure(fig, path)
