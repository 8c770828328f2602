"""What a sweep runs, decided before anything compiles: :func:`plan_sweep` -> :class:`SweepPlan`.

The plan resolves the stepper and its fixed hyperparameters, checks the grid (optbench's steppers
publish the range of each hyperparameter, so every value is checked with NumPy at once), lays the
runs out (the cartesian product of the grid, then seeds, then starts; first name slowest) and cuts
them into chunks of one size. :mod:`optbench.sweeps._chunks` runs a chunk of a plan and
:mod:`optbench.sweeps._assemble` turns the finished chunks into the table.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jax
import numpy as np

from .._errors import OptbenchError
from .._names import callable_name, check_keywords, signature_defaults
from .._run import (
    TransformFactory,
    check_dtype,
    check_label,
    check_steps,
    is_named_target,
    resolve_problem,
    split_hparams,
    sweepable,
)
from .._values import Curvature, _has_eta, resolve_value
from ..steppers import _registry as _steppers
from ..steppers.schedules import is_schedule, with_peak
from . import _fast
from ._grid import check_grid, grid_in_units

MAX_RUNS = 10_000_000  # runs in one sweep: the table's columns alone take a few GB beyond
# fewer runs than this a device: one device, not worth splitting (the fast path's runs are
# cheap; a run of the vmapped runner, a network's, costs enough to split from a few a device)
MIN_RUNS_PER_DEVICE = 256
RUNNER_RUNS_PER_DEVICE = 8
CHUNK_BYTES = 256 << 20  # what one chunk's records may take
# a chunk's work by default, so that an interruption loses little: CHUNK_SECONDS at FLOP_RATE
# (small networks swept on 2 CPU cores ran at 1.4e9 flop/s, a CNN, to 7e9, an MLP; a slower
# machine's chunk takes longer, an accelerator's far less)
CHUNK_SECONDS = 10.0
FLOP_RATE = {"cpu": 2e9}
ACCELERATOR_FLOP_RATE = 1e11


@dataclasses.dataclass(frozen=True)
class PeakSwept:
    """A stepper factory whose schedules take their peak from the grid: ``PeakSwept(adam,
    (("lr", Cosine(0.05, 300)),))(lr=0.01)`` is Adam with ``Cosine(0.01, 300)``. The stepper it
    makes keeps the peak as a number (traced in the sweep) and this object as its factory."""

    factory: Callable[..., Any]
    shapes: tuple

    def __call__(self, **hparams: Any) -> Any:
        shaped = {k: with_peak(s, hparams[k]) if k in hparams else s for k, s in self.shapes}
        st = self.factory(**{**hparams, **shaped})
        peaks = {k: hparams[k] for k, _ in self.shapes if k in hparams}
        return st._replace(hparams={**st.hparams, **peaks}, factory=self)


@dataclasses.dataclass(frozen=True, eq=False)
class SweepPlan:
    """Everything a sweep runs, fixed before the first compile.

    Runs are numbered over ``(configuration, seed, start)``, configuration slowest; ``config``,
    ``seed`` and ``start`` give each run's indices. ``run_idx`` are the runs that execute (their
    configuration's values are valid), cut into ``n_chunks`` chunks of ``size`` runs (the last
    padded).
    """

    problem: Any
    name: str  # the stepper's registry or dotted name
    label: str
    make: Callable[..., Any]  # the factory, called with the fixed and the grid's values
    base: dict[str, Any]  # every hyperparameter: defaults, then the spec's values
    grid: dict[str, np.ndarray]
    units: dict[str, Any]  # rates given in units of eta_max/eta_opt: what they became
    proto: Any  # the stepper at a valid configuration
    numeric: dict[str, Any]
    static: dict[str, Any]
    cols: dict[str, np.ndarray]  # each configuration's grid values
    config: np.ndarray
    seed: np.ndarray
    start: np.ndarray
    ok: np.ndarray  # per configuration: all its values are valid
    run_idx: np.ndarray
    invalid: tuple[str, ...]  # why the other configurations do not run
    starts: list[Any]  # the start points given (None: the problem's own)
    steps: int
    seeds: int
    dtype: str
    keep: bool  # keep the loss trajectories
    record: bool  # keep the iterates too (surfaces)
    fast: bool  # the fast path of optbench.sweeps._fast
    searched: bool  # targets searched inside the compiled call (known minimum)
    n_devices: int
    size: int
    _x0: dict = dataclasses.field(default_factory=dict, repr=False)

    @property
    def n_chunks(self) -> int:
        return -(-len(self.run_idx) // self.size) if len(self.run_idx) else 0

    def chunk_rows(self, i: int) -> np.ndarray:
        """The runs of chunk ``i``."""
        return self.run_idx[i * self.size : (i + 1) * self.size]

    def x0(self, start: int, seed: int) -> Any:
        """A run's first iterate: ``problem.initial(start, seed)`` (a network draws its weights
        from the seed)."""
        if (start, seed) not in self._x0:
            self._x0[(start, seed)] = self.problem.initial(self.starts[start], seed)
        return self._x0[(start, seed)]


def plan_sweep(
    problem: Any,
    stepper: Any,
    grid: dict[str, Any],
    steps: int,
    seeds: int = 1,
    starts: Any = None,
    *,
    dtype: str = "float32",
    keep_trajectories: bool = False,
    chunk_size: int | None = None,
    label: str | None = None,
) -> SweepPlan:
    """The plan of :func:`optbench.sweep` (same arguments); every argument is checked here, before
    anything compiles."""
    problem = resolve_problem(problem)
    steps = check_steps(steps)
    dtype = check_dtype(dtype)
    if isinstance(seeds, bool) or not isinstance(seeds, (int, np.integer)) or seeds < 1:
        raise OptbenchError(f"`seeds` (={seeds!r}) must be an integer >= 1.")
    if chunk_size is not None and (
        isinstance(chunk_size, bool)
        or not isinstance(chunk_size, (int, np.integer))
        or chunk_size < 1
    ):
        raise OptbenchError(
            f"`chunk_size` (={chunk_size!r}) must be a positive integer: runs per compiled call."
        )
    first = problem.initial(None, 0)  # where rates in units of eta_max are read off the Hessian
    curvature = Curvature(problem, first)
    name, base, make, known, defaults, given = _stepper_parts(stepper, curvature)
    grid, units = grid_in_units(grid, curvature)
    grid = check_grid(grid, name, known)
    # a schedule whose peak the grid varies: the grid's numbers become the schedule's lr
    shaped = {k: v for k, v in base.items() if k in grid and is_schedule(v)}
    if shaped:
        make = PeakSwept(make, tuple(shaped.items()))
    fixed = {k: v for k, v in base.items() if k not in grid}
    missing = [k for k in known if k not in base and k not in grid and k != "kwargs"]
    if missing:
        raise OptbenchError(
            f"`grid` or the stepper spec must give {', '.join(missing)} for stepper {name!r} "
            "(no default)."
        )
    start_list = [None] if starts is None else _check_starts(starts, first)
    n_runs = int(np.prod([len(v) for v in grid.values()], dtype=float)) * seeds * len(start_list)
    if n_runs > MAX_RUNS:
        raise OptbenchError(
            f"the sweep has {n_runs:.3g} runs (grid x seeds x starts); at most {MAX_RUNS:,} runs "
            "fit in one sweep: split it, or thin the grid."
        )
    names = list(grid)
    # the cartesian product as columns, first name slowest (as itertools.product)
    cols = dict(zip(names, (a.ravel() for a in np.meshgrid(*grid.values(), indexing="ij"))))
    ok, invalid, proto = _checked_values(name, make, fixed, grid, cols)
    numeric, static = split_hparams(proto)
    if not _takes_any(make):  # the stepper may hold values its factory fixes (a user's factory)
        numeric = {k: v for k, v in numeric.items() if k in known}
        static = {k: v for k, v in static.items() if k in known}
    for k in grid:
        if k in static:
            raise OptbenchError(
                f"`grid[{k!r}]` varies {k!r}, a switch of {name!r}; sweep numbers only."
            )
    config, seed, start = (
        a.ravel()
        for a in np.meshgrid(
            np.arange(len(ok)), np.arange(seeds), np.arange(len(start_list)), indexing="ij"
        )
    )
    run_idx = np.flatnonzero(ok[config])
    fast = _fast.eligible(problem, proto)
    n_devices = len(jax.local_devices())  # this process's: a sweep's processes run apart
    least = MIN_RUNS_PER_DEVICE if fast else min(MIN_RUNS_PER_DEVICE, RUNNER_RUNS_PER_DEVICE)
    if len(run_idx) < least * n_devices:  # too few runs to pay for splitting them
        n_devices = 1
    record = keep_trajectories and isinstance(first, np.ndarray)
    dim = int(sum(np.size(a) for a in jax.tree.leaves(first)))
    size = chunk_size or default_chunk_size(
        steps, dim, record, max(len(run_idx), 1), 0.0 if fast else step_flops(problem, first)
    )
    size = -(-size // n_devices) * n_devices
    return SweepPlan(
        problem=problem,
        name=name,
        label=check_label(label) or _default_label(name, fixed, defaults, given, shaped),
        make=make,
        base=base,
        grid=grid,
        units={
            **{
                k: {"given": str(v), "value": base[k], **curvature.record()}
                for k, v in given.items()
            },
            **units,
        },
        proto=proto,
        numeric=numeric,
        static=static,
        cols=cols,
        config=config,
        seed=seed,
        start=start,
        ok=ok,
        run_idx=run_idx,
        invalid=tuple(invalid),
        starts=start_list,
        steps=steps,
        seeds=int(seeds),
        dtype=dtype,
        keep=keep_trajectories,
        record=record,
        fast=fast,
        searched=fast and getattr(problem, "min_value", None) is not None,
        n_devices=n_devices,
        size=int(size),
    )


def default_chunk_size(steps: int, dim: int, record: bool, n: int, flops: float = 0.0) -> int:
    """Runs per chunk: what fits in :data:`CHUNK_BYTES` of records and, where one step costs
    ``flops`` (one gradient of one run), about :data:`CHUNK_SECONDS` of work."""
    per_run = (steps + 1) * (3 + (dim if record else 0)) * 4
    size = CHUNK_BYTES // per_run
    if flops > 0:
        rate = FLOP_RATE.get(jax.default_backend(), ACCELERATOR_FLOP_RATE)
        size = min(size, int(CHUNK_SECONDS * rate / (flops * steps)))
    size = max(1, min(n, size))
    return -(-n // -(-n // size))  # the same number of chunks, of equal size: no padded runs


def step_flops(problem: Any, x: Any) -> float:
    """Floating-point operations of one gradient of ``problem`` at ``x``, from XLA's cost
    analysis of the lowered program (nothing compiles); 0 where XLA cannot tell."""
    try:
        lowered = jax.jit(problem.loss_and_grad).lower(x, jax.numpy.int32(0), jax.random.PRNGKey(0))
        cost = lowered.cost_analysis()
    except Exception:  # a problem JAX cannot lower outside its run: the memory bound alone
        return 0.0
    if isinstance(cost, (list, tuple)):  # one entry a computation in older JAX
        cost = cost[0] if cost else {}
    return float((cost or {}).get("flops", 0.0) or 0.0)


def _stepper_parts(stepper: Any, curvature: Curvature) -> tuple:
    """``(name, base, make, known, defaults, given)``: the stepper's name and factory, every
    hyperparameter it will be made with (``base``: defaults, then the spec's values, rates in
    units resolved), the names it takes, its defaults and the values given in units."""
    known = None
    if isinstance(stepper, str) and is_named_target(stepper):  # optax.NAME:..., module:factory
        name, base, make, known = sweepable(stepper)
    elif isinstance(stepper, str):
        from .._spec import parse_spec

        name, base = parse_spec(stepper, "stepper", rich=True)
        make = _steppers.factory(name)
        check_keywords(make, base, f"stepper {name!r}")  # the grid supplies the rest
    elif getattr(stepper, "factory", None) is not None:
        name, base, make = stepper.name, dict(stepper.hparams), stepper.factory
    else:
        raise OptbenchError(
            f"`stepper` (={stepper!r}) must be a stepper name or spec (adam:lr=0.01, "
            "optax.adam:b1=0.9) or an optbench stepper."
        )
    owner = f"stepper {stepper.strip()!r}" if isinstance(stepper, str) else f"stepper {name!r}"
    given = {k: v for k, v in base.items() if _has_eta(v)}
    base = {k: resolve_value(v, curvature, k, owner) for k, v in base.items()}
    registered = name in _steppers.names()
    if known is None:
        known = list(_steppers.hparam_names(name)) if registered else list(base)
    if isinstance(make, TransformFactory):  # base holds the factory's defaults, then the spec's
        defaults = signature_defaults(make.make)
    else:
        defaults = _steppers.defaults(name) if registered else dict(base)
        base = {**defaults, **base}
    return name, base, make, known, defaults, given


def _checked_values(
    name: str, make: Callable, fixed: dict, grid: dict, cols: dict
) -> tuple[np.ndarray, list[str], Any]:
    """``(ok, invalid, proto)``: which configurations are valid, why the others are not, and the
    stepper made at the first valid one.

    A hyperparameter whose range the stepper publishes (optbench's steppers do) is checked for
    every value at once with NumPy. Others are checked by making the stepper with each distinct
    value beside valid ones. A fixed value that is not valid is an error of its own.
    """
    ranges = _steppers.ranges(name) if name in _steppers.names() else {}
    n = len(next(iter(cols.values())))
    ok = np.ones(n, bool)
    invalid: dict[str, None] = {}
    for k, values in grid.items():
        if k in ranges:
            bad = np.unique(values[~ranges[k].holds(values)])
            for v in bad:
                invalid[ranges[k].message(k, float(v), name)] = None
            ok &= ranges[k].holds(cols[k])
    unchecked = [k for k in grid if k not in ranges]
    if not ok.any():
        raise OptbenchError(f"`grid` has no valid configuration of {name!r}: {next(iter(invalid))}")
    first = int(np.flatnonzero(ok)[0])
    valid = {k: float(cols[k][first]) for k in grid}
    try:
        proto = make(**fixed, **valid)
    except (OptbenchError, ValueError) as err:  # a fixed value, or the first configuration
        if not unchecked:
            raise OptbenchError(str(err)) from None
        proto = None
    # hyperparameters without a published range: made on trial, each distinct value beside
    # valid ones (a configuration is valid when each of its values is)
    for k in unchecked:
        for v in np.unique(grid[k]):
            try:
                st = make(**fixed, **{**valid, k: float(v)})
            except (OptbenchError, ValueError) as err:
                invalid[str(err)] = None
                ok &= cols[k] != v
                continue
            proto = st if proto is None else proto
    if proto is None or not ok.any():
        if invalid:
            raise OptbenchError(
                f"`grid` has no valid configuration of {name!r}: {next(iter(invalid))}"
            )
        raise OptbenchError(f"stepper {name!r} cannot be made with {fixed}.")
    text = {k: v for k, v in fixed.items() if isinstance(v, str)}
    if text and isinstance(make, TransformFactory):
        from ..testing._resolve import try_one_step

        try_one_step(proto, text, name)  # optax takes text and fails only inside the run
    return ok, list(invalid), proto


def _takes_any(make: Callable) -> bool:
    """Whether the factory under ``make`` takes any keyword (``**kwargs``)."""
    import inspect

    fn = getattr(make, "factory", None) or getattr(make, "make", None) or make
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return True
    return any(p.kind is p.VAR_KEYWORD for p in params)


def _check_starts(starts: Any, first: Any) -> list[np.ndarray]:
    """Start points ``(k, d)`` as a list, or one sentence."""
    shape = np.shape(first)
    try:
        arr = np.asarray(starts, dtype=float)
    except (TypeError, ValueError):
        arr = np.full((1, 0), np.nan)
    if arr.ndim == len(shape):
        arr = arr[None]
    if arr.shape[1:] != shape or arr.shape[0] == 0 or not np.all(np.isfinite(arr)):
        raise OptbenchError(
            f"`starts` (={starts!r}) must be start points of shape {shape}, as a (k, "
            f"{', '.join(map(str, shape))}) array of finite numbers."
        )
    return list(arr)


def _default_label(
    name: str,
    fixed: dict[str, Any],
    defaults: dict[str, Any],
    given: dict[str, Any],
    shaped: dict[str, Any],
) -> str:
    """``adam (b2=0.99)``: the stepper and every fixed value that differs from its default."""
    from ..steppers._base import _differs, _fmt

    def same(v: Any, d: Any) -> bool:
        return v is d or (type(v) is type(d) and not _differs(v, d))

    parts = [f"{k}={callable_name(s).replace(f'{s.lr:g}', '·', 1)}" for k, s in shaped.items()]
    parts += [
        f"{k}={given[k] if k in given else _fmt(v)}"
        for k, v in fixed.items()
        if k not in defaults or not same(v, defaults[k])
    ]
    return f"{name} ({', '.join(parts)})" if parts else name
