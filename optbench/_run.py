"""The compiled runner: any stepper on any problem, one ``jax.jit`` of a ``lax.scan``.

Data flows one way: problem + stepper -> compiled run -> :class:`Trajectory` (NumPy arrays).
Numeric hyperparameters stay traced, so a new learning rate reuses the compiled run and
``jax.vmap`` over a grid of hyperparameters, starts or seeds is one compile (see
``optbench.sweep``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from ._cache import CompileCache
from ._divergence import Rule, kind_name
from ._errors import OptbenchError
from ._limits import MAX_SEED as MAX_SEED
from ._limits import MAX_STEPS as MAX_STEPS
from ._limits import check_seed as check_seed
from ._limits import check_steps as check_steps
from ._names import stepper_name
from ._state import state_fields
from .steppers._base import Stepper

DTYPES = ("float32", "float64")


# -- the trajectory ---------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, eq=False)
class Trajectory:
    """One run of one stepper on one problem, as NumPy arrays.

    Attributes:
      params: the iterates, ``(steps + 1, d)`` for surfaces (the start first); for networks a
        pytree of such stacks, or None when parameters were not recorded.
      loss: ``(steps + 1,)`` the loss at each iterate (for a noisy or minibatch problem, the loss
        the stepper saw at that step; the last entry is the full loss at the final iterate).
      grad_norm: ``(steps,)`` the norm of the gradient the stepper received at each step (0 from
        the step the run diverged at, so a NaN gradient is never recorded).
      update_norm: ``(steps,)`` the norm of each applied update.
      diverged_at: None, or the first step whose iterate failed the divergence rule of
        :mod:`optbench._divergence` (a NaN or infinite loss or coordinate, a blow-up of the loss or
        the parameters, or on a surface an iterate beyond its plotting window by more than four
        window extents). From there on the run is frozen at the last good iterate, in ``params``
        and ``loss`` alike.
      diverged_kind: why it diverged, ``"nan"``, ``"inf"``, ``"blow-up"`` or ``"left the
        window"``; None when it did not.
      label, stepper, hparams: the stepper's display label, registry name and hyperparameters.
      problem: the problem's description (``describe()``), start, steps, key, dtype: how to
        rerun it.
      extras: problem-specific records (e.g. per-epoch network metrics).
      state: with ``run(..., record_state=True)``, the stepper's state after every step, NumPy
        arrays ``(steps + 1, ...)`` named by the state's fields (Adam's ``mu``, ``nu``,
        ``count``; see :mod:`optbench._state`); row ``t`` goes with ``params[t]``. None otherwise.
      source: the problem object the run ran on (what a notebook draws it on; not saved).
    """

    params: Any
    loss: np.ndarray
    grad_norm: np.ndarray
    update_norm: np.ndarray
    diverged_at: int | None
    label: str
    stepper: str
    hparams: dict[str, Any]
    problem: dict[str, Any]
    start: Any
    steps: int
    key: int
    dtype: str
    extras: dict[str, Any] = dataclasses.field(default_factory=dict)
    formula: str = ""
    diverged_kind: str | None = None
    state: dict[str, Any] | None = None
    source: Any = dataclasses.field(default=None, repr=False, compare=False)

    @property
    def final_loss(self) -> float:
        return float(self.loss[-1])

    @property
    def best_loss(self) -> float:
        return float(np.min(self.loss))

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def shown(self) -> int:
        """How many entries of the records a picture draws: all of them, or up to and including
        the divergence step."""
        n = len(self.loss)
        return n if self.diverged_at is None else min(self.diverged_at + 1, n)

    @property
    def outcome(self) -> str:
        """``"final loss 0.0123"`` or ``"diverged at step 45 (blow-up)"``."""
        if self.diverged:
            return f"diverged at step {self.diverged_at} ({self.diverged_kind})"
        return f"final loss {self.final_loss:.4g}"

    def _repr_html_(self) -> str:  # a notebook shows the run's animation (optbench._notebook)
        from ._notebook import race_html

        return race_html([self])

    def __repr__(self) -> str:
        div = f", diverged_at={self.diverged_at} ({self.diverged_kind})" if self.diverged else ""
        return (
            f"Trajectory({self.label} on {self.problem.get('name')}, steps={self.steps}, "
            f"final_loss={self.final_loss:.6g}{div})"
        )


# -- resolving user input ---------------------------------------------------------------------
def resolve_problem(problem: Any) -> Any:
    """A problem object from a problem or a spec string (``"rosenbrock:b=100"``)."""
    if isinstance(problem, str):
        from .surfaces import get_spec

        return get_spec(problem)
    needed = ("initial", "loss_and_grad", "value", "cache_key", "describe")
    if all(hasattr(problem, a) for a in needed):
        return problem
    if callable(problem):
        raise OptbenchError(
            "`problem` is a plain function; wrap it as "
            "optbench.surfaces.Surface(fn, bounds=..., start=...)."
        )
    raise OptbenchError(
        f"`problem` (={problem!r}) must be a surface, a network problem or a name like "
        "'rosenbrock'."
    )


def resolve_stepper(stepper: Any, problem: Any = None, at: Any = None) -> Any:
    """A stepper from a :class:`Stepper`, an ``optax.GradientTransformation`` or a spec
    (``"adam:lr=0.01"``, ``"sgd:lr=0.5eta_max"``, ``"adam:lr=cosine(0.05,300)"``).

    A rate in units of ``eta_max``/``eta_opt`` is resolved from the Hessian of ``problem`` at
    ``at`` (its start when None).
    """
    return stepper_and_units(stepper, problem, at)[0]


def stepper_and_units(stepper: Any, problem: Any = None, at: Any = None) -> tuple[Any, dict]:
    """:func:`resolve_stepper`, and the record of the values a spec gave in units of the
    problem's curvature (``{}`` when none; see :func:`optbench._values.resolve_params`)."""
    if isinstance(stepper, str):
        from . import steppers
        from ._spec import parse_spec
        from ._values import relabel, resolve_params

        if is_named_target(stepper):  # optax.NAME:..., or module:factory:...
            return _named_transform(stepper, eager_ok=is_surface(problem)), {}
        name, params = parse_spec(stepper, "stepper", rich=True)
        if at is None and problem is not None and _needs_point(params):
            at = problem.initial(None, 0)
        values, units = resolve_params(params, problem, at, f"stepper {stepper.strip()!r}")
        made = steppers.get(name, **values)
        if units and isinstance(made, Stepper):
            made = made._replace(label=relabel(made.label, units, values))
        return made, units
    if hasattr(stepper, "init") and hasattr(stepper, "update"):
        return stepper, {}
    raise OptbenchError(
        f"`stepper` (={stepper!r}) must be an optbench stepper, an "
        "optax.GradientTransformation or a name like 'adam:lr=0.01'."
    )


