"""A race scene: one ``optbench race`` command, its animation kept under the scene's name."""

from __future__ import annotations

from pathlib import Path

from optbench.gallery._command import command

QUICK = ["--steps", "20", "--duration", "1", "--fps", "8", "--size", "300"]


def race(
    name: str, argv: list[str], out: Path, quick: bool, convergence: bool = False
) -> list[Path]:
    """Run ``optbench race *argv`` (shortened when ``quick``) and keep ``<name>.gif``."""
    keep = {"race.gif": f"{name}.gif"}
    if convergence:
        keep["convergence.png"] = f"{name}_convergence.png"
    return command(["race", *argv, *(QUICK if quick else [])], out, keep)
