"""``sweep``: a hyperparameter grid x seeds x starts, chunk by chunk, each chunk one compiled call.

Every configuration runs exactly what :func:`optbench.run` runs (the same
:func:`optbench._run.trajectory_fn`, or for noiseless surfaces the equivalent fast path of
:mod:`optbench.sweeps._fast`), vmapped over the flattened (configuration, seed, start) axis. The
work is three named stages: :func:`~optbench.sweeps._plan.plan_sweep` checks everything and lays
the runs out, :class:`~optbench.sweeps._chunks.ChunkRunner` computes a chunk (kept on disk by
:class:`~optbench.sweeps._chunks.Checkpoints`), :func:`~optbench.sweeps._assemble.assemble` makes
the table.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._memory import sweep_pool
from .._progress import Progress
from ._assemble import assemble
from ._chunks import Checkpoints, ChunkRunner
from ._plan import plan_sweep
from ._processes import barrier, gather, joined
from ._table import SweepResult


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
      chunk_size: runs per compiled call (default: what fits in ~256 MB of records and, for a
        network or any problem off the surfaces' fast path, about 10 s of work estimated from
        XLA's count of one gradient's floating-point operations).
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
    plan = plan_sweep(
        problem,
        stepper,
        grid,
        steps,
        seeds,
        starts,
        dtype=dtype,
        keep_trajectories=keep_trajectories,
        chunk_size=chunk_size,
        label=label,
    )
    rank, count = joined()  # one of several processes (jax.distributed): its share of the chunks
    kept = None
    if checkpoint_dir is not None:
        kept = Checkpoints(checkpoint_dir, plan, resume, clean=rank == 0)
        barrier("optbench-sweep-checkpoints")  # the folder is clean before any chunk is saved
    compute = ChunkRunner(plan, sweep_pool())
    mine = range(rank, plan.n_chunks, count)
    parts = {}
    runs = min(len(plan.run_idx), len(mine) * plan.size)
    with Progress(runs, "runs", "sweep", show=progress if rank == 0 else False) as bar:
        for done, i in enumerate(mine, 1):
            part = kept.load(i) if kept is not None else None
            if part is None:
                part = compute(i)
                if kept is not None:
                    kept.save(i, part)
            parts[i] = {k: np.asarray(v) for k, v in part.items()} if count > 1 else part
            bar.update(done * plan.size)
    result = assemble(plan, gather(parts, plan.n_chunks))
    result.meta["recomputed"] = kept.recomputed if kept is not None else []
    return result
