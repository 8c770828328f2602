"""``optbench.configure``: the process-wide speed settings, made only when asked for.

Importing optbench changes nothing in the process. Three settings make sweeps on a CPU faster
(a recorded sweep of 10,000 runs about 2.6 times on two cores; the manual's performance page has
the figures), and all are process-wide, so they are an explicit call: the ``optbench`` command
makes it for its own process, a library user makes it once, before the first JAX computation.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from . import _memory
from ._errors import OptbenchError

# XLA:CPU compiles a ``while`` loop whose buffers (loop state and stacked outputs) add up to at
# most this many bytes into one kernel; bigger loops run op by op. 1 kB is XLA's default.
WHOLE_LOOP_BYTES = 1_000_000_000
LOOP_OPTION = f"xla_cpu_small_while_loop_byte_threshold={WHOLE_LOOP_BYTES}"
_EXTRA = "--xla_backend_extra_options"


def cores() -> int:
    """The CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _jax_started() -> bool:
    """Whether JAX has created its backends (after which device counts and XLA flags are fixed).

    JAX refuses a change of ``jax_num_cpu_devices`` once its backends exist (through its public
    config API); a change made before that is undone at once, so the probe has no effect.
    """
    if "jax" not in sys.modules:
        return False
    import jax

    old = jax.config.jax_num_cpu_devices
    try:
        jax.config.update("jax_num_cpu_devices", old + 1 if old > 0 else 2)
    except RuntimeError:
        return True
    jax.config.update("jax_num_cpu_devices", old)
    return False


def loops_compiled_whole() -> bool:
    """Whether ``XLA_FLAGS`` asks XLA:CPU to compile optimizer loops into one kernel."""
    return LOOP_OPTION in os.environ.get("XLA_FLAGS", "")


def configure(
    *,
    cpu_devices: int | str | None = None,
    compile_loops_whole: bool | None = None,
    keep_freed_memory: bool | None = None,
) -> dict[str, Any]:
    """Make the process-wide settings that speed up sweeps on a CPU; return what is in effect.

    Importing optbench changes nothing in your process. These settings are yours to make, once,
    before your program's first JAX computation (the ``optbench`` command makes all three for its
    own process)::

        import optbench
        optbench.configure(cpu_devices="all", compile_loops_whole=True, keep_freed_memory=True)

    ``benchmarks/sweep_bench.py`` measures a sweep with and without them.

    Args:
      cpu_devices: ``"all"`` (one JAX CPU device per core this process may use) or a count. A
        sweep splits its runs over ``jax.devices()``; XLA runs one computation's elementwise loops
        on one core, so with one device a sweep uses one core. Sets JAX's ``jax_num_cpu_devices``
        option, which JAX reads when it creates its backends. Single runs stay on the first
        device. On a machine with a GPU, JAX's default device is the GPU and this only adds CPU
        devices.
      compile_loops_whole: add ``--xla_backend_extra_options=`` with
        ``xla_cpu_small_while_loop_byte_threshold=1000000000`` to the ``XLA_FLAGS`` environment
        variable. By default XLA:CPU runs a loop with more than 1 kB of state as a sequence of
        separately dispatched kernels, a dozen or more per step of a vectorized optimizer step;
        with the option it compiles each ``lax.scan`` into one kernel. Results are bit for bit the
        same, and a sweep's compiled call is faster. XLA reads the flag when JAX creates its CPU
        backend, and child processes inherit it through the environment. Refused when
        ``XLA_FLAGS`` already has ``--xla_backend_extra_options`` (yours: merge the option in
        yourself).
      keep_freed_memory: keep freed memory for reuse: glibc's malloc keeps freed large blocks
        (``mallopt(M_MMAP_MAX, 0)`` and ``mallopt(M_TRIM_THRESHOLD, 2**31 - 1)``), so the next
        sweep's host copies reuse pages that are already mapped instead of having new ones zeroed
        by the kernel; and the device buffers a sweep records into are kept for the next sweep of
        the same shape (at most four), which writes into them in place. The process's resident
        size then stays at its peak until it exits. Linux with glibc only (refused elsewhere); it
        cannot be undone.

    ``None`` leaves a setting as it is. Device count and loop compilation are fixed once JAX has
    created its backends (its first computation, or ``jax.devices()``): asking for a change after
    that raises :class:`~optbench.OptbenchError`; asking for what is already in effect does not.

    Returns:
      ``{"cpu_devices": int, "compile_loops_whole": bool, "keep_freed_memory": bool}``, the
      settings in effect (the device count as JAX will create it).
    """
    started = _jax_started()
    if cpu_devices is not None:
        _set_cpu_devices(cpu_devices, started)
    if compile_loops_whole is not None:
        _set_whole_loops(bool(compile_loops_whole), started)
    if keep_freed_memory is not None:
        if keep_freed_memory and not _memory.keep_freed_memory():
            raise OptbenchError(
                "`keep_freed_memory=True` needs glibc's malloc (Linux); this process has none."
            )
        if not keep_freed_memory and _memory.kept:
            raise OptbenchError(
                "`keep_freed_memory=False`: malloc was already told to keep freed memory in this "
                "process, and that cannot be undone."
            )
    return settings()


