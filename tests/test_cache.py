"""Compiled runs are cached by value, the most recently used few: equal transforms share a compile,
different ones never do, and the cache does not grow without bound."""

from __future__ import annotations

import numpy as np
import pytest

import optbench
from optbench._cache import CompileCache, Unkeyable, value_key

optax = pytest.importorskip("optax")


def test_equal_optax_transforms_share_one_compiled_run():
    from optbench._run import _COMPILED

    before = len(_COMPILED)
    runs = [optbench.run("rosenbrock", optax.adam(0.1), 7) for _ in range(3)]
    assert len(_COMPILED) == before + 1
    np.testing.assert_array_equal(runs[0].params, runs[2].params)
    other = optbench.run("rosenbrock", optax.adam(0.2), 7)  # the rate is compiled into optax's
    assert len(_COMPILED) == before + 2
    assert not np.array_equal(other.params, runs[0].params)


def test_value_keys_tell_what_differs_and_only_that():
    assert value_key(optax.adam(0.1)) == value_key(optax.adam(0.1))
    assert value_key(optax.adam(0.1)) != value_key(optax.adam(0.1, b1=0.8))
    assert value_key(optax.adam(0.1)) != value_key(optax.sgd(0.1))
    assert value_key(1) != value_key(1.0) != value_key(True)
    assert value_key(float("nan")) == value_key(float("nan"))
    assert value_key(np.float32(0.5)) != value_key(np.float64(0.5))
    assert value_key(np.arange(3.0)) == value_key(np.arange(3.0))
    assert value_key(np.arange(3.0)) != value_key(np.arange(3.0) + 1e-12)

    def scaled(c):
        return lambda x: c * x

    assert value_key(scaled(2.0)) == value_key(scaled(2.0))
    assert value_key(scaled(2.0)) != value_key(scaled(3.0))


RATE = 0.5


def test_a_closure_keys_the_module_values_it_reads(monkeypatch):
    def make():
        return lambda x: RATE * x

    key = value_key(make())
    monkeypatch.setattr(__import__(__name__), "RATE", 0.25)
    assert value_key(make()) != key  # never a stale compile for a changed global


def test_unkeyable_values_are_compiled_for_the_call_only():
    cache = CompileCache(4)
    with pytest.raises(Unkeyable):
        value_key(bytearray(b"a"))  # mutable, unhashable
    made = [cache.get(("x", [bytearray(b"a")]), lambda: object()) for _ in range(2)]
    assert made[0] is not made[1] and len(cache) == 0


def test_the_least_recently_used_entry_goes_first():
    cache = CompileCache(2)
    a = cache.get("a", object)
    cache.get("b", object)
    assert cache.get("a", object) is a  # "a" used: "b" is now the oldest
    cache.get("c", object)
    assert [parts for parts, _ in cache.items()] == ["a", "c"]
    assert cache.get("b", object) is not None and len(cache) == 2
