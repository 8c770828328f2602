"""Explorer benchmark: the static page's build time and size, and the live server's answer times.

Static page: ``optbench explore rosenbrock -o FILE`` (3 steppers: sgd at 0.5 eta_max, momentum,
Adam; 200 steps; a 9 x 9 start grid; 9,882 runs), run cold as a fresh process each time, as a
lecturer runs it; the median wall time of ``--repeats`` runs and the file's size. Targets: at most
10 s on 2 cores and 5 MB. The baseline is the obvious route to the same data, one
``optbench.race`` per start and slider position: a sample of those races is timed in one warm
process and scaled to the page's count; the ratio is baseline / optbench's whole cold build.

Live page: a server (``optbench explore --serve``, in this process) answers 100 requests after
warm-up, each a new start and new slider positions for the 3 steppers, sent over HTTP as the page
sends them; median and 95th percentile. Target: median at most 50 ms.

    python benchmarks/explore_bench.py [--repeats 3] [--requests 100]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import numpy as np

import optbench
from optbench.cli._explore import default_steppers
from optbench.explorer import Explorer
from optbench.explorer._serve import address, make_server

SURFACE = "rosenbrock"


def build_times(repeats: int) -> tuple[list[float], int]:
    times, size = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "explore.html")
        for _ in range(repeats):
            t = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "optbench", "explore", SURFACE, "-o", out],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            times.append(time.perf_counter() - t)
            size = os.path.getsize(out)
    return times, size


def baseline_per_race(specs: list[str], sample: int = 60) -> tuple[float, int]:
    """Seconds per ``optbench.race`` of one stepper at one grid point (warm), and the page's
    number of runs."""
    ex = Explorer(SURFACE, specs)
    count = sum(
        len(ex.nodes) * len(lane.lr.values) * (len(lane.second.values) if lane.second else 1)
        for lane in ex.lanes
    )
    rng = np.random.default_rng(0)
    picks = []
    for _ in range(sample):
        lane = ex.lanes[rng.integers(len(ex.lanes))]
        i = int(rng.integers(len(lane.lr.values)))
        j = int(rng.integers(len(lane.second.values))) if lane.second else None
        picks.append((lane, i, j, ex.nodes[rng.integers(len(ex.nodes))]))
    for lane in ex.lanes:  # compile each stepper's run first
        optbench.race(SURFACE, [ex.stepper(lane, lane.lr.index, None, ex.surface.start)], 200)
    t = time.perf_counter()
    for lane, i, j, node in picks:
        optbench.race(SURFACE, [ex.stepper(lane, i, j, node)], 200, start=node)
    return (time.perf_counter() - t) / sample, count


def live_times(specs: list[str], requests: int) -> list[float]:
    ex = Explorer(SURFACE, specs, steps=200, live=True)
    server = make_server(ex, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = address(server) + "run"
    rng = np.random.default_rng(1)
    b = ex.surface.bounds

    def ask() -> float:
        lanes = []
        for lane in ex.lanes:
            pick = {"i": int(rng.integers(len(lane.lr.values)))}
            if lane.second:
                pick["j"] = int(rng.integers(len(lane.second.values)))
            lanes.append(pick)
        start = [float(rng.uniform(*b[0])), float(rng.uniform(*b[1]))]
        body = json.dumps({"start": start, "lanes": lanes}).encode()
        req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
        t = time.perf_counter()
        with urllib.request.urlopen(req) as r:
            json.loads(r.read())
        return time.perf_counter() - t

    try:
        for _ in range(10):  # warm-up
            ask()
        return [ask() for _ in range(requests)]
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--requests", type=int, default=100)
    args = ap.parse_args()
    specs = default_steppers(optbench.surfaces.get_spec(SURFACE))
    print(f"steppers: {' '.join(specs)}; cores: {os.cpu_count()}")

    times, size = build_times(args.repeats)
    build = statistics.median(times)
    per, count = baseline_per_race(specs)
    print(
        f"static page build (cold process): median {build:.2f} s of {[round(t, 2) for t in times]}"
    )
    print(f"  size {size / 1e6:.2f} MB ({count} runs)   targets: <= 10 s, <= 5 MB")
    print(
        f"  baseline, one optbench.race per run: {per * 1e3:.2f} ms x {count} = {per * count:.1f} s"
        f"   ratio baseline / optbench: {per * count / build:.1f}x"
    )
    live = np.asarray(live_times(specs, args.requests)) * 1e3
    med, p95 = float(np.median(live)), float(np.percentile(live, 95))
    print(
        f"live answers ({args.requests} requests, 3 steppers x 200 steps): median {med:.1f} ms, "
        f"95th percentile {p95:.1f} ms   target: median <= 50 ms ({50 / med:.1f}x under)"
    )


if __name__ == "__main__":
    main()
