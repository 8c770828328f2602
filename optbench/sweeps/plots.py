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
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .._io import save_figure

PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def _figure(w: float = 6.4, h: float = 4.2) -> Figure:
    fig = Figure(figsize=(w, h), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _by_value(res: Any, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per value of ``name``: the best (over other hyperparameters) mean final loss; diverged
    flag."""
    values = np.unique(res.hparams[name])
    means, failed = [], []
    for v in values:
        rows = res.hparams[name] == v
        keys, groups = res.groups()
        best, fail = np.inf, True
        for k, g in zip(keys, groups):
            if k[name] != v:
                continue
            f = res.failed[g]
            m = np.inf if f.any() else float(np.mean(res.final_loss[g]))
            best, fail = min(best, m), fail and f.any()
        means.append(best if np.isfinite(best) else np.nan)
        failed.append(fail or not rows.any())
    return values, np.array(means), np.array(failed)


def sensitivity(
    results: Mapping[str, Any],
    path: Any,
    hparam: str = "lr",
    eta_max: float | None = None,
    title: str = "",
) -> Path:
    """Final loss (mean over seeds, best over other hyperparameters) against ``hparam``, one line
    per stepper; an x marks values where every run diverged, a dashed line marks eta_max."""
    fig = _figure()
    ax = fig.add_subplot()
    for i, (label, res) in enumerate(results.items()):
        x, y, bad = _by_value(res, hparam)
        c = PALETTE[i % len(PALETTE)]
        ax.plot(x, y, "o-", color=c, ms=3, label=label)
        if bad.any():
            top = np.nanmax(y) if np.isfinite(y).any() else 1.0
            ax.plot(x[bad], np.full(bad.sum(), top), "x", color=c, ms=7, mew=2)
    if eta_max is not None:
        ax.axvline(eta_max, ls="--", color="0.4", label=rf"$\eta_{{max}}$ = {eta_max:.3g}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(hparam)
    ax.set_ylabel("final loss (x: diverged)")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return save_figure(fig, path)


def heatmap(res: Any, x: str, y: str, path: Any, title: str = "") -> Path:
    """log10 of the mean final loss over seeds on the (x, y) grid, best over other hyperparameters;
    diverged cells are hatched grey."""
    xs, ys = np.unique(res.hparams[x]), np.unique(res.hparams[y])
    z = np.full((len(ys), len(xs)), np.inf)
    keys, groups = res.groups()
    for k, g in zip(keys, groups):
        i, j = np.searchsorted(ys, k[y]), np.searchsorted(xs, k[x])
        m = np.inf if res.failed[g].any() else float(np.mean(res.final_loss[g]))
        z[i, j] = min(z[i, j], m)
    fig = _figure()
    ax = fig.add_subplot()
    ok = np.isfinite(z)
    shown = np.where(ok, np.log10(np.maximum(np.where(ok, z, 1.0), 1e-300)), np.nan)
    im = ax.imshow(shown, origin="lower", aspect="auto", cmap="viridis")
    for i, j in zip(*np.nonzero(~ok)):
        ax.add_patch(_Rect((j - 0.5, i - 0.5), 1, 1, facecolor="0.8", hatch="xx", edgecolor="0.5"))
    ax.set_xticks(range(len(xs)), [f"{v:.2g}" for v in xs], rotation=90, fontsize=7)
    ax.set_yticks(range(len(ys)), [f"{v:.3g}" for v in ys], fontsize=7)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(title)
    fig.colorbar(im, ax=ax, label="log10 final loss (hatched: diverged)")
    return save_figure(fig, path)


def _Rect(*a, **k):
    from matplotlib.patches import Rectangle

    return Rectangle(*a, **k)


def run_length_ecdf(runs: Mapping[str, np.ndarray], steps: int, path: Any, title: str = "") -> Path:
    """COCO run-length ECDF: for each stepper, the fraction of (problem, target, seed) triples
    solved within t steps. ``runs[label]`` holds first-hit steps, -1 (or failure) meaning never."""
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
