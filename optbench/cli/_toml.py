"""TOML files on the command line: ``optbench compare CONFIG`` and ``--config FILE`` of ``race``,
``sweep`` and ``train``.

A ``--config`` file holds what the command line would say, so a lecturer keeps a slide's settings
in a file:

- the options under their long names, with ``_`` or ``-`` (``steps = 300``, ``theme = "dark"``,
  ``weight_decay = 1e-4``, ``panels = true``);
- the positional arguments under their names (``surface``, ``steppers``, ``problem``,
  ``stepper``, ``dataset``), or ``problem`` / ``problems = ["rosenbrock"]`` as in ``compare``;
- ``compare``'s stepper tables, ``[steppers.LABEL]`` with ``stepper = "NAME:k=v"`` (and ``grid``
  for a sweep): ``race`` names each path by its label, a ``sweep`` or ``train`` takes one table;
- a ``grid`` as text (``"lr=1e-4:1:41:log"``) or a table (``{ lr = "1e-4:1:41:log", b1 = [0.9,
  0.99] }``).

Every key and value is checked before any work, and an option given on the command line
overrides the file's. Paths in the file are read from the working folder, as on the command line.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from typing import Any

from optbench._errors import OptbenchError, unknown

# keys of compare's form that every --config reads, beside the command's own options
PROBLEM_KEYS = ("problem", "problems")
_SKIP = {"help", "config", "command"}


def load(path: str, what: str) -> dict[str, Any]:
    """The TOML file ``path`` as a dict; ``what`` names it in errors (``--config``, ``CONFIG``)."""
    import tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as err:
        raise OptbenchError(f"`{what}` (={path!r}) cannot be read: {err.strerror}.") from None
    except tomllib.TOMLDecodeError as err:
        raise OptbenchError(f"`{what}` (={path!r}) is not valid TOML: {err}.") from None
    except UnicodeDecodeError:
        raise OptbenchError(f"`{what}` (={path!r}) is not a text file (TOML is UTF-8).") from None


def check_keys(table: dict[str, Any], allowed: Iterable[str], where: str) -> None:
    """Refuse a key of ``table`` not in ``allowed``, suggesting the closest."""
    allowed = list(allowed)
    for key in table:
        if key not in allowed:
            raise unknown("key", key, allowed, where=f"in {where}")


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}.get(
        type(value), f"a {type(value).__name__}"
    )


def string(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise OptbenchError(f"{where} (={value!r}) must be a string, not {_kind(value)}.")
    return value


def strings(value: Any, where: str) -> list[str]:
    """A list of strings (a lone string counts as a list of one)."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise OptbenchError(f"{where} (={value!r}) must be a non-empty list of strings.")
    return value


def number(value: Any, where: str, integer: bool = False) -> float | int:
    ok = isinstance(value, int) if integer else isinstance(value, (int, float))
    if isinstance(value, bool) or not ok:
        want = "an integer" if integer else "a number"
        raise OptbenchError(f"{where} (={value!r}) must be {want}, not {_kind(value)}.")
    return value


def positive_int(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise OptbenchError(f"{where} (={value!r}) must be a positive integer.")
    return value


def table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise OptbenchError(f"{where} (={value!r}) must be a table, not {_kind(value)}.")
    return value


def grid_text(value: Any, where: str) -> str:
    """A grid as ``--grid`` text, from text or from a table of ranges (text) and lists."""
    if isinstance(value, str):
        return value
    parts = []
    for name, values in table(value, where).items():
        if isinstance(values, str):
            parts.append(f"{name}={values}")
            continue
        if isinstance(values, (int, float)) and not isinstance(values, bool):
            values = [values]
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, (int, float, str)) and not isinstance(v, bool) for v in values)
        ):
            raise OptbenchError(
                f'{name!r} in {where} (={values!r}) must be a range such as "1e-4:1:41:log" '
                "or a list of values such as [0.9, 0.99]."
            )
        parts.append(f"{name}=" + ",".join(v if isinstance(v, str) else repr(v) for v in values))
    if not parts:
        raise OptbenchError(f"{where} is empty; give at least one hyperparameter.")
    return ",".join(parts)


def parse_grid_value(value: Any, where: str) -> dict[str, Any]:
    """A grid from a TOML value (text or table), parsed as ``--grid`` is."""
    from optbench.sweeps import parse_grid

    return parse_grid(grid_text(value, where), where)


