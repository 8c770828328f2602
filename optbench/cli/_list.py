"""``optbench list``: the surfaces (formula, minimum), the steppers (defaults) and the networks."""

from __future__ import annotations

import argparse
import inspect
from typing import Any

SECTIONS = ("surfaces", "steppers", "networks")
REQUIRED = inspect.Parameter.empty  # a parameter without a default


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "section", nargs="?", choices=SECTIONS, help="list only this section (default: all)"
    )


def _num(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:.6g}"


def _params(d: dict[str, Any]) -> str:
    return ", ".join(f"{k}={'(required)' if v is REQUIRED else _num(v)}" for k, v in d.items())


def _point(p) -> str:
    return "(" + ", ".join(_num(float(c)) for c in p) + ")"


def _minimum(surface) -> str:
    if surface.min_value is None and len(surface.minima) == 0:
        return "none (unbounded below)"
    where = ""
    if len(surface.minima):
        where = " at " + _point(surface.minima[0])
        if len(surface.minima) > 1:
            where += f" and {len(surface.minima) - 1} more"
    return (_num(surface.min_value) if surface.min_value is not None else "?") + where


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return [
        (
            "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)) + "  " + r[-1]
        ).rstrip()
        for r in rows
    ]


def surface_lines() -> list[str]:
    from optbench import surfaces

    rows = [("name", "minimum", "parameters", "formula")]
    for name in surfaces.names():
        s = surfaces.get(name)
        rows.append((name, _minimum(s), _params(surfaces.defaults(name)), s.formula))
    return ["Surfaces (NAME[:key=value,...], or path/to/file.py:function)", *_table(rows)]


def stepper_lines() -> list[str]:
    from optbench import steppers

    rows = [("name", "hyperparameters (defaults)")]
    for name in steppers.names():
        defaults = steppers.defaults(name)
        hparams = {k: defaults.get(k, REQUIRED) for k in steppers.hparam_names(name)}
        rows.append((name, _params(hparams)))
    from optbench.steppers.schedules import SPEC_NAMES

    sched = [("name", "arguments ([optional])")]
    for name, cls in SPEC_NAMES.items():
        args = [
            p.name if p.default is REQUIRED else f"[{p.name}]"
            for p in inspect.signature(cls).parameters.values()
        ]
        sched.append((name, f"{name}({', '.join(args)})"))
    return [
        "Steppers (NAME[:key=value,...])",
        *_table(rows),
        "  and any optax optimizer or your own factory: optax.NAME:key=value,...,",
        "  module:factory:key=value,...",
        "",
        "Schedules (as a learning rate: adam:lr=cosine(0.05,300)); rates in units of the",
        "problem's curvature: lr=0.5eta_max, lr=0.9*eta_opt",
        *_table(sched),
    ]


def network_lines() -> list[str]:
    try:
        from optbench import networks
    except ImportError:
        return []
    names = getattr(networks, "names", None)
    if not callable(names):
        return []
    defaults = getattr(networks, "defaults", None)
    rows = [("name", "parameters (defaults)")]
    for name in names():
        rows.append((name, _params(defaults(name)) if callable(defaults) else ""))
    lines = ["Networks (NAME[:key=value,...])", *_table(rows)]
    if not hasattr(networks, "LOSSES"):  # a networks package without optbench's models
        return lines
    from optbench.networks._losses import _BY_OUTPUT, LOSS_ALIASES, LOSSES
    from optbench.networks._zoo import MODEL_ALIASES, MODELS

    def also(name: str, aliases: dict[str, str]) -> str:
        names = [a for a, n in aliases.items() if n == name]
        return f"also {', '.join(names)}" if names else ""

    models = [("model", "aliases")] + [(m, also(m, MODEL_ALIASES)) for m in MODELS]
    losses = [("loss", "aliases")] + [(n, also(n, LOSS_ALIASES)) for n in LOSSES]
    losses.append((" / ".join(_BY_OUTPUT), "the cross-entropy of the model's output"))
    return [
        *lines,
        "",
        "Models (--model NAME[:SIZES][:ACTIVATION])",
        *_table(models),
        "",
        "Losses (--loss NAME)",
        *_table(losses),
    ]


def run(args: argparse.Namespace) -> int:
    makers = {"surfaces": surface_lines, "steppers": stepper_lines, "networks": network_lines}
    blocks = [makers[s]() for s in ([args.section] if args.section else SECTIONS)]
    print("\n\n".join("\n".join(b) for b in blocks if b))
    return 0
