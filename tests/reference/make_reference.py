"""Regenerate the stored reference trajectories of torch.optim and optax (float64).

    python tests/reference/make_reference.py        # needs torch and optax; writes steppers.npz

Each :class:`Case` is one optbench stepper with two hyperparameter settings, and the torch and/or
optax optimizer that computes the same thing. Every case runs on Rosenbrock and on a rotated
ill-conditioned quadratic (kappa=50) from three starts (``RUNS``: setting 0 from starts 0 and 1,
setting 1 from start 2), for ``STEPS`` steps. The gradient oracle is the optbench surface's
``jax.grad`` in float64 on both sides, so the only thing compared is the optimizer's arithmetic.

optax trajectories are stored for every run where torch has no equivalent, otherwise for run 0
(where both exist they agree to 1e-12; the tests check optax live on more runs).

``differs`` names an optax call that the documentation says does *not* equal the stepper (optax's
RMSprop eps placement, optax's AMSGrad convention); its trajectories are stored too and the tests
assert the disagreement. ``rprop_fixed`` stores optax.rprop's updates on a fixed gradient
sequence, for its one-step-stale relation to iRprop- (the manual's math page, docs/math.md,
section "optax.rprop is one step late").

The tests import this module for the case table and, when torch/optax import, recompute a few
runs live with the same functions.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import zipfile
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from optbench import steppers, surfaces
from optbench._io import write_bytes

STEPS = 200
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "steppers.npz")
PROBLEMS = {
    "rosenbrock": ("rosenbrock", {}),
    "quadratic": ("quadratic", {"kappa": 50.0, "angle": 0.5}),
}
STARTS = {
    "rosenbrock": ((-1.5, 2.0), (-1.2, 1.0), (0.5, -0.5)),
    "quadratic": ((-1.5, 1.0), (1.8, 1.2), (0.3, -1.7)),
}
RUNS = ((0, 0), (0, 1), (1, 2))  # (setting, start)
RPROP_FIXED = {"lr": 0.1, "steps": 40, "seed": 3}

TorchMaker = Callable[[Any, list, dict], Any]  # (torch.optim, [param], full hparams) -> optimizer
OptaxMaker = Callable[[Any, dict], Any]  # (optax, full hparams) -> GradientTransformation


@dataclasses.dataclass(frozen=True)
class Case:
    key: str
    stepper: str
    settings: tuple[dict, dict]
    torch: TorchMaker | None = None
    optax: OptaxMaker | None = None
    differs: OptaxMaker | None = None  # an optax call documented to compute something else

    def hparams(self, setting: int) -> dict:
        """The setting with the factory's defaults filled in (what the makers receive)."""
        return {**steppers.defaults(self.stepper), **self.settings[setting]}


def _ema(ox: Any, h: dict) -> Any:
    return ox.chain(ox.ema(h["beta"], debias=False), ox.scale_by_learning_rate(h["lr"]))


