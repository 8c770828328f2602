"""Test surfaces: ``optbench.surfaces.get("rosenbrock", b=100)``."""

from optbench.surfaces._catalog import get as get
from optbench.surfaces._catalog import get_spec as get_spec
from optbench.surfaces._catalog import names as names
from optbench.surfaces._surface import Surface as Surface
