"""optbench is a good guest: importing it, running it and loading its pytest plugin change nothing
global in the user's process; the process-wide settings happen only through optbench.configure.

Each check runs in a fresh Python process whose environment has no JAX or XLA settings, records the
process's global state before and after, and compares.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

# The process-wide state a library could change: the environment, JAX's configuration and device
# count, matplotlib's settings (backend included, read without resolving it), the warnings
# filters, the umask, the threads, and whether malloc was told to keep freed memory.
STATE = textwrap.dedent("""
    import json, os, sys, threading, warnings

    def state():
        umask = os.umask(0o022)
        os.umask(umask)
        out = {
            "environ": dict(os.environ),
            "umask": umask,
            "warnings": [repr(f) for f in warnings.filters],
            "threads": sorted(t.name for t in threading.enumerate()),
        }
        if "jax" in sys.modules:
            import jax
            out["jax_config"] = {k: repr(v) for k, v in jax.config.values.items()}
        if "matplotlib" in sys.modules:
            import matplotlib
            out["matplotlib"] = {k: repr(v) for k, v in matplotlib.rcParams.copy().items()}
        if "optbench._memory" in sys.modules:
            out["malloc_keeps_freed_memory"] = sys.modules["optbench._memory"].kept
        return out
""")


def clean_env() -> dict[str, str]:
    """The test process's environment without anything that configures JAX or XLA."""
    drop = ("XLA_FLAGS", "JAX_NUM_CPU_DEVICES", "JAX_PLATFORMS", "JAX_ENABLE_X64")
    return {k: v for k, v in os.environ.items() if k not in drop}


def run_python(code: str, cwd=None) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", STATE + textwrap.dedent(code)],
        env=clean_env(),
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def differences(before: dict, after: dict) -> dict:
    keys = set(before) & set(after)
    diff = {}
    for k in sorted(keys):
        if isinstance(before[k], dict):
            sub = {
                name: (before[k].get(name), after[k].get(name))
                for name in set(before[k]) | set(after[k])
                if before[k].get(name) != after[k].get(name)
            }
            if sub:
                diff[k] = sub
        elif before[k] != after[k]:
            diff[k] = (before[k], after[k])
    return diff


# Each action is what a user's program does with optbench; JAX and matplotlib are imported (and
# JAX started) first, so their state can be read before optbench is imported.
ACTIONS = {
    "import": "import optbench, optbench.testing.plugin",
    "run": "import optbench; optbench.run('rosenbrock', 'adam:lr=0.05', 20)",
    "sweep": (
        "import numpy as np, optbench\n"
        "optbench.sweep('rosenbrock', 'adam', {'lr': np.logspace(-3, 0, 600)}, 20,"
        " keep_trajectories=True)"
    ),
    "race": (
        "import optbench\n"
        "from optbench.cli import main\n"
        "assert main(['race', 'quadratic', 'sgd:lr=0.1', '--steps', '5', '--duration', '0.5',"
        " '--size', '120', '-o', 'out']) == 0\n"
        "assert sorted(os.listdir('out')) == "
        "['convergence.png', 'race.gif', 'run.json', 'trajectories.csv']"
    ),
}


def test_optbench_changes_nothing_global(tmp_path):
    # one process, each action after the other, the state compared after each
    code = "import jax, jax.numpy as jnp, matplotlib\njnp.ones(2).block_until_ready()\n"
    code += "before, seen = state(), {}\n"
    for name, action in ACTIONS.items():
        code += action + f"\nseen[{name!r}] = [state(), jax.device_count()]\n"
    got = run_python(code + "print(json.dumps([before, seen]))", cwd=tmp_path)
    before, seen = got
    for name, (after, devices) in seen.items():
        assert (name, differences(before, after)) == (name, {})
        assert (name, devices) == (name, 1)
        assert after.get("malloc_keeps_freed_memory", False) is False


def test_files_get_the_umask_permissions_of_any_new_file(tmp_path):
    got = run_python(
        """
        os.umask(0o027)
        from optbench._io import write_text
        write_text("a.txt", "x")
        open("b.txt", "w").close()
        print(json.dumps([os.stat("a.txt").st_mode & 0o777, os.stat("b.txt").st_mode & 0o777,
                          sorted(os.listdir("."))]))
        """,
        cwd=tmp_path,
    )
    assert got == [0o640, 0o640, ["a.txt", "b.txt"]]


def test_importing_optbench_before_jax_leaves_jax_as_the_user_would_have_it(tmp_path):
    got = run_python(
        """
        import optbench
        import jax
        print(json.dumps([jax.device_count(), os.environ.get("XLA_FLAGS"),
                          "jax" in sys.modules]))
        """,
    )
    assert got == [1, None, True]


