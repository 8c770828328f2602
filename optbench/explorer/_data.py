"""A static page's runs: every start of the grid x every slider position, one compiled call a lane.

Each lane's runs are one ``jax.vmap`` of the runner's own loop (:func:`optbench._run.trajectory_fn`)
over its starts and hyperparameters, with the values ``optbench race`` would give its spec at each
start. They are stored compactly, and exactly enough to draw: coordinates as 16-bit steps of the
box the divergence rule keeps a run in (the window and four extents around it: under a
thousandth of a pixel on a 600-pixel plot), the loss as 16 bits of ``asinh((loss - floor) /
scale)`` (log-like over the decades a loss plot shows, linear through zero), step-to-step
differences split into low and high bytes, then deflated (the browser inflates them with its own
``DecompressionStream``). :func:`decode` reads them back in NumPy, as the page does.
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

import numpy as np

from .._divergence import KINDS, WINDOW_MARGIN

LEVELS = 65535


def loss_scale(surface: Any) -> tuple[float, float]:
    """``(floor, scale)`` of the loss axis: the known minimum (else 0), and a billionth of the
    largest gap to it over the window."""
    floor = surface.min_value if surface.min_value is not None else 0.0
    _, _, z = surface.grid(60)
    z = np.asarray(z, dtype=float)
    gap = np.abs(z[np.isfinite(z)] - floor)
    top = float(gap.max()) if gap.size else 1.0
    return float(floor), 1e-9 * (top if top > 0 else 1.0)


def _planes(q: np.ndarray) -> bytes:
    """uint16 series (steps last): first differences (mod 2^16), low bytes then high bytes."""
    d = q.copy()
    d[..., 1:] = np.diff(q, axis=-1)
    flat = d.ravel()
    return (flat & 0xFF).astype(np.uint8).tobytes() + (flat >> 8).astype(np.uint8).tobytes()


def _unplanes(raw: bytes, shape: tuple[int, ...]) -> np.ndarray:
    n = int(np.prod(shape))
    b = np.frombuffer(raw, dtype=np.uint8, count=2 * n)
    d = (b[:n].astype(np.uint16) | (b[n:].astype(np.uint16) << 8)).reshape(shape)
    return np.cumsum(d, axis=-1, dtype=np.uint16)


def compute_lane(ex: Any, lane: Any) -> dict[str, np.ndarray]:
    """Every run of ``lane``: ``params (S, K, M, T+1, 2)``, ``loss (S, K, M, T+1)``,
    ``diverged_at``/``kind (S, K, M)`` and ``missing (S,)`` (starts its rate has no value at)."""
    import jax
    import jax.numpy as jnp

    from .._run import split_hparams, trajectory_fn

    S, K = len(ex.nodes), len(lane.lr.values)
    M = len(lane.second.values) if lane.second else 1
    template = ex.stepper(lane, lane.lr.index, None, ex.surface.start)
    numeric, _ = split_hparams(template)
    rates = np.empty((S, K))
    missing = np.zeros(S, dtype=bool)
    for s, node in enumerate(ex.nodes):
        if lane.lr.unit:
            unit = ex.units(node)[lane.lr.unit]
            missing[s] = not np.isfinite(unit)
            rates[s] = [f * unit for f in lane.lr.values]  # as a spec's ``0.5eta_max`` resolves
        else:
            rates[s] = lane.lr.values
    hp = {k: np.full((S, K, M), float(v)) for k, v in numeric.items()}
    hp["lr"] = np.broadcast_to(rates[:, :, None], (S, K, M))
    if lane.second:
        hp[lane.second.key] = np.broadcast_to(np.asarray(lane.second.values), (S, K, M))
    x0 = np.broadcast_to(ex.nodes[:, None, None, :], (S, K, M, 2)).reshape(-1, 2)
    fn = jax.jit(
        jax.vmap(trajectory_fn(ex.surface, template, ex.steps, norms=False), in_axes=(0, 0, None))
    )
    out = fn(
        {k: jnp.asarray(np.reshape(v, -1), dtype="float32") for k, v in hp.items()},
        jnp.asarray(x0, dtype="float32"),
        jax.random.PRNGKey(ex.seed),
    )
    out = jax.tree.map(np.asarray, out)
    T1 = ex.steps + 1
    return {
        "params": out["params"].reshape(S, K, M, T1, 2).astype(float),
        "loss": out["loss"].reshape(S, K, M, T1).astype(float),
        "diverged_at": out["diverged_at"].reshape(S, K, M),
        "kind": out["diverged_kind"].reshape(S, K, M),
        "missing": missing,
    }


def encode(ex: Any, runs: list[dict[str, np.ndarray]]) -> dict[str, Any]:
    """The runs of every lane as the page stores them (JSON-ready; see the module docstring)."""
    b = ex.surface.bounds
    ext = b[:, 1] - b[:, 0]
    lo, span = b[:, 0] - WINDOW_MARGIN * ext, (1 + 2 * WINDOW_MARGIN) * ext
    floor, scale = loss_scale(ex.surface)
    us = [np.arcsinh((r["loss"] - floor) / scale) for r in runs]
    finite = np.concatenate([u[np.isfinite(u)] for u in us] + [np.zeros(1)])
    ulo, uhi = float(finite.min()), float(finite.max())
    uhi = uhi if uhi > ulo else ulo + 1.0
    lanes = []
    for r, u in zip(runs, us):
        p = np.moveaxis(r["params"], -1, -2)  # (S, K, M, 2, T+1): each coordinate a series
        q = np.rint(np.clip((p - lo[:, None]) / span[:, None], 0, 1) * LEVELS).astype(np.uint16)
        u = np.where(np.isfinite(u), u, uhi)
        ql = np.rint(np.clip((u - ulo) / (uhi - ulo), 0, 1) * LEVELS).astype(np.uint16)
        raw = (
            _planes(q)
            + _planes(ql)
            + r["diverged_at"].astype("<i2").tobytes()
            + r["kind"].astype(np.uint8).tobytes()
        )
        lanes.append(
            {
                "shape": list(r["loss"].shape),
                "missing": np.flatnonzero(r["missing"]).tolist(),
                "blob": base64.b64encode(zlib.compress(raw, 9)).decode("ascii"),
            }
        )
    return {
        "box": [lo.tolist(), span.tolist()],
        "loss": {"floor": floor, "scale": scale, "lo": ulo, "hi": uhi},
        "kinds": list(KINDS),
        "lanes": lanes,
    }


def decode(data: dict[str, Any], lane: int) -> dict[str, np.ndarray]:
    """A lane's runs back from :func:`encode`'s record, as the page reads them: ``params``,
    ``loss``, ``diverged_at`` (-1: none) and ``kind``."""
    rec = data["lanes"][lane]
    S, K, M, T1 = rec["shape"]
    raw = zlib.decompress(base64.b64decode(rec["blob"]))
    n = S * K * M * T1
    q = _unplanes(raw[: 4 * n], (S, K, M, 2, T1))
    ql = _unplanes(raw[4 * n : 6 * n], (S, K, M, T1))
    rest = raw[6 * n :]
    div = np.frombuffer(rest, dtype="<i2", count=S * K * M).reshape(S, K, M)
    kind = np.frombuffer(rest[2 * S * K * M :], dtype=np.uint8).reshape(S, K, M)
    lo, span = (np.asarray(v) for v in data["box"])
    params = lo[:, None] + q / LEVELS * span[:, None]
    L = data["loss"]
    u = L["lo"] + ql / LEVELS * (L["hi"] - L["lo"])
    return {
        "params": np.moveaxis(params, -2, -1),
        "loss": L["floor"] + L["scale"] * np.sinh(u),
        "diverged_at": div,
        "kind": kind,
    }
