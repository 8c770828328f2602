"""Large buffers reused instead of handed back to the OS (glibc's malloc; elsewhere nothing).

A sweep allocates its outputs afresh in every compiled call: the running minimum, the recorded
losses and iterates (tens to hundreds of MB a chunk) and their NumPy copies. glibc serves large
blocks (above 128 KB at first, above 32 MB at most as it adapts) with ``mmap`` and returns them
with ``munmap``, so each new block is paged in again and the kernel zeroes it first: on a 2-core
machine that costs about as much as the copy itself. :func:`keep_freed_memory` tells malloc to
take large blocks from its heap and keep freed memory there (``mallopt(M_MMAP_MAX, 0)``,
``mallopt(M_TRIM_THRESHOLD, 2**31 - 1)``), like the caching allocators of GPU frameworks: the
next chunk or sweep reuses pages that are already mapped. The process's resident size then stays
at its peak until it exits.

The same idea one level up: the device buffers a sweep writes its records into are kept after
the sweep has copied them out (:func:`give_back`) and donated to the next call of the same shape
(:func:`take_buffer`), which then writes every row in place without filling a fresh buffer first.
``OPTBENCH_KEEP_MEMORY=0`` turns both off.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
from collections.abc import Callable, Hashable
from typing import Any

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_done: bool | None = None


def keep_freed_memory() -> bool:
    """Switch glibc's malloc to keep and reuse freed large blocks; True when it took effect.

    Once per process, on Linux with glibc. ``OPTBENCH_KEEP_MEMORY=0`` in the environment turns it
    off.
    """
    global _done
    if _done is None:
        _done = False
        if reuse_enabled() and sys.platform.startswith("linux"):
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
                mallopt = libc.mallopt
            except (OSError, AttributeError):  # not glibc (musl has no mallopt)
                return _done
            mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
            _done = bool(mallopt(_M_TRIM_THRESHOLD, 2**31 - 1)) and bool(mallopt(_M_MMAP_MAX, 0))
    return _done


_SPARE: dict[Any, Any] = {}  # newest last
_MAX_SPARE = 4  # a recorded sweep's three records, and one more


def reuse_enabled() -> bool:
    """Whether spare device buffers are kept for reuse (``OPTBENCH_KEEP_MEMORY=0``: no)."""
    return os.environ.get("OPTBENCH_KEEP_MEMORY", "1") != "0"


def take_buffer(key: Hashable, make: Callable[[], Any]) -> Any:
    """A spare buffer kept under ``key`` by :func:`give_back`, else ``make()``.

    For outputs that a compiled call writes in full into a donated input: the sweep's records.
    Reusing last call's buffer spares XLA from filling a fresh one first (tens of MB a chunk).
    """
    spare = _SPARE.pop(key, None)
    return make() if spare is None or spare.is_deleted() else spare


def give_back(key: Hashable, buffer: Any) -> None:
    """Keep ``buffer`` for the next :func:`take_buffer` of ``key``, when enabled.

    Only for buffers nothing else holds: the next call overwrites them. One buffer a key, and the
    four newest keys at most, so sweeps of ever new shapes do not pile buffers up.
    """
    if reuse_enabled():
        _SPARE.pop(key, None)
        _SPARE[key] = buffer
        while len(_SPARE) > _MAX_SPARE:
            del _SPARE[next(iter(_SPARE))]
