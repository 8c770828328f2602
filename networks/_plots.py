"""Network pictures with matplotlib, from NumPy arrays only (this module never imports JAX).

Conventions shared with the race: ``theme`` is ``"light"`` or ``"dark"``, ``lang`` is ``"en"`` or
``"ru"``, the same inputs give the same bytes, and every file is written under a temporary name and
renamed (``optbench._io``). The decision-boundary GIF is drawn on one figure whose static parts
(axes, points, labels) are built once; each frame only updates the probability image, the 0.5
contour and the title, and all frames are quantized to one shared palette.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap, LogNorm
from matplotlib.figure import Figure

from optbench._io import check_path, save_figure
from optbench.render._gif import stream_gif
from optbench.render._style import at_floor, log_axis, zero_floor
from optbench.render._style import style as race_style

THEMES = {
    "light": {
        "bg": "#ffffff",
        "fg": "#222222",
        "grid": "#dddddd",
        "cmap": "RdBu_r",
        "lines": ("#1f77b4", "#d62728", "#2ca02c", "#9467bd"),
        "path": "#111111",
        "points": ("#1f4e9c", "#b2182b", "#1b7837", "#762a83", "#e08214"),
    },
    "dark": {
        "bg": "#16181d",
        "fg": "#e6e6e6",
        "grid": "#3a3d44",
        "cmap": "RdBu_r",
        "lines": ("#6cb4ff", "#ff6b6b", "#7ee081", "#c9a0ff"),
        "path": "#f5f5f5",
        "points": ("#9ecbff", "#ff9e9e", "#a6f0a6", "#dcbfff", "#ffd18a"),
    },
}
TEXT = {
    "en": {
        "step": "step",
        "epoch": "epoch",
        "loss": "loss",
        "accuracy": "accuracy",
        "train": "train",
        "val": "validation",
        "best": "best epoch",
        "stop": "early stop",
        "diverged": "diverged at epoch {e:g}: frozen after",
        "diverged_step": "diverged at step {k}",
        "pc": "PC{i} ({v:.1f}% of variance)",
        "start": "start",
        "end": "end",
        "zeros": "zero initialization",
        "normal": "random initialization",
        "weight": "weight from input 1 to each hidden unit",
        "class": "class",
    },
    "ru": {
        "step": "шаг",
        "epoch": "эпоха",
        "loss": "потери",
        "accuracy": "точность",
        "train": "обучение",
        "val": "валидация",
        "best": "лучшая эпоха",
        "stop": "ранняя остановка",
        "diverged": "расходимость на эпохе {e:g}: дальше заморожено",
        "diverged_step": "расходимость на шаге {k}",
        "pc": "ГК{i} ({v:.1f}% дисперсии)",
        "start": "старт",
        "end": "финиш",
        "zeros": "нулевая инициализация",
        "normal": "случайная инициализация",
        "weight": "вес от входа 1 к каждому скрытому нейрону",
        "class": "класс",
    },
}


def style(theme: str, lang: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The colours and words for ``theme`` and ``lang``; the names are checked as the race
    checks them."""
    race_style(theme, lang)
    return THEMES[theme], TEXT[lang]


def _figure(size: tuple[float, float], colours: dict[str, Any], dpi: int = 100) -> Figure:
    fig = Figure(figsize=size, dpi=dpi, facecolor=colours["bg"])
    FigureCanvasAgg(fig)
    return fig


def _dress(ax, colours: dict[str, Any]) -> None:
    ax.set_facecolor(colours["bg"])
    for spine in ax.spines.values():
        spine.set_color(colours["fg"])
    ax.tick_params(colors=colours["fg"])
    ax.xaxis.label.set_color(colours["fg"])
    ax.yaxis.label.set_color(colours["fg"])
    ax.title.set_color(colours["fg"])