def settings() -> dict[str, Any]:
    """The process-wide settings :func:`configure` makes, as they are now."""
    return {
        "cpu_devices": _device_count(),
        "compile_loops_whole": loops_compiled_whole(),
        "keep_freed_memory": _memory.kept,
    }


def _device_count() -> int:
    if "jax" in sys.modules:
        import jax

        if _jax_started():
            return len(jax.devices("cpu"))
        n = jax.config.jax_num_cpu_devices
        if n > 0:
            return int(n)
    n = os.environ.get("JAX_NUM_CPU_DEVICES", "")
    if n.isdigit() and int(n) > 0:
        return int(n)
    flags = os.environ.get("XLA_FLAGS", "")
    for flag in flags.split():
        if flag.startswith("--xla_force_host_platform_device_count="):
            value = flag.split("=", 1)[1]
            if value.isdigit():
                return int(value)
    return 1


def _set_cpu_devices(cpu_devices: int | str, started: bool) -> None:
    if cpu_devices == "all":
        n = cores()
    elif isinstance(cpu_devices, int) and not isinstance(cpu_devices, bool) and cpu_devices >= 1:
        n = cpu_devices
    else:
        raise OptbenchError(
            f'`cpu_devices` (={cpu_devices!r}) must be "all" or a positive integer.'
        )
    if started:
        import jax

        have = len(jax.devices("cpu"))
        if have != n:
            asked = f"{cpu_devices!r}, {n} cores" if cpu_devices == "all" else f"{n}"
            raise OptbenchError(
                f"`cpu_devices` (={asked}): JAX has already started with {have} CPU "
                f"device{'s' if have != 1 else ''}; call optbench.configure() before the first "
                "JAX computation (right after the imports)."
            )
        return
    import jax

    jax.config.update("jax_num_cpu_devices", n)


def _set_whole_loops(on: bool, started: bool) -> None:
    if on == loops_compiled_whole():
        return
    flags = os.environ.get("XLA_FLAGS", "")
    if started:
        raise OptbenchError(
            f"`compile_loops_whole` (={on!r}): JAX has already created its CPU backend, which "
            "read XLA_FLAGS then; call optbench.configure() before the first JAX computation."
        )
    if not on:
        kept = [f for f in flags.split() if f != f"{_EXTRA}={LOOP_OPTION}"]
        if kept == flags.split():
            raise OptbenchError(
                "`compile_loops_whole=False`: XLA_FLAGS asks for it in a form optbench did not "
                f"write ({flags!r}); edit XLA_FLAGS yourself."
            )
        os.environ["XLA_FLAGS"] = " ".join(kept)
        return
    if _EXTRA in flags:
        raise OptbenchError(
            f"`compile_loops_whole=True`: XLA_FLAGS (={flags!r}) already sets {_EXTRA}; add "
            f"{LOOP_OPTION} to its comma-separated list yourself."
        )
    os.environ["XLA_FLAGS"] = f"{flags} {_EXTRA}={LOOP_OPTION}".strip()


def configure_command_line() -> None:
    """The settings the ``optbench`` command makes for its own process.

    Every core, whole loops and freed memory kept, except where the user's environment already
    decides: a device count in ``JAX_NUM_CPU_DEVICES`` or ``XLA_FLAGS``, XLA backend options of
    their own, or ``OPTBENCH_KEEP_MEMORY=0``.
    """
    flags = os.environ.get("XLA_FLAGS", "")
    devices = None
    if "JAX_NUM_CPU_DEVICES" not in os.environ and "device_count" not in flags:
        devices = "all"
    whole = None if _EXTRA in flags else True
    memory = None
    if os.environ.get("OPTBENCH_KEEP_MEMORY", "1") != "0" and sys.platform.startswith("linux"):
        memory = True
    try:
        configure(cpu_devices=devices, compile_loops_whole=whole, keep_freed_memory=memory)
    except OptbenchError:
        pass  # main() called inside a process whose JAX already runs: use it as it is
