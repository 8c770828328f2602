"""Render benchmark: the reference race animation, optbench vs the naive matplotlib route.

Reference animation: 7 paths, 200 frames, 600x600 px, Rosenbrock. optbench draws the background
once, redraws only the moving artists and encodes every frame against one shared palette. The
naive route is what most scripts do: ``FuncAnimation`` updating the lines, redrawing the whole
figure every frame, saved with ``PillowWriter`` (each frame quantized on its own). Both run in the
same process on the same trajectories; we print both times, the ratio and both file sizes.

The 3-D case renders the same race with ``view="3d"`` (the shaded surface drawn once, the
paths riding on it) and, with ``--rotate``, with the camera turning 90 degrees (the surface drawn
afresh every frame); each is timed beside the 2-D render and the ratio printed (target: a still
3-D race in at most 3x the 2-D time).

    python benchmarks/render_bench.py [--repeats 5] [--skip-naive] [--rotate]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np
from matplotlib import animation
from matplotlib.figure import Figure

import optbench
from optbench import render

STEPPERS = [
    "sgd:lr=0.001",
    "momentum:lr=0.001",
    "nesterov:lr=0.001",
    "rmsprop:lr=0.01",
    "rprop:lr=0.01",
    "adam:lr=0.05",
    "adagrad:lr=0.5",
]
FRAMES, FPS, SIZE = 200, 25, 600


def naive(runs, surface, path: str) -> None:
    fig = Figure(figsize=(SIZE / 100, SIZE / 100), dpi=100)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    ax = fig.subplots()
    xs, ys, z = surface.grid(200)
    ax.contourf(xs, ys, np.log10(z + 1e-3), levels=24, cmap="Greys_r")
    lines = [ax.plot([], [], lw=2, label=t.label)[0] for t in runs]
    heads = [ax.plot([], [], "o", color=ln.get_color())[0] for ln in lines]
    ax.legend(loc="upper left", fontsize=8)
    steps = render.frame_steps(runs[0].steps, FRAMES)

    def update(j):
        k = steps[j]
        for t, ln, hd in zip(runs, lines, heads):
            ln.set_data(t.params[: k + 1, 0], t.params[: k + 1, 1])
            hd.set_data([t.params[k, 0]], [t.params[k, 1]])
        return lines + heads

    anim = animation.FuncAnimation(fig, update, frames=len(steps), blit=False)
    anim.save(path, writer=animation.PillowWriter(fps=FPS))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--skip-naive", action="store_true")
    ap.add_argument("--rotate", action="store_true", help="also time a turning 3-D camera")
    args = ap.parse_args()
    # the documented settings for speed, as the optbench command makes them for itself
    optbench.configure(cpu_devices="all", compile_loops_whole=True, keep_freed_memory=True)

    surface = optbench.surfaces.get("rosenbrock")
    runs = optbench.race(surface, STEPPERS, steps=300)
    tmp = tempfile.mkdtemp()
    ours = os.path.join(tmp, "optbench.gif")
    times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        render.animate(runs, surface, ours, fps=FPS, duration=FRAMES / FPS, size=SIZE)
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(
        f"optbench : median {med:.3f} s over {args.repeats} renders "
        f"(min {min(times):.3f}, max {max(times):.3f}), {os.path.getsize(ours) / 1e6:.3f} MB"
    )
    views = [("3d", 0.0)] + ([("3d", 90.0)] if args.rotate else [])
    for view, rotate in views:
        other = os.path.join(tmp, f"optbench-{view}-{rotate:g}.gif")
        times3 = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            render.animate(
                runs,
                surface,
                other,
                fps=FPS,
                duration=FRAMES / FPS,
                size=SIZE,
                view=view,
                rotate=rotate,
            )
            times3.append(time.perf_counter() - t0)
        med3 = statistics.median(times3)
        turn = f", camera turning {rotate:g} degrees" if rotate else ", still camera"
        print(
            f"3-D{turn}: median {med3:.3f} s (min {min(times3):.3f}, max {max(times3):.3f}), "
            f"{os.path.getsize(other) / 1e6:.3f} MB; {med3 / med:.2f}x the 2-D time"
        )
    if args.skip_naive:
        return
    theirs = os.path.join(tmp, "naive.gif")
    t0 = time.perf_counter()
    naive(runs, surface, theirs)
    naive_t = time.perf_counter() - t0
    print(
        f"naive    : {naive_t:.3f} s (FuncAnimation redrawing every frame + PillowWriter), "
        f"{os.path.getsize(theirs) / 1e6:.3f} MB"
    )
    print(f"ratio    : optbench is {naive_t / med:.1f}x faster")


if __name__ == "__main__":
    main()
