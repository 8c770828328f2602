r"""A stepper's own state along a run, named by its fields, and the quantities a lecture draws.

``run(..., record_state=True)`` keeps the state after every step; :func:`state_fields` names its
arrays by the fields of the state (Adam's ``mu``, ``nu``, ``count``; Rprop's ``step_size``; an
optax chain's ``mu`` and ``nu`` without the chain's indices where the names stay distinct).
:func:`state_views` turns them into the per-coordinate quantities the lectures explain:

- Adam (and AdamW): the effective step :math:`\eta\,\hat m_t / (\sqrt{\hat v_t} + \epsilon)` with
  the bias correction and :math:`\eta\, m_t / (\sqrt{v_t} + \epsilon)` without it;
- momentum and Nesterov: the buffer :math:`b_t`;
- Rprop: the step sizes :math:`\Delta_t` (a log axis);
- RMSProp: :math:`\sqrt{v_t}`, the scale the gradient is divided by; AdaGrad: :math:`\sqrt{G_t}`;
- any other stepper, an optax transform included: every state array of the parameters' shape,
  by its field's name.

Row ``t`` of every record is the state after ``t`` updates (row 0: ``init``), as row ``t`` of
``Trajectory.params`` is :math:`x_t`. This module works on NumPy only.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import jax
import numpy as np


class View(NamedTuple):
    """One drawn quantity: ``values`` ``(steps + 1, d)``, its ``name`` (a formula in
    matplotlib's mathtext) and whether it belongs on a log axis."""

    name: str
    values: np.ndarray
    log: bool = False


def _part(key: Any) -> tuple[str, bool]:
    """(text, is a field name) of one step of a pytree path."""
    if isinstance(key, jax.tree_util.GetAttrKey):
        return key.name, True
    if isinstance(key, jax.tree_util.DictKey):
        return str(key.key), False
    if isinstance(key, jax.tree_util.SequenceKey):
        return str(key.idx), False
    return str(getattr(key, "key", key)), False


def state_fields(state: Any) -> dict[str, Any]:
    """The leaves of a state pytree by name: the path's field names and the keys below them
    joined by dots (``mu``, ``mu.0.w`` for a network's first weight); an optax chain's indices
    before the first field are left out where the names stay distinct (``0.mu`` -> ``mu``)."""
    flat, _ = jax.tree_util.tree_flatten_with_path(state)
    full, short = [], []
    for path, _leaf in flat:
        parts = [_part(k) for k in path]
        full.append(".".join(t for t, _ in parts) or "state")
        first = next((i for i, (_, field) in enumerate(parts) if field), 0)
        short.append(".".join(t for t, _ in parts[first:]) or "state")
    names = short if len(set(short)) == len(short) else full
    return {n: leaf for n, (_, leaf) in zip(names, flat)}


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):  # a schedule: no single rate to scale by
        return None


def state_views(trajectory: Any) -> list[View]:
    """The quantities of the module docstring for a run recorded with ``record_state=True``;
    an empty list when the run kept no state or its state holds no array of the parameters'
    shape."""
    state = getattr(trajectory, "state", None)
    if not state:
        return []
    params = trajectory.params
    shape = params.shape[1:] if isinstance(params, np.ndarray) else None
    hp = trajectory.hparams
    name = trajectory.stepper
    if name in ("adam", "adamw") and "mu" in state and "nu" in state:
        lr, eps = _number(hp.get("lr", 1e-3)), float(hp.get("eps", 1e-8))
        b1, b2 = float(hp.get("b1", 0.9)), float(hp.get("b2", 0.999))
        m, v = np.asarray(state["mu"], float), np.asarray(state["nu"], float)
        t = np.asarray(state["count"], float).reshape((-1,) + (1,) * (m.ndim - 1))
        if lr is not None:
            with np.errstate(divide="ignore", invalid="ignore"):  # t = 0: nothing to correct yet
                m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
                corrected = np.where(t > 0, lr * m_hat / (np.sqrt(v_hat) + eps), np.nan)
            raw = lr * m / (np.sqrt(v) + eps)
            return [
                View(r"$\eta\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)$", corrected),
                View(r"$\eta\,m_t/(\sqrt{v_t}+\epsilon)$ (no bias correction)", raw),
            ]
    if name in ("momentum", "nesterov") and "buffer" in state:
        return [View("$b_t$ (momentum buffer)", np.asarray(state["buffer"], float))]
    if name == "rprop" and "step_size" in state:
        return [View(r"$\Delta_t$ (step size)", np.asarray(state["step_size"], float), log=True)]
    if name == "rmsprop" and "square_avg" in state:
        return [View(r"$\sqrt{v_t}$", np.sqrt(np.asarray(state["square_avg"], float)), log=True)]
    if name == "adagrad" and "sum_sq" in state:
        return [View(r"$\sqrt{G_t}$", np.sqrt(np.asarray(state["sum_sq"], float)), log=True)]
    return [
        View(k, np.asarray(v, float))
        for k, v in state.items()
        if shape is not None
        and np.shape(v)[1:] == shape
        and np.issubdtype(np.asarray(v).dtype, np.floating)
    ]
