"""The explorer: the surface's contour, the steppers' paths from a start you move, and their
learning rates on sliders, answered by optbench's own steppers.

- :func:`page` writes one self-contained HTML file whose runs were all computed in advance (every
  start of a grid x every slider position; see :mod:`optbench.explorer._data`);
- :func:`serve` answers a live page from a local server (``optbench explore --serve``);
- :func:`explore` is the same front end as a notebook widget (``optbench.explore``).

Each page exports what it shows as the ``optbench race`` command (and ``--config`` file) that
draws it as a GIF.
"""

from __future__ import annotations

import os
from typing import Any

from ._model import Explorer

__all__ = ["Explorer", "explore", "page", "serve"]


def page(
    surface: Any,
    steppers: Any,
    path: str | os.PathLike,
    *,
    steps: int = 200,
    starts: int = 9,
    theme: str = "light",
    lang: str = "en",
    seed: int = 0,
):
    """Write the static explorer page of ``steppers`` on ``surface`` to ``path`` (``.html``).

    Every run the controls can ask for is computed now: a start grid of about ``starts`` x
    ``starts`` points (the surface's own start one of them) x each stepper's learning rates x its
    second hyperparameter's values. A click moves the start to the nearest grid point.

    ``page("quadratic", ["sgd:lr=0.5eta_max"], "explore.html")`` writes ``explore.html``.
    """
    from .._io import check_path, write_text
    from ._page import build

    target = check_path(path, (".html",), "path")
    ex = Explorer(surface, steppers, steps=steps, starts=starts, theme=theme, lang=lang, seed=seed)
    return write_text(target, build(ex))


def serve(
    surface: Any,
    steppers: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 8765,
    steps: int = 200,
    theme: str = "light",
    lang: str = "en",
    seed: int = 0,
):
    """A local server for the live explorer page (call ``serve_forever()`` on it; its address is
    ``http://HOST:PORT/``). Each change on the page runs the steppers from exactly the start
    clicked; the runs are compiled before this returns."""
    from ._serve import make_server

    ex = Explorer(surface, steppers, steps=steps, live=True, theme=theme, lang=lang, seed=seed)
    return make_server(ex, host, port)


def explore(
    surface: Any,
    steppers: Any,
    *,
    steps: int = 200,
    theme: str = "light",
    lang: str = "en",
    seed: int = 0,
):
    """The explorer as a Jupyter widget (anywidget): put it last in a cell. Every change runs
    the steppers in the kernel.

    Args:
      surface: a 2-D surface or its spec, e.g. ``"rosenbrock"``.
      steppers: stepper specs with their learning rates, e.g. ``["sgd:lr=0.5eta_max",
        "adam:lr=0.05"]`` (a rate in units of eta_max moves over multiples of it).
      steps, theme, lang, seed: as for ``optbench race``.
    """
    from ._page import page_config
    from ._widget import widget_class

    ex = Explorer(surface, steppers, steps=steps, live=True, theme=theme, lang=lang, seed=seed)
    return widget_class()(ex, page_config(ex))
