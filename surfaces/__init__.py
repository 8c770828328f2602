"""Test surfaces: ``get("rosenbrock", b=100)``, ``names()``, and your own ``Surface(fn, ...)``."""

from optbench.surfaces import _benchmarks  # noqa: F401  (registers the benchmark functions)
from optbench.surfaces._catalog import defaults as defaults
from optbench.surfaces._catalog import get as get
from optbench.surfaces._catalog import get_spec as get_spec
from optbench.surfaces._catalog import names as names
from optbench.surfaces._surface import Surface as Surface
from optbench.surfaces._user import load_user_surface as load_user_surface
