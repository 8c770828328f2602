"""Large buffers reused instead of handed back to the OS, only where asked for.

A sweep allocates its outputs afresh in every compiled call: the running minimum, the recorded
losses and iterates (tens to hundreds of MB a chunk) and their NumPy copies.

- :class:`BufferPool`: the device buffers a sweep writes its records into are kept after a chunk
  has been copied out and donated to the next chunk's call of the same shape, which then writes
  every row in place without filling a fresh buffer first. A pool lives as long as its sweep,
  unless memory is kept (below): then one pool serves every sweep of the process.
- :func:`keep_freed_memory`: glibc serves large blocks (above 128 KB at first, above 32 MB at most
  as it adapts) with ``mmap`` and returns them with ``munmap``, so each new block is paged in
  again and the kernel zeroes it first. ``mallopt(M_MMAP_MAX, 0)`` and
  ``mallopt(M_TRIM_THRESHOLD, 2**31 - 1)`` make malloc take large blocks from its heap and keep
  freed memory there, like the caching allocators of GPU frameworks. Process-wide and permanent:
  only :func:`optbench.configure` (``keep_freed_memory=True``) calls it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Callable, Hashable
from typing import Any

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
kept = False  # whether malloc was told to keep freed memory in this process


def keep_freed_memory() -> bool:
    """Switch glibc's malloc to keep and reuse freed large blocks; True when it is in effect.

    Once per process, on Linux with glibc (False elsewhere). It cannot be undone.
    """
    global kept
    if not kept and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
            mallopt = libc.mallopt
        except (OSError, AttributeError):  # not glibc (musl has no mallopt)
            return False
        mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
        kept = bool(mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)) and bool(mallopt(_M_MMAP_MAX, 0))
    return kept


class BufferPool:
    """Spare device buffers of one sweep, for outputs a compiled call writes in full into a
    donated input (the sweep's records); at most ``size`` keys, the newest kept.

    Only buffers that nothing else holds may be given back: the next call overwrites them.
    """

    def __init__(self, size: int = 4):  # a recorded sweep's three records, and one more
        self.size = size
        self._spare: dict[Hashable, Any] = {}  # newest last

    def take(self, key: Hashable, make: Callable[[], Any]) -> Any:
        """The spare buffer kept under ``key``, else ``make()``."""
        spare = self._spare.pop(key, None)
        return make() if spare is None or spare.is_deleted() else spare

    def give(self, key: Hashable, buffer: Any) -> None:
        """Keep ``buffer`` for the next :meth:`take` of ``key`` (one buffer a key)."""
        self._spare.pop(key, None)
        self._spare[key] = buffer
        while len(self._spare) > self.size:
            del self._spare[next(iter(self._spare))]

    def __len__(self) -> int:
        return len(self._spare)


_SHARED = BufferPool()  # used only once malloc keeps freed memory: the process asked to keep it


def sweep_pool() -> BufferPool:
    """The pool for one sweep: its own, or the process's when freed memory is kept."""
    return _SHARED if kept else BufferPool()
