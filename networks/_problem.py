r"""A network on a data set as a problem ``optbench.run`` accepts: full batch, minibatch, online.

The objective is the mean loss over the training examples plus L2 weight decay on the weights,
:math:`E(\theta) = \frac1P\sum_p \ell(f_\theta(x_p), t_p)
+ \frac{\lambda}{2}\sum_l\lVert W_l\rVert^2`.
Step :math:`k` of a run uses epoch :math:`e = \lfloor k/m\rfloor` and batch :math:`i = k \bmod m`,
with :math:`m = \lfloor P/B\rfloor` steps per epoch; the batch is slice :math:`i` of the permutation
``jax.random.permutation(fold_in(PRNGKey(seed), e), P)``, so each epoch is reshuffled from the seed
inside the compiled loop (a last partial batch is dropped, like ``drop_last=True`` in torch).
``batch_size=None`` is full-batch gradient descent, ``1`` is stochastic (online) descent.
Dropout draws its mask from the run's per-step key; the full loss ``value`` never drops units.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from optbench._cache import CompileCache
from optbench._errors import OptbenchError

from ._data import Dataset, dataset
from ._history import epoch_records
from ._losses import DEFAULT_LOSS, accuracy, loss_fn, loss_name
from ._models import Model
from ._zoo import model_for

_COMPILED = CompileCache(32)


def compiled(key: Hashable, make: Callable[[], Callable]) -> Callable:
    """``jax.jit(make())``, made once per ``key``, so equal problems share compiles."""
    return _COMPILED.get(key, lambda: jax.jit(make()))


def _targets(data: Dataset, model: Model) -> np.ndarray:
    y = data.y
    if data.kind == "regression":
        return y.astype(np.float32)[:, None]
    if model.out_dim > 1:
        return np.eye(model.out_dim, dtype=np.float32)[y]
    return (2.0 * y - 1.0 if model.output == "linear" else y).astype(np.float32)[:, None]


def _fraction(name: str, value: Any, low_open: bool = True) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    v = float(value) if ok else float("nan")
    if not (0 < v < 1 if low_open else 0 <= v < 1):
        allowed = "(0, 1)" if low_open else "[0, 1)"
        raise OptbenchError(f"`{name}` (={value!r}) must be a number in {allowed}.")
    return v


class NetworkProblem:
    """Training a ``model`` on a ``dataset`` (see :func:`problem`), for ``optbench.run``."""

    blowup = 1e6

    def __init__(
        self,
        model,
        data,
        loss=None,
        batch_size=None,
        validation=None,
        weight_decay=0.0,
        dropout=0.0,
        patience=None,
        seed=0,
    ):
        self.data = dataset(data)
        self.model = model_for(model, self.data)
        self.loss_name = loss_name(loss or DEFAULT_LOSS[self.model.output], self.model.output)
        self._loss = loss_fn(self.loss_name, self.model.output)
        n = len(self.data.x)
        self.validation = (
            0.0 if validation in (None, 0, 0.0) else _fraction("validation", validation)
        )
        n_val = round(self.validation * n)
        if self.validation and not 1 <= n_val <= n - 1:
            raise OptbenchError(
                f"`validation` (={validation!r}) leaves {n_val} of {n} examples for validation; "
                "both parts need at least one."
            )
        order = np.random.default_rng(seed).permutation(n)
        tr, va = np.sort(order[: n - n_val]), np.sort(order[n - n_val :])
        t = _targets(self.data, self.model)
        self.x_train, self.t_train, self.y_train = self.data.x[tr], t[tr], self.data.y[tr]
        self.x_val, self.t_val, self.y_val = self.data.x[va], t[va], self.data.y[va]
        self.n_train = len(tr)
        if batch_size is not None and (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or not 1 <= batch_size <= self.n_train
        ):
            raise OptbenchError(
                f"`batch_size` (={batch_size!r}) must be an integer from 1 to {self.n_train} "
                "(the training examples), or None for full batch."
            )
        self.batch_size = None if batch_size is None else int(batch_size)
        self.steps_per_epoch = 1 if batch_size is None else self.n_train // self.batch_size
        ok = isinstance(weight_decay, (int, float)) and not isinstance(weight_decay, bool)
        self.weight_decay = float(weight_decay) if ok else float("nan")
        if not (self.weight_decay >= 0 and np.isfinite(self.weight_decay)):
            raise OptbenchError(f"`weight_decay` (={weight_decay!r}) must be a number >= 0.")
        self.dropout = 0.0 if not dropout else _fraction("dropout", dropout)
        if patience is not None and (
            isinstance(patience, bool) or not isinstance(patience, int) or patience < 1
        ):
            raise OptbenchError(f"`patience` (={patience!r}) must be a positive integer or None.")
        if patience is not None and not n_val:
            raise OptbenchError(
                f"`patience` (={patience}) stops early on the validation loss; give validation=0.2."
            )
        self.patience, self.seed = patience, int(seed)

    # -- the objective ------------------------------------------------------------------------
    def penalty(self, params: Any) -> jax.Array:
        r""":math:`\frac{\lambda}{2}\sum\lVert W\rVert^2` over the weight matrices (not biases)."""
        if not self.weight_decay:
            return jnp.zeros(())
        weights = [
            leaf
            for path, leaf in jax.tree_util.tree_leaves_with_path(params)
            if getattr(path[-1], "key", None) == "w"
        ]
        return 0.5 * self.weight_decay * sum(jnp.sum(jnp.square(w)) for w in weights)

    def data_loss(self, params: Any, x: Any, t: Any) -> jax.Array:
        """The mean loss on examples ``x`` with targets ``t`` (no penalty, no dropout)."""
        return self._loss(self.model.apply(params, jnp.asarray(x)), jnp.asarray(t))

    def value(self, params: Any) -> jax.Array:
        """The full-batch training objective (loss + weight decay), for lr_limits and contours."""
        return self.data_loss(params, self.x_train, self.t_train) + self.penalty(params)

    def batch(self, step: jax.Array) -> tuple[jax.Array, jax.Array]:
        """The training batch used at ``step``: a slice of this epoch's seeded permutation."""
        x, t = jnp.asarray(self.x_train), jnp.asarray(self.t_train)
        if self.batch_size is None:
            return x, t
        epoch, i = step // self.steps_per_epoch, step % self.steps_per_epoch
        perm = jax.random.permutation(
            jax.random.fold_in(jax.random.PRNGKey(self.seed), epoch), self.n_train
        )
        idx = jax.lax.dynamic_slice(perm, (i * self.batch_size,), (self.batch_size,))
        return x[idx], t[idx]

    @property
    def uses_key(self) -> bool:
        """Whether :meth:`loss_and_grad` draws from its key (dropout masks; the minibatch order
        comes from the problem's own seed)."""
        return self.dropout > 0

    def loss_and_grad(self, params: Any, step: jax.Array, key: jax.Array) -> tuple[Any, Any]:
        xb, tb = self.batch(step)

        def objective(p):
            z = self.model.apply(p, xb, key if self.dropout else None, self.dropout)
            return self._loss(z, tb) + self.penalty(p)

        return jax.value_and_grad(objective)(params)

    # -- the runner's protocol -----------------------------------------------------------------
    def initial(self, start: Any = None, key: Any = 0) -> Any:
        """``start`` (a parameter pytree shaped like the model's) or a fresh init from ``key``."""
        init = compiled(("init", self.model.spec), lambda: self.model.init)
        fresh = init(jax.random.PRNGKey(int(key or 0)))
        if start is None:
            return jax.tree.map(np.asarray, fresh)
        want = jax.tree.map(np.shape, fresh)
        got = (
            jax.tree.map(np.shape, start)
            if jax.tree.structure(start) == jax.tree.structure(fresh)
            else None
        )
        if got != want:
            raise OptbenchError(
                f"`start` must be parameters shaped like the model's ({self.model.name}): {want}."
            )
        return jax.tree.map(lambda a: np.asarray(a, np.float32), start)

    def cache_key(self) -> Hashable:
        d = self.data
        return (
            "network",
            self.model.spec,
            d.name,
            tuple(sorted(d.params.items())),
            self.loss_name,
            self.batch_size,
            self.validation,
            self.weight_decay,
            self.dropout,
            self.seed,
        )

    def describe(self) -> dict[str, Any]:
        n_params = sum(int(np.size(a)) for a in jax.tree.leaves(self.initial()))
        return {
            "kind": "network",
            "name": f"{self.model.name} on {self.data.name}",
            "model": self.model.name,
            "dataset": self.data.name,
            "dataset_params": self.data.params,
            "loss": self.loss_name,
            "batch_size": self.batch_size,
            "validation": self.validation,
            "weight_decay": self.weight_decay,
            "dropout": self.dropout,
            "patience": self.patience,
            "seed": self.seed,
            "n_train": self.n_train,
            "n_val": len(self.x_val),
            "steps_per_epoch": self.steps_per_epoch,
            "n_params": n_params,
        }

    # -- per-step and per-epoch records ---------------------------------------------------------
    def metrics(self, params: Any) -> dict[str, jax.Array]:
        """Train and validation loss (no penalty) and accuracy of one parameter pytree."""
        out = {"train_loss": self.data_loss(params, self.x_train, self.t_train)}
        if self.data.kind == "classification":
            z = self.model.apply(params, jnp.asarray(self.x_train))
            out["train_acc"] = accuracy(z, jnp.asarray(self.y_train), self.model.output)
        if len(self.x_val):
            out["val_loss"] = self.data_loss(params, self.x_val, self.t_val)
            if self.data.kind == "classification":
                z = self.model.apply(params, jnp.asarray(self.x_val))
                out["val_acc"] = accuracy(z, jnp.asarray(self.y_val), self.model.output)
        return out

    def evaluate(self, stacked: Any) -> dict[str, np.ndarray]:
        """:meth:`metrics` for a stack of parameter pytrees (leading axis), as NumPy arrays."""
        fn = compiled(
            ("metrics", self.cache_key()),
            lambda: lambda ps: jax.lax.map(self.metrics, ps, batch_size=64),
        )
        return {k: np.asarray(v) for k, v in fn(stacked).items()}

    def extras(self, out: dict[str, Any]) -> dict[str, Any]:
        """Per-step and per-epoch metrics, the best epoch and early stopping (run calls this)."""
        if out.get("params") is None:
            return {}
        return epoch_records(self, out["params"])

    def surface(self, bounds: Any = ((-2.0, 2.0), (-2.0, 2.0)), start: Any = (-1.5, 1.5)):
        """This problem as a 2-D :class:`~optbench.surfaces.Surface` (two-parameter models)."""
        from ._surface import DataSurface

        return DataSurface(self, bounds=bounds, start=start)

    def __repr__(self) -> str:
        b = "full batch" if self.batch_size is None else f"batch {self.batch_size}"
        return f"NetworkProblem({self.model.name} on {self.data.name}, {self.loss_name}, {b})"


