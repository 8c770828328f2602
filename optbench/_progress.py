"""Progress of long work, on a terminal only: one line on stderr, redrawn in place.

``sweep [##########....................] 3400/10000 runs, 2.1 s, about 4 s left``

Shown when asked (``show=True``) or, by default, when stderr is a terminal; a program that pipes
or captures stderr sees nothing. Inside :func:`quiet` (the gallery's scenes, the validation runs
before a command writes anything) no progress is shown, whatever was asked.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any, TextIO

from . import _interrupts

_QUIET = [0]  # depth of quiet() blocks


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """No progress lines inside this block (an outer progress line speaks for it)."""
    _QUIET[0] += 1
    try:
        yield
    finally:
        _QUIET[0] -= 1


def wanted(show: bool | None, stream: TextIO | None = None) -> bool:
    """Whether to show progress: as asked, else when the stream (stderr) is a terminal."""
    if _QUIET[0]:
        return False
    if show is not None:
        return bool(show)
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def _seconds(s: float) -> str:
    return f"{s:.1f} s" if s < 60 else f"{int(s // 60)} min {int(s % 60):02d} s"


class Progress:
    """A progress line for ``total`` units of work: ``update(done)`` redraws it, ``close()``
    ends it with a newline. Does nothing when not :func:`wanted`."""

    WIDTH = 30

    def __init__(
        self,
        total: int,
        unit: str,
        label: str,
        show: bool | None = None,
        stream: TextIO | None = None,
    ):
        self.total, self.unit, self.label = max(int(total), 1), unit, label
        self.stream = stream or sys.stderr
        self.on = wanted(show, self.stream)
        self.start = time.perf_counter()
        self.done = 0
        self.drawn = -1.0  # when the line was last drawn (at most ten times a second)
        self.closed = False

    def line(self, done: int, elapsed: float) -> str:
        """The text for ``done`` of ``total`` after ``elapsed`` seconds."""
        fill = int(self.WIDTH * done / self.total)
        text = (
            f"{self.label} [{'#' * fill}{'.' * (self.WIDTH - fill)}] "
            f"{done}/{self.total} {self.unit}, {_seconds(elapsed)}"
        )
        if 0 < done < self.total:
            text += f", about {_seconds(elapsed * (self.total - done) / done)} left"
        return text

    def update(self, done: int) -> None:
        _interrupts.check()  # a Ctrl-C swallowed on the way stops the work here
        done = min(max(int(done), self.done), self.total)
        self.done = done
        now = time.perf_counter()
        if self.on and not self.closed and (done == self.total or now - self.drawn >= 0.1):
            self.drawn = now
            self.stream.write("\r" + self.line(done, now - self.start) + "\x1b[K")
            self.stream.flush()

    def clear(self) -> None:
        """Wipe the line, so that other output can be printed; the next update redraws it."""
        if self.on and not self.closed:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = -1.0

    def close(self) -> None:
        if self.on and not self.closed:
            self.stream.write("\n")
            self.stream.flush()
        self.closed = True

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
