"""Adapters: drive any optimizer one step at a time on NumPy vectors.

Four kinds of optimizer are driven through one interface, ``start(x0)`` then
``step(grad, loss) -> new params``, so that :mod:`optbench.testing` can hand every implementation
the same gradient function (or the same fixed gradient sequence) and compare the iterates:

* an optbench :class:`~optbench.steppers.Stepper` (it also receives the loss, ``value=loss``,
  which the ``irprop+`` variant needs);
* an ``optax.GradientTransformation`` (``GradientTransformationExtraArgs`` also get ``value=``);
* a ``torch.optim.Optimizer`` class with keyword arguments: the gradient computed by JAX is handed
  to torch as ``p.grad`` (float64 when the comparison is in float64); only when torch is installed;
* a plain function ``update(params, grads, state) -> (params, state)`` on NumPy arrays, with an
  optional ``init(params) -> state`` (the state is None otherwise).

Command-line targets (``adam:lr=0.01``, ``optax.rprop:learning_rate=0.01``) are resolved in
``_resolve.py``.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

from .._errors import OptbenchError
from .._names import check_keywords

TORCH_MISSING = "torch is not installed; `pip install torch` to compare against torch.optim."


class Adapter:
    """Drives one optimizer: ``start(x0)``, then ``step(grad, loss)`` returns the new parameters.

    Attributes:
      label: how reports name the implementation, e.g. ``"torch.optim.Adam (lr=0.01)"``.
      name, hparams: the implementation's name and hyperparameters, for golden-file metadata.
    """

    label = ""
    name = ""
    hparams: ClassVar[dict[str, Any]] = {}

    def start(self, x0: np.ndarray) -> None:
        raise NotImplementedError

    def step(self, grad: np.ndarray, loss: float) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.label})"


def _hp_text(hparams: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in hparams.items())


class JaxAdapter(Adapter):
    """An optbench stepper or an ``optax.GradientTransformation``, its step jit-compiled."""

    def __init__(self, transform: Any, label: str = "", name: str = "", hparams: Any = None):
        self.transform = transform
        self.hparams = dict(
            hparams if hparams is not None else getattr(transform, "hparams", {}) or {}
        )
        self.name = name or getattr(transform, "name", "") or "optax"
        self.label = label or getattr(transform, "label", "") or self.name
        self._compiled: dict[str, Callable] = {}

    def _step_fn(self, dtype: str) -> Callable:
        import jax

        fn = self._compiled.get(dtype)
        if fn is None:
            tx = self.transform
            takes_value = _takes_value(tx)

            def one(x, state, g, loss):
                kw = {"value": loss} if takes_value else {}
                updates, state = tx.update(g, state, x, **kw)
                return (x + updates).astype(x.dtype), state

            fn = self._compiled[dtype] = jax.jit(one)
        return fn

    def start(self, x0: np.ndarray) -> None:
        import jax.numpy as jnp

        self._x = jnp.asarray(x0)
        self._state = self.transform.init(self._x)

    def step(self, grad: np.ndarray, loss: float) -> np.ndarray:
        import jax.numpy as jnp

        dtype = str(self._x.dtype)
        g = jnp.asarray(grad, dtype=dtype)
        self._x, self._state = self._step_fn(dtype)(
            self._x, self._state, g, jnp.asarray(loss, dtype)
        )
        return np.asarray(self._x)


def _takes_value(transform: Any) -> bool:
    """optbench steppers and optax's ``GradientTransformationExtraArgs`` accept ``value=loss``."""
    from ..steppers._base import Stepper

    if isinstance(transform, Stepper):
        return True
    try:
        import optax
    except ImportError:
        return False
    return isinstance(transform, optax.GradientTransformationExtraArgs)


class TorchAdapter(Adapter):
    """A ``torch.optim.Optimizer`` class with keyword arguments, fed JAX's gradients as .grad."""

    def __init__(self, optimizer_class: type, **hparams: Any):
        torch = import_torch()
        if not (
            isinstance(optimizer_class, type) and issubclass(optimizer_class, torch.optim.Optimizer)
        ):
            raise OptbenchError(
                f"`optimizer_class` (={optimizer_class!r}) must be a torch.optim.Optimizer class, "
                "e.g. torch.optim.Adam."
            )
        where = f"{optimizer_class.__module__.split('.')[0]}.optim.{optimizer_class.__name__}"
        check_hparams(optimizer_class, hparams, where, skip=("params",))
        self.cls, self.hparams = optimizer_class, dict(hparams)
        self.name = where
        self.label = f"{where} ({_hp_text(self.hparams)})" if hparams else where
        self._torch = torch
        # values torch rejects (betas=0.8) are found now, before anything runs or is written
        self._make(torch.nn.Parameter(torch.zeros(2, dtype=torch.float64)))

    def _make(self, param: Any) -> Any:
        try:
            return self.cls([param], **self.hparams)
        except (ValueError, TypeError) as err:
            raise OptbenchError(f"{self.name} rejects {_hp_text(self.hparams)}: {err}.") from None

    def start(self, x0: np.ndarray) -> None:
        torch = self._torch
        self._p = torch.nn.Parameter(torch.from_numpy(np.array(x0, copy=True)))
        self._opt = self._make(self._p)

    def step(self, grad: np.ndarray, loss: float) -> np.ndarray:
        torch = self._torch
        calls = []

        def closure():
            # torch calls the closure for the loss; a second call would need a gradient elsewhere
            calls.append(1)
            if len(calls) > 1:
                raise OptbenchError(
                    f"{self.name} evaluates the loss more than once per step; optbench.testing "
                    "compares optimizers that take one gradient per step."
                )
            return torch.tensor(loss, dtype=self._p.dtype)

        self._p.grad = torch.from_numpy(np.array(grad, dtype=self._p.detach().numpy().dtype))
        self._opt.step(closure)
        return self._p.detach().numpy().copy()


