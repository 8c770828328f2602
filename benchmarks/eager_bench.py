"""Eager benchmark: what running torch.optim step by step costs against a compiled run.

A ``torch.optim.NAME:...`` spec runs on a surface one step at a time: JAX computes each gradient
(jitted), torch applies the update, and the iterate crosses between the two every step. An
optbench stepper runs the whole loop as one compiled ``lax.scan``. Both run Adam (lr=0.05) for
300 steps on Rosenbrock in this process, after a warm-up call each; we print the medians and the
ratio, and the largest difference between the two paths (float32).

    python benchmarks/eager_bench.py [--repeats 5] [--steps 300]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import optbench


def median_time(spec: str, steps: int, repeats: int) -> tuple[float, object]:
    t = optbench.run("rosenbrock", spec, steps)  # compile / warm up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        t = optbench.run("rosenbrock", spec, steps)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=300)
    args = ap.parse_args()
    optbench.configure(compile_loops_whole=True)
    eager, a = median_time("torch.optim.Adam:lr=0.05", args.steps, args.repeats)
    compiled, b = median_time("adam:lr=0.05", args.steps, args.repeats)
    print(
        f"torch.optim.Adam, eager   : {eager * 1e3:8.1f} ms  "
        f"({eager / args.steps * 1e6:.0f} us/step)"
    )
    print(f"optbench adam, compiled   : {compiled * 1e3:8.1f} ms")
    print(f"eager / compiled          : {eager / compiled:8.1f}x slower")
    print(f"largest |difference|      : {np.max(np.abs(a.params - b.params)):.2e}")


if __name__ == "__main__":
    main()
