"""Sweeps over several processes, on JAX's own multi-controller runtime (``jax.distributed``).

Every process makes the same plan (a plan is a function of the sweep's arguments), computes the
chunks ``rank, rank + count, rank + 2 count, ...`` on its own devices, and the finished chunks
are exchanged with ``process_allgather`` (round by round, each chunk once), so every process
assembles the same table. The command line joins the processes for itself
(:func:`join_from_environment`); in a program, call ``jax.distributed.initialize`` first and
:func:`optbench.sweep` takes its share.
"""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np

from .._errors import OptbenchError

_JOINED: list[bool] = [False]


def joined() -> tuple[int, int]:
    """``(rank, count)`` of this process among the sweep's processes; ``(0, 1)`` when alone."""
    import jax

    if jax.process_count() > 1:
        return jax.process_index(), jax.process_count()
    return 0, 1


def join_from_environment(timeout: int = 60) -> bool:
    """Join the processes that the standard variables name, before any JAX computation: the
    command line calls this for itself. Returns whether this process is one of several.

    ``JAX_COORDINATOR_ADDRESS`` (host:port of process 0), ``JAX_NUM_PROCESSES`` and
    ``JAX_PROCESS_ID``; or, inside a SLURM job of several tasks, SLURM's own variables, which
    ``jax.distributed.initialize`` reads. ``timeout``: seconds to wait for the coordinator.
    """
    import jax

    if _JOINED[0]:
        return jax.process_count() > 1
    address = os.environ.get("JAX_COORDINATOR_ADDRESS")
    count = os.environ.get("JAX_NUM_PROCESSES")
    rank = os.environ.get("JAX_PROCESS_ID")
    slurm = int(os.environ.get("SLURM_NTASKS", "1") or 1) > 1 and "SLURM_PROCID" in os.environ
    if not (address and count and rank) and not slurm:
        return False
    kwargs: dict[str, Any] = {"initialization_timeout": int(timeout)}
    if address and count and rank:
        try:
            kwargs.update(num_processes=int(count), process_id=int(rank))
        except ValueError:
            raise OptbenchError(
                f"`JAX_NUM_PROCESSES` (={count!r}) and `JAX_PROCESS_ID` (={rank!r}) must be "
                "integers."
            ) from None
        if not 0 <= kwargs["process_id"] < kwargs["num_processes"]:
            raise OptbenchError(
                f"`JAX_PROCESS_ID` (={rank}) must be from 0 to JAX_NUM_PROCESSES - 1 "
                f"(={kwargs['num_processes'] - 1})."
            )
        kwargs["coordinator_address"] = address
        _check_coordinator(address, kwargs["process_id"], timeout)
    try:
        jax.distributed.initialize(**kwargs)
    except Exception as err:  # noqa: BLE001 - whatever the runtime says, one sentence
        why = (str(err).strip().splitlines() or [type(err).__name__])[0]
        where = address or "the SLURM job's coordinator"
        raise OptbenchError(
            f"cannot join the sweep's processes through {where} within {timeout} s: {why}"
        ) from None
    _JOINED[0] = True
    return jax.process_count() > 1


def _check_coordinator(address: str, rank: int, timeout: int) -> None:
    """Before JAX's runtime, which ends the process when it cannot connect: process 0 needs its
    port free, the others need something answering there within ``timeout`` seconds."""
    import socket
    import time

    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise OptbenchError(
            f"`JAX_COORDINATOR_ADDRESS` (={address!r}) must be host:port, e.g. 127.0.0.1:12355."
        )
    if rank == 0:
        with socket.socket() as s:
            try:
                s.bind((host, int(port)))
            except OSError as err:
                raise OptbenchError(
                    f"the coordinator's address {address} cannot be used by process 0 "
                    f"({err.strerror}): choose another port in JAX_COORDINATOR_ADDRESS."
                ) from None
        return
    end = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, int(port)), timeout=1.0):
                return
        except OSError:
            if time.monotonic() > end:
                raise OptbenchError(
                    f"nothing answers at the sweep's coordinator {address} after {timeout} s: "
                    "start process 0 first, or check JAX_COORDINATOR_ADDRESS."
                ) from None
            time.sleep(0.2)


def gather(parts: dict[int, dict[str, np.ndarray]], n_chunks: int) -> list[dict[str, np.ndarray]]:
    """Every chunk, in order, on every process: each process holds ``parts`` (its own chunks,
    by index ``i`` with ``i % count == rank``); round r exchanges chunks ``r count ...
    r count + count - 1`` with one ``process_allgather`` of their bytes."""
    from jax.experimental import multihost_utils

    rank, count = joined()
    if count == 1:
        return [parts[i] for i in range(n_chunks)]
    out: list[dict[str, np.ndarray]] = []
    for first in range(0, n_chunks, count):
        mine = _to_bytes(parts[first + rank]) if first + rank < n_chunks else b""
        sizes = np.asarray(multihost_utils.process_allgather(np.array([len(mine)], np.int64)))
        buf = np.zeros(int(sizes.max()), np.uint8)
        buf[: len(mine)] = np.frombuffer(mine, np.uint8)
        every = np.asarray(multihost_utils.process_allgather(buf))
        for p in range(count):
            if first + p < n_chunks:
                out.append(_from_bytes(every[p, : int(sizes.ravel()[p])].tobytes()))
    return out


def barrier(name: str) -> None:
    """Wait until every process of the sweep reaches this point."""
    from jax.experimental import multihost_utils

    if joined()[1] > 1:
        multihost_utils.sync_global_devices(name)


def _to_bytes(part: dict[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in part.items()})
    return buf.getvalue()


def _from_bytes(data: bytes) -> dict[str, np.ndarray]:
    with np.load(io.BytesIO(data), allow_pickle=False) as f:
        return {k: f[k] for k in f.files}