def is_surface(problem: Any) -> bool:
    """A 2-D-style test surface (a plain coordinate vector), where eager steppers may run."""
    return problem is not None and hasattr(problem, "fn") and hasattr(problem, "bounds")


def is_named_target(spec: str) -> bool:
    """Whether ``spec`` names an importable object (``optax.lion:...``, ``my_mod:make:...``)
    rather than an optbench stepper (``adam:lr=0.01``)."""
    from . import steppers

    head, _, rest = spec.strip().partition(":")
    user = bool(rest) and "=" not in rest.partition(":")[0] and head not in steppers.names()
    return "." in head or user


def _needs_point(params: dict[str, Any]) -> bool:
    from ._values import _has_eta

    return any(_has_eta(v) for v in params.values())


def _named_transform(spec: str, eager_ok: bool = False) -> Any:
    """``optax.NAME:arg=value,...`` or ``module:factory:arg=value,...`` as a stepper, labelled by
    the spec's name and arguments (``optax.lion (learning_rate=0.01)``)."""
    from .testing._adapters import JaxAdapter, _takes_value
    from .testing._resolve import resolve

    adapter = resolve(spec)
    if not isinstance(adapter, JaxAdapter):
        if eager_ok:
            return adapter  # run step by step (see run())
        raise OptbenchError(
            f"stepper {spec!r} is not a JAX optimizer: {adapter.name} runs step by step outside "
            "JAX, which optbench does on surfaces only (run, race); compare it with "
            "`optbench check`."
        )
    tx = adapter.transform
    if isinstance(tx, Stepper):
        return tx._replace(label=adapter.label) if adapter.label != tx.label else tx
    takes_value = _takes_value(tx)

    def update(grads: Any, state: Any, params: Any = None, **extra: Any) -> Any:
        return tx.update(grads, state, params, **(extra if takes_value else {}))

    return Stepper(tx.init, update, adapter.name, adapter.hparams, adapter.label)


