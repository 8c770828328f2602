"""``sweep``: a hyperparameter grid x seeds x starts as one ``jit(vmap(run))``, chunk by chunk.

Every configuration runs exactly what :func:`optbench.run` runs (the same
:func:`optbench._run.trajectory_fn`), vmapped over the flattened (configuration, seed, start) axis.
Chunks have one fixed size (the last is padded), so a sweep compiles once and new grid values of
the same shapes reuse the compiled function. With several devices the chunk axis is sharded over
a 1-D :class:`jax.sharding.Mesh` (``NamedSharding``); no process pool.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._cache import CompileCache, Unkeyable, stable_digest
from .._errors import OptbenchError
from .._memory import sweep_pool
from .._names import callable_name, check_keywords, signature_defaults
from .._progress import Progress
from .._run import (
    TransformFactory,
    _stepper_key,
    check_dtype,
    check_label,
    check_steps,
    dtype_context,
    is_named_target,
    resolve_problem,
    split_hparams,
    sweepable,
    trajectory_fn,
)
from .._values import Curvature, _has_eta, resolve_value
from ..steppers import _registry as _steppers
from ..steppers.schedules import is_schedule, with_peak
from . import _fast
from ._grid import check_grid, grid_in_units
from ._table import KINDS, SweepResult, coco_targets, first_hits_time_major, thresholds

_COMPILED = CompileCache(32)  # the sweep's compiled chunk calls
_MIN_RUNS_PER_DEVICE = 256


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


MAX_RUNS = 10_000_000  # runs in one sweep: the table's columns alone take a few GB beyond


def _check_starts(problem: Any, starts: Any, first: Any) -> list[np.ndarray]:
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


def _chunk_size(steps: int, dim: int, record: bool, n: int, devices: int) -> int:
    per_run = (steps + 1) * (3 + (dim if record else 0)) * 4
    size = max(1, min(n, (256 << 20) // per_run))
    return -(-size // devices) * devices


# -- checkpoints: chunk files named by everything that determines their numbers -------------------
def _signature(problem, name, make, base, grid, steps, seeds, starts, dtype, size, record) -> str:
    """What determines a sweep's chunks, as a digest the same in every process: the problem's
    function (its code, constants and the values it reads, not only its name), the stepper's
    factory, every hyperparameter, the grid, the starts, the budget and the layout of chunks."""
    from .. import __version__

    try:
        what = stable_digest([problem.cache_key(), make, base])
    except Unkeyable:  # a value that cannot be read: the sweep is named by what it shows
        what = repr(problem.describe()) + name + repr(sorted(base))
    return hashlib.sha256(
        json.dumps(
            [
                "chunks-4",
                __version__,
                what,
                problem.describe(),
                name,
                {k: np.asarray(v).tolist() for k, v in grid.items()},
                steps,
                seeds,
                [np.asarray(x).tolist() for x in starts if x is not None],
                dtype,
                size,
                record,
            ],
            default=repr,
        ).encode()
    ).hexdigest()[:16]


def _open_checkpoints(ckpt, sig, problem, name, steps, seeds, resume) -> None:
    """Make ``ckpt`` this sweep's: remove what a killed run left half-written, refuse to resume
    another sweep's chunks, and start afresh (the old chunks removed) when not resuming."""
    from .._io import output_dir, write_text

    output_dir(ckpt)
    for debris in ckpt.glob(".chunk_*.part.npz"):  # a run killed while writing a chunk
        debris.unlink(missing_ok=True)
    manifest = ckpt / "sweep.json"
    this = {"signature": sig, "problem": problem.describe(), "stepper": name, "steps": steps}
    this["seeds"] = seeds
    ours = f"chunk_{sig}_"
    theirs = [p for p in ckpt.glob("chunk_*.npz") if not p.name.startswith(ours)]
    if resume and theirs:
        try:
            other = json.loads(manifest.read_text())
            said = f"{other['problem'].get('name')}, {other['stepper']}, {other['steps']} steps"
        except (OSError, ValueError, KeyError, AttributeError, TypeError):
            said = "another sweep"
        raise OptbenchError(
            f"`checkpoint_dir` (={str(ckpt)!r}) holds the chunks of a different sweep ({said}), "
            "not of this one; resume into that sweep's own folder, or run without resume to "
            "start over."
        )
    for old in theirs if not resume else []:
        old.unlink(missing_ok=True)
    write_text(manifest, json.dumps(this, indent=2, default=str) + "\n", now=True)


