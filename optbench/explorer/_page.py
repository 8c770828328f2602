"""The explorer's page: one HTML file with everything inlined (script, style, contour, runs).

The contour is the renderer's own background (:func:`optbench.render._animate.draw_background`)
drawn once into a PNG; the page draws the paths, marks and loss curves over it as SVG, placing
them with the axes' box in image pixels, which matplotlib reports. Nothing is fetched: the page
works from a USB stick without a network.
"""

from __future__ import annotations

import base64
import io
import json
import math
from importlib import resources
from typing import Any

WORDS = {
    "en": {
        "lr": "learning rate",
        "step": "step",
        "play": "play",
        "pause": "pause",
        "export": "export",
        "copy": "copy",
        "start": "start",
        "loss": "loss",
        "loss_gap": "loss − minimum",
        "diverged": "diverged at step {k}",
        "no_eta": "no η_max at this start (the Hessian has no positive eigenvalue)",
        "hint": "click or drag on the contour to move the start",
        "nearest": "the nearest start of the precomputed grid",
        "live": "computed live by optbench",
        "final": "final loss {v}",
        "command": "the same race as a GIF",
        "toml": "or as a --config file",
    },
    "ru": {
        "lr": "скорость обучения",
        "step": "шаг",
        "play": "пуск",
        "pause": "пауза",
        "export": "экспорт",
        "copy": "копировать",
        "start": "старт",
        "loss": "потери",
        "loss_gap": "потери − минимум",
        "diverged": "расходится на шаге {k}",
        "no_eta": "в этой точке нет η_max (у гессиана нет положительных собственных значений)",
        "hint": "щёлкните или тяните по линиям уровня, чтобы сдвинуть старт",
        "nearest": "ближайшая точка заранее посчитанной сетки",
        "live": "считается optbench на лету",
        "final": "итоговые потери {v}",
        "command": "та же гонка в виде GIF",
        "toml": "или файлом для --config",
    },
}


SIZE = (560, 520)  # the contour's picture, pixels
RESOLUTION = 200  # its grid


def background(ex: Any) -> dict[str, Any]:
    """The contour as a PNG (base64) and the axes' box in its pixels, ``[left, top, width,
    height]``."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..render._animate import draw_background
    from ..render._style import style

    colours, words = style(ex.theme, ex.lang)
    w, h = SIZE
    fig = Figure(figsize=(w / 100, h / 100), dpi=100, facecolor=colours["bg"])
    FigureCanvasAgg(fig)
    left, bottom, right, top = 56, 46, 14, 12
    ax = fig.add_axes([left / w, bottom / h, 1 - (left + right) / w, 1 - (bottom + top) / h])
    ax.set_facecolor(colours["bg"])
    draw_background(ax, ex.surface, RESOLUTION, colours, words)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, facecolor=colours["bg"], metadata={"Software": None})
    x0, y0, x1, y1 = ax.get_window_extent().extents
    return {
        "png": base64.b64encode(buf.getvalue()).decode("ascii"),
        "size": [w, h],
        "box": [float(x0), float(h - y1), float(x1 - x0), float(y1 - y0)],
    }


def front_end() -> tuple[str, str]:
    """The front end's script (a ``render({model, el})`` function) and style sheet."""
    here = resources.files(__package__)
    return (here / "front.js").read_text("utf-8"), (here / "front.css").read_text("utf-8")


def _json(value: Any) -> str:
    """JSON safe inside a ``<script>`` element."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False, ensure_ascii=False).replace(
        "</", "<\\/"
    )


def page_config(ex: Any) -> dict[str, Any]:
    """Everything the front end needs but the runs: :func:`config` and the contour."""
    return {**config(ex), "picture": background(ex)}


def html(config: dict[str, Any], data: dict[str, Any] | None) -> str:
    """The page: ``data`` holds a static page's runs (:func:`optbench.explorer._data.encode`); a
    live page (None) asks the server that sent it."""
    script, css = front_end()
    title = f"optbench explore: {config['surface']}"
    boot = "STATIC" if data is not None else "LIVE"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{config["lang"]}"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'  # no request for /favicon.ico
        f"<title>{_escape(title)}</title>\n"
        f"<style>{css}</style></head>\n"
        f'<body class="ob-page" style="background:{config["colours"]["bg"]}">'
        '<div id="ob-root"></div>\n'
        f'<script type="application/json" id="ob-config">{_json(config)}</script>\n'
        f'<script type="application/json" id="ob-data">{_json(data)}</script>\n'
        f"<script>\n{script}\nstartPage({boot});\n</script>\n"
        "</body></html>\n"
    )


def _escape(text: str) -> str:
    import html as _html

    return _html.escape(text)


def build(ex: Any) -> str:
    """The static page of ``ex``: every run precomputed (see :mod:`optbench.explorer._data`)."""
    from . import _data

    runs = [_data.compute_lane(ex, lane) for lane in ex.lanes]
    return html(page_config(ex), _data.encode(ex, runs))


def config(ex: Any) -> dict[str, Any]:
    """What the front end needs besides the runs: JSON-ready."""
    from ..render._style import TEXT, THEMES, localize
    from ._data import loss_scale

    b = ex.surface.bounds
    labels = []
    for lane in ex.lanes:
        js = range(len(lane.second.values)) if lane.second else [None]
        labels.append(
            [
                [localize(ex.stepper(lane, i, j, ex.surface.start).label, ex.lang) for j in js]
                for i in range(len(lane.lr.values))
            ]
        )
    colours = THEMES[ex.theme]
    floor, scale = loss_scale(ex.surface)
    used = sorted({lane.lr.unit for lane in ex.lanes if lane.lr.unit})
    units = {  # a static page's rates in units, resolved at each start (None: none there)
        u: [_finite(ex.units(n)[u]) for n in ex.nodes] for u in ([] if ex.live else used)
    }
    return {
        "surface": ex.surface_spec or ex.surface.name,
        "bounds": b.tolist(),
        "minima": ex.surface.minima.tolist(),
        "min_value": ex.surface.min_value,
        "home": [float(v) for v in ex.surface.start],
        "nodes": ex.nodes.tolist(),
        "home_node": ex.home,
        "steps": ex.steps,
        "seed": ex.seed,
        "live": ex.live,
        "lanes": [lane.record() for lane in ex.lanes],
        "labels": labels,
        "theme": ex.theme,
        "lang": ex.lang,
        "words": {**TEXT[ex.lang], **WORDS[ex.lang]},
        "colours": _colours(colours),
        "loss": {"floor": floor, "scale": scale},
        "units": units,
    }


def _finite(v: float) -> float | None:
    return v if math.isfinite(v) else None


_DASH = {"-": [], "--": [3.7, 1.6], ":": [1, 1.65], "-.": [6.4, 1.6, 1, 1.6]}


def _colours(colours: dict[str, Any]) -> dict[str, Any]:
    """A theme's colours for the page: the paths' colours, dashes (SVG dash arrays in line
    widths) and markers; the text and the ground."""
    from ..render._style import path_style

    paths = []
    for i in range(len(colours["paths"])):
        colour, dash, marker = path_style(colours, i)
        arr = _DASH.get(dash) if isinstance(dash, str) else list(dash[1])
        paths.append({"colour": colour, "dash": arr, "marker": marker})
    return {
        "bg": colours["bg"],
        "fg": colours["fg"],
        "minimum": colours["minimum"],
        "start": colours["start"],
        "lw": colours["lw"],
        "text": colours["text"],
        "paths": paths,
    }