@dataclasses.dataclass(frozen=True)
class TransformFactory:
    """A factory of optax transforms (``optax.adam``) or a user's (``module:factory``) as an
    optbench stepper factory: ``TransformFactory(optax.adam, "optax.adam")(learning_rate=0.1)``
    is a :class:`Stepper` whose ``factory`` is this object, so a sweep can vary (trace) its
    numbers. Equal by value, so equal factories share a compile."""

    make: Callable[..., Any]
    name: str

    def __call__(self, **hparams: Any) -> Stepper:
        from .steppers._base import _fmt
        from .testing._adapters import _takes_value

        try:
            tx = self.make(**hparams)
        except (TypeError, ValueError) as err:
            raise OptbenchError(f"{self.name} rejects {hparams}: {err}.") from None
        if not (hasattr(tx, "init") and hasattr(tx, "update")):
            raise OptbenchError(
                f"{self.name} returned {type(tx).__name__}, not an optimizer with init and update."
            )
        takes_value = _takes_value(tx)

        def update(grads: Any, state: Any, params: Any = None, **extra: Any) -> Any:
            return tx.update(grads, state, params, **(extra if takes_value else {}))

        args = ", ".join(f"{k}={_fmt(v)}" for k, v in hparams.items())
        label = f"{self.name} ({args})" if args else self.name
        return Stepper(tx.init, update, self.name, dict(hparams), label, "", self)


def sweepable(spec: str) -> tuple[str, dict[str, Any], Callable[..., Any], list[str]]:
    """``(name, params, factory, known)`` for an ``optax.NAME:...`` or ``module:factory:...``
    spec: what a sweep varies. A torch.optim class or a ready-made optimizer is refused."""
    from ._names import check_keywords, signature_defaults
    from .testing._adapters import _is_torch_class
    from .testing._resolve import locate

    obj, params, where = locate(spec)
    if _is_torch_class(obj):
        raise OptbenchError(
            f"stepper {spec!r} is a torch.optim class: it runs step by step outside JAX, so a "
            "sweep cannot vmap it; race it on a surface (optbench race) or compare it with "
            "`optbench check`."
        )
    if (hasattr(obj, "init") and hasattr(obj, "update")) or not callable(obj):
        raise OptbenchError(
            f"stepper {spec!r} names a ready-made optimizer; a sweep needs a factory whose "
            "arguments it can vary, e.g. optax.adam."
        )
    check_keywords(obj, params, where)  # the grid supplies the rest
    try:
        known = list(inspect.signature(obj).parameters)
    except (TypeError, ValueError):
        known = list(params)
    defaults = {
        k: v
        for k, v in signature_defaults(obj).items()
        if isinstance(v, (int, float, str, bool)) or v is None
    }
    return where, {**defaults, **params}, TransformFactory(obj, where), known


def check_dtype(dtype: Any) -> str:
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in DTYPES:
        raise OptbenchError(f"`dtype` (={dtype!r}) must be one of {', '.join(DTYPES)}.")
    return name


def dtype_context(dtype: str):
    """float64 needs JAX's x64 mode; it is switched on for the call only."""
    return jax.enable_x64(True) if dtype == "float64" else contextlib.nullcontext()