CASES = (
    Case(
        "sgd",
        "sgd",
        ({"lr": 1e-3}, {"lr": 1.8e-3}),
        torch=lambda o, p, h: o.SGD(p, lr=h["lr"], foreach=False),
        optax=lambda ox, h: ox.sgd(h["lr"]),
    ),
    Case(
        "heavy_ball",
        "momentum",
        ({"lr": 5e-4, "beta": 0.9}, {"lr": 1e-3, "beta": 0.5}),
        torch=lambda o, p, h: o.SGD(p, lr=h["lr"], momentum=h["beta"], foreach=False),
        optax=lambda ox, h: ox.sgd(h["lr"], momentum=h["beta"]),
    ),
    Case(
        "heavy_ball_dampened",
        "momentum",
        ({"lr": 1e-3, "beta": 0.9, "dampening": 0.5}, {"lr": 5e-4, "beta": 0.7, "dampening": 0.2}),
        torch=lambda o, p, h: o.SGD(
            p, lr=h["lr"], momentum=h["beta"], dampening=h["dampening"], foreach=False
        ),
    ),
    Case(
        "ema",
        "momentum",
        ({"lr": 5e-3, "beta": 0.9, "form": "ema"}, {"lr": 2e-3, "beta": 0.8, "form": "ema"}),
        torch=lambda o, p, h: o.SGD(
            p, lr=h["lr"] * (1 - h["beta"]), momentum=h["beta"], foreach=False
        ),
        optax=_ema,
    ),
    Case(
        "nesterov",
        "nesterov",
        ({"lr": 5e-4, "beta": 0.9}, {"lr": 1e-3, "beta": 0.6}),
        torch=lambda o, p, h: o.SGD(
            p, lr=h["lr"], momentum=h["beta"], nesterov=True, foreach=False
        ),
        optax=lambda ox, h: ox.sgd(h["lr"], momentum=h["beta"], nesterov=True),
    ),
    Case(
        "rmsprop",
        "rmsprop",
        ({"lr": 1e-3}, {"lr": 5e-3, "decay": 0.9, "eps": 1e-4}),
        torch=lambda o, p, h: o.RMSprop(
            p, lr=h["lr"], alpha=h["decay"], eps=h["eps"], foreach=False
        ),
        optax=lambda ox, h: ox.rmsprop(h["lr"], decay=h["decay"], eps=h["eps"], eps_in_sqrt=False),
        differs=lambda ox, h: ox.rmsprop(h["lr"], decay=h["decay"], eps=h["eps"]),
    ),
    Case(
        "rmsprop_centered",
        "rmsprop",
        ({"lr": 1e-3, "centered": True}, {"lr": 3e-3, "decay": 0.95, "centered": True}),
        torch=lambda o, p, h: o.RMSprop(
            p, lr=h["lr"], alpha=h["decay"], eps=h["eps"], centered=True, foreach=False
        ),
        optax=lambda ox, h: ox.rmsprop(
            h["lr"], decay=h["decay"], eps=h["eps"], eps_in_sqrt=False, centered=True
        ),
    ),
    Case(
        "rmsprop_momentum",
        "rmsprop",
        ({"lr": 1e-3, "momentum": 0.9}, {"lr": 5e-4, "momentum": 0.5, "centered": True}),
        torch=lambda o, p, h: o.RMSprop(
            p,
            lr=h["lr"],
            alpha=h["decay"],
            eps=h["eps"],
            momentum=h["momentum"],
            centered=h["centered"],
            foreach=False,
        ),
        optax=lambda ox, h: ox.rmsprop(
            h["lr"],
            decay=h["decay"],
            eps=h["eps"],
            eps_in_sqrt=False,
            momentum=h["momentum"],
            centered=h["centered"],
        ),
    ),
    Case(
        "rmsprop_eps_in_sqrt",
        "rmsprop",
        (
            {"lr": 1e-3, "decay": 0.9, "eps_in_sqrt": True},
            {"lr": 3e-3, "decay": 0.9, "eps": 1e-4, "eps_in_sqrt": True},
        ),
        optax=lambda ox, h: ox.rmsprop(h["lr"], decay=h["decay"], eps=h["eps"]),
    ),
    Case(
        "rprop",
        "rprop",
        ({"lr": 0.01}, {"lr": 0.1, "eta_minus": 0.4, "eta_plus": 1.3, "max_step": 1.0}),
        torch=lambda o, p, h: o.Rprop(
            p,
            lr=h["lr"],
            etas=(h["eta_minus"], h["eta_plus"]),
            step_sizes=(h["min_step"], h["max_step"]),
            foreach=False,
        ),
    ),
    Case(
        "adam",
        "adam",
        ({"lr": 0.01}, {"lr": 0.05, "b1": 0.8, "b2": 0.99}),
        torch=lambda o, p, h: o.Adam(
            p, lr=h["lr"], betas=(h["b1"], h["b2"]), eps=h["eps"], foreach=False
        ),
        optax=lambda ox, h: ox.adam(h["lr"], b1=h["b1"], b2=h["b2"], eps=h["eps"]),
    ),
    Case(
        "adam_eps_in_sqrt",
        "adam",
        (
            {"lr": 0.01, "eps": 1e-3, "eps_in_sqrt": True},
            {"lr": 0.05, "b1": 0.8, "b2": 0.99, "eps": 1e-6, "eps_in_sqrt": True},
        ),
        optax=lambda ox, h: ox.adam(h["lr"], b1=h["b1"], b2=h["b2"], eps=0.0, eps_root=h["eps"]),
    ),
    Case(
        "amsgrad",
        "adam",
        ({"lr": 0.01, "amsgrad": True}, {"lr": 0.05, "b1": 0.8, "b2": 0.99, "amsgrad": True}),
        torch=lambda o, p, h: o.Adam(
            p, lr=h["lr"], betas=(h["b1"], h["b2"]), eps=h["eps"], amsgrad=True, foreach=False
        ),
        differs=lambda ox, h: ox.amsgrad(h["lr"], b1=h["b1"], b2=h["b2"], eps=h["eps"]),
    ),
    Case(
        "amsgrad_paper",
        "adam",
        (
            {"lr": 0.01, "amsgrad": True, "bias_correction": False},
            {"lr": 0.05, "b1": 0.8, "b2": 0.99, "amsgrad": True, "bias_correction": False},
        ),
        optax=lambda ox, h: ox.amsgrad(
            h["lr"],
            b1=h["b1"],
            b2=h["b2"],
            eps=h["eps"],
            bias_correction_mu=False,
            bias_correction_nu=False,
        ),
    ),
    Case(
        "adamw",
        "adamw",
        ({"lr": 0.01}, {"lr": 0.05, "weight_decay": 0.1}),
        torch=lambda o, p, h: o.AdamW(
            p,
            lr=h["lr"],
            betas=(h["b1"], h["b2"]),
            eps=h["eps"],
            weight_decay=h["weight_decay"],
            foreach=False,
        ),
        optax=lambda ox, h: ox.adamw(
            h["lr"], b1=h["b1"], b2=h["b2"], eps=h["eps"], weight_decay=h["weight_decay"]
        ),
    ),
    Case(
        "adagrad",
        "adagrad",
        ({"lr": 0.1}, {"lr": 0.5, "initial_accumulator": 0.1}),
        torch=lambda o, p, h: o.Adagrad(
            p,
            lr=h["lr"],
            eps=h["eps"],
            initial_accumulator_value=h["initial_accumulator"],
            foreach=False,
        ),
    ),
    Case(
        "adagrad_eps0",
        "adagrad",
        ({"lr": 0.1, "eps": 0.0}, {"lr": 0.5, "eps": 0.0, "initial_accumulator": 0.1}),
        torch=lambda o, p, h: o.Adagrad(
            p,
            lr=h["lr"],
            eps=0.0,
            initial_accumulator_value=h["initial_accumulator"],
            foreach=False,
        ),
        optax=lambda ox, h: ox.adagrad(
            h["lr"], initial_accumulator_value=h["initial_accumulator"], eps=0.0
        ),
    ),
)


