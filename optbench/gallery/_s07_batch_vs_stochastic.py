"""Batch vs minibatch vs stochastic gradient descent on LeCun's two-Gaussian data surface."""

from pathlib import Path

NAME = "batch_vs_stochastic"
TITLE = "Batch, minibatch and stochastic descent on one loss surface (LeCun's experiment)"
CAPTION = (
    "A linear neuron with two weights on LeCun's two-Gaussian set: its full-batch loss is a "
    "2-D surface. Batch descent at 0.95·η_max converges; at 1.05·η_max (η_max = 2/λ_max from the "
    "Hessian) it oscillates with growing amplitude and diverges. Minibatch (10 examples) and "
    "stochastic (1 example) updates with smaller rates wander noisily into the same basin."
)
REPRODUCE = """\
import optbench
from optbench import networks, render
from optbench.analysis import lr_limits
batch = networks.problem("linear", "two_gaussians")
eta_max = lr_limits(batch, method="power").eta_max
surface = batch.surface()
runs = [optbench.run(surface, f"sgd:lr={0.95 * eta_max}", 300),
        optbench.run(surface, f"sgd:lr={1.05 * eta_max}", 300),
        optbench.run(networks.problem("linear", "two_gaussians", batch_size=10).surface(), "sgd:lr=0.1", 300),
        optbench.run(networks.problem("linear", "two_gaussians", batch_size=1).surface(), "sgd:lr=0.1", 300)]
render.animate(runs, surface, "batch_vs_stochastic.gif")
"""  # noqa: E501


def render(out: Path, quick: bool) -> list[Path]:
    import dataclasses

    import optbench
    from optbench import networks, render
    from optbench.analysis import lr_limits

    steps = 30 if quick else 300
    batch = networks.problem("linear", "two_gaussians")
    eta_max = float(lr_limits(batch, method="power").eta_max)
    surface = batch.surface()
    mini = networks.problem("linear", "two_gaussians", batch_size=10).surface()
    online = networks.problem("linear", "two_gaussians", batch_size=1).surface()
    runs = [
        (surface, 0.95 * eta_max, "batch, 0.95·η_max"),
        (surface, 1.05 * eta_max, "batch, 1.05·η_max"),
        (mini, 0.1, "minibatch 10"),
        (online, 0.1, "stochastic (1 example)"),
    ]
    trajectories = []
    for problem, lr, what in runs:
        t = optbench.run(problem, optbench.steppers.sgd(lr), steps)
        trajectories.append(dataclasses.replace(t, label=f"{what}, lr={lr:.3g}"))
    kw = {"fps": 8, "duration": 1, "size": 300} if quick else {"fps": 25, "duration": 8}
    path = render.animate(
        trajectories, surface, out / f"{NAME}.gif", title=f"η_max = 2/λ_max = {eta_max:.3f}", **kw
    )
    return [path]
