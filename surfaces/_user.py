"""Your own surface from a Python file: ``"path/to/file.py:function"`` on the command line.

The named attribute of the file may be

* a :class:`Surface` (e.g. ``bowl = Surface(fn, bounds=..., start=...)``), used as it is;
* a function of no arguments that returns a :class:`Surface`, called once;
* a plain JAX function of a point ``x`` returning a scalar. It is taken as **2-D** on the window
  ``[-2, 2]^2`` with start ``(-1.5, 1.5)`` and no known minima; for another dimension, window,
  start or known minima, return a :class:`Surface` instead.

The file is loaded as a module (its top-level code runs), relative paths from the current folder.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from pathlib import Path

from optbench.surfaces._surface import Surface

from optbench._errors import OptbenchError, closest

#: Where a plain function of x is drawn and started (see the module docstring).
DEFAULT_BOUNDS = ((-2.0, 2.0), (-2.0, 2.0))
DEFAULT_START = (-1.5, 1.5)


def _load_module(path: Path):
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    name = f"optbench_user_surface_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise OptbenchError(f"surface file {str(path)!r} cannot be loaded as a Python module.")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except SystemExit as err:  # the file called sys.exit(): not a surface file
        raise OptbenchError(
            f"surface file {str(path)!r} called sys.exit({err.code!r}) while loading; a surface "
            "file should only define functions."
        ) from None
    except Exception as err:  # noqa: BLE001 - the user's file failed; say so in one line
        first = str(err).splitlines()[0] if str(err) else ""
        raise OptbenchError(
            f"surface file {str(path)!r} failed to load: {type(err).__name__}: {first}"
        ) from None
    sys.modules.setdefault(name, module)
    return module


def _takes_no_arguments(fn) -> bool:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return all(
        p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in params
    )


def load_user_surface(spec: str) -> Surface:
    """The surface named by ``"path/to/file.py:function"`` (see the module docstring).

    Raises an :class:`OptbenchError` when the file or the function does not exist, or when the
    function does not return a scalar.
    """
    file, sep, attr = spec.rpartition(":")
    if not sep or not file.endswith(".py") or not attr.isidentifier():
        raise OptbenchError(
            f"surface {spec!r} must be NAME[:key=value,...] or path/to/file.py:function."
        )
    path = Path(file)
    if not path.is_file():
        raise OptbenchError(f"surface file {file!r} does not exist.")
    module = _load_module(path)
    if not hasattr(module, attr):
        found = [
            k
            for k, v in vars(module).items()
            if not k.startswith("_")
            and callable(v)
            and getattr(v, "__module__", module.__name__) == module.__name__
        ]
        found += [k for k, v in vars(module).items() if isinstance(v, Surface)]
        hint = closest(attr, found)
        did = f"; did you mean {hint!r}?" if hint else "."
        raise OptbenchError(
            f"surface file {file!r} has no function {attr!r}{did} It defines: "
            f"{', '.join(sorted(found)) or 'nothing usable'}."
        )
    obj = getattr(module, attr)
    if not isinstance(obj, Surface) and callable(obj) and _takes_no_arguments(obj):
        obj = obj()
        if not isinstance(obj, Surface):
            raise OptbenchError(
                f"`{attr}` in {file!r} takes no arguments, so it must return a Surface, "
                f"not {type(obj).__name__}."
            )
    if isinstance(obj, Surface):
        surface = obj
    elif callable(obj):
        surface = Surface(obj, bounds=DEFAULT_BOUNDS, start=DEFAULT_START, name=attr)
    else:
        raise OptbenchError(
            f"`{attr}` in {file!r} must be a function of x or a Surface, not {type(obj).__name__}."
        )
    surface.check_scalar()
    return surface
