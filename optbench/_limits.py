"""Bounds on counts a user gives, checked before anything is allocated; no JAX imported here."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._errors import OptbenchError

MAX_STEPS = 10_000_000  # a recorded run of a 2-D surface at this length takes 0.6 GB
MAX_SEED = 2**32 - 1  # JAX's PRNG keys hold 32-bit seeds


def check_steps(steps: Any, what: str = "steps") -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps <= 0:
        raise OptbenchError(f"`{what}` (={steps!r}) must be a positive integer.")
    if steps > MAX_STEPS:
        raise OptbenchError(
            f"`{what}` (={steps!r}) must be at most {MAX_STEPS:,}: every step is recorded."
        )
    return int(steps)


def check_seed(seed: Any, what: str = "key") -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise OptbenchError(f"`{what}` (={seed!r}) must be an integer seed from 0 to {MAX_SEED}.")
    if seed > MAX_SEED:
        raise OptbenchError(f"`{what}` (={seed!r}) must be an integer seed from 0 to {MAX_SEED}.")
    return int(seed)
