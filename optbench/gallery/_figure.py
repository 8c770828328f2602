"""What the gallery's scenes share: a figure, the palette, and the look of the build (its language
and theme) that every scene draws in."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import NamedTuple

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
THEMES = ("light", "dark")  # the themes every scene draws in (the training pictures' too)


class Look(NamedTuple):
    lang: str = "en"
    theme: str = "light"


_LOOK: contextvars.ContextVar[Look] = contextvars.ContextVar(
    "optbench_gallery_look", default=Look()
)


def look() -> Look:
    """The language and theme of the scenes being built."""
    return _LOOK.get()


def say(words: dict[str, dict[str, str]]) -> dict[str, str]:
    """A scene's words in the build's language."""
    return words[look().lang]


def flags() -> list[str]:
    """The build's look as command-line options (for the race and train scenes)."""
    return ["--lang", look().lang, "--theme", look().theme]


@contextlib.contextmanager
def looking(lang: str, theme: str) -> Iterator[None]:
    """Build scenes in ``lang`` and ``theme``: the static figures take the theme's ground and
    text colours (matplotlib's settings for the duration, then restored)."""
    import matplotlib

    from optbench.render._style import THEMES as COLOURS

    colours = COLOURS[theme]
    bg, fg = colours["bg"], colours["fg"]
    rc = {
        "figure.facecolor": bg,
        "axes.facecolor": bg,
        "savefig.facecolor": bg,
        "text.color": fg,
        "axes.labelcolor": fg,
        "axes.edgecolor": fg,
        "axes.titlecolor": fg,
        "xtick.color": fg,
        "ytick.color": fg,
        "legend.facecolor": bg,
        "legend.labelcolor": fg,
        "legend.edgecolor": fg,
    }
    token = _LOOK.set(Look(lang, theme))
    try:
        with matplotlib.rc_context(rc):
            yield
    finally:
        _LOOK.reset(token)


def figure(width: float, height: float) -> Figure:
    fig = Figure(figsize=(width, height), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    return fig
