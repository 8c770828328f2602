"""How optbench's objects show themselves in Jupyter, and :func:`show` for the rest.

A race (the list ``optbench.race`` returns) and a 2-D surface trajectory show their animation
inline (a small GIF embedded in HTML); a trajectory of another problem shows its loss curve; a
surface shows its contour (PNG); a sweep result shows its best configurations as a table and its
sensitivity plot. Everything is drawn into memory (a temporary folder), nothing is left behind, and
nothing here is imported until a notebook asks for a picture: IPython is needed only by
:func:`show`.
"""

from __future__ import annotations

import base64
import html
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

SIZE, FPS, SECONDS = 360, 12, 4  # an inline animation: small, short, light


def _in_folder(draw: Any, name: str) -> bytes:
    """The bytes of the file ``draw(path)`` writes, drawn into a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="optbench-") as tmp:
        path = Path(tmp) / name
        draw(path)
        return path.read_bytes()


def _img(data: bytes, mime: str, alt: str) -> str:
    code = base64.b64encode(data).decode("ascii")
    return f'<img src="data:{mime};base64,{code}" alt="{html.escape(alt)}"/>'


def _surface_of(runs: list[Any]) -> Any:
    """The 2-D surface the runs ran on, or None."""
    surface = getattr(runs[0], "source", None)
    if surface is None or getattr(surface, "dim", None) != 2 or not hasattr(surface, "grid"):
        return None
    return surface


def race_html(runs: list[Any]) -> str:
    """A race as HTML: its animation where it ran on a 2-D surface, else its convergence plot;
    then one line a run."""
    from optbench import render

    surface = _surface_of(runs)
    if surface is not None and all(np.ndim(t.params) == 2 for t in runs):
        picture = _in_folder(
            lambda p: render.animate(
                runs, surface, p, fps=FPS, duration=SECONDS, size=SIZE, progress=False
            ),
            "race.gif",
        )
        body = _img(picture, "image/gif", "race on " + surface.name)
    else:
        picture = _in_folder(lambda p: render.convergence(runs, p), "convergence.png")
        body = _img(picture, "image/png", "convergence")
    rows = "".join(
        f"<tr><td>{html.escape(t.label)}</td><td>{html.escape(t.outcome)}</td></tr>" for t in runs
    )
    return f"<div>{body}<table>{rows}</table></div>"


def surface_png(surface: Any) -> bytes | None:
    """A 2-D surface's contour with its minima, as PNG bytes (None for other dimensions)."""
    if getattr(surface, "dim", None) != 2:
        return None
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from optbench.render._animate import draw_background
    from optbench.render._style import style

    colours, words = style("light", "en")
    fig = Figure(figsize=(4.2, 3.6), dpi=100, layout="constrained")
    canvas = FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    draw_background(ax, surface, 160, colours, words)  # as the race draws it, without a start
    ax.set_title(surface.name)
    buffer = io.BytesIO()
    canvas.print_png(buffer)
    return buffer.getvalue()


def sweep_html(result: Any, top: int = 5) -> str:
    """A sweep result as HTML: its best configurations and its sensitivity plot."""
    from optbench.sweeps import plots

    best = result.top(top)
    names = list(result.hparams)
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    rows = "".join(
        "<tr>"
        + "".join(f"<td>{values[n]:.4g}</td>" for n in names)
        + f"<td>{score:.6g}</td><td>{failed:.0%}</td></tr>"
        for values, score, failed in best
    )
    label = result.meta.get("label", "sweep")
    table = (
        f"<p>{html.escape(str(label))}: {len(result)} runs, best {len(best)} configurations "
        "(mean final loss over seeds)</p>"
        f"<table><tr>{head}<th>final loss</th><th>diverged</th></tr>{rows}</table>"
    )
    hparam = "lr" if "lr" in names else names[0]
    picture = _in_folder(
        lambda p: plots.sensitivity({str(label): result}, p, hparam=hparam, title=str(label)),
        "sensitivity.png",
    )
    return f"<div>{table}{_img(picture, 'image/png', 'sensitivity')}</div>"


def show(obj: Any) -> Any:
    """Show ``obj`` in a notebook: a race, trajectory, surface or sweep result as its picture,
    or a picture file (``.gif``, ``.png``; ``.mp4`` as a video) that optbench wrote. Returns the
    IPython display object (the last expression of a cell shows it)."""
    from IPython.display import HTML, Image, Video

    from optbench._errors import OptbenchError

    if isinstance(obj, (str, Path)):
        path = Path(obj)
        if not path.is_file():
            raise OptbenchError(f"`obj` (={str(obj)!r}) is not a file optbench wrote.")
        if path.suffix.lower() == ".mp4":
            return Video(str(path), embed=True)
        if path.suffix.lower() in (".gif", ".png"):
            return Image(filename=str(path))
        raise OptbenchError(
            f"`obj` (={str(obj)!r}) must be a .gif, .png or .mp4 file, or an optbench object."
        )
    if isinstance(obj, (list, tuple)) and obj and all(hasattr(t, "loss") for t in obj):
        return HTML(race_html(list(obj)))
    if hasattr(obj, "_repr_html_"):
        return HTML(obj._repr_html_())
    if hasattr(obj, "_repr_png_") and obj._repr_png_() is not None:
        return Image(data=obj._repr_png_(), format="png")
    raise OptbenchError(
        f"`obj` (={type(obj).__name__}) is not something optbench draws: give a race, a "
        "trajectory, a surface, a sweep result or a picture file."
    )
