"""Shared fixtures. JAX compiles are cached on disk between runs and reused across tests."""

import os

import jax
import pytest

import optbench

# The suite's own process-wide settings, made before any JAX computation: two CPU devices (the
# sharded sweep paths run on any machine) and loops compiled whole, as the command line does.
optbench.configure(cpu_devices=2, compile_loops_whole=True)

# Reuse compiled XLA programs across test processes and runs (module-scope fixtures reuse
# them within one). Every program is kept, even the quick ones: the two workers of a cold run
# share them (35 s less CPU than keeping only those above 0.2 s).
_cache = os.environ.get(
    "OPTBENCH_TEST_JAX_CACHE", os.path.join(os.path.dirname(__file__), "..", ".jax_cache")
)
jax.config.update("jax_compilation_cache_dir", os.path.abspath(_cache))
jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


@pytest.fixture
def x64():
    """Run the test body with JAX's 64-bit mode on (float64 arrays)."""
    with jax.enable_x64(True):
        yield


# Modules whose compiled programs other modules reuse, run first: test_cli_train trains the
# networks of the gallery's logreg_vs_mlp scene and of the networks guide's circles example,
# test_networks the guide's tour, test_cli_sweep the sweeps guide's comparison. Two workers that
# reach one program at the same moment both compile it; run first, it is compiled once and the
# others load it from the cache.
FIRST = ("test_cli_train.py", "test_networks.py", "test_cli_sweep.py")


def pytest_collection_modifyitems(items):
    items.sort(key=lambda item: item.path.name not in FIRST)  # stable: the rest keep their order