def stepper_tables(value: Any, where: str, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``[steppers.LABEL]`` tables: label -> table with ``stepper`` and only ``keys``."""
    out = {}
    for label, entry in table(value, f"`{where}`").items():
        here = f"{where}.{label}"
        entry = table(entry, f"`{here}`")
        check_keys(entry, keys, f"`{here}`")
        if "stepper" not in entry:
            raise OptbenchError(f'`{here}` needs a `stepper` entry, e.g. stepper = "adam:lr=0.01".')
        string(entry["stepper"], f"`{here}.stepper`")
        out[label] = entry
    if not out:
        raise OptbenchError(f"`{where}` must hold at least one [{where}.LABEL] table.")
    return out


# -- --config for race, sweep and train ------------------------------------------------------------
def allow_config(parser: argparse.ArgumentParser) -> None:
    """Add ``--config`` to a subcommand; its required arguments may then come from the file
    (they are checked by :func:`require` once the file is read)."""
    required = []
    for action in parser._actions:
        if not action.option_strings and action.nargs is None:  # a required positional
            action.nargs = "?"
            required.append(action)
        elif action.required:
            action.required = False
            required.append(action)
    parser.set_defaults(_required=[a.dest for a in required])
    parser.add_argument(
        "--config",
        metavar="FILE.toml",
        help="read the arguments from a TOML file; those given here override it",
    )


def _actions(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {a.dest: a for a in parser._actions if a.dest not in _SKIP and a.dest != "_required"}


def _name(action: argparse.Action) -> str:
    if action.option_strings:
        return max(action.option_strings, key=len)
    return str(action.metavar or action.dest)


def _option_value(action: argparse.Action, value: Any, where: str) -> Any:
    """A TOML value for ``action``, checked as the command line would check its text."""
    if action.nargs == 0:  # a switch
        if not isinstance(value, bool):
            raise OptbenchError(f"{where} (={value!r}) must be true or false.")
        return value
    if action.nargs == "*" or isinstance(action, argparse._AppendAction):  # --show a --show b
        return strings(value, where)
    if action.type in (int, float):
        value = number(value, where, integer=action.type is int)
        value = action.type(value)
    elif (
        isinstance(value, list)
        and value
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    ):
        value = ",".join(repr(v) for v in value)  # a point, --start=-1.5,2
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        value = repr(value)  # --batch 32
    else:
        value = string(value, where)
    if action.choices is not None and value not in action.choices:
        raise unknown("value", value, action.choices, where=f"for {where}")
    return value


def config_defaults(parser: argparse.ArgumentParser, cfg: dict[str, Any], path: str) -> dict:
    """The file's arguments for ``parser``, by their ``dest``, checked."""
    actions = _actions(parser)
    problem_dest = next(a.dest for a in parser._actions if not a.option_strings)
    takes_stepper = "steppers" in actions or "stepper" in actions
    allowed = sorted(set(actions) | set(PROBLEM_KEYS) | ({"steppers"} if takes_stepper else set()))
    out: dict[str, Any] = {}
    for key, raw in cfg.items():
        dest = key.replace("-", "_")
        where = f"`{key}` in {path}"
        if dest == "problems":
            values = strings(raw, where)
            if len(values) != 1:
                raise OptbenchError(
                    f"{where} lists {len(values)} problems; this command takes one "
                    "(optbench compare takes several)."
                )
            out[problem_dest] = values[0]
        elif dest == "problem":
            out[problem_dest] = string(raw, where)
        elif dest == "steppers" and isinstance(raw, dict) and takes_stepper:
            out.update(_from_tables(actions, raw, path))
        elif dest == "steppers" and "stepper" in actions:  # a list of one, for sweep or train
            values = strings(raw, where)
            if len(values) != 1:
                raise OptbenchError(
                    f"{where} lists {len(values)} steppers; this command runs one "
                    "(optbench compare takes several)."
                )
            out["stepper"] = values[0]
        elif dest == "grid" and "grid" in actions:
            out["grid"] = grid_text(raw, where)
        elif dest in actions:
            out[dest] = _option_value(actions[dest], raw, where)
        else:
            raise unknown("key", key, allowed, where=f"in {path}")
    return out


def _from_tables(actions: dict[str, argparse.Action], raw: dict, path: str) -> dict[str, Any]:
    """``[steppers.LABEL]`` tables as this command's arguments."""
    if "steppers" in actions:  # race: every table is a labelled path
        tables = stepper_tables(raw, "steppers", ("stepper",))
        return {"steppers": [(label, t["stepper"]) for label, t in tables.items()]}
    keys = ("stepper", "grid") if "grid" in actions else ("stepper",)
    tables = stepper_tables(raw, "steppers", keys)
    if len(tables) != 1:
        raise OptbenchError(
            f"`steppers` in {path} holds {len(tables)} tables; this command runs one stepper "
            "(optbench compare takes several)."
        )
    ((label, t),) = tables.items()
    out = {"stepper": t["stepper"]}
    if "grid" in t:
        out["grid"] = grid_text(t["grid"], f"steppers.{label}.grid")
    if "label" in actions:
        out["label"] = label
    return out


def apply(
    parser: argparse.ArgumentParser, sub: argparse.ArgumentParser, argv: Sequence[str], args: Any
) -> Any:
    """``args`` with the ``--config`` file's arguments under those of the command line; then
    every required argument checked. Commands without ``--config`` pass through."""
    if getattr(args, "_required", None) is None:
        return args
    if args.config:
        cfg = load(args.config, "--config")
        sub.set_defaults(**config_defaults(sub, cfg, args.config))
        from optbench.cli import parse

        args = parse(parser, argv)
    missing = [d for d in args._required if getattr(args, d, None) is None]
    if missing:
        actions = _actions(sub)
        names = ", ".join(_name(actions[d]) for d in missing)
        raise OptbenchError(
            f"the following arguments are required: {names} (on the command line or in "
            "--config FILE.toml)."
        )
    return args
