"""A network with exactly two parameters as a :class:`~optbench.surfaces.Surface`.

The contour is the full-batch training loss :math:`E(w_1, w_2)`; the gradient a stepper sees is the
problem's own (full batch, minibatch or single example), so batch, minibatch and stochastic descent
race on one picture. This is LeCun et al.'s setting in Efficient BackProp §5 (a linear neuron with
two weights on two Gaussian classes).
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import jax
import numpy as np
from jax.flatten_util import ravel_pytree
from optbench.surfaces import Surface

from optbench._errors import OptbenchError


class DataSurface(Surface):
    """``problem`` seen as a function of its two parameters (see the module docstring)."""

    def __init__(self, problem: Any, *, bounds: Any, start: Any):
        template = problem.initial()
        flat, unravel = ravel_pytree(template)
        if flat.size != 2:
            raise OptbenchError(
                f"`model` ({problem.model.name}) has {flat.size} parameters; only a model with "
                "exactly two (e.g. 'linear' or 'logistic:bias=false' on two_gaussians) is a "
                "surface."
            )
        self.problem, self._unravel = problem, unravel
        super().__init__(
            lambda w: problem.value(unravel(w)),
            bounds=bounds,
            start=start,
            name=f"{problem.data.name} ({problem.model.name})",
            params={"problem": repr(problem)},
        )

    @property
    def uses_key(self) -> bool:
        return self.problem.uses_key

    def loss_and_grad(self, x: jax.Array, step: jax.Array, key: jax.Array) -> tuple[Any, Any]:
        loss, grads = self.problem.loss_and_grad(self._unravel(x), step, key)
        return loss, ravel_pytree(grads)[0]

    def params_of(self, x: Any) -> Any:
        """The network parameters at point ``x``."""
        return jax.tree.map(np.asarray, self._unravel(np.asarray(x, np.float32)))

    def cache_key(self) -> Hashable:
        return ("data_surface", self.problem.cache_key())

    def describe(self) -> dict[str, Any]:
        return {**self.problem.describe(), "kind": "data_surface"}
