"""Compiled functions kept under value keys, the most recently used few.

A compiled run is reused when the next run computes the same thing: the same problem, the same
kind of stepper, the same steps and dtype. "The same" is decided by value, not by object identity:
three separately made ``optax.adam(0.1)`` transforms are three objects but one program, so they
share one compile. :func:`value_key` turns functions (code, defaults, closed-over values and the
plain globals they read), NamedTuples, numbers and small arrays into hashable keys. Each
:class:`CompileCache` keeps at most ``maxsize`` entries and drops the least recently used, so a
long session that tries many configurations does not keep every program alive.
"""

from __future__ import annotations

import hashlib
import sys
import types
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np


class Unkeyable(Exception):
    """Raised by :func:`value_key` for an object whose value cannot be keyed."""


_DEPTH = 12  # nesting of closures and containers followed before giving up
_SIMPLE = (bool, int, float, complex, str, bytes, type(None), type(Ellipsis))


def value_key(obj: Any, _depth: int = 0) -> Hashable:
    """A hashable key, equal for objects that compute the same thing.

    Numbers carry their type (``1``, ``1.0`` and ``True`` differ) and NaN equals NaN. A function
    defined at a module's top level is keyed by identity (it is made once); closures and lambdas
    by their code, defaults, closed-over values and the module-level values they read,
    recursively. Objects that are hashable only by identity (a class, a module, an object without
    ``__eq__``) are keyed by identity. Raises :class:`Unkeyable` for
    mutable containers of unkeyable values and for nesting deeper than 12 levels.
    """
    if _depth > _DEPTH:
        raise Unkeyable("nested too deeply")
    d = _depth + 1
    if isinstance(obj, _SIMPLE):
        return (type(obj).__name__, repr(obj))
    if isinstance(obj, np.generic):
        return ("np", obj.dtype.str, repr(obj.item()))
    if isinstance(obj, types.FunctionType):
        if _module_level(obj):  # made once, at import: its identity is its value
            return ("function", obj)
        return _function_key(obj, d)
    if isinstance(obj, types.MethodType):
        return ("method", _function_key(obj.__func__, d), value_key(obj.__self__, d))
    if isinstance(obj, tuple):  # NamedTuples (optax's GradientTransformation) included
        return (type(obj).__qualname__, tuple(value_key(v, d) for v in obj))
    if isinstance(obj, list):
        return ("list", tuple(value_key(v, d) for v in obj))
    if isinstance(obj, dict):
        items = sorted((repr(k), value_key(v, d)) for k, v in obj.items())
        return ("dict", tuple(items))
    if isinstance(obj, (types.ModuleType, type)):
        return obj
    if hasattr(obj, "shape") and hasattr(obj, "dtype") and hasattr(obj, "__array__"):
        arr = np.asarray(obj)
        digest = hashlib.sha1(np.ascontiguousarray(arr).tobytes()).hexdigest()
        return ("array", arr.shape, arr.dtype.str, digest)
    if isinstance(obj, (set, frozenset)):
        return ("set", frozenset(value_key(v, d) for v in obj))
    try:
        hash(obj)
    except TypeError:
        raise Unkeyable(f"unhashable {type(obj).__name__}") from None
    return ("object", obj)


def _module_level(fn: types.FunctionType) -> bool:
    """Whether ``fn`` is the module attribute its name says (not a closure or a lambda)."""
    if "<" in fn.__qualname__ or fn.__closure__:
        return False
    module = sys.modules.get(fn.__module__)
    return getattr(module, fn.__name__, None) is fn


def _function_key(fn: types.FunctionType, depth: int) -> Hashable:
    cells = []
    for cell in fn.__closure__ or ():
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell (a name assigned later in the enclosing function)
            cells.append(("empty",))
            continue
        cells.append(value_key(value, depth))
    return (
        "function",
        fn.__module__,
        fn.__qualname__,
        fn.__code__,
        value_key(fn.__defaults__, depth),
        value_key(fn.__kwdefaults__, depth),
        tuple(cells),
        _globals_key(fn, depth),
    )


def _globals_key(fn: types.FunctionType, depth: int) -> Hashable:
    """The module-level values ``fn`` reads that are not modules or classes (those are fixed)."""
    return tuple((name, value_key(value, depth)) for name, value in _globals_read(fn))


def stable_digest(obj: Any) -> str:
    """A hex digest of what ``obj`` computes, the same in every process: for names of files that
    a later process reads back (a sweep's checkpoints).

    Like :func:`value_key`, but a function is digested by its code, defaults, closed-over values
    and the plain globals it reads even when it is defined at a module's top level (a user's file
    may have changed between two runs), and objects by their class and attributes. Raises
    :class:`Unkeyable` for an object whose value cannot be read (one without attributes that is not
    a number, string, container, array, function, class or module).
    """
    h = hashlib.sha256()
    _feed(h, obj, 0)
    return h.hexdigest()[:16]


