"""A race scene: one ``optbench race`` command, its animation kept under the scene's name."""

from __future__ import annotations

from pathlib import Path

from optbench.gallery._command import command
from optbench.gallery._figure import flags

QUICK = ["--steps", "20", "--duration", "1", "--fps", "8"]  # and half the size


def race(
    name: str,
    argv: list[str],
    out: Path,
    quick: bool,
    convergence: bool = False,
    size: tuple[int, int] = (600, 600),
) -> list[Path]:
    """Run ``optbench race *argv --size WxH`` (shortened and at half the size when ``quick``)
    and keep ``<name>.gif``."""
    keep = {"race.gif": f"{name}.gif"}
    if convergence:
        keep["convergence.png"] = f"{name}_convergence.png"
    w, h = (size[0] // 2, size[1] // 2) if quick else size
    argv = ["race", *argv, "--size", f"{w}x{h}", *flags(), *(QUICK if quick else [])]
    return command(argv, out, keep)
