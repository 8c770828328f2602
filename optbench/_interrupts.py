"""Ctrl-C and SIGTERM end a command, always: the command line's handlers.

Python raises ``KeyboardInterrupt`` where the signal lands, and a handful of places discard it:
a garbage-collection callback (JAX has one), a ``__del__``, a thread. So the handler also records
the signal; :func:`check` (called between frames, chunks and at the end of a command) raises
again for one that was swallowed. SIGTERM, which a cluster scheduler or ``timeout`` sends, is
handled the same way, so files are cleaned up as after Ctrl-C. The handlers are installed only
while :func:`handled` runs (the command line), in the main thread, and restored after it.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_RECEIVED = [0]  # the signal received during handled(), 0 for none


class Interrupted(KeyboardInterrupt):
    """A command stopped by ``signum`` (SIGINT or SIGTERM)."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _handler(signum: int, frame: object) -> None:
    _RECEIVED[0] = signum
    raise Interrupted(signum)


def received() -> int:
    """The signal received during :func:`handled` (0 for none)."""
    return _RECEIVED[0]


def check() -> None:
    """Raise :class:`Interrupted` again if a signal arrived and its exception was swallowed."""
    if _RECEIVED[0]:
        raise Interrupted(_RECEIVED[0])


@contextlib.contextmanager
def handled() -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`Interrupted` inside this block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.getsignal(s) for s in _SIGNALS}
    _RECEIVED[0] = 0
    for s in _SIGNALS:
        signal.signal(s, _handler)
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        _RECEIVED[0] = 0
