"""Themes, the colour-blind-safe palette, contour levels and the words of the pictures (en, ru)."""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.ticker import LogFormatterSciNotation, LogLocator

from optbench._errors import OptbenchError, unknown

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#FFFFFF")

_SOLID, _DOT = ("-",), ("o",)
# print: seven lines told apart by their dash and their marker as well as their colour
_DASHES = ("-", "--", ":", "-.", (0, (6, 2, 1, 2, 1, 2)), (0, (1, 3)), (0, (9, 3)))
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")
_STRONG = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

# Each theme: ground and text colours, the contour's colour map (a name, or (name, from, to): a
# slice of it) and its lines, the path colours (every two at least CIEDE2000 20 apart, see
# optbench.render._colour), their dashes and head markers (cycled), the path width in points and
# a text scale.
THEMES: dict[str, dict[str, Any]] = {
    "light": {
        "bg": "#ffffff",
        "fg": "#222222",
        "cmap": "Greys_r",
        "contour": "#7a7a7a",
        "paths": ("#E69F00", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#000000"),
        "minimum": "#000000",
        "start": "#000000",
        "dashes": _SOLID,
        "markers": _DOT,
        "lw": 2.0,
        "text": 1.0,
    },
    "dark": {
        "bg": "#15171c",
        "fg": "#e8e8e8",
        "cmap": "cividis",
        "contour": "#3c3f46",
        "paths": ("#E69F00", "#56B4E9", "#F0E442", "#009E73", "#CC79A7", "#D55E00", "#FFFFFF"),
        "minimum": "#ffffff",
        "start": "#ffffff",
        "dashes": _SOLID,
        "markers": _DOT,
        "lw": 2.0,
        "text": 1.0,
    },
    "print": {  # white ground, a pale fill; readable in grayscale through dashes and markers
        "bg": "#ffffff",
        "fg": "#000000",
        "cmap": ("Greys", 0.3, 0.0),
        "contour": "#8c8c8c",
        "paths": _STRONG,
        "minimum": "#000000",
        "start": "#000000",
        "dashes": _DASHES,
        "markers": _MARKERS,
        "lw": 1.8,
        "text": 1.0,
    },
    "projector": {  # high contrast: thick lines and large text on a white ground
        "bg": "#ffffff",
        "fg": "#000000",
        "cmap": ("Greys", 0.45, 0.0),
        "contour": "#6e6e6e",
        "paths": _STRONG,
        "minimum": "#000000",
        "start": "#000000",
        "dashes": _SOLID,
        "markers": _MARKERS,
        "lw": 4.0,
        "text": 1.5,
    },
}


def colour_map(colours: dict[str, Any]) -> Any:
    """The theme's contour colour map: a matplotlib name, or a slice ``(name, from, to)``."""
    import matplotlib
    from matplotlib.colors import ListedColormap

    cmap = colours["cmap"]
    if isinstance(cmap, str):
        return matplotlib.colormaps[cmap]
    name, lo, hi = cmap
    return ListedColormap(matplotlib.colormaps[name](np.linspace(lo, hi, 256)), name=f"{name}_part")


def mark_style(colours: dict[str, Any], which: str) -> dict[str, Any]:
    """How a view marks the ``"minimum"`` (a star) or the ``"start"`` (a square): keyword
    arguments for ``ax.plot``, with no line."""
    marker, size = ("*", 13) if which == "minimum" else ("s", 7)
    return {
        "marker": marker,
        "ls": "none",
        "ms": size * colours["text"],
        "color": colours[which],
        "mec": colours["bg"],
        "mew": 0.8,
    }


def path_style(colours: dict[str, Any], i: int) -> tuple[str, Any, str]:
    """(colour, dash, marker) of path ``i`` in a theme."""
    return (
        colours["paths"][i % len(colours["paths"])],
        colours["dashes"][i % len(colours["dashes"])],
        colours["markers"][i % len(colours["markers"])],
    )


TEXT: dict[str, dict[str, str]] = {
    "en": {
        "step": "step",
        "diverged": "diverged at step {k}",
        "minimum": "minimum",
        "start": "start",
        "loss_gap": "loss − minimum",
        "loss": "loss",
        "distance": "distance to nearest minimum",
        "grad": "gradient norm",
        "eta_max": "η_max = 2/λ_max = {v:.3g}",
        "x": "x",
        "y": "y",
        "buffer": "momentum buffer",
        "step_size": "step size",
        "no_bias": "no bias correction",
        "log10": "log10",
    },
    "ru": {
        "step": "шаг",
        "diverged": "расходится на шаге {k}",
        "minimum": "минимум",
        "start": "старт",
        "loss_gap": "потери − минимум",
        "loss": "потери",
        "distance": "расстояние до минимума",
        "grad": "норма градиента",
        "eta_max": "η_max = 2/λ_max = {v:.3g}",
        "x": "x",
        "y": "y",
        "buffer": "буфер момента",
        "step_size": "размер шага",
        "no_bias": "без поправки смещения",
        "log10": "log10",
    },
}

# the words of the steppers' labels that say a variant, in each language (the names themselves,
# Adam, RMSprop, Nesterov, are the names the lectures use in either language)
LABEL_WORDS: dict[str, dict[str, str]] = {
    "ru": {
        " w/o bias correction": " без поправки смещения",
        ", eps inside the root": ", eps под корнем",
        ", EMA form": ", форма скользящего среднего",
        ", centered": ", центрированный",
    },
}


def localize(label: str, lang: str) -> str:
    """A stepper's label with its variant words in ``lang`` (the numbers and names unchanged):
    ``"Adam w/o bias correction (lr=0.1)"`` -> ``"Adam без поправки смещения (lr=0.1)"``."""
    for english, native in LABEL_WORDS.get(lang, {}).items():
        label = label.replace(english, native)
    return label


FORMATS = ("gif", "mp4", "png")


def style(theme: str, lang: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The colours for ``theme`` and the words for ``lang``, or an error naming what is allowed."""
    if theme not in THEMES:
        raise unknown("theme", theme, THEMES)
    if lang not in TEXT:
        raise unknown("language", lang, TEXT)
    return THEMES[theme], TEXT[lang]


def check_positive(name: str, value: Any, integer: bool = False) -> None:
    ok = (
        isinstance(value, (int, float, np.integer, np.floating))
        and not isinstance(value, (bool, np.bool_))
        and np.isfinite(value)
        and value > 0
    )
    if ok and integer:
        ok = float(value).is_integer()
    if not ok:
        kind = "a positive integer" if integer else "a positive number"
        raise OptbenchError(f"`{name}` (={value!r}) must be {kind}.")


def check_trajectories(trajectories: Any, what: str, points: bool = True) -> list[Any]:
    """A non-empty list of trajectories (``optbench.run`` results), each with its ``loss`` and, when
    ``points``, ``params`` of shape ``(steps + 1, d)``; one sentence otherwise."""
    if isinstance(trajectories, (str, bytes)) or not hasattr(trajectories, "__len__"):
        raise OptbenchError(
            f"`trajectories` (={trajectories!r}) must be a list of trajectories (optbench.run or "
            "optbench.race results)."
        )
    if len(trajectories) == 0:
        raise OptbenchError(f"`trajectories` is empty; give at least one trajectory to {what}.")
    for i, t in enumerate(trajectories):
        params = getattr(t, "params", None)
        if not hasattr(t, "loss") or (points and (params is None or np.ndim(params) != 2)):
            need = "its loss and its iterates (d coordinates a step)" if points else "its loss"
            raise OptbenchError(
                f"`trajectories[{i}]` (={type(t).__name__}) is not a trajectory with {need}: "
                "give optbench.run or optbench.race results, run with record_params=True."
            )
    return list(trajectories)


MIN_SIZE = 120  # pixels: below this the axes' labels leave no room for the plot


MAX_SIZE = 4096  # pixels: a 4K slide; a frame of 4096 x 4096 RGBA takes 64 MB


def check_size(size: Any, name: str = "size") -> tuple[int, int]:
    """A picture's ``(width, height)`` in pixels, each from :data:`MIN_SIZE` to :data:`MAX_SIZE`:
    from an integer ``N`` (``N`` x ``N``), a pair ``(W, H)`` or text ``"WxH"``/``"N"``."""
    given = size
    if isinstance(size, str):
        parts = size.lower().replace("×", "x").split("x")
        try:
            size = tuple(int(p) for p in parts) if len(parts) in (1, 2) else None
        except ValueError:
            size = None
        if size is None:
            raise OptbenchError(
                f"`{name}` (={given!r}) must be pixels as N or WxH, e.g. 600 or 1280x720."
            )
    if isinstance(size, (int, np.integer)) and not isinstance(size, (bool, np.bool_)):
        size = (size, size)
    if (
        not isinstance(size, (tuple, list))
        or len(size) not in (1, 2)
        or not all(
            isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in size
        )
    ):
        raise OptbenchError(
            f"`{name}` (={given!r}) must be pixels as N or WxH, e.g. 600 or 1280x720."
        )
    w, h = (int(size[0]), int(size[-1]))
    for v in (w, h):
        if v < MIN_SIZE:
            raise OptbenchError(
                f"`{name}` (={given!r}) must be at least {MIN_SIZE} pixels a side: smaller leaves "
                "no room for the plot beside its labels."
            )
        if v > MAX_SIZE:
            raise OptbenchError(
                f"`{name}` (={given!r}) must be at most {MAX_SIZE} pixels a side (a 4K slide); "
                "larger frames take hundreds of MB each."
            )
    return w, h


def contour_values(z: np.ndarray, floor: float | None) -> tuple[np.ndarray, np.ndarray, bool]:
    """(values, levels, log): contour levels that suit the range; log-spaced when it spans decades.

    ``floor`` is the known minimum value (or None); values are shifted so the minimum sits at 0.
    """
    z = np.where(np.isfinite(z), z, np.nan)
    lo = np.nanmin(z) if floor is None else min(floor, np.nanmin(z))
    gap = z - lo
    top = np.nanpercentile(gap, 99)
    positive = gap[gap > 0]
    if positive.size and top > 0 and top / max(np.nanpercentile(positive, 1), 1e-300) > 1e3:
        small = max(np.nanpercentile(positive, 0.5), top * 1e-6)
        return (
            np.log10(np.maximum(gap, small)),
            np.linspace(np.log10(small), np.log10(top), 24),
            True,
        )
    return z, np.linspace(np.nanmin(z), lo + top, 24), False


# -- axes that survive real numbers: zeros on log axes, values of both signs -------------------


def zero_floor(values: Any) -> float | None:
    """Where zeros go on a log axis: the power of ten one decade below the decade of the
    smallest positive finite value in ``values`` (0.0042 -> 1e-4); None when none is positive."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return None
    return float(10.0 ** (np.floor(np.log10(v.min())) - 1))


def at_floor(values: Any, floor: float | None) -> np.ndarray:
    """``values`` with every finite value at or below zero moved up to ``floor`` (NaN and inf
    are kept, so they are not drawn)."""
    v = np.asarray(values, dtype=float)
    if floor is None:
        return v
    return np.where(np.isfinite(v) & (v <= 0), floor, v)


class _FloorLocator(LogLocator):
    """Log ticks, with the zero floor always one of them."""

    def __init__(self, floor: float):
        super().__init__()
        self.floor = floor

    def tick_values(self, vmin: float, vmax: float) -> np.ndarray:
        ticks = np.asarray(super().tick_values(vmin, vmax), dtype=float)
        return np.concatenate([[self.floor], ticks[ticks > self.floor * 1.000001]])


class _FloorFormatter(LogFormatterSciNotation):
    """Log tick labels, with the zero floor labelled "0"."""

    def __init__(self, floor: float):
        super().__init__()
        self.floor = floor

    def __call__(self, x: float, pos: int | None = None) -> str:
        if np.isclose(x, self.floor, rtol=1e-6, atol=0.0):
            return "0"
        return super().__call__(x, pos)


def log_axis(ax: Any, values: Any) -> float | None:
    """Put ``ax``'s y axis on a log scale for ``values`` (all the values drawn on it, zeros
    included). When some value is zero (or below), the axis starts at :func:`zero_floor`, where
    those values are drawn (see :func:`at_floor`), and that tick is labelled "0". Call it after
    drawing; returns the floor, or None when no value is zero.

    With nothing positive to show the axis stays linear and None is returned.
    """
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v)]
    floor = zero_floor(v)
    if floor is None:
        return None
    ax.set_yscale("log")
    if not np.any(v <= 0):
        return None
    top = ax.get_ylim()[1]
    ax.set_ylim(floor, max(top, floor * 10))
    ax.yaxis.set_major_locator(_FloorLocator(floor))
    ax.yaxis.set_major_formatter(_FloorFormatter(floor))
    return floor


