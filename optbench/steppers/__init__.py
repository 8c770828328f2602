"""Steppers: optimizers in optax's ``init``/``update`` protocol, with their math in the docstrings.

Every factory returns a :class:`Stepper` (``init(params) -> state``,
``update(grads, state, params=None, **extra) -> (updates, state)``; new params = params + updates),
which drops into any optax loop; any ``optax.GradientTransformation`` works wherever optbench
expects a stepper. ``lr=`` may be a number, a JAX array or a schedule from
:mod:`optbench.steppers.schedules`.

>>> from optbench import steppers
>>> s = steppers.get("adam", lr=0.1)
>>> s.label
'Adam (lr=0.1)'
"""

from . import schedules as schedules
from ._adagrad import adagrad as adagrad
from ._adam import adam as adam
from ._adamw import adamw as adamw
from ._base import Range as Range
from ._base import Stepper as Stepper
from ._registry import defaults as defaults
from ._registry import get as get
from ._registry import hparam_names as hparam_names
from ._registry import names as names
from ._registry import ranges as ranges
from ._registry import register as register
from ._rmsprop import rmsprop as rmsprop
from ._rprop import rprop as rprop
from ._sgd import momentum as momentum
from ._sgd import nesterov as nesterov
from ._sgd import sgd as sgd

for _f in (sgd, momentum, nesterov, rmsprop, rprop, adagrad, adam, adamw):
    register(_f.__name__, _f)
del _f