def problem(name: str) -> Any:
    surface, params = PROBLEMS[name]
    return surfaces.get(surface, **params)


def data_key(source: str, case: str, prob: str, run: int) -> str:
    return f"{source}/{case}/{prob}/{run}"


def torch_trajectory(
    make: TorchMaker, hparams: dict, prob: str, start: Any, steps: int = STEPS
) -> np.ndarray:
    """``(steps + 1, 2)`` iterates of a torch.optim optimizer, float64."""
    import torch

    with jax.enable_x64(True):
        grad = _grad(prob)
        p = torch.tensor(np.asarray(start, dtype=np.float64), requires_grad=True)
        opt = make(torch.optim, [p], hparams)
        out = [p.detach().numpy().copy()]
        for _ in range(steps):
            p.grad = torch.from_numpy(np.array(grad(jnp.asarray(p.detach().numpy()))))
            opt.step()
            out.append(p.detach().numpy().copy())
    return np.stack(out)


def optax_trajectory(
    make: OptaxMaker, hparams: dict, prob: str, start: Any, steps: int = STEPS
) -> np.ndarray:
    """``(steps + 1, 2)`` iterates of an optax transformation (its own jitted loop), float64."""
    import optax

    with jax.enable_x64(True):
        tx = make(optax, hparams)
        fn = problem(prob).fn

        def body(carry, _):
            x, state = carry
            updates, state = tx.update(jax.grad(fn)(x), state, x)
            x = optax.apply_updates(x, updates)
            return (x, state), x

        x0 = jnp.asarray(start, dtype=jnp.float64)
        _, xs = jax.jit(lambda x0: jax.lax.scan(body, (x0, tx.init(x0)), None, length=steps))(x0)
        return np.concatenate([np.asarray(x0)[None], np.asarray(xs)])


