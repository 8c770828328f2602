"""Renderers: trajectories (NumPy) in, animations and plots out. Never imports JAX.

>>> import optbench
>>> from optbench import render
>>> runs = optbench.race("rosenbrock", ["sgd:lr=0.001", "adam:lr=0.05"], steps=300)
>>> render.animate(runs, optbench.surfaces.get("rosenbrock"), "race.gif")   # doctest: +SKIP
"""

from optbench.render._animate import animate as animate
from optbench.render._animate import frame_steps as frame_steps
from optbench.render._convergence import convergence as convergence
from optbench.render._files import read_trajectories_csv as read_trajectories_csv
from optbench.render._files import run_record as run_record
from optbench.render._files import trajectories_csv as trajectories_csv
from optbench.render._gif import gif_delay_ms as gif_delay_ms
from optbench.render._gif import write_gif as write_gif
from optbench.render._state import state_plot as state_plot
from optbench.render._style import PALETTE as PALETTE
from optbench.render._style import TEXT as TEXT
from optbench.render._style import THEMES as THEMES
