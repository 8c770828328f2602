"""Run an ``optbench`` command for a scene and keep only the pictures the scene shows."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

from optbench._io import output_dir


def command(argv: list[str], out: Path, keep: dict[str, str]) -> list[Path]:
    """``optbench *argv -o SCRATCH``; move each file ``keep[src]`` to ``out/keep[src]``."""
    from optbench.cli import main

    out = output_dir(out)
    with tempfile.TemporaryDirectory() as scratch:
        with contextlib.redirect_stdout(io.StringIO()):
            status = main([*argv, "-o", scratch])
        if status != 0:
            raise RuntimeError(f"optbench {' '.join(argv)} failed with status {status}")
        kept = []
        for src, dst in keep.items():
            shutil.move(Path(scratch) / src, out / dst)
            kept.append(out / dst)
    return kept
