"""Steppers: optimizers in optax's ``init``/``update`` protocol, with their math in the docstrings.

>>> from optbench import steppers
>>> s = steppers.get("adam", lr=0.1)
"""

from ._base import Stepper as Stepper
from ._registry import defaults as defaults
from ._registry import get as get
from ._registry import hparam_names as hparam_names
from ._registry import names as names
from ._registry import register as register
from ._sgd import momentum as momentum
from ._sgd import nesterov as nesterov
from ._sgd import sgd as sgd

for _f in (sgd, momentum, nesterov):
    register(_f.__name__, _f)
del _f
