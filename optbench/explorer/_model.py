"""What the explorer shows: one 2-D surface, a few steppers, and the values its controls move over.

Each stepper gets a *lane*: its spec with the learning rate and one other hyperparameter (beta,
b1, decay) taken off a grid. A rate written in units of the curvature (``sgd:lr=0.5eta_max``)
moves over multiples of eta_max = 2/lambda_max, resolved from the Hessian at the start exactly as
``optbench race`` resolves it, so a page and its exported command agree; any other rate moves on a
log scale around the spec's value. :meth:`Explorer.answer` runs a request through
:func:`optbench.race`; :mod:`optbench.explorer._data` precomputes every request of a static page.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np

from .._errors import OptbenchError

# the stepper's "other" hyperparameter, and the values its slider offers (the spec's own added)
SECOND = {"momentum": "beta", "nesterov": "beta", "adam": "b1", "adamw": "b1", "rmsprop": "decay"}
SECOND_VALUES = {
    "beta": (0.0, 0.5, 0.9, 0.99),
    "b1": (0.0, 0.5, 0.9, 0.99),
    "decay": (0.5, 0.9, 0.99, 0.999),
}
ETA_VALUES = (0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 0.95, 1.05, 1.2, 1.5, 2.0)  # multiples of eta_max
LOG_HALF = 4  # a plain rate moves over lr * 2**(j/2), j = -4 .. 4 (a quarter to four times)
LIVE_ETA = tuple(round(0.05 * k, 2) for k in range(1, 41))  # the live page's finer grids
LIVE_LOG_HALF = 16  # lr * 2**(j/8), j = -16 .. 16
MAX_POINTS = 3e7  # a static page's runs x points: about 60 MB of page (the default: 1.4e6)


def _num(v: float) -> str:
    """A number as a spec writes it: the shortest text that reads back as the same float."""
    text = repr(float(v))
    return text[:-2] if text.endswith(".0") and "e" not in text else text


@dataclasses.dataclass(frozen=True)
class Axis:
    """The values one slider moves over: ``key`` of the stepper, in ``unit`` (``"eta_max"``,
    ``"eta_opt"`` or ``""`` for plain numbers), the spec's own value at ``index``."""

    key: str
    values: tuple[float, ...]
    index: int
    unit: str = ""

    def text(self, i: int) -> str:
        """The spec value of position ``i``: ``"0.5eta_max"`` or ``"0.025"``."""
        return _num(self.values[i]) + self.unit

    def record(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "values": list(self.values),
            "texts": [self.text(i) for i in range(len(self.values))],
            "index": self.index,
            "unit": self.unit,
        }


def _with(values: tuple[float, ...], own: float) -> tuple[tuple[float, ...], int]:
    """``values`` with ``own`` among them (sorted), and where ``own`` is."""
    out = tuple(sorted(set(values) | {float(own)}))
    return out, out.index(float(own))


@dataclasses.dataclass(frozen=True)
class Lane:
    """One stepper of the explorer: its spec's fixed part and the axes of its two sliders."""

    spec: str
    name: str
    fixed: dict[str, str]
    lr: Axis
    second: Axis | None

    @property
    def size(self) -> int:
        """How many slider positions the lane has (rates x second values)."""
        return len(self.lr.values) * (len(self.second.values) if self.second else 1)

    def spec_at(self, i: int, j: int | None = None) -> str:
        """The spec with the rate at position ``i`` (and the other value at ``j``)."""
        parts = dict(self.fixed)
        parts["lr"] = self.lr.text(i)
        if self.second is not None:
            parts[self.second.key] = self.second.text(self.second.index if j is None else j)
        return self.name + ":" + ",".join(f"{k}={v}" for k, v in parts.items())

    def record(self) -> dict[str, Any]:
        return {
            "spec": self.spec,
            "name": self.name,
            "fixed": self.fixed,
            "lr": self.lr.record(),
            "second": None if self.second is None else self.second.record(),
        }


