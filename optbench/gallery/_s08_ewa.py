"""Exponentially weighted averages, with and without bias correction."""

from pathlib import Path

import numpy as np

from optbench._io import save_figure
from optbench.gallery._figure import PALETTE, figure, say

NAME = "ewa"
TITLE = "Exponentially weighted averages and bias correction"
CAPTION = (
    "v_t = β v_{t-1} + (1 − β) θ_t with v_0 = 0 starts far too low; dividing by 1 − β^t (the "
    "correction Adam applies to both moments) removes the start-up bias. β = 0.9 averages about "
    "1/(1 − β) = 10 points, β = 0.98 about 50 and lags more."
)
REPRODUCE = """\
import numpy as np
rng = np.random.default_rng(0)
theta = 10 + 8 * np.sin(np.arange(200) / 25) + rng.normal(0, 3, 200)   # a noisy series
beta, v, corrected = 0.98, 0.0, []
for t, x in enumerate(theta, start=1):
    v = beta * v + (1 - beta) * x
    corrected.append(v / (1 - beta**t))
"""


RU = {
    "title": "Экспоненциальное скользящее среднее и поправка смещения",
    "caption": (
        "v_t = β v_{t-1} + (1 − β) θ_t с v_0 = 0 стартует слишком низко; деление на 1 − β^t "
        "(поправка, которую Adam применяет к обоим моментам) убирает смещение на старте. β = 0.9 "
        "усредняет около 1/(1 − β) = 10 точек, β = 0.98 около 50 и запаздывает сильнее."
    ),
}
WORDS = {
    "en": {
        "series": "θ_t (noisy series)",
        "raw": "no correction",
        "value": "value",
        "title": "Exponentially weighted average: bias correction fixes the start",
    },
    "ru": {
        "series": "θ_t (зашумлённый ряд)",
        "raw": "без поправки",
        "value": "значение",
        "title": "Скользящее среднее: поправка смещения исправляет начало",
    },
}


def ewa(series: np.ndarray, beta: float) -> tuple[np.ndarray, np.ndarray]:
    """(raw, bias-corrected) exponentially weighted averages of ``series``."""
    v, raw = 0.0, np.empty_like(series)
    for i, x in enumerate(series):
        v = beta * v + (1 - beta) * x
        raw[i] = v
    t = np.arange(1, len(series) + 1)
    return raw, raw / (1 - beta**t)


def render(out: Path, quick: bool) -> list[Path]:
    n = 60 if quick else 200
    rng = np.random.default_rng(0)
    days = np.arange(n)
    theta = 10 + 8 * np.sin(days / 25) + rng.normal(0, 3, n)
    fig = figure(10, 4)
    ax = fig.subplots()
    w = say(WORDS)
    ax.plot(days, theta, ".", color="0.55", ms=4, label=w["series"])
    for beta, colour in ((0.9, PALETTE[0]), (0.98, PALETTE[1])):
        raw, corrected = ewa(theta, beta)
        ax.plot(days, raw, "--", color=colour, lw=1.4, label=f"β = {beta}, {w['raw']}")
        ax.plot(days, corrected, "-", color=colour, lw=2, label=f"β = {beta}, v_t / (1 − β^t)")
    ax.set_xlabel("t")
    ax.set_ylabel(w["value"])
    ax.legend(loc="lower right", fontsize=9)
    ax.set_title(w["title"])
    return [save_figure(fig, out / "ewa.png")]