def linear_threshold(values: Any, starts: Any = ()) -> float:
    """The half-width of the linear band of a symmetric log axis: the power of ten at or below
    the largest nonzero start magnitude (``starts``), else at or below the smallest nonzero
    magnitude of ``values``, else 1."""
    begin = _magnitudes(starts)
    if begin.size:
        return float(10.0 ** np.floor(np.log10(begin.max())))
    rest = _magnitudes(values)
    if rest.size:
        return float(10.0 ** np.floor(np.log10(rest.min())))
    return 1.0


def _magnitudes(values: Any) -> np.ndarray:
    a = np.abs(np.asarray(values, dtype=float).ravel())
    return a[np.isfinite(a) & (a > 0)]


def symlog_axis(ax: Any, lo: float, hi: float, linthresh: float, pad: float = 0.05) -> None:
    """A symmetric log y axis (linear within +-``linthresh``, logarithmic beyond) spanning
    ``lo``..``hi`` with ``pad`` of the span added at each end (measured on the axis)."""
    ax.set_yscale("symlog", linthresh=linthresh)
    tr = ax.yaxis.get_transform()
    a, b = tr.transform([lo, hi])
    d = (b - a) * pad if b > a else 0.5
    ax.set_ylim(*tr.inverted().transform([a - d, b + d]))