def boundary_gif(
    path: str | Path,
    x: np.ndarray,
    y: np.ndarray,
    xs: np.ndarray,
    ys: np.ndarray,
    field: np.ndarray,
    titles: Sequence[str],
    *,
    n_classes: int = 2,
    theme: str = "light",
    lang: str = "en",
    fps: float = 10.0,
) -> Path:
    """The decision boundary moving during training, over the data points coloured by class.

    ``field[f]`` (``(len(ys), len(xs))``, values in [0, 1]) is frame f's class-1 probability (two
    classes; the 0.5 contour is the boundary) or predicted class / (classes - 1).
    """
    path = check_path(path, (".gif",))  # before any work
    colours, _ = style(theme, lang)
    fig = _figure((5.0, 5.0), colours)
    ax = fig.add_axes((0.08, 0.06, 0.88, 0.86))
    _dress(ax, colours)
    extent = (xs[0], xs[-1], ys[0], ys[-1])
    if n_classes > 2:
        cmap = ListedColormap(list(colours["points"][:n_classes]))
    else:
        cmap = colours["cmap"]
    # matplotlib's static-background / moving-artist split: the axes, ticks and labels are drawn
    # once; each frame restores them and draws only the field, the boundary, the points on top and
    # the title
    image = ax.imshow(
        field[0],
        extent=extent,
        origin="lower",
        cmap=cmap,
        vmin=0,
        vmax=1,
        alpha=0.45,
        interpolation="bilinear" if n_classes <= 2 else "nearest",
        aspect="auto",
        animated=True,
    )
    points = [
        ax.scatter(
            x[y == k][:, 0],
            x[y == k][:, 1],
            s=12,
            color=colours["points"][k % 5],
            edgecolors=colours["bg"],
            linewidths=0.4,
            animated=True,
        )
        for k in range(max(2, n_classes))
    ]
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    title = ax.set_title(titles[0], fontsize=10)
    title.set_animated(True)
    canvas = fig.canvas
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)

    def draw(f: int) -> np.ndarray:
        canvas.restore_region(background)
        image.set_data(field[f])
        ax.draw_artist(image)
        if n_classes <= 2 and field[f].min() < 0.5 < field[f].max():
            contour = ax.contour(
                xs, ys, field[f], levels=[0.5], colors=[colours["fg"]], linewidths=1.5
            )
            ax.draw_artist(contour)
            contour.remove()
        for artist in points:
            ax.draw_artist(artist)
        title.set_text(titles[f])
        ax.draw_artist(title)
        return np.asarray(canvas.buffer_rgba())  # RGBA, not copied: the GIF writer copies it

    return stream_gif(path, len(field), draw, fps)


def curves_png(
    path: str | Path,
    per_epoch: dict[str, np.ndarray],
    *,
    best_epoch: int | None = None,
    stop_epoch: int | None = None,
    diverged_epoch: float | None = None,
    title: str = "",
    theme: str = "light",
    lang: str = "en",
) -> Path:
    """Train vs validation loss and accuracy per epoch (the overfitting picture).

    ``diverged_epoch``: where the run diverged (its step over the steps of an epoch), marked by a
    cross-hatched band to the end: the values there are the frozen network's, not training.
    """
    path = check_path(path, (".png",))  # before any work
    colours, words = style(theme, lang)
    has_acc = "train_acc" in per_epoch
    fig = _figure((9.0 if has_acc else 5.0, 3.6), colours)
    axes = fig.subplots(1, 2 if has_acc else 1, squeeze=False)[0]
    epochs = np.arange(len(per_epoch["train_loss"]))
    panels = [("loss", "train_loss", "val_loss"), ("accuracy", "train_acc", "val_acc")]
    for ax, (what, tr, va) in zip(axes, panels[: len(axes)], strict=True):
        _dress(ax, colours)
        # a loss spanning more than a decade goes on a log axis, exact zeros on its "0" floor
        shown = [np.asarray(per_epoch[k], dtype=float) for k in (tr, va) if k in per_epoch]
        both = np.concatenate(shown)
        both = both[np.isfinite(both)]
        positive = both[both > 0]
        log = (
            what == "loss"
            and positive.size > 0
            and both.min() >= 0
            and positive.max() > 10 * positive.min()
        )
        floor = zero_floor(both) if log else None
        ax.plot(epochs, at_floor(shown[0], floor), color=colours["lines"][0], label=words["train"])
        if va in per_epoch:
            ax.plot(
                epochs, at_floor(shown[1], floor), color=colours["lines"][1], label=words["val"]
            )
        if best_epoch is not None:
            ax.axvline(best_epoch, color=colours["lines"][2], ls="--", lw=1, label=words["best"])
        if stop_epoch is not None and stop_epoch < epochs[-1]:
            ax.axvline(stop_epoch, color=colours["lines"][3], ls=":", lw=1, label=words["stop"])
        if diverged_epoch is not None:
            ax.axvspan(
                diverged_epoch,
                max(epochs[-1], diverged_epoch),
                facecolor="none",
                edgecolor=colours["fg"],
                hatch="xx",
                alpha=0.35,
                lw=0,
                label=words["diverged"].format(e=diverged_epoch),
            )
        if log:
            log_axis(ax, both)
        ax.set_xlabel(words["epoch"])
        ax.set_ylabel(words[what])
        ax.grid(color=colours["grid"], lw=0.5)
        legend = ax.legend(fontsize=8, facecolor=colours["bg"], edgecolor=colours["grid"])
        for text in legend.get_texts():
            text.set_color(colours["fg"])
    if title:
        fig.suptitle(title, color=colours["fg"], fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path)


