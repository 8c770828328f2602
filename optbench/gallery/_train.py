"""Run ``optbench train`` for a scene and keep only the pictures the scene shows."""

from __future__ import annotations

import contextlib
import io
import shutil
import tempfile
from pathlib import Path

from optbench._io import output_dir


def train(argv: list[str], out: Path, keep: tuple[str, ...], quick: bool) -> list[Path]:
    """``optbench train *argv`` into a scratch folder; move the files named in ``keep`` to ``out``."""
    from optbench.cli import main

    frames = ["--frames", "6"] if quick else []
    out = output_dir(out)
    with tempfile.TemporaryDirectory() as scratch:
        with contextlib.redirect_stdout(io.StringIO()):
            status = main(["train", *argv, *frames, "-o", scratch])
        if status != 0:
            raise RuntimeError(f"optbench train {' '.join(argv)} failed with status {status}")
        kept = []
        for name in keep:
            shutil.move(Path(scratch) / name, out / name)
            kept.append(out / name)
    return kept