def test_the_pytest_plugin_in_an_unrelated_project_changes_nothing(tmp_path):
    # a one-test project that never imports optbench; pytest loads optbench's plugin through its
    # entry point. What the test sees must be what it sees with the plugin turned off.
    (tmp_path / "test_unrelated.py").write_text(
        textwrap.dedent("""
            import json, os, sys

            def test_sees(request):
                import jax
                seen = {
                    "XLA_FLAGS": os.environ.get("XLA_FLAGS"),
                    "JAX_NUM_CPU_DEVICES": os.environ.get("JAX_NUM_CPU_DEVICES"),
                    "devices": jax.device_count(),
                    "plugin": request.config.pluginmanager.has_plugin("optbench"),
                    "modules": sorted(m for m in sys.modules if m.startswith(("jax", "matplotlib"))
                                      and "." not in m),
                }
                with open(os.environ["SEEN"], "w") as f:
                    json.dump(seen, f)
        """)
    )
    seen = []
    # hypothesis's plugin (from the test extra) is off in both runs: it is not what is compared,
    # and importing it is a second of each run
    quiet = ["-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest"]
    for flags in ([], ["-p", "no:optbench"]):
        path = tmp_path / f"seen{len(seen)}.json"
        out = subprocess.run(
            [sys.executable, "-m", "pytest", *quiet, *flags],
            cwd=tmp_path,
            env={**clean_env(), "SEEN": str(path)},
            capture_output=True,
            text=True,
        )
        assert out.returncode == 0, out.stdout + out.stderr
        seen.append(json.loads(path.read_text()))
    with_plugin, without = seen
    assert with_plugin.pop("plugin") is True and without.pop("plugin") is False
    assert with_plugin == without
    assert with_plugin["XLA_FLAGS"] is None and with_plugin["devices"] == 1
    assert "matplotlib" not in with_plugin["modules"]  # the plugin imports no matplotlib


def test_configure_says_what_it_changed_and_refuses_once_jax_runs():
    got = run_python(
        """
        import optbench
        from optbench import OptbenchError
        first = optbench.configure(cpu_devices=2, compile_loops_whole=True)
        import jax
        n = jax.device_count()
        again = optbench.configure(cpu_devices=2, compile_loops_whole=True)  # already so: fine
        errors = []
        for kwargs in ({"cpu_devices": 1}, {"compile_loops_whole": False}, {"cpu_devices": 0}):
            try:
                optbench.configure(**kwargs)
            except OptbenchError as err:
                errors.append(str(err))
        print(json.dumps([first, n, again, os.environ["XLA_FLAGS"], errors]))
        """
    )
    first, n, again, flags, errors = got
    assert (
        first
        == again
        == {
            "cpu_devices": 2,
            "compile_loops_whole": True,
            "keep_freed_memory": False,
        }
    )
    assert n == 2
    assert flags == (
        "--xla_backend_extra_options=xla_cpu_small_while_loop_byte_threshold=1000000000"
    )
    assert errors == [
        "`cpu_devices` (=1): JAX has already started with 2 CPU devices; call "
        "optbench.configure() before the first JAX computation (right after the imports).",
        "`compile_loops_whole` (=False): JAX has already created its CPU backend, which read "
        "XLA_FLAGS then; call optbench.configure() before the first JAX computation.",
        '`cpu_devices` (=0) must be "all" or a positive integer.',
    ]


def test_configure_leaves_backend_options_of_the_users_own_alone():
    got = run_python(
        """
        os.environ["XLA_FLAGS"] = "--xla_backend_extra_options=xla_cpu_x=1"
        import optbench
        from optbench import OptbenchError
        try:
            optbench.configure(compile_loops_whole=True)
        except OptbenchError as err:
            print(json.dumps([str(err), os.environ["XLA_FLAGS"]]))
        """
    )
    assert got == [
        "`compile_loops_whole=True`: XLA_FLAGS (='--xla_backend_extra_options=xla_cpu_x=1') "
        "already sets --xla_backend_extra_options; add "
        "xla_cpu_small_while_loop_byte_threshold=1000000000 to its comma-separated list "
        "yourself.",
        "--xla_backend_extra_options=xla_cpu_x=1",
    ]


def test_the_command_line_configures_its_own_process(tmp_path):
    code = (
        "import sys, jax; from optbench.cli import main; import optbench._config as c;"
        "main(['list'], configure_process=True); from optbench import _memory;"
        "print(jax.device_count(), c.loops_compiled_whole(), _memory.kept, file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=clean_env(), capture_output=True, text=True, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr
    from optbench._config import cores

    assert out.stderr.split() == [str(cores()), "True", str(sys.platform == "linux")]
