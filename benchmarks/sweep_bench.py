"""Sweep throughput: Adam on Rosenbrock from (-1.5, 2), lr over N log-spaced values, 1000 steps.

Compares, in trajectory-steps per second (N x steps / seconds, median of repeats after a compiling
call and one warm-up call, for each contender):
  optbench   optbench.sweep(...), end to end (table included), trajectories recorded or not;
  device     the same sweep's time inside the compiled call only;
  optax      optax.adam under jit(vmap(lax.scan)), written the straightforward way, in this
             process: under the same process settings as optbench (with optbench.configure, each
             loop compiled whole, which makes it faster too);
  torch      a torch.optim.Adam loop over a few configurations, extrapolated per configuration.

By default the process is set up the documented way first, ``optbench.configure(cpu_devices="all",
compile_loops_whole=True, keep_freed_memory=True)``, as the ``optbench`` command does for itself;
``--no-configure`` measures a process left as it is (one CPU device, XLA's default loops, malloc's
default), and ``--without SETTING`` leaves one setting out (``keep_freed_memory``, say).

Run: python benchmarks/sweep_bench.py [--sizes 1 100 10000] [--repeats 5] [--no-configure]
     [--without cpu_devices|compile_loops_whole|keep_freed_memory]
"""

from __future__ import annotations

import argparse
import time

import jax
import jax.numpy as jnp
import numpy as np
import optax

import optbench
import optbench._config

STEPS = 1000
SETTINGS = {"cpu_devices": "all", "compile_loops_whole": True, "keep_freed_memory": True}
START = (-1.5, 2.0)


def rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def optax_sweep(lrs: np.ndarray, record: bool):
    """The straightforward baseline: vmap a scanned optax.adam over the learning rates."""

    def one(lr):
        opt = optax.adam(lr)
        x0 = jnp.array(START, jnp.float32)

        def body(c, _):
            x, s = c
            g = jax.grad(rosenbrock)(x)
            u, s = opt.update(g, s, x)
            x = optax.apply_updates(x, u)
            return (x, s), ((rosenbrock(x), x) if record else rosenbrock(x))

        return jax.lax.scan(body, (x0, opt.init(x0)), None, length=STEPS)[1]

    fn = jax.jit(jax.vmap(one))
    arg = jnp.asarray(lrs, jnp.float32)
    return lambda: jax.block_until_ready(fn(arg))


def torch_rate(lrs: np.ndarray, configs: int = 3) -> float:
    import torch

    t0 = time.perf_counter()
    for lr in lrs[:configs]:
        x = torch.tensor(START, requires_grad=True)
        opt = torch.optim.Adam([x], lr=float(lr))
        traj = []
        for _ in range(STEPS):
            opt.zero_grad()
            loss = (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2
            loss.backward()
            opt.step()
            traj.append(x.detach().clone())
    return configs * STEPS / (time.perf_counter() - t0)


def median_time(fn, repeats: int) -> float:
    # compile, then one more untimed call: the first calls also grow the process's heap, which
    # later calls, as in any longer session, do not pay
    fn()
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 10_000])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-configure", action="store_true", help="leave the process as it is")
    ap.add_argument("--without", choices=list(SETTINGS), help="configure all but this setting")
    args = ap.parse_args()
    if not args.no_configure:
        optbench.configure(**{k: v for k, v in SETTINGS.items() if k != args.without})
    print(f"settings: {optbench._config.settings()}")
    print(f"devices: {jax.devices()}; steps {STEPS}; medians of {args.repeats}")
    try:
        torch = torch_rate(np.logspace(-4, 0, 3))
    except ImportError:
        torch = float("nan")
    print(f"torch.optim loop: {torch:.3g} trajectory-steps/s (3 configurations, per configuration)")
    head = (
        f"{'N':>7} {'record':>6} {'optbench':>10} {'device':>10} {'optax':>10} "
        f"{'opt/optax':>9} {'opt/torch':>9}"
    )
    print(head)
    for n in args.sizes:
        lrs = np.logspace(-4, 0, n)
        for record in (True, False):
            last = {}

            def ours(last=last, lrs=lrs, record=record):
                last["r"] = optbench.sweep(
                    "rosenbrock",
                    "adam",
                    {"lr": lrs},
                    STEPS,
                    keep_trajectories=record,
                    progress=False,
                )

            t_ours = median_time(ours, args.repeats)
            t_dev = float(last["r"].wall_time.sum())
            t_optax = median_time(optax_sweep(lrs, record), args.repeats)
            rate = n * STEPS / t_ours
            print(
                f"{n:>7} {record!s:>6} {rate:>10.3g} {n * STEPS / t_dev:>10.3g} "
                f"{n * STEPS / t_optax:>10.3g} {t_optax / t_ours:>9.2f} {rate / torch:>9.3g}"
            )


if __name__ == "__main__":
    main()