def landscape_png(
    path: str | Path,
    a: np.ndarray,
    b: np.ndarray,
    loss: np.ndarray,
    path_ab: np.ndarray,
    explained: np.ndarray,
    *,
    title: str = "",
    theme: str = "light",
    lang: str = "en",
) -> Path:
    """Loss contours on the trajectory's PCA plane, the projected path, explained variance."""
    path = check_path(path, (".png",))  # before any work
    colours, words = style(theme, lang)
    fig = _figure((5.6, 4.8), colours)
    ax = fig.add_subplot(1, 1, 1)
    _dress(ax, colours)
    finite = np.where(np.isfinite(loss), loss, np.nanmax(loss[np.isfinite(loss)]))
    lo = max(finite.min(), 1e-12)
    levels = np.geomspace(lo, max(finite.max(), lo * 1.01), 25)
    filled = ax.contourf(
        a, b, np.clip(finite, lo, None), levels=levels, cmap="viridis", norm=LogNorm(lo, levels[-1])
    )
    ax.contour(
        a,
        b,
        np.clip(finite, lo, None),
        levels=levels[::3],
        colors=[colours["grid"]],
        linewidths=0.4,
    )
    cbar = fig.colorbar(filled, ax=ax, ticks=levels[::6], format="%.3g")
    cbar.ax.minorticks_off()
    cbar.set_label(words["loss"], color=colours["fg"])
    cbar.ax.tick_params(colors=colours["fg"])
    ax.plot(path_ab[:, 0], path_ab[:, 1], color=colours["path"], lw=1.2)
    ax.plot(*path_ab[0], "o", color=colours["lines"][1], label=words["start"])
    ax.plot(*path_ab[-1], "*", color=colours["lines"][2], ms=10, label=words["end"])
    ax.set_xlabel(words["pc"].format(i=1, v=100 * explained[0]))
    ax.set_ylabel(words["pc"].format(i=2, v=100 * explained[1]))
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path)


def zero_init_png(
    path: str | Path,
    steps: np.ndarray,
    zeros: np.ndarray,
    normal: np.ndarray,
    *,
    theme: str = "light",
    lang: str = "en",
) -> Path:
    """Each hidden unit's weight over training: identical lines from zeros, distinct from random."""
    path = check_path(path, (".png",))  # before any work
    colours, words = style(theme, lang)
    fig = _figure((9.0, 3.6), colours)
    axes = fig.subplots(1, 2, sharey=False)
    for ax, w, key in zip(axes, (zeros, normal), ("zeros", "normal"), strict=True):
        _dress(ax, colours)
        for j in range(w.shape[1]):
            ax.plot(steps, w[:, j], color=colours["lines"][j % 4], lw=2.5 - 0.4 * j)
        ax.set_title(words[key], fontsize=10)
        ax.set_xlabel(words["step"])
        ax.grid(color=colours["grid"], lw=0.5)
    axes[0].set_ylabel(words["weight"], fontsize=8)
    fig.tight_layout()
    return save_figure(fig, path)