def make_lane(spec: Any, live: bool = False) -> Lane:
    """The lane of a stepper spec (``"momentum:lr=0.001,beta=0.9"``); ``live`` gives the finer
    grids of a page that computes as the sliders move."""
    from .._run import is_named_target
    from .._spec import Call, Eta, parse_spec
    from ..steppers import _registry

    if not isinstance(spec, str):
        raise OptbenchError(
            f"stepper {spec!r} must be a spec like 'adam:lr=0.05': the explorer moves its "
            "learning rate and exports it as an `optbench race` command."
        )
    if is_named_target(spec):
        raise OptbenchError(
            f"stepper {spec!r} names an outside optimizer; the explorer moves the learning rate "
            "of optbench's steppers (see `optbench list`), e.g. 'adam:lr=0.05'."
        )
    name, params = parse_spec(spec, "stepper", rich=True)
    _registry.factory(name)  # an unknown name: one sentence with the closest one
    lr = params.get("lr")
    if lr is None:
        raise OptbenchError(
            f"stepper {spec!r} needs lr, e.g. {name}:lr=0.01 or {name}:lr=0.5eta_max; the "
            "explorer's slider moves around it."
        )
    for key, value in params.items():
        if isinstance(value, Call):
            raise OptbenchError(
                f"`{key}` of stepper {spec!r} (={value}) is a schedule; the explorer moves "
                "constant values: give a number (or, for lr, a multiple of eta_max)."
            )
        if isinstance(value, Eta) and key != "lr":
            raise OptbenchError(
                f"`{key}` of stepper {spec!r} (={value}) is in units of the curvature; only lr "
                "may be."
            )
    if isinstance(lr, Eta):
        values, index = _with(LIVE_ETA if live else ETA_VALUES, lr.factor)
        lr_axis = Axis("lr", values, index, lr.unit)
    elif isinstance(lr, (int, float)) and not isinstance(lr, bool) and math.isfinite(lr) and lr > 0:
        half = LIVE_LOG_HALF if live else LOG_HALF
        per = 8 if live else 2
        values = tuple(float(lr) * 2.0 ** (j / per) for j in range(-half, half + 1))
        values = values[:half] + (float(lr),) + values[half + 1 :]  # the spec's own, exactly
        lr_axis = Axis("lr", values, half)
    else:
        raise OptbenchError(
            f"`lr` of stepper {spec!r} (={lr!r}) must be a positive number or a multiple of "
            "eta_max, e.g. 0.01 or 0.5eta_max."
        )
    key = SECOND.get(name)
    second = None
    if key is not None:
        own = params.get(key, _registry.defaults(name).get(key))
        if isinstance(own, (int, float)) and not isinstance(own, bool):
            values, index = _with(SECOND_VALUES[key], own)
            second = Axis(key, values, index)
    skip = {"lr"} | ({second.key} if second else set())
    fixed = {k: _text(v) for k, v in params.items() if k not in skip}
    lane = Lane(spec.strip(), name, fixed, lr_axis, second)
    _registry.get(name, **_plain_values(lane, 0))  # every other value checked now, by the stepper
    return lane


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _num(value)
    return str(value)


def _plain_values(lane: Lane, i: int) -> dict[str, Any]:
    """The lane's hyperparameters with a stand-in rate (what checking the others needs)."""
    from .._spec import parse_spec

    _, params = parse_spec(lane.spec_at(i), "stepper")
    if lane.lr.unit:
        params["lr"] = 1e-3
    return params