def _chunk_keys(fast: bool, searched: bool, keep: bool, record: bool) -> set[str]:
    keys = {"first", "final", "best", "diverged_at", "code", "wall", "chunk_wall"}
    keys.add("hits" if fast and searched else "run_min")
    return keys | ({"loss"} if keep else set()) | ({"params"} if record else set())


def _load_chunk(path: Path, keys: set[str], m: int) -> dict[str, np.ndarray] | str:
    """A finished chunk read back, or why it cannot be used (a truncated or foreign file)."""
    import zipfile

    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as f:
            part = {k: f[k] for k in f.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        return f"is unreadable ({type(err).__name__}: {err})"
    if set(part) != keys:
        return f"holds {sorted(part)}, not the records of this sweep"
    if len(part["final"]) != m:
        return f"holds {len(part['final'])} runs, not {m}"
    return part


def sweep(
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
    checkpoint_dir: Any = None,
    resume: bool = False,
    progress: bool | None = None,
    label: str | None = None,
) -> SweepResult:
    """Run ``stepper`` on ``problem`` for every configuration of ``grid`` x ``seeds`` x ``starts``.

    Args:
      problem: a surface, a network problem or a spec such as ``"rosenbrock"``.
      stepper: a registered name or spec (``"adam:b2=0.99"``) or an optbench stepper; grid values
        override its hyperparameters.
      grid: hyperparameter name -> values; the cartesian product runs (first name slowest).
      steps: updates per run. seeds: seeds 0..seeds-1 per configuration (gradient noise, batches).
      starts: None (the problem's start) or an array of start points ``(k, d)``.
      dtype: "float32" or "float64". keep_trajectories: keep losses (and params for surfaces).
      chunk_size: runs per compiled call (default: what fits in ~256 MB).
      checkpoint_dir: write each finished chunk there; with ``resume=True`` finished chunks of the
        same sweep are read back instead of rerun.
      progress: a progress line on stderr, runs done and the time left, updated chunk by chunk
        (default: when stderr is a terminal).
      label: the sweep's name in plots, reports and ``meta['label']``; by default the stepper's
        name and every fixed hyperparameter that differs from its default (``adam (b2=0.99)``).

    Returns:
      A :class:`SweepResult`. Values outside a hyperparameter's range are rows of kind 'invalid'
      (listed in ``meta['invalid']``); the rest of the grid runs.

    Targets are :func:`coco_targets` above the problem's known minimum (``min_value``), or above
    the best loss of the whole sweep when the minimum is unknown.
    """
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
    at = problem.initial(None, 0)  # where rates in units of eta_max are read off the Hessian
    curvature = Curvature(problem, at)
    known = None
    if isinstance(stepper, str) and is_named_target(stepper):
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
    given_base = {k: v for k, v in base.items() if _has_eta(v)}
    base = {k: resolve_value(v, curvature, k, owner) for k, v in base.items()}
    grid, units = grid_in_units(grid, curvature)
    if known is None:
        known = list(_steppers.hparam_names(name)) if name in _steppers.names() else list(base)
    grid = check_grid(grid, name, known)
    defaults = _steppers.defaults(name) if name in _steppers.names() else dict(base)
    if not isinstance(stepper, str) or not is_named_target(stepper):
        base = {**defaults, **base}
    else:  # optax.NAME:... : base holds the factory's defaults, then the spec's values
        defaults = signature_defaults(make.make)
    # a schedule whose peak the grid varies: the grid's numbers become the schedule's lr
    shaped = {k: v for k, v in base.items() if k in grid and is_schedule(v)}
    if shaped:
        make = PeakSwept(make, tuple(shaped.items()))
    fixed_now = {k: v for k, v in base.items() if k not in grid}
    label = check_label(label) or _default_label(name, fixed_now, defaults, given_base, shaped)
    fixed = {k: v for k, v in base.items() if k not in grid}
    missing = [k for k in known if k not in base and k not in grid and k != "kwargs"]
    if missing:
        raise OptbenchError(
            f"`grid` or the stepper spec must give {', '.join(missing)} for stepper {name!r} "
            "(no default)."
        )
    names = list(grid)
    n_runs = int(np.prod([len(v) for v in grid.values()], dtype=float) * seeds)
    n_runs *= 1 if starts is None else max(1, int(np.size(starts) // max(1, np.size(at))))
    if n_runs > MAX_RUNS:
        raise OptbenchError(
            f"the sweep has {n_runs:.3g} runs (grid x seeds x starts); at most {MAX_RUNS:,} runs "
            "fit in one sweep: split it, or thin the grid."
        )
    # the cartesian product as columns, first name slowest (as itertools.product)
    cols = dict(zip(names, (a.ravel() for a in np.meshgrid(*grid.values(), indexing="ij"))))
    n_cfg = len(cols[names[0]])

    def cfg_at(i: int) -> dict[str, float]:
        return {k: float(cols[k][i]) for k in names}

    # values outside a hyperparameter's range: reported, the rest of the grid runs. Steppers check
    # each hyperparameter on its own, so each distinct value is checked once, beside a valid rest.
    invalid: dict[str, None] = {}
    bad_values: dict[str, set[float]] = {k: set() for k in grid}
    proto, valid_cfg = None, None
    for i in range(min(n_cfg, 64)):
        try:
            proto, valid_cfg = make(**fixed, **cfg_at(i)), cfg_at(i)
            break
        except (OptbenchError, ValueError) as err:
            invalid[str(err)] = None
    if valid_cfg is None:
        valid_cfg = cfg_at(0)
    # optbench's own steppers accept an interval of each hyperparameter (the others fixed): when
    # the smallest and the largest distinct value are valid, so is every value between them
    interval = getattr(make, "__module__", "").startswith("optbench.steppers")

    def check(k: str, v: float) -> bool:
        nonlocal proto
        try:
            st = make(**fixed, **{**valid_cfg, k: float(v)})
        except (OptbenchError, ValueError) as err:
            bad_values[k].add(float(v))
            invalid[str(err)] = None
            return False
        proto = st if proto is None else proto
        return True

    for k, values in grid.items():
        u = np.unique(values)
        ends = [u[0], u[-1]] if len(u) > 1 else [u[0]]
        if not (interval and all(check(k, v) for v in ends)):
            for v in u:
                check(k, v)
    ok = np.ones(n_cfg, bool)
    for k in names:
        if bad_values[k]:
            ok &= ~np.isin(cols[k], np.array(sorted(bad_values[k])))
    every = list(invalid)
    invalid = {
        m: None for m in invalid if any(str(v) in m for vs in bad_values.values() for v in vs)
    }
    if proto is None:
        about_fixed = [m for m in every if m not in invalid]  # the spec's own values are bad
        if about_fixed:
            raise OptbenchError(about_fixed[0])
        raise OptbenchError(f"`grid` has no valid configuration of {name!r}: {next(iter(invalid))}")
    text = {k: v for k, v in fixed.items() if isinstance(v, str)}
    if text and isinstance(make, TransformFactory):
        from ..testing._resolve import try_one_step

        # optax takes text and fails inside the run
        try_one_step(proto, text, name)  # a one-sentence error naming the text
    numeric, static = split_hparams(proto)
    for k in grid:
        if k in static:
            raise OptbenchError(
                f"`grid[{k!r}]` varies {k!r}, a switch of {name!r}; sweep numbers only."
            )

    first = problem.initial(None, 0)
    start_list = [None] if starts is None else _check_starts(problem, starts, first)
    x0_cache: dict[tuple[int, int], Any] = {}

    def x0_of(s: int, k: int) -> Any:
        # the runner's start: problem.initial(start, key) (networks draw their init from the key)
        if (s, k) not in x0_cache:
            x0_cache[(s, k)] = problem.initial(start_list[s], k)
        return x0_cache[(s, k)]

    x0s = [x0_of(s, 0) for s in range(len(start_list))]
    n_start = len(x0s)

    def stack_x0(rows: np.ndarray) -> Any:
        # the distinct (start, seed) pairs, stacked once, then gathered per run
        pair = xi[rows] * seeds + si[rows]
        uniq, inv = np.unique(pair, return_inverse=True)
        stacked = jax.tree.map(
            lambda *a: np.stack(a), *[x0_of(int(p // seeds), int(p % seeds)) for p in uniq]
        )
        return jax.tree.map(lambda a: jnp.asarray(a[inv.ravel()], dtype), stacked)

    ci, si, xi = (
        a.ravel()
        for a in np.meshgrid(np.arange(n_cfg), np.arange(seeds), np.arange(n_start), indexing="ij")
    )
    run_idx = np.flatnonzero(ok[ci])
    n = len(run_idx)

    devices = jax.devices()
    if n < _MIN_RUNS_PER_DEVICE * len(devices):  # too few runs to pay for splitting them
        devices = devices[:1]
    dim = int(sum(np.size(a) for a in jax.tree.leaves(first)))
    size = chunk_size or _chunk_size(steps, dim, keep_trajectories, max(n, 1), len(devices))
    size = -(-size // len(devices)) * len(devices)
    n_chunks = -(-n // size) if n else 0
    record = keep_trajectories and isinstance(first, np.ndarray)
    sig = None
    ckpt = Path(checkpoint_dir) if checkpoint_dir is not None else None
    recomputed: list[str] = []
    if ckpt is not None:  # names the chunk files; hashing the grid costs ~10 ms
        sig = _signature(
            problem, name, make, base, grid, steps, seeds, start_list, dtype, size, record
        )
        _open_checkpoints(ckpt, sig, problem, name, steps, seeds, resume)

    f_known = getattr(problem, "min_value", None)
    with dtype_context(dtype):
        fast = _fast.eligible(problem, proto)
        # with a known minimum the targets are known now: the fast path searches them in its call
        searched = fast and f_known is not None
        limits = (
            jnp.asarray(thresholds(coco_targets(float(f_known or 0.0)), dtype)) if fast else None
        )
        # a sweep of enough runs splits each chunk over the devices, one block of runs each
        mesh = jax.sharding.Mesh(np.array(devices), ("runs",)) if len(devices) > 1 else None
        # the fast path bakes the hyperparameters that do not vary in as float32/64 constants:
        # the same values the runner traces, but XLA can fold what depends only on them
        baked = {k: v for k, v in numeric.items() if k not in grid} if fast else {}
        key_fn = (
            "fast" if fast else "run",
            problem.cache_key(),
            _stepper_key(proto),
            steps,
            dtype,
            record,
            searched,
            size,
            len(devices),
            tuple(sorted((k, np.asarray(v, dtype)) for k, v in baked.items())),
        )
        if fast:  # the buffers the fast path writes its records into (time-major, runs last)
            shapes = _fast.record_shapes(size, dim, steps, record)
            rec_sharding = {
                k: jax.sharding.NamedSharding(mesh, _time_major(len(v)))
                if mesh is not None
                else devices[0]
                for k, v in shapes.items()
            }
            spare = {k: (k, shapes[k], dtype, rec_sharding[k]) for k in shapes}  # pool keys

        def compile_chunk() -> Callable:
            if fast:
                consts = {k: np.asarray(v, dtype) for k, v in baked.items()}
                one = _fast.fast_fn(
                    problem, lambda hp: make(**static, **consts, **hp), steps, record, searched
                )
                return jax.jit(_per_device(one, mesh, shapes, searched), donate_argnums=3)
            return jax.jit(jax.vmap(trajectory_fn(problem, proto, steps, record)))

        fn = _COMPILED.get(key_fn, compile_chunk)
        pool = sweep_pool()  # record buffers handed from chunk to chunk (and sweep to sweep)
        sharding = (
            None
            if mesh is None
            else jax.sharding.NamedSharding(mesh, jax.sharding.PartitionSpec("runs"))
        )
        parts = []
        bar = Progress(n, "runs", "sweep", show=progress)  # by runs, with the time left
        for c in range(n_chunks):
            path = ckpt / f"chunk_{sig}_{c:05d}.npz" if ckpt else None
            m = len(run_idx[c * size : (c + 1) * size])
            loaded = None
            if path is not None and resume and path.exists():
                loaded = _load_chunk(
                    path, _chunk_keys(fast, searched, keep_trajectories, record), m
                )
                if isinstance(loaded, str):  # unreadable: said, and computed again
                    recomputed.append(f"checkpoint {str(path)!r} {loaded}; computed it again")
                    loaded = None
            if loaded is not None:
                parts.append(loaded)
            else:
                idx = run_idx[c * size : (c + 1) * size]
                pad = np.concatenate([idx, np.full(size - len(idx), idx[-1])])
                hp = {
                    k: jnp.asarray(cols[k][ci[pad]], dtype)
                    if k in grid
                    else jnp.full((size,), numeric[k], dtype)
                    for k in numeric
                    if k not in baked
                }
                x0 = stack_x0(pad)
                if fast:  # noiseless: no keys
                    args = (hp, x0)
                else:
                    args = (hp, x0, jax.vmap(jax.random.PRNGKey)(jnp.asarray(si[pad], jnp.uint32)))
                if sharding is not None:
                    args = jax.device_put(args, sharding)
                if fast:  # last chunk's or sweep's buffers when free, else new ones
                    records = {
                        k: pool.take(
                            spare[k],
                            lambda k=k: jnp.zeros(shapes[k], dtype, device=rec_sharding[k]),
                        )
                        for k in shapes
                    }
                    args = (*args, limits, records)
                t0 = time.perf_counter()
                out = jax.block_until_ready(fn(*args))
                wall = time.perf_counter() - t0
                m = len(idx)
                if fast:  # time-major (params: configurations last), viewed run-major
                    part = {
                        k: out[k]
                        for k in (
                            "first",
                            "final",
                            "diverged_at",
                            "kind",
                            "best",
                            "hits" if searched else "run_min",
                        )
                    }
                    if record:
                        loss, params = _host(out["loss"], out["params"])
                        part["loss"], part["params"] = loss.T, np.moveaxis(params, -1, 0)
                    # buffers nothing else holds go back for the next call: the running minimum
                    # once searched, the records once copied off several devices
                    free = (["run_min"] if searched else []) + (
                        ["loss", "params"] if record and mesh is not None else []
                    )
                    for k in free:
                        pool.give(spare[k], out[k])
                else:
                    loss = out["loss"]
                    run_min = _running_min(loss)
                    part = {
                        "first": loss[:, 0],
                        "final": loss[:, -1],
                        "best": run_min[-1],
                        "diverged_at": out["diverged_at"],
                        "kind": out["diverged_kind"],
                        "run_min": run_min,
                    }
                    if keep_trajectories:
                        part["loss"] = np.asarray(loss)
                    if record:
                        part["params"] = np.asarray(out["params"])
                # padding runs dropped; the running minimum stays where it is (device, time-major)
                part = {
                    k: (v if m == size else v[:, :m]) if k == "run_min" else np.asarray(v)[:m]
                    for k, v in part.items()
                }
                part["wall"] = np.full(m, wall / size)
                part["chunk_wall"] = np.float64(wall)
                part["code"] = np.asarray(part.pop("kind"), np.int32)
                if path is not None:
                    from .._io import atomic_path

                    # kept at once, whatever happens after: an interrupted sweep resumes here
                    with atomic_path(path, now=True) as tmp, open(tmp, "wb") as fh:
                        np.savez(fh, **{k: np.asarray(v) for k, v in part.items()})
                parts.append(part)
            bar.update((c + 1) * size)
        bar.close()
    res = _assemble(
        label,
        parts,
        problem,
        name,
        base,
        grid,
        cols,
        ci,
        si,
        xi,
        ok,
        run_idx,
        invalid,
        steps,
        dtype,
        keep_trajectories,
        record,
        x0s,
    )
    given = {
        k: {"given": str(v), "value": base[k], **curvature.record()} for k, v in given_base.items()
    }
    if given or units:
        res.meta["units"] = {**given, **units}
    res.meta["recomputed"] = recomputed
    return res


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


def _per_device(
    fn: Callable, mesh: Any, shapes: dict[str, tuple[int, ...]], searched: bool
) -> Callable:
    """``fn`` run by every device of ``mesh`` on its own block of runs (``shard_map``); as is
    without a mesh (one device)."""
    if mesh is None:
        return fn
    P = jax.sharding.PartitionSpec
    runs = P("runs")
    recs = {k: _time_major(len(v)) for k, v in shapes.items()}
    out = {"first": runs, "final": runs, "diverged_at": runs, "kind": runs, "best": runs, **recs}
    if searched:
        out["hits"] = runs
    # check_vma off: the scan's initial carry is built from constants inside fn, which JAX would
    # otherwise ask to be marked as varying over "runs" like the carry it becomes
    return jax.shard_map(
        fn, mesh=mesh, in_specs=(runs, runs, P(), recs), out_specs=out, check_vma=False
    )


def _time_major(ndim: int) -> Any:
    """A time-major record's partition: the runs (last axis) split over the mesh."""
    return jax.sharding.PartitionSpec(*([None] * (ndim - 1)), "runs")


def _host(*arrays: jax.Array) -> list[np.ndarray]:
    """Device arrays as NumPy: zero-copy from one CPU device; shards copied in parallel threads."""
    out = [
        np.asarray(a) if len(a.sharding.device_set) == 1 else np.empty(a.shape, a.dtype)
        for a in arrays
    ]
    jobs = [
        (o, shard)
        for a, o in zip(arrays, out)
        if len(a.sharding.device_set) > 1
        for shard in a.addressable_shards
    ]
    if jobs:

        def put(job: tuple[np.ndarray, Any]) -> None:
            o, shard = job
            o[shard.index] = np.asarray(shard.data)  # NumPy releases the GIL while it copies

        with ThreadPoolExecutor(max(2, len(jax.devices())), "optbench-copy") as copier:
            list(copier.map(put, jobs))
    return out


def _assemble(
    label,
    parts,
    problem,
    name,
    base,
    grid,
    cols,
    ci,
    si,
    xi,
    ok,
    run_idx,
    invalid,
    steps,
    dtype,
    keep,
    record,
    x0s,
) -> SweepResult:
    total = len(ci)
    full = len(run_idx) == total

    def column(key, fill, dt=None):
        if len(parts) == 1 and full:
            return np.asarray(parts[0][key])
        head = np.asarray(parts[0][key]) if parts else np.zeros((0,), dt or np.float64)
        out = np.full((total,) + head.shape[1:], fill, dt or head.dtype)
        if parts:
            out[run_idx] = np.concatenate([np.asarray(p[key]) for p in parts])
        return out

    ldt = np.asarray(parts[0]["final"]).dtype if parts else np.dtype(dtype)
    div = column("diverged_at", -1, np.int64)
    code = column("code", 0, np.int32)
    wall = column("wall", 0.0, np.float64)
    first = column("first", np.nan, ldt).astype(np.float64)
    final = column("final", np.nan, ldt).astype(np.float64)
    losses = column("loss", np.nan) if keep and parts else None
    params = column("params", np.nan) if record and parts else None
    chunk_walls = [
        float(p["chunk_wall"]) if "chunk_wall" in p else float(np.sum(p["wall"])) for p in parts
    ]
    ran = ok[ci]
    # each run's best recorded loss, NaN counting as +inf; NaN when every recorded loss is NaN,
    # which (runs freeze at the first bad step, keeping their last finite loss) means the first is
    best = np.full(total, np.inf)
    if parts:
        best[run_idx] = np.concatenate([np.asarray(p["best"]) for p in parts])
    best[np.isinf(best) & np.isnan(first)] = np.nan
    kind = np.array(KINDS)[np.asarray(code)]  # the runner's codes: optbench._divergence.KINDS
    stalled = ran & (div < 0) & (best >= first)
    kind[stalled] = "stalled"
    kind[~ran] = "invalid"
    f_min = getattr(problem, "min_value", None)
    if f_min is None:
        lowest = np.min(best[ran], initial=np.inf)
        f_min = float(lowest) if np.isfinite(lowest) else 0.0
    targets = coco_targets(float(f_min))
    if parts and "hits" in parts[0]:  # searched in the compiled call
        hits = column("hits", -1, np.int64).astype(np.int64, copy=False)
    else:
        hits = np.full((total, len(targets)), -1, np.int64)
        if parts:
            limits = thresholds(targets, ldt)
            hits[run_idx] = np.concatenate(
                [first_hits_time_major(p["run_min"], limits) for p in parts]
            )
    best[~ran] = np.nan
    return SweepResult(
        hparams={k: cols[k][ci] for k in grid},
        seed=si.astype(np.int64),
        start=xi.astype(np.int64),
        final_loss=final,
        best_loss=best,
        diverged_at=div,
        kind=kind,
        hits=hits,
        targets=targets,
        f_min=float(f_min),
        wall_time=wall,
        losses=losses,
        params=params,
        meta={
            "problem": problem.describe(),
            "stepper": name,
            "label": label,
            "base": {
                **{
                    k: v if isinstance(v, (int, float, str, bool)) else callable_name(v)
                    for k, v in base.items()
                    if k not in grid and (callable(v) or isinstance(v, (int, float, str, bool)))
                },
                # a schedule whose peak is swept: its shape, beside the peaks in the grid column
                **{
                    f"{k}_schedule": callable_name(v).replace(f"{v.lr:g}", k, 1)
                    for k, v in base.items()
                    if k in grid and is_schedule(v)
                },
            },
            "grid": {k: v.tolist() for k, v in grid.items()},
            "steps": steps,
            "dtype": dtype,
            "starts": [np.asarray(x).tolist() for x in x0s]
            if isinstance(x0s[0], np.ndarray)
            else None,
            "invalid": list(invalid),
            # seconds inside the compiled call, per chunk (a resumed chunk: when it ran)
            "wall_time": {"total": float(sum(chunk_walls)), "chunks": chunk_walls},
        },
    )


@jax.jit
def _running_min(loss: jax.Array) -> jax.Array:
    """(steps+1, runs) running minimum over time of run-major losses; NaN counts as +inf."""
    return jax.lax.cummin(jnp.where(jnp.isnan(loss), jnp.inf, loss), axis=1).T