class FunctionAdapter(Adapter):
    """A plain function ``update(params, grads, state) -> (params, state)`` on NumPy arrays.

    ``init(params) -> state`` makes the first state (None without it). A function that also takes a
    keyword ``loss`` receives the loss at the current parameters.
    """

    def __init__(self, update: Callable, init: Callable | None = None, label: str = ""):
        if not callable(update):
            raise OptbenchError(
                f"`update` (={update!r}) must be a function (params, grads, state)."
            )
        self.update, self.init = update, init
        self.name = getattr(update, "__qualname__", type(update).__name__).replace(".<locals>", "")
        self.label = label or self.name
        try:
            self._takes_loss = "loss" in inspect.signature(update).parameters
        except (TypeError, ValueError):
            self._takes_loss = False

    def start(self, x0: np.ndarray) -> None:
        self._x = np.array(x0, copy=True)
        self._state = self.init(self._x.copy()) if self.init is not None else None

    def step(self, grad: np.ndarray, loss: float) -> np.ndarray:
        kw = {"loss": loss} if self._takes_loss else {}
        out = self.update(self._x.copy(), np.array(grad, copy=True), self._state, **kw)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise OptbenchError(
                f"update function {self.name} must return (params, state), "
                f"got {type(out).__name__}."
            )
        try:
            x = np.asarray(out[0], dtype=self._x.dtype)
        except (TypeError, ValueError):
            x = None
        if x is None or x.shape != self._x.shape:
            raise OptbenchError(
                f"update function {self.name} must return (params, state) with params an array of "
                f"shape {self._x.shape}, got {type(out[0]).__name__}."
            )
        self._x, self._state = x, out[1]
        return x.copy()


NOT_AN_OPTIMIZER = (
    "an optbench stepper, an optax.GradientTransformation, a torch.optim.Optimizer class or an "
    "update function (params, grads, state) -> (params, state)"
)


def adapt(optimizer: Any, **hparams: Any) -> Adapter:
    """An :class:`Adapter` for ``optimizer``.

    Args:
      optimizer: an :class:`Adapter`; a spec string (see :func:`resolve`); an optbench stepper or
        any object with ``init``/``update`` (``optax.GradientTransformation``); a
        ``torch.optim.Optimizer``
        class (``hparams`` are its keyword arguments); or an update function
        ``update(params, grads, state) -> (params, state)``.
      hparams: keyword arguments, for a torch optimizer class only.

    >>> adapt("momentum:lr=0.1").label
    'Momentum (lr=0.1, beta=0.9)'
    """
    if isinstance(optimizer, Adapter):
        return optimizer
    if isinstance(optimizer, str):
        from ._resolve import resolve

        return resolve(optimizer)
    if _is_torch_class(optimizer):
        return TorchAdapter(optimizer, **hparams)
    if hparams:
        raise OptbenchError(
            f"keyword arguments {_hp_text(hparams)} are for a torch.optim class; make "
            f"{optimizer!r} with them instead."
        )
    if hasattr(optimizer, "init") and hasattr(optimizer, "update"):
        return JaxAdapter(optimizer)
    if callable(optimizer) and not isinstance(optimizer, type):
        return FunctionAdapter(optimizer)
    raise OptbenchError(
        f"`optimizer` (={optimizer!r}) is not an optimizer; expected {NOT_AN_OPTIMIZER}."
    )


def import_torch() -> Any:
    try:
        import torch
    except ImportError:
        raise OptbenchError(TORCH_MISSING) from None
    return torch


def _is_torch_class(obj: Any) -> bool:
    if not isinstance(obj, type) or "torch" not in sys.modules:
        return False
    torch = sys.modules["torch"]
    return torch is not None and issubclass(obj, torch.optim.Optimizer)


def check_hparams(
    fn: Callable, hparams: dict[str, Any], where: str, skip: tuple[str, ...] = ()
) -> None:
    """A one-sentence error for keywords ``fn`` does not accept, or required ones missing."""
    missing = check_keywords(fn, hparams, where, skip)
    if missing:
        raise OptbenchError(f"{where} needs {', '.join(missing)}, e.g. {where}:{missing[0]}=0.01.")
