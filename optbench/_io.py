"""Files appear whole or not at all: write to a temporary name in the same folder, then rename."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

from ._errors import OptbenchError


def output_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` (and parents) if needed and check it is a writable folder."""
    p = Path(path)
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OptbenchError(
            f"output directory {str(p)!r} cannot be created: {err.strerror}."
        ) from None
    if not p.is_dir() or not os.access(p, os.W_OK):
        raise OptbenchError(f"output directory {str(p)!r} is not a writable folder.")
    return p


def _create_beside(target: Path) -> Path:
    """A new, empty file with a random name beside ``target``: ``.NAME.XXXXXXXX.part.SUFFIX``.

    Created with mode 0o666, which the kernel narrows by the process's umask, as for any new file
    (``tempfile.mkstemp`` would make it 0o600, and reading the umask means setting it).
    """
    for _ in range(100):
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.part{target.suffix}"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        os.close(fd)
        return tmp
    raise FileExistsError(f"no free temporary name beside {str(target)!r}")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is renamed to ``path``, on error
    removed."""
    target = Path(path)
    tmp = _create_beside(target)
    try:
        yield tmp
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def save_figure(fig, path: str | os.PathLike) -> Path:
    """Save a matplotlib figure as PNG atomically, with no timestamp (same figure, same bytes)."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", facecolor=fig.get_facecolor(), metadata={"Software": None})
    return Path(path)