class Explorer:
    """A surface, its steppers' lanes, the start grid and the look of the page.

    Args:
      surface: a 2-D surface or its spec (``"rosenbrock"``).
      steppers: stepper specs, each with its ``lr`` (a number or a multiple of ``eta_max``).
      steps: steps per run.
      starts: the start grid of a static page has about this many points a side; the surface's
        own start is one of them.
      live: finer slider grids (a page that computes as they move).
      theme, lang: the renderer's themes and languages.
      seed: the runs' key (gradient noise of a noisy surface).
    """

    def __init__(
        self,
        surface: Any,
        steppers: Any,
        steps: int = 200,
        starts: int = 9,
        live: bool = False,
        theme: str = "light",
        lang: str = "en",
        seed: int = 0,
    ):
        from .._limits import check_seed, check_steps
        from .._run import resolve_problem
        from ..render._style import check_positive, style

        style(theme, lang)
        self.theme, self.lang, self.live = theme, lang, bool(live)
        self.steps = check_steps(steps)
        self.seed = check_seed(seed)
        check_positive("starts", starts, integer=True)
        if not 2 <= starts <= 41:
            raise OptbenchError(f"`starts` (={starts!r}) must be an integer from 2 to 41.")
        self.surface_spec = surface if isinstance(surface, str) else None
        self.surface = resolve_problem(surface)
        if getattr(self.surface, "dim", None) != 2 or not hasattr(self.surface, "grid"):
            what = getattr(self.surface, "name", None) or type(self.surface).__name__
            dim = getattr(self.surface, "dim", None)
            size = f"{dim}-D" if dim else "not a surface"
            raise OptbenchError(
                f"problem {what!r} is {size}; the explorer draws 2-D surfaces (a contour you "
                "click on), e.g. rosenbrock."
            )
        if isinstance(steppers, str) or not steppers:
            raise OptbenchError(
                "`steppers` must be a non-empty list of specs like ['sgd:lr=0.5eta_max', "
                "'adam:lr=0.05']."
            )
        self.lanes = [make_lane(s, self.live) for s in steppers]
        self.nodes, self.home = start_grid(self.surface, int(starts))
        if not self.live:
            runs = sum(len(self.nodes) * lane.size for lane in self.lanes)
            points = runs * (self.steps + 1)
            if points > MAX_POINTS:
                raise OptbenchError(
                    f"a static page of {runs} runs x {self.steps + 1} points ({points:.3g} "
                    f"points, about {points * 2e-6:.0f} MB) is too large to open in a browser; at "
                    f"most {MAX_POINTS:.0e}: give fewer starts or steps, or serve it live "
                    "(--serve)."
                )
        self._eta: dict[tuple[float, float], dict[str, float]] = {}
        for lane in self.lanes:  # every spec runs from the surface's start, as `race` would check
            self.stepper(lane, lane.lr.index, None, self.surface.start)

    # -- curvature and steppers ----------------------------------------------------------
    def units(self, at: Any) -> dict[str, float]:
        """eta_max and eta_opt at ``at`` (NaN where the Hessian has no positive eigenvalue)."""
        key = (float(at[0]), float(at[1]))
        if key not in self._eta:
            from ..analysis import lr_limits

            lim = lr_limits(self.surface, at=np.asarray(key))
            ok = lim.lambda_max > 0
            self._eta[key] = {
                "eta_max": float(lim.eta_max) if ok else math.nan,
                "eta_opt": float(lim.eta_opt) if ok else math.nan,
            }
        return self._eta[key]

    def stepper(self, lane: Lane, i: int, j: int | None, at: Any) -> Any:
        """The stepper of ``lane`` at slider positions ``(i, j)`` from the start ``at``, made
        from its spec exactly as ``optbench race`` makes it."""
        from .._run import resolve_stepper

        return resolve_stepper(lane.spec_at(i, j), self.surface, np.asarray(at, dtype=float))

    def runnable(self, lane: Lane, at: Any) -> bool:
        """Whether ``lane``'s rate can be resolved at ``at`` (always, unless it is in units of a
        curvature the point lacks)."""
        return not lane.lr.unit or math.isfinite(self.units(at)[lane.lr.unit])

    # -- one request --------------------------------------------------------------------
    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        """The runs for ``request``: ``{"start": [x, y], "lanes": [{"i": .., "j": ..}, ...]}``
        (slider positions per lane), computed by :func:`optbench.race`; JSON-ready."""
        from .._run import race

        start = self.surface.check_point(request.get("start"), "start")
        picks = request.get("lanes") or []
        if len(picks) != len(self.lanes):
            raise OptbenchError(
                f"the request has {len(picks)} lanes; this explorer has {len(self.lanes)}."
            )
        out = []
        for lane, pick in zip(self.lanes, picks):
            i, j = _position(lane.lr, pick.get("i")), None
            if lane.second is not None:
                j = _position(lane.second, pick.get("j"))
            if not self.runnable(lane, start):
                out.append({"spec": lane.spec_at(i, j), "label": None, "missing": True})
                continue
            (t,) = race(
                self.surface,
                [self.stepper(lane, i, j, start)],
                self.steps,
                start=start,
                key=self.seed,
            )
            out.append(run_record(t, lane.spec_at(i, j)))
        return {"start": [float(v) for v in start], "lanes": out}


def _position(axis: Axis, value: Any) -> int:
    n = len(axis.values)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < n:
        raise OptbenchError(
            f"slider position of {axis.key} (={value!r}) must be an integer from 0 to {n - 1}."
        )
    return value


def run_record(t: Any, spec: str) -> dict[str, Any]:
    """One run as the front end draws it."""
    from .._run import to_python

    return {
        "spec": spec,
        "label": t.label,
        "lr": to_python(t.hparams.get("lr")),
        "path": np.asarray(t.params, dtype=float).ravel().tolist(),
        "loss": np.asarray(t.loss, dtype=float).tolist(),
        "diverged_at": t.diverged_at,
        "kind": t.diverged_kind,
    }


def start_grid(surface: Any, n: int) -> tuple[np.ndarray, int]:
    """About ``n`` x ``n`` starts over the surface's window, spaced evenly, with the surface's own
    start among them: ``(nodes (S, 2), index of the own start)``."""
    b, s = surface.bounds, surface.start
    axes = []
    for d in range(2):
        lo, hi = b[d]
        step = (hi - lo) / (n - 1)
        ks = np.arange(
            math.ceil((lo - s[d]) / step - 1e-9), math.floor((hi - s[d]) / step + 1e-9) + 1
        )
        axes.append(s[d] + ks * step)
    xs, ys = np.meshgrid(axes[0], axes[1])
    nodes = np.stack([xs.ravel(), ys.ravel()], axis=1)
    home = int(np.argmin(np.sum((nodes - s) ** 2, axis=1)))
    nodes[home] = s  # exactly the surface's start
    return nodes, home