def problem(
    model: Model | str,
    dataset: Dataset | str,
    loss: str | None = None,
    batch_size: int | None = None,
    *,
    validation: float | None = None,
    weight_decay: float = 0.0,
    dropout: float = 0.0,
    patience: int | None = None,
    seed: int = 0,
) -> NetworkProblem:
    """Train ``model`` on ``dataset``: a problem for ``optbench.run``, ``race`` and ``lr_limits``.

    Args:
      model: a :class:`Model` or a spec like ``"mlp:16,16:tanh"``, ``"logistic"``, ``"linear"``.
      dataset: a :class:`Dataset` or a name/spec like ``"spiral"`` or ``"moons:noise=0.2"``.
      loss: mse, mae, binary_cross_entropy or softmax_cross_entropy (default: the model's natural
        loss: cross-entropy for sigmoid/softmax outputs, mse for linear).
      batch_size: None (full batch), 1 (stochastic) or m (minibatch), at most the training size.
      validation: fraction in (0, 1) of the examples held out (seeded), or None.
      weight_decay: L2 coefficient :math:`\\lambda \\ge 0` on the weights.
      dropout: probability in [0, 1) of dropping each hidden unit during training.
      patience: early stopping: stop after this many epochs without a better validation loss.
      seed: seeds the validation split and the per-epoch reshuffle.

    >>> from optbench import run
    >>> t = run(problem("mlp:8:tanh", "xor", batch_size=20, validation=0.2), "sgd:lr=0.5", 80)
    >>> t.extras["per_epoch"]["val_acc"].shape     # 160 training points, 8 steps per epoch
    (11,)
    """
    return NetworkProblem(
        model, dataset, loss, batch_size, validation, weight_decay, dropout, patience, seed
    )
