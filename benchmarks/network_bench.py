"""256 training runs of an MLP 2-16-16-1 (tanh) on a 256-point spiral: optbench vs torch.optim.

Each configuration is (learning rate, initialization seed): 16 learning rates x 16 seeds, 500
full-batch Adam steps on the binary cross-entropy. optbench compiles one ``vmap`` of the runner
(``optbench._run.trajectory_fn``) over all 256 and runs them at once; torch trains them one after
another with ``torch.optim.Adam`` from the same initial weights. torch is timed on a subset of the
configurations (``--torch-configs``) and extrapolated per configuration, as the output says; the
final losses of the timed subset are compared with optbench's.

Run: ``python benchmarks/network_bench.py`` (needs torch: ``pip install 'optbench[torch]'``).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import optbench


def optbench_runs(problem, stepper, lrs, starts, steps):
    """Final losses of all configurations from one vmapped compile: (losses, cold s, warm s)."""
    import jax
    import jax.numpy as jnp

    from optbench._run import trajectory_fn

    one = trajectory_fn(problem, stepper, steps, record_params=False)
    batched = jax.vmap(lambda lr, x0, key: one({"lr": lr}, x0, key)["loss"][-1])
    keys = jax.random.split(jax.random.PRNGKey(0), len(lrs))
    args = (jnp.asarray(lrs, jnp.float32), jax.tree.map(jnp.asarray, starts), keys)
    t0 = time.perf_counter()
    fn = jax.jit(batched)
    losses = np.asarray(fn(*args).block_until_ready())
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(3):
        t0 = time.perf_counter()
        fn(*args).block_until_ready()
        warm.append(time.perf_counter() - t0)
    return losses, cold, warm


def torch_run(problem, start, lr, steps, name):
    """One configuration with torch.optim: the same network, loss, data and initial weights."""
    import torch

    x = torch.tensor(problem.x_train, dtype=torch.float32)
    t = torch.tensor(problem.t_train, dtype=torch.float32)
    params = []
    for layer in start:
        params += [
            torch.tensor(np.asarray(layer["w"]), requires_grad=True),
            torch.tensor(np.asarray(layer["b"]), requires_grad=True),
        ]
    opt = (
        torch.optim.Adam(params, lr=lr)
        if name == "adam"
        else torch.optim.SGD(params, lr=lr, momentum=0.9)
    )

    def loss_fn():
        h = x
        for i in range(0, len(params), 2):
            h = h @ params[i] + params[i + 1]
            if i + 2 < len(params):
                h = torch.tanh(h)
        return torch.nn.functional.binary_cross_entropy_with_logits(h, t)

    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return float(loss_fn())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--lrs", type=int, default=16, help="learning rates (x seeds = configs)")
    parser.add_argument("--seeds", type=int, default=16)
    parser.add_argument(
        "--torch-configs",
        type=int,
        default=16,
        help="configurations torch actually runs (the rest is extrapolated)",
    )
    parser.add_argument("--stepper", default="adam", choices=("adam", "momentum"))
    args = parser.parse_args(argv)
    # the documented settings for speed, as the optbench command makes them for itself
    optbench.configure(cpu_devices="all", compile_loops_whole=True, keep_freed_memory=True)

    import jax
    import torch

    from optbench import networks, steppers

    problem = networks.problem("mlp:16,16:tanh", "spiral:n=256")
    stepper = steppers.get(args.stepper, lr=0.01)
    lr_grid = np.geomspace(1e-3, 1e-1, args.lrs)
    lrs = np.repeat(lr_grid, args.seeds)
    seeds = np.tile(np.arange(args.seeds), args.lrs)
    inits = [problem.initial(None, int(s)) for s in range(args.seeds)]
    starts = jax.tree.map(lambda *xs: np.stack(xs), *[inits[s] for s in seeds])
    n = len(lrs)

    losses, cold, warm = optbench_runs(problem, stepper, lrs, starts, args.steps)
    pick = np.linspace(0, n - 1, min(args.torch_configs, n)).round().astype(int)
    per_config, diffs = [], []
    for i in pick:
        t0 = time.perf_counter()
        final = torch_run(problem, inits[seeds[i]], float(lrs[i]), args.steps, args.stepper)
        per_config.append(time.perf_counter() - t0)
        diffs.append(abs(final - losses[i]))
    torch_total = statistics.median(per_config) * n
    print(
        f"{n} configurations of {problem.model.name} on spiral (256 points), {args.steps} "
        f"full-batch {args.stepper} steps each; jax {jax.__version__}, torch {torch.__version__}, "
        f"torch threads {torch.get_num_threads()}"
    )
    print(
        f"optbench, one vmapped compile: {cold:.2f} s including compilation, "
        f"median warm rerun {statistics.median(warm):.2f} s"
    )
    print(
        f"torch.optim loop: median {statistics.median(per_config) * 1e3:.1f} ms per configuration "
        f"over {len(pick)} timed configurations, extrapolated to {n}: {torch_total:.1f} s"
    )
    print(
        f"speed-up, compile included: {torch_total / cold:.1f}x; warm: "
        f"{torch_total / statistics.median(warm):.1f}x"
    )
    print(f"agreement on the timed configurations: max |final loss difference| = {max(diffs):.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