_GRADS: dict[str, Any] = {}


def _grad(prob: str) -> Any:
    if prob not in _GRADS:
        _GRADS[prob] = jax.jit(jax.grad(problem(prob).fn))
    return _GRADS[prob]


def rprop_fixed_gradients() -> np.ndarray:
    """A fixed gradient sequence (2 coordinates) with frequent sign changes and an exact zero."""
    rng = np.random.default_rng(RPROP_FIXED["seed"])
    g = rng.choice([-1.0, 1.0], size=(RPROP_FIXED["steps"], 2), p=[0.3, 0.7]) * rng.uniform(
        0.5, 2.0, size=(RPROP_FIXED["steps"], 2)
    )
    g[7, 0] = 0.0
    return g


def optax_rprop_updates(grads: np.ndarray, lr: float) -> np.ndarray:
    """optax.rprop's updates on a fixed gradient sequence (params never enter rprop)."""
    import optax

    with jax.enable_x64(True):
        tx = optax.rprop(lr)
        state = tx.init(jnp.zeros(grads.shape[1]))
        out = []
        for g in grads:
            u, state = tx.update(jnp.asarray(g), state)
            out.append(np.asarray(u))
    return np.stack(out)


def npz_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    """A compressed ``.npz`` with fixed timestamps, so the same arrays give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w") as f:
                np.lib.format.write_array(f, np.asarray(arrays[name]), allow_pickle=False)
    return buffer.getvalue()


def main() -> None:
    import optax
    import torch

    data: dict[str, np.ndarray] = {}
    for case in CASES:
        for prob in PROBLEMS:
            for run, (setting, start) in enumerate(RUNS):
                hp, x0 = case.hparams(setting), STARTS[prob][start]
                if case.torch is not None:
                    data[data_key("torch", case.key, prob, run)] = torch_trajectory(
                        case.torch, hp, prob, x0
                    )
                if case.optax is not None and (case.torch is None or run == 0):
                    data[data_key("optax", case.key, prob, run)] = optax_trajectory(
                        case.optax, hp, prob, x0
                    )
                if case.differs is not None:
                    data[data_key("differs", case.key, prob, run)] = optax_trajectory(
                        case.differs, hp, prob, x0
                    )
    grads = rprop_fixed_gradients()
    data["rprop_fixed/grads"] = grads
    data["rprop_fixed/optax_updates"] = optax_rprop_updates(grads, RPROP_FIXED["lr"])
    meta = {
        "steps": STEPS,
        "torch": torch.__version__,
        "optax": optax.__version__,
        "jax": jax.__version__,
        "dtype": "float64",
    }
    data["meta"] = np.array(json.dumps(meta, sort_keys=True))
    write_bytes(DATA, npz_bytes(data))
    print(f"wrote {len(data)} arrays, {os.path.getsize(DATA) / 1024:.0f} KiB: {DATA}")


if __name__ == "__main__":
    main()
