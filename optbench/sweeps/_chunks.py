"""One chunk of a sweep: :func:`run_chunk` computes it, :class:`Checkpoints` keeps it on disk.

A chunk is ``plan.size`` runs (the last one padded with copies of its final run) in one compiled
call: ``jit(vmap(trajectory_fn))``, the runner itself vmapped, or the fast path of
:mod:`optbench.sweeps._fast` for noiseless surfaces. Every chunk of a plan has the same shapes,
so a sweep compiles once, and a new grid of the same size reuses the compiled function. With
several devices each chunk's runs are split over a 1-D :class:`jax.sharding.Mesh`.
"""

from __future__ import annotations

import hashlib
import json
import time
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._cache import CompileCache, Unkeyable, stable_digest
from .._errors import OptbenchError
from .._io import atomic_path, output_dir, write_text
from .._run import _stepper_key, dtype_context, trajectory_fn
from . import _fast
from ._plan import SweepPlan
from ._table import coco_targets, thresholds

_COMPILED = CompileCache(32)  # the sweeps' compiled chunk calls


class ChunkRunner:
    """The compiled call of a plan, and what it reuses from chunk to chunk (record buffers)."""

    def __init__(self, plan: SweepPlan, pool: Any):
        self.plan, self.pool = plan, pool
        devices = jax.local_devices()[: plan.n_devices]
        self.mesh = jax.sharding.Mesh(np.array(devices), ("runs",)) if len(devices) > 1 else None
        self.sharding = (
            None
            if self.mesh is None
            else jax.sharding.NamedSharding(self.mesh, jax.sharding.PartitionSpec("runs"))
        )
        p = plan
        # the fast path bakes the hyperparameters that do not vary in as float32/64 constants:
        # the same values the runner traces, but XLA can fold what depends only on them
        self.baked = {k: v for k, v in p.numeric.items() if k not in p.grid} if p.fast else {}
        if p.fast:  # the buffers the fast path writes its records into (time-major, runs last)
            dim = int(sum(np.size(a) for a in jax.tree.leaves(p.x0(0, 0))))
            self.shapes = _fast.record_shapes(p.size, dim, p.steps, p.record)
            self.rec_sharding = {
                k: jax.sharding.NamedSharding(self.mesh, _time_major(len(v)))
                if self.mesh is not None
                else devices[0]
                for k, v in self.shapes.items()
            }
            self.spare = {k: (k, v, p.dtype, self.rec_sharding[k]) for k, v in self.shapes.items()}
        with dtype_context(p.dtype):
            # with a known minimum the targets are known now: the fast path searches them
            f_min = float(getattr(p.problem, "min_value", None) or 0.0)
            self.limits = jnp.asarray(thresholds(coco_targets(f_min), p.dtype)) if p.fast else None
            self.key = (
                "fast" if p.fast else "run",
                p.problem.cache_key(),
                _stepper_key(p.proto),
                p.steps,
                p.dtype,
                p.record,
                p.searched,
                p.size,
                p.n_devices,
                tuple(sorted((k, np.asarray(v, p.dtype)) for k, v in self.baked.items())),
            )
        self._fn: Callable | None = None  # compiled at the first chunk computed

    @property
    def fn(self) -> Callable:
        if self._fn is None:
            with dtype_context(self.plan.dtype):
                self._fn = _COMPILED.get(self.key, self._compile)
        return self._fn

    def _compile(self) -> Callable:
        p = self.plan
        if p.fast:
            consts = {k: np.asarray(v, p.dtype) for k, v in self.baked.items()}
            one = _fast.fast_fn(
                p.problem,
                lambda hp: p.make(**p.static, **consts, **hp),
                p.steps,
                p.record,
                p.searched,
            )
            return jax.jit(_per_device(one, self.mesh, self.shapes, p.searched), donate_argnums=3)
        one = jax.vmap(trajectory_fn(p.problem, p.proto, p.steps, p.record, norms=False))

        def runs(hp: dict, x0: Any, seeds: jax.Array) -> dict:  # keys made inside the call
            return one(hp, x0, jax.vmap(jax.random.PRNGKey)(seeds))

        return jax.jit(runs)

    def __call__(self, i: int) -> dict[str, np.ndarray]:
        """Chunk ``i``: per run its first, final and best loss, divergence step and code, its
        running minimum (or its first hits of the targets), trajectories when kept."""
        p = self.plan
        with dtype_context(p.dtype):
            rows = p.chunk_rows(i)
            m = len(rows)
            pad = np.concatenate([rows, np.full(p.size - m, rows[-1])])
            # NumPy in, so that nothing compiles to make or to place the inputs
            hp = {
                k: np.asarray(p.cols[k][p.config[pad]], p.dtype)
                if k in p.grid
                else np.full((p.size,), p.numeric[k], p.dtype)
                for k in p.numeric
                if k not in self.baked
            }
            x0 = self._x0(pad)
            if p.fast:  # noiseless: no keys
                args = (hp, x0)
            else:
                args = (hp, x0, np.asarray(p.seed[pad], np.uint32))
            if self.sharding is not None:
                args = jax.device_put(args, self.sharding)
            if p.fast:  # the last chunk's (or sweep's) buffers when free, else new ones
                records = {
                    k: self.pool.take(
                        self.spare[k],
                        lambda k=k: jnp.zeros(self.shapes[k], p.dtype, device=self.rec_sharding[k]),
                    )
                    for k in self.shapes
                }
                args = (*args, self.limits, records)
            t0 = time.perf_counter()
            out = jax.block_until_ready(self.fn(*args))
            wall = time.perf_counter() - t0
            part = self._fast_part(out) if p.fast else self._run_part(out)
        # padding runs dropped; the running minimum stays where it is (device, time-major)
        part = {
            k: (v if m == p.size else v[:, :m]) if k == "run_min" else np.asarray(v)[:m]
            for k, v in part.items()
        }
        part["wall"] = np.full(m, wall / p.size)
        part["chunk_wall"] = np.float64(wall)
        part["code"] = np.asarray(part.pop("kind"), np.int32)
        return part

    def _x0(self, rows: np.ndarray) -> Any:
        """The first iterates of ``rows``: each distinct (start, seed) made once, then gathered."""
        p = self.plan
        pair = p.start[rows] * p.seeds + p.seed[rows]
        uniq, inv = np.unique(pair, return_inverse=True)
        stacked = jax.tree.map(
            lambda *a: np.stack(a), *[p.x0(int(q // p.seeds), int(q % p.seeds)) for q in uniq]
        )
        return jax.tree.map(lambda a: np.asarray(a[inv.ravel()], p.dtype), stacked)

    def _fast_part(self, out: dict) -> dict:
        p = self.plan
        keys = (
            "first",
            "final",
            "diverged_at",
            "kind",
            "best",
            "hits" if p.searched else "run_min",
        )
        part = {k: out[k] for k in keys}
        if p.record:  # time-major (params: configurations last), viewed run-major
            loss, params = _host(out["loss"], out["params"])
            part["loss"], part["params"] = loss.T, np.moveaxis(params, -1, 0)
        # buffers nothing else holds go back for the next call: the running minimum once
        # searched, the records once copied off several devices
        free = (["run_min"] if p.searched else []) + (
            ["loss", "params"] if p.record and self.mesh is not None else []
        )
        for k in free:
            self.pool.give(self.spare[k], out[k])
        return part

    def _run_part(self, out: dict) -> dict:
        loss = np.asarray(out["loss"])
        run_min = running_min(loss)
        part = {
            "first": loss[:, 0],
            "final": loss[:, -1],
            "best": run_min[-1],
            "diverged_at": out["diverged_at"],
            "kind": out["diverged_kind"],
            "run_min": run_min,
        }
        if self.plan.keep:
            part["loss"] = np.asarray(loss)
        if self.plan.record:
            part["params"] = np.asarray(out["params"])
        return part


# -- checkpoints: chunk files named by everything that determines them -----------------------------
class Checkpoints:
    """A folder of finished chunks, ``chunk_<signature>_<index>.npz``, and ``sweep.json``.

    The signature covers everything that determines a chunk's numbers: the problem's function
    (its code, constants and the values it reads, not only its name), the stepper's factory,
    every hyperparameter, the grid, the starts, the budget, the layout of chunks and optbench's
    version. Opening the folder removes what a killed run left half-written; resuming another
    sweep's chunks is refused; without resume the old chunks are removed.
    """

    def __init__(self, folder: Any, plan: SweepPlan, resume: bool, clean: bool = True):
        self.folder, self.plan, self.resume = Path(folder), plan, resume
        self.signature = _signature(plan)
        self.recomputed: list[str] = []
        self._open(clean)

    def _open(self, clean: bool) -> None:
        """Refuse another sweep's chunks on resume; when ``clean`` (one process of several),
        remove debris and old chunks and write the manifest."""
        folder, p = self.folder, self.plan
        output_dir(folder)
        manifest = folder / "sweep.json"
        ours = f"chunk_{self.signature}_"
        theirs = [q for q in folder.glob("chunk_*.npz") if not q.name.startswith(ours)]
        if self.resume and theirs:
            try:
                other = json.loads(manifest.read_text())
                said = f"{other['problem'].get('name')}, {other['stepper']}, {other['steps']} steps"
            except (OSError, ValueError, KeyError, AttributeError, TypeError):
                said = "another sweep"
            raise OptbenchError(
                f"`checkpoint_dir` (={str(folder)!r}) holds the chunks of a different sweep "
                f"({said}), not of this one; resume into that sweep's own folder, or run without "
                "resume to start over."
            )
        if not clean:
            return
        for debris in folder.glob(".chunk_*.part.npz"):  # a run killed while writing a chunk
            debris.unlink(missing_ok=True)
        for old in theirs if not self.resume else []:
            old.unlink(missing_ok=True)
        this = {
            "signature": self.signature,
            "problem": p.problem.describe(),
            "stepper": p.name,
            "steps": p.steps,
            "seeds": p.seeds,
        }
        write_text(manifest, json.dumps(this, indent=2, default=str) + "\n", now=True)

    def path(self, i: int) -> Path:
        return self.folder / f"chunk_{self.signature}_{i:05d}.npz"

    def load(self, i: int) -> dict[str, np.ndarray] | None:
        """Chunk ``i`` read back when resuming, None when it must be computed (a damaged file is
        said in ``recomputed``)."""
        path = self.path(i)
        if not (self.resume and path.exists()):
            return None
        part = _load_chunk(path, _chunk_keys(self.plan), len(self.plan.chunk_rows(i)))
        if isinstance(part, str):
            self.recomputed.append(f"checkpoint {str(path)!r} {part}; computed it again")
            return None
        return part

    def save(self, i: int, part: dict[str, np.ndarray]) -> None:
        # kept at once, whatever happens after: an interrupted sweep resumes from here
        with atomic_path(self.path(i), now=True) as tmp, open(tmp, "wb") as fh:
            np.savez(fh, **{k: np.asarray(v) for k, v in part.items()})


def _signature(p: SweepPlan) -> str:
    from .. import __version__

    try:
        what = stable_digest([p.problem.cache_key(), p.make, p.base])
    except Unkeyable:  # a value that cannot be read: the sweep is named by what it shows
        what = repr(p.problem.describe()) + p.name + repr(sorted(p.base))
    return hashlib.sha256(
        json.dumps(
            [
                "chunks-4",
                __version__,
                what,
                p.problem.describe(),
                p.name,
                {k: np.asarray(v).tolist() for k, v in p.grid.items()},
                p.steps,
                p.seeds,
                [np.asarray(x).tolist() for x in p.starts if x is not None],
                p.dtype,
                p.size,
                p.record,
            ],
            default=repr,
        ).encode()
    ).hexdigest()[:16]


def _chunk_keys(p: SweepPlan) -> set[str]:
    keys = {"first", "final", "best", "diverged_at", "code", "wall", "chunk_wall"}
    keys.add("hits" if p.searched else "run_min")
    return keys | ({"loss"} if p.keep else set()) | ({"params"} if p.record else set())


def _load_chunk(path: Path, keys: set[str], m: int) -> dict[str, np.ndarray] | str:
    """A finished chunk read back, or why it cannot be used (a truncated or foreign file)."""
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


# -- devices ---------------------------------------------------------------------------------------
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


def running_min(loss: np.ndarray) -> np.ndarray:
    """(steps+1, runs) running minimum over time of run-major losses; NaN counts as +inf."""
    return np.minimum.accumulate(np.where(np.isnan(loss), np.inf, loss), axis=1).T