def _feed(h: Any, obj: Any, depth: int) -> None:
    if depth > _DEPTH:
        raise Unkeyable("nested too deeply")
    d = depth + 1

    def put(*parts: Any) -> None:
        h.update(repr(parts).encode())

    if isinstance(obj, _SIMPLE):
        put(type(obj).__name__, repr(obj))
    elif isinstance(obj, np.generic):
        put("np", obj.dtype.str, repr(obj.item()))
    elif isinstance(obj, types.FunctionType) and _from_library(obj):
        top = sys.modules.get(obj.__module__.partition(".")[0])
        put("library function", fn_name(obj), getattr(top, "__version__", ""))
    elif isinstance(obj, types.FunctionType):
        put("function", fn_name(obj))
        _feed(h, obj.__code__, d)
        for part in (obj.__defaults__, obj.__kwdefaults__):
            _feed(h, part, d)
        for cell in obj.__closure__ or ():
            try:
                _feed(h, cell.cell_contents, d)
            except ValueError:
                put("empty")
        for name, value in _globals_read(obj):
            put("global", name)
            _feed(h, value, d)
    elif isinstance(obj, types.CodeType):
        put("code", obj.co_code, obj.co_names, obj.co_varnames, obj.co_freevars)
        for const in obj.co_consts:
            _feed(h, const, d)
    elif isinstance(obj, types.MethodType):
        _feed(h, obj.__func__, d)
        _feed(h, obj.__self__, d)
    elif isinstance(obj, (tuple, list)):
        put(type(obj).__qualname__, len(obj))
        for v in obj:
            _feed(h, v, d)
    elif isinstance(obj, dict):
        put("dict", len(obj))
        for k in sorted(obj, key=repr):
            put(repr(k))
            _feed(h, obj[k], d)
    elif isinstance(obj, (set, frozenset)):
        put("set", sorted(stable_digest(v) for v in obj))
    elif isinstance(obj, types.ModuleType):
        put("module", obj.__name__)
    elif isinstance(obj, type):
        put("type", obj.__module__, obj.__qualname__)
    elif hasattr(obj, "shape") and hasattr(obj, "dtype") and hasattr(obj, "__array__"):
        arr = np.ascontiguousarray(np.asarray(obj))
        put("array", arr.shape, arr.dtype.str)
        h.update(arr.tobytes())
    elif hasattr(obj, "__dict__"):
        put("object", type(obj).__module__, type(obj).__qualname__)
        _feed(h, dict(vars(obj)), d)
    else:
        raise Unkeyable(f"cannot read the value of a {type(obj).__name__}")


def _from_library(fn: types.FunctionType) -> bool:
    """Whether ``fn`` is optbench's or an installed package's (named with its version, not read:
    its code changes only with the version)."""
    import sysconfig
    from pathlib import Path

    if fn.__module__ == "optbench" or fn.__module__.startswith("optbench."):
        return True
    file = getattr(sys.modules.get(fn.__module__), "__file__", None)
    if file is None:
        return False
    where = Path(file).resolve()
    roots = {sysconfig.get_paths()[k] for k in ("purelib", "platlib", "stdlib", "platstdlib")}
    return any(where.is_relative_to(Path(r).resolve()) for r in roots)


def fn_name(fn: Any) -> str:
    return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', '?')}"


def _globals_read(fn: types.FunctionType) -> list[tuple[str, Any]]:
    """The module-level values ``fn`` reads that are not modules or classes (those are fixed)."""
    names: set[str] = set()
    stack = [fn.__code__]
    while stack:
        code = stack.pop()
        names.update(code.co_names)
        stack.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    return [
        (name, fn.__globals__[name])
        for name in sorted(names)
        if name in fn.__globals__ and not isinstance(fn.__globals__[name], (types.ModuleType, type))
    ]


class CompileCache:
    """``make()`` results under value keys; the ``maxsize`` most recently used are kept.

    ``get(parts, make)`` keys ``parts`` with :func:`value_key`; when that is impossible the result
    of ``make()`` is returned without being kept (compiled for this call only).
    """

    def __init__(self, maxsize: int = 32):
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, parts: Any, make: Callable[[], Any]) -> Any:
        try:
            key = value_key(parts)
            hash(key)
        except (Unkeyable, TypeError):
            return make()
        if key in self._entries:
            self._entries.move_to_end(key)
            return self._entries[key][1]
        value = make()
        self._entries[key] = (parts, value)
        while len(self._entries) > self.maxsize:
            self._entries.popitem(last=False)
        return value

    def items(self) -> list[tuple[Any, Any]]:
        """``(parts, value)`` pairs, the least recently used first."""
        return list(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        self._entries.clear()
