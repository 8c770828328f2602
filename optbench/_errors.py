"""User-facing errors: one sentence naming the argument, the value and what is allowed."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class OptbenchError(ValueError):
    """A mistake in what the user asked for (not a bug in optbench).

    The command line prints it as ``optbench: error: <message>`` and exits with status 2.
    """


def closest(name: str, choices: Iterable[str]) -> str | None:
    """The choice closest to ``name`` by spelling, or None if nothing is close; a choice that
    differs only in case is the closest (``3D`` -> ``3d``)."""
    choices = list(choices)
    same = [c for c in choices if str(c).lower() == str(name).lower()]
    if same:
        return same[0]
    matches = difflib.get_close_matches(str(name), choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def unknown(what: str, name: str, choices: Iterable[str], where: str = "") -> OptbenchError:
    """An error for an unknown name, listing the known ones and suggesting the closest.

    >>> str(unknown("stepper", "adma", ["adam", "sgd"]))
    "unknown stepper 'adma'; did you mean 'adam'? Known: adam, sgd."
    >>> str(unknown("key", "stpes", ["steps"], where="in race.toml"))
    "unknown key 'stpes' in race.toml; did you mean 'steps'? Known: steps."
    """
    choices = sorted(choices)
    hint = closest(name, choices)
    did_you_mean = f"; did you mean {hint!r}?" if hint else "."
    place = f" {where}" if where else ""
    return OptbenchError(
        f"unknown {what} {name!r}{place}{did_you_mean} Known: {', '.join(choices)}."
    )
