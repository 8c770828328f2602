"""256 training runs of an MLP 2-16-16-1 (tanh) on a 256-point spiral, four ways, in one process.

Each configuration is (learning rate, initialization seed): 16 learning rates x 16 seeds, 500
full-batch Adam steps on the binary cross-entropy, from the same initial weights everywhere:

  optbench     ``optbench.sweep(problem, "adam", {"lr": ...}, 500, seeds=16)``: the public API,
               table included (losses recorded every step, divergence checked every step);
  jax          what a JAX user writes: ``jit(vmap(train))`` over the configurations, ``train`` a
               ``lax.scan`` of ``optax.adam`` steps on a hand-written MLP, the loss curve kept;
  torch.func   batched torch: ``torch.func.vmap(torch.func.grad(loss))`` over the stacked weights
               of every configuration (``functional_call``), Adam's update on the stacks;
  torch loop   ``torch.optim.Adam`` one configuration after another, timed on a subset and
               extrapolated per configuration.

Times are medians of ``--repeats`` calls; "cold" is the first call in this process, compilation
included (optbench's and jax's; torch compiles nothing). The final losses are compared.

Run: ``python benchmarks/network_bench.py`` (torch for the torch columns: ``pip install torch``).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import optbench


def timed(fn, repeats: int) -> tuple[object, float, float]:
    """(result, cold seconds, median warm seconds)."""
    t0 = time.perf_counter()
    out = fn()
    cold = time.perf_counter() - t0
    warm = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        warm.append(time.perf_counter() - t0)
    return out, cold, statistics.median(warm)


def optbench_sweep(problem, lrs, seeds, steps):
    res = optbench.sweep(problem, "adam", {"lr": lrs}, steps, seeds, progress=False)
    return res.final_loss  # configuration slowest: lr, then seed


def jax_straightforward(problem, lrs, seeds, steps):
    """What a JAX user writes: vmap over configurations of a scan of optax steps."""
    import jax
    import jax.numpy as jnp
    import optax

    x, t = jnp.asarray(problem.x_train), jnp.asarray(problem.t_train)

    def loss_fn(params):
        h = x
        for i, layer in enumerate(params):
            h = h @ layer["w"] + layer["b"]
            if i + 1 < len(params):
                h = jnp.tanh(h)
        return optax.sigmoid_binary_cross_entropy(h, t).mean()

    def train(lr, params):
        opt = optax.adam(lr)

        def step(carry, _):
            p, s = carry
            loss, g = jax.value_and_grad(loss_fn)(p)
            u, s = opt.update(g, s, p)
            return (optax.apply_updates(p, u), s), loss

        (p, _), curve = jax.lax.scan(step, (params, opt.init(params)), None, length=steps)
        return loss_fn(p), curve

    inits = [problem.initial(None, s) for s in range(seeds)]
    lr = jnp.asarray(np.repeat(lrs, seeds), jnp.float32)
    starts = jax.tree.map(
        lambda *a: jnp.asarray(np.stack(a)), *[inits[i % seeds] for i in range(len(lr))]
    )
    fn = jax.jit(jax.vmap(train))
    return lambda: np.asarray(fn(lr, starts)[0].block_until_ready())


def torch_func(problem, lrs, seeds, steps):
    """Batched torch: vmap(grad) over the stacked weights, Adam on the stacks."""
    import torch
    from torch.func import functional_call, grad, vmap

    net = torch.nn.Sequential(
        torch.nn.Linear(2, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 1),
    )
    x = torch.tensor(problem.x_train, dtype=torch.float32)
    t = torch.tensor(problem.t_train, dtype=torch.float32)
    inits = [problem.initial(None, s) for s in range(seeds)]
    n = len(lrs) * seeds
    names = [f"{i}.{k}" for i in (0, 2, 4) for k in ("weight", "bias")]
    stacks = {}
    for j, name in enumerate(names):
        layer, kind = inits[0][j // 2], "w" if j % 2 == 0 else "b"
        del layer
        stacks[name] = torch.tensor(
            np.stack([np.asarray(inits[i % seeds][j // 2][kind]).T for i in range(n)])
        )
    lr = torch.tensor(np.repeat(lrs, seeds), dtype=torch.float32)

    def loss(params):
        z = functional_call(net, params, (x,))
        return torch.nn.functional.binary_cross_entropy_with_logits(z, t)

    grads = vmap(grad(loss))

    def run():
        p = {k: v.clone() for k, v in stacks.items()}
        m = {k: torch.zeros_like(v) for k, v in p.items()}
        v2 = {k: torch.zeros_like(v) for k, v in p.items()}
        b1, b2, eps = 0.9, 0.999, 1e-8
        with torch.no_grad():
            for step in range(1, steps + 1):
                g = grads(p)
                for k in p:
                    m[k].mul_(b1).add_(g[k], alpha=1 - b1)
                    v2[k].mul_(b2).addcmul_(g[k], g[k], value=1 - b2)
                    mhat = m[k] / (1 - b1**step)
                    vhat = v2[k] / (1 - b2**step)
                    shape = (-1,) + (1,) * (p[k].dim() - 1)
                    p[k] -= lr.view(shape) * mhat / (vhat.sqrt() + eps)
            return vmap(loss)(p).numpy()

    return run


def torch_loop(problem, lr, seed, steps):
    """One configuration with torch.optim.Adam."""
    import torch

    x = torch.tensor(problem.x_train, dtype=torch.float32)
    t = torch.tensor(problem.t_train, dtype=torch.float32)
    params = []
    for layer in problem.initial(None, seed):
        params += [
            torch.tensor(np.asarray(layer["w"]), requires_grad=True),
            torch.tensor(np.asarray(layer["b"]), requires_grad=True),
        ]
    opt = torch.optim.Adam(params, lr=lr)

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
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--torch-configs", type=int, default=8, help="configurations the torch loop times"
    )
    args = parser.parse_args(argv)
    # the documented settings for speed, as the optbench command makes them for itself
    optbench.configure(cpu_devices="all", compile_loops_whole=True, keep_freed_memory=True)
    import jax

    from optbench import networks

    problem = networks.problem("mlp:16,16:tanh", "spiral:n=256")
    lrs = np.geomspace(1e-3, 1e-1, args.lrs)
    n = args.lrs * args.seeds
    print(
        f"{n} configurations ({args.lrs} rates x {args.seeds} seeds) of {problem.model.name} on "
        f"spiral (256 points), {args.steps} full-batch Adam steps each; jax {jax.__version__}, "
        f"{len(jax.devices())} CPU devices; medians of {args.repeats}"
    )
    # what both JAX contenders share, done before either is timed: the process's first JAX
    # call (the backend starts) and the initial weights of every seed
    jax.block_until_ready([problem.initial(None, s) for s in range(args.seeds)])
    ours, o_cold, o_warm = timed(
        lambda: optbench_sweep(problem, lrs, args.seeds, args.steps), args.repeats
    )
    t0 = time.perf_counter()
    plain = jax_straightforward(problem, lrs, args.seeds, args.steps)
    setup = time.perf_counter() - t0  # stacking the weights: part of the baseline's cold time
    theirs, j_cold, j_warm = timed(plain, args.repeats)
    j_cold += setup
    rows = [("optbench.sweep", o_cold, o_warm), ("jax vmap(scan(optax))", j_cold, j_warm)]
    diffs = {"jax": float(np.max(np.abs(ours - theirs)))}
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        batched = torch_func(problem, lrs, args.seeds, args.steps)
        tf_losses, tf_cold, tf_warm = timed(batched, max(1, args.repeats - 2))
        rows.append(("torch.func vmap(grad)", tf_cold, tf_warm))
        diffs["torch.func"] = float(np.max(np.abs(ours - tf_losses.ravel())))
        pick = np.linspace(0, n - 1, min(args.torch_configs, n)).round().astype(int)
        per = []
        for i in pick:
            t0 = time.perf_counter()
            final = torch_loop(
                problem, float(lrs[i // args.seeds]), int(i % args.seeds), args.steps
            )
            per.append(time.perf_counter() - t0)
            diffs["torch loop"] = max(diffs.get("torch loop", 0.0), abs(final - ours[i]))
        loop = statistics.median(per) * n
        rows.append((f"torch.optim loop ({len(pick)} timed, extrapolated)", loop, loop))
    print(f"{'':<42} {'cold s':>8} {'warm s':>8} {'cold ratio':>11} {'warm ratio':>11}")
    for name, cold, warm in rows:
        print(
            f"{name:<42} {cold:>8.2f} {warm:>8.2f} {cold / o_cold:>10.2f}x {warm / o_warm:>10.2f}x"
        )
    print("ratio: that row's time over optbench's (above 1: optbench is faster)")
    print(
        "max |final loss difference| against optbench: "
        + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items())
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
