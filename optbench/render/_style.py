"""Themes, the colour-blind-safe palette, contour levels and the words of the pictures (en, ru)."""

from __future__ import annotations

from typing import Any

import numpy as np

from optbench._errors import OptbenchError, unknown

# Okabe & Ito (2008): distinguishable with the common colour-vision deficiencies.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#FFFFFF")

THEMES: dict[str, dict[str, Any]] = {
    "light": {
        "bg": "#ffffff",
        "fg": "#222222",
        "cmap": "Greys_r",
        "contour": "#7a7a7a",
        "paths": ("#E69F00", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#000000"),
        "minimum": "#000000",
        "start": "#000000",
    },
    "dark": {
        "bg": "#15171c",
        "fg": "#e8e8e8",
        "cmap": "cividis",
        "contour": "#3c3f46",
        "paths": ("#E69F00", "#56B4E9", "#F0E442", "#009E73", "#CC79A7", "#D55E00", "#FFFFFF"),
        "minimum": "#ffffff",
        "start": "#ffffff",
    },
}

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
    },
}
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
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and np.isfinite(value)
        and value > 0
    )
    if ok and integer:
        ok = float(value).is_integer()
    if not ok:
        kind = "a positive integer" if integer else "a positive number"
        raise OptbenchError(f"`{name}` (={value!r}) must be {kind}.")


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