def split_hparams(stepper: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """(numeric, static): numeric hyperparameters are traced; strings, bools and schedules are
    compiled in."""
    hp = dict(getattr(stepper, "hparams", {}) or {})
    if getattr(stepper, "factory", None) is None:
        return {}, hp
    numeric, static = {}, {}
    for k, v in hp.items():
        is_num = isinstance(v, (int, float, np.number, np.ndarray, jax.Array)) and not isinstance(
            v, (bool, np.bool_)
        )
        (numeric if is_num else static)[k] = v
    return numeric, static


# -- the compiled loop ------------------------------------------------------------------------
def _tree_norm(tree: Any) -> jax.Array:
    leaves = jax.tree.leaves(tree)
    return jnp.sqrt(sum(jnp.sum(jnp.square(x)) for x in leaves))


def _select(pred: jax.Array, a: Any, b: Any) -> Any:
    return jax.tree.map(lambda x, y: jnp.where(pred, x, y), a, b)


def trajectory_fn(
    problem: Any,
    stepper: Any,
    steps: int,
    record_params: bool = True,
    report_every: int = 0,
    norms: bool = True,
    record_state: bool = False,
) -> Callable:
    """The un-jitted run ``(hparams, x0, key) -> dict of arrays``; jit it, or vmap then jit it.

    ``hparams`` holds the stepper's numeric hyperparameters (traced); everything else is
    compiled in. ``report_every`` > 0 calls back to the host every that many steps (the progress
    line of ``run(progress=True)``; ``jax.debug.callback``). ``norms=False`` leaves the gradient
    and update norms out (a sweep's table has no use for them). The key is split each step only
    for a problem that draws from it (``problem.uses_key``: gradient noise, dropout).
    ``record_state`` keeps the stepper's state after every step (``out["state"]``, the state's
    own pytree with a leading axis of ``steps + 1``, row 0 the initial state).
    """
    uses_key = bool(getattr(problem, "uses_key", True))
    numeric, static = split_hparams(stepper)
    factory = getattr(stepper, "factory", None)
    is_ours = isinstance(stepper, Stepper)
    rule = Rule(problem)  # when and why a run diverges (optbench._divergence)

    def make(hp):
        return factory(**static, **hp) if factory is not None else stepper

    def one(hp, x0, key):
        st = make(hp)
        state0 = st.init(x0)
        first_loss = problem.value(x0)
        limits = rule.start(x0, first_loss)

        def body(carry, t):
            x, state, key, div_at, kind, last_loss, kept = carry
            if uses_key:
                key, sub = jax.random.split(key)
            else:  # deterministic: no threefry in the loop, to compile or to run
                sub = key
            loss, grads = problem.loss_and_grad(x, t, sub)
            alive = div_at < 0
            if is_ours:
                updates, new_state = st.update(grads, state, x, value=loss)
            else:
                updates, new_state = st.update(grads, state, x)
            new_x = jax.tree.map(lambda p, u: (p + u).astype(p.dtype), x, updates)
            # the first bad step: x_t (its loss or gradient) -> t; x_{t+1} -> t + 1
            at, code = rule.check_step(limits, t, loss, grads, x_next=new_x)
            loss_ok = at != t
            if record_params:  # x_t joins the record while it is good, else the last good one
                kept = _select(alive & loss_ok, x, kept)
            div_at = jnp.where(alive & (at >= 0), at, div_at)
            kind = jnp.where(alive, code, kind)
            go = alive & (at < 0)
            x = _select(go, new_x, x)
            state = _select(go, new_state, state)
            rec_loss = jnp.where(alive & loss_ok, loss, last_loss)
            out = {"loss": rec_loss}
            if norms:
                norm = _tree_norm(grads)
                out["grad_norm"] = jnp.where(alive & loss_ok, norm, 0.0).astype(rec_loss.dtype)
                out["update_norm"] = jnp.where(go, _tree_norm(updates), 0.0).astype(rec_loss.dtype)
            if record_params:
                out["params"] = kept
            if record_state:  # frozen with the run: the state its last good iterate had
                out["state"] = state
            if report_every:
                done = t + 1
                jax.lax.cond(
                    done % report_every == 0,
                    lambda: jax.debug.callback(_report, done),
                    lambda: None,
                )
            return (x, state, key, div_at, kind, rec_loss, kept), out

        int32 = functools.partial(jnp.array, dtype=jnp.int32)
        kept0 = x0 if record_params else None
        carry0 = (x0, state0, key, int32(-1), int32(0), first_loss, kept0)
        (x, _, _, div_at, kind, last_loss, kept), outs = jax.lax.scan(
            body, carry0, jnp.arange(steps, dtype=jnp.int32)
        )
        # the last iterate is judged by its loss too (its coordinates were judged by the scan)
        final = problem.value(x)
        final_code = jnp.where(div_at < 0, rule.loss(limits, final), 0)
        div_at = jnp.where(final_code > 0, steps, div_at)
        kind = jnp.where(final_code > 0, final_code, kind)
        final = jnp.where(div_at < 0, final, last_loss)
        res = {
            "loss": jnp.concatenate([outs["loss"], final[None]]),
            **{k: outs[k] for k in ("grad_norm", "update_norm") if k in outs},
            "diverged_at": div_at,
            "diverged_kind": kind,
        }
        if record_state:
            res["state"] = jax.tree.map(
                lambda a, b: jnp.concatenate([a[None], b]), state0, outs["state"]
            )
        if record_params:  # x_0 ... x_{T-1} as recorded, then x_T when it is good
            last = _select(div_at < 0, x, kept)
            res["params"] = jax.tree.map(
                lambda a, b: jnp.concatenate([a, b[None]]), outs["params"], last
            )
        return res

    return one


_COMPILED = CompileCache(32)  # compiled runs, by value (see optbench._cache)


def _stepper_key(stepper: Any) -> Hashable:
    """What determines a stepper's compiled run: its factory and switches, or the whole stepper.

    Numeric hyperparameters are traced, so only their names count; a stepper without a factory
    (an optax transform) is keyed by value: equal transforms share one compile.
    """
    numeric, static = split_hparams(stepper)
    factory = getattr(stepper, "factory", None)
    if factory is None:
        return ("fixed", stepper)
    return (factory, tuple(sorted(static.items())), tuple(sorted(numeric)))


def compiled_run(
    problem: Any,
    stepper: Any,
    steps: int,
    dtype: str,
    record_params: bool = True,
    report_every: int = 0,
    record_state: bool = False,
) -> Callable:
    """The jitted run for this (problem, stepper kind, steps, dtype), compiled once and reused."""
    key = (
        problem.cache_key(),
        _stepper_key(stepper),
        steps,
        dtype,
        record_params,
        report_every,
        record_state,
    )
    return _COMPILED.get(
        key,
        lambda: jax.jit(
            trajectory_fn(
                problem, stepper, steps, record_params, report_every, record_state=record_state
            )
        ),
    )


_REPORTING: list[Any] = [None]  # the progress line of the run now computing, and its unit


def _report(done: Any) -> None:
    """Called back from inside a compiled run every ``report_every`` steps (run(progress=))."""
    bar, per = _REPORTING[0] or (None, 1)
    if bar is not None:
        bar.update(int(done) // per)


@contextlib.contextmanager
def _reporting(problem: Any, steps: int, label: str, progress: bool | None):
    """``report_every`` for the compiled run (0: no progress line) while its line is shown:
    epochs for a network, hundredths of the run on a surface."""
    from ._progress import Progress, wanted

    if not wanted(progress):
        yield 0
        return
    per = int(getattr(problem, "steps_per_epoch", 0) or max(1, steps // 100))
    unit = "epochs" if getattr(problem, "steps_per_epoch", 0) else "steps"
    total = steps // per
    with Progress(total, unit if unit == "epochs" else f"x{per} steps", label, show=True) as bar:
        _REPORTING[0] = (bar, per)
        try:
            yield per
        finally:
            _REPORTING[0] = None


def hparam_arrays(stepper: Any, dtype: str) -> dict[str, jax.Array]:
    numeric, _ = split_hparams(stepper)
    return {k: jnp.asarray(v, dtype=dtype) for k, v in numeric.items()}


def to_python(value: Any) -> Any:
    """Hyperparameter values as plain Python for labels, CSV and JSON."""
    if isinstance(value, (np.ndarray, jax.Array)) and np.ndim(value) == 0:
        return value.item()
    if isinstance(value, np.generic):
        return value.item()
    return value


def run(
    problem: Any,
    stepper: Any,
    steps: int,
    start: Any = None,
    key: int = 0,
    dtype: str = "float32",
    record_params: bool = True,
    label: str | None = None,
    progress: bool | None = False,
    record_state: bool = False,
) -> Trajectory:
    """Run ``stepper`` on ``problem`` for ``steps`` steps from ``start`` (the problem's default
    if None).

    Args:
      problem: a :class:`~optbench.surfaces.Surface`, a network problem, or a spec like
        ``"rosenbrock"``.
      stepper: an optbench stepper, an ``optax.GradientTransformation`` or a spec like
        ``"adam:lr=0.01"``.
      steps: number of updates, > 0.
      start: the start point (shape ``(d,)`` for surfaces).
      key: integer seed for gradient noise and minibatches.
      dtype: ``"float32"`` (default) or ``"float64"``.
      record_params: keep every iterate (``Trajectory.params``).
      label: the run's name in legends and files; by default the stepper's label, which names
        its variant and every hyperparameter that differs from its default (an object without a
        label is named by what it is, e.g. the optax transforms it chains).
      progress: a progress line on stderr while the compiled run computes (epochs of a network,
        hundredths of the run on a surface); None shows it when stderr is a terminal.
      record_state: keep the stepper's state after every step (``Trajectory.state``: NumPy
        arrays named by the state's fields, ``(steps + 1, ...)``; off by default, sweeps never).

    Returns:
      A :class:`Trajectory`. A diverging run does not raise: it freezes and records ``diverged_at``.

    >>> t = run("quadratic", "sgd:lr=0.1", steps=5)
    >>> t.params.shape, t.loss.shape
    ((6, 2), (6,))
    """
    problem = resolve_problem(problem)
    steps = check_steps(steps)
    dtype = check_dtype(dtype)
    key = check_seed(key)
    if hasattr(problem, "check_scalar"):
        problem.check_scalar()
    x0_np = problem.initial(start, key)
    stepper, units = stepper_and_units(stepper, problem, x0_np)
    from .testing._adapters import Adapter

    if not isinstance(record_state, bool):
        raise OptbenchError(f"`record_state` (={record_state!r}) must be True or False.")
    if isinstance(stepper, Adapter):  # torch.optim or a NumPy update function: step by step
        if record_state:
            raise OptbenchError(
                f"`record_state=True` needs a JAX stepper; {stepper.label!r} keeps its state "
                "outside JAX (torch.optim or a NumPy function), where optbench cannot read it."
            )
        from .testing._compare import drive

        t = drive(stepper, problem, steps, start=x0_np, dtype=dtype, key=key)
        return dataclasses.replace(t, label=check_label(label) or t.label)
    with dtype_context(dtype):
        x0 = jax.tree.map(lambda a: jnp.asarray(a, dtype=dtype), x0_np)
        name = check_label(label) or getattr(stepper, "label", None) or stepper_name(stepper)
        with _reporting(problem, steps, name, progress) as every:
            fn = compiled_run(problem, stepper, steps, dtype, record_params, every, record_state)
            out = fn(hparam_arrays(stepper, dtype), x0, jax.random.PRNGKey(int(key)))
            out = jax.tree.map(np.asarray, out)
    div = int(out["diverged_at"])
    hp = {k: to_python(v) for k, v in (getattr(stepper, "hparams", {}) or {}).items()}
    extras = problem.extras(out) if hasattr(problem, "extras") else {}
    if units:
        extras["units"] = units
    return Trajectory(
        params=out.get("params"),
        loss=out["loss"],
        grad_norm=out["grad_norm"],
        update_norm=out["update_norm"],
        diverged_at=None if div < 0 else div,
        label=name,
        stepper=getattr(stepper, "name", "") or "custom",
        hparams=hp,
        problem=problem.describe(),
        start=jax.tree.map(np.asarray, x0_np),
        steps=steps,
        key=int(key),
        dtype=dtype,
        extras=extras,
        formula=getattr(stepper, "formula", "") or "",
        diverged_kind=None if div < 0 else kind_name(out["diverged_kind"]),
        state=state_fields(out["state"]) if record_state else None,
        source=problem,
    )


def check_label(label: Any) -> str | None:
    if label is not None and (not isinstance(label, str) or not label.strip()):
        raise OptbenchError(f"`label` (={label!r}) must be a non-empty string.")
    return label


def race(
    problem: Any,
    steppers: Sequence[Any],
    steps: int,
    start: Any = None,
    key: int = 0,
    dtype: str = "float32",
    record_state: bool = False,
) -> list[Trajectory]:
    """Run several steppers on one problem from one start; one :class:`Trajectory` each
    (``record_state``: see :func:`run`).

    ``steppers`` holds steppers, specs (``"adam:lr=0.05"``) or ``(label, stepper)`` pairs. Two
    runs never share a label: where two would, the later ones get `` [2]``, `` [3]``, ...
    """
    if isinstance(steppers, (str, Stepper)) or not isinstance(steppers, Sequence) or not steppers:
        raise OptbenchError(
            "`steppers` must be a non-empty list of steppers or specs like "
            "['sgd:lr=0.001', 'adam']."
        )
    problem = resolve_problem(problem)
    runs = []
    for item in steppers:
        label = None
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            label, item = item
        runs.append(
            run(
                problem,
                item,
                steps,
                start=start,
                key=key,
                dtype=dtype,
                label=label,
                record_state=record_state,
            )
        )
    return Race(distinct_labels(runs))


class Race(list):
    """The runs of :func:`race`: a list of :class:`Trajectory`, which a notebook shows as its
    animation (``_repr_html_``)."""

    def _repr_html_(self) -> str:
        from ._notebook import race_html

        return race_html(list(self))


def distinct_labels(runs: list[Trajectory]) -> list[Trajectory]:
    """``runs`` with every label made unique: a repeated label gets `` [2]``, `` [3]``, ..."""
    seen: dict[str, int] = {}
    out = []
    for t in runs:
        n = seen[t.label] = seen.get(t.label, 0) + 1
        out.append(t if n == 1 else dataclasses.replace(t, label=f"{t.label} [{n}]"))
    return out
