"""Files appear whole or not at all: write to a temporary name in the same folder, then rename.

Inside :func:`outputs` (each command runs in one) the renames wait until the block ends: a
command that fails or is interrupted leaves none of its files, no temporary and no folder it
created and left empty; one that succeeds puts all of them in place. A full disk or a folder
that cannot be written ends in one sentence naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import signal
from collections.abc import Iterable, Iterator
from pathlib import Path

from ._errors import OptbenchError


class _Batch:
    """The files and folders one :func:`outputs` block has made so far."""

    def __init__(self) -> None:
        self.pending: list[tuple[Path, Path]] = []  # (temporary, target), renamed at the end
        self.created: list[Path] = []  # folders made here, removed at a failure when empty

    def commit(self) -> None:
        # no interrupt between the first rename and the last: all the files, or (before) none
        blocked = {signal.SIGINT, signal.SIGTERM}
        old = signal.pthread_sigmask(signal.SIG_BLOCK, blocked)
        try:
            for tmp, target in self.pending:
                os.replace(tmp, target)
            self.pending.clear()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, old)

    def roll_back(self) -> None:
        for tmp, _ in self.pending:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        self.pending.clear()
        for folder in reversed(self.created):  # deepest first
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty


_BATCHES: list[_Batch] = []


@contextlib.contextmanager
def outputs() -> Iterator[None]:
    """Write every file of this block at its end, or none of them (see the module's text)."""
    batch = _Batch()
    _BATCHES.append(batch)
    try:
        yield
    except BaseException:
        _BATCHES.remove(batch)
        batch.roll_back()
        raise
    _BATCHES.remove(batch)
    try:
        batch.commit()
    except OSError as err:
        batch.roll_back()
        raise _write_error(err, None) from None


def _write_error(err: OSError, target: Path | None) -> OptbenchError:
    where = target if target is not None else Path(err.filename or "?")
    why = err.strerror or str(err)
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk is full"
    return OptbenchError(f"cannot write {str(where)!r}: {why}.")


def output_dir(path: str | os.PathLike) -> Path:
    """Create ``path`` (and parents) if needed and check it is a writable folder."""
    p = Path(path)
    made = [q for q in [p, *p.parents] if not q.exists()]
    if p.exists() and not p.is_dir():
        raise OptbenchError(f"output directory {str(p)!r} is a file, not a folder.")
    blocker = next((q for q in p.parents if q.exists() and not q.is_dir()), None)
    if blocker is not None:
        raise OptbenchError(
            f"output directory {str(p)!r} cannot be made: {str(blocker)!r} is a file."
        )
    try:
        p.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OptbenchError(
            f"output directory {str(p)!r} cannot be created: {err.strerror}."
        ) from None
    if _BATCHES:
        _BATCHES[-1].created.extend(reversed(made))  # outermost first
    if not p.is_dir() or not os.access(p, os.W_OK | os.X_OK):
        raise OptbenchError(f"output directory {str(p)!r} is not a writable folder.")
    return p


def check_outputs(folder: str | os.PathLike, names: Iterable[str]) -> None:
    """Before any work: refuse a file of ``names`` in ``folder`` that exists as a folder."""
    for name in names:
        p = Path(folder) / name
        if p.is_dir():
            raise OptbenchError(
                f"output file {str(p)!r} is a folder; remove it or write elsewhere (-o)."
            )


def check_path(path: str | os.PathLike, suffixes: Iterable[str] = (), what: str = "path") -> Path:
    """Before any work: ``path`` names a file (with one of ``suffixes``, when given: the format
    it gets) in a folder that exists and can be written."""
    p = Path(path)
    suffixes = tuple(suffixes)
    if suffixes and p.suffix.lower() not in suffixes:
        allowed = " or ".join(suffixes)
        raise OptbenchError(
            f"`{what}` (={str(p)!r}) must end in {allowed}, the format written there."
        )
    if p.is_dir():
        raise OptbenchError(f"`{what}` (={str(p)!r}) is a folder; give a file name.")
    parent = p.parent
    if not parent.is_dir():
        raise OptbenchError(f"`{what}` (={str(p)!r}): its folder {str(parent)!r} does not exist.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OptbenchError(f"`{what}` (={str(p)!r}): its folder {str(parent)!r} is read-only.")
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
        except OSError as err:
            raise _write_error(err, target) from None
        os.close(fd)
        return tmp
    raise FileExistsError(f"no free temporary name beside {str(target)!r}")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, now: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it is renamed to ``path`` (at the end
    of the :func:`outputs` block, if any, unless ``now``), on error removed.

    An ``OSError`` while writing (a full disk) becomes one sentence naming ``path``.
    """
    target = Path(path)
    tmp = _create_beside(target)
    try:
        yield tmp
        if _BATCHES and not now:
            _BATCHES[-1].pending.append((tmp, target))
        else:
            os.replace(tmp, target)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError) and err.errno is not None:
            raise _write_error(err, target) from None
        raise


def write_text(path: str | os.PathLike, text: str, now: bool = False) -> Path:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path, now) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def save_figure(fig, path: str | os.PathLike) -> Path:
    """Save a matplotlib figure as PNG atomically, with no timestamp (same figure, same bytes)."""
    check_path(path, (".png",))
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", facecolor=fig.get_facecolor(), metadata={"Software": None})
    return Path(path)
