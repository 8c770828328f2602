"""The ``optbench`` command line: ``main(argv) -> int``, testable in-process.

Each subcommand is a small module ``optbench.cli._<name>`` with ``add_arguments(parser)`` and
``run(args) -> int``. Those modules import JAX and matplotlib only inside ``run``, so
``optbench --help`` stays fast. User mistakes print one line, ``optbench: error: ...``, and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence

from optbench import __version__
from optbench._errors import OptbenchError, closest
from optbench.cli._toml import allow_config
from optbench.cli._toml import apply as apply_config

# name -> (module, one-line help); the order is the order of `optbench --help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "race": ("optbench.cli._race", "race steppers on a surface and render the animation and plots"),
    "list": ("optbench.cli._list", "list the surfaces, steppers and networks"),
    "lr": ("optbench.cli._lr", "Hessian eigenvalues and LeCun's eta_opt / eta_max at a point"),
    "train": (
        "optbench.cli._train",
        "train a small network on a data set and draw what it learned",
    ),
    "check": ("optbench.cli._check", "check one optimizer against another, step by step"),
    "explore": (
        "optbench.cli._explore",
        "an interactive page: move the start and the learning rates, see the steppers answer",
    ),
    "sweep": ("optbench.cli._sweep", "run a hyperparameter grid x seeds in one compiled call"),
    "compare": (
        "optbench.cli._compare",
        "compare tuned steppers from a TOML file; write report.md",
    ),
    "gallery": (
        "optbench.cli._gallery",
        "regenerate the lecture gallery (every scene, or --only some)",
    ),
}


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is an OptbenchError: one line, exit status 2."""

    def error(self, message: str):  # type: ignore[override]
        m = re.match(r"argument (\S+): invalid choice: '(.*)' \(choose from (.*)\)$", message)
        if m:  # the close match first, then what is allowed
            choices = re.findall(r"'([^']*)'", m[3]) or [c.strip() for c in m[3].split(",")]
            hint = closest(m[2], choices)
            did = f"; did you mean {hint!r}?" if hint else "."
            message = f"argument {m[1]}: invalid choice {m[2]!r}{did} Known: {', '.join(choices)}."
        raise OptbenchError(message[0].lower() + message[1:] if message else message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="optbench",
        description="Optimizer benchmarking and visualization: race steppers on test surfaces and "
        "networks, sweep hyperparameters, regression-test optimizer math.",
    )
    parser.add_argument("--version", action="version", version=f"optbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    parser.commands = {}
    for name, (module, help_) in COMMANDS.items():
        p = sub.add_parser(name, help=help_, description=help_[0].upper() + help_[1:] + ".")
        command = importlib.import_module(module)
        command.add_arguments(p)
        if getattr(command, "TAKES_CONFIG", False):
            allow_config(p)
        parser.commands[name] = p
    return parser


def parse(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    """The arguments of ``argv``. A subcommand's positional arguments may come before, between or
    after its options (``race quadratic --steps 50 sgd adam``), as with most commands."""
    if argv and argv[0] in parser.commands:
        args = parser.commands[argv[0]].parse_intermixed_args(argv[1:])
        args.command = argv[0]
        return args
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, *, configure_process: bool = False) -> int:
    """Run the command line with ``argv`` (``sys.argv[1:]`` if None); return the exit status.

    ``configure_process``: make the process-wide speed settings first
    (:func:`optbench._config.configure_command_line`), as the ``optbench`` command does for its
    own process. Called in-process (tests, notebooks) it leaves the process as it is.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parse(parser, argv)
        if args.command is None:
            parser.print_help()
            return 0
        args = apply_config(parser, parser.commands[args.command], argv, args)
        args.argv = list(argv)  # a command that starts copies of itself (sweep --processes)
        if configure_process:
            from optbench._config import configure_command_line

            configure_command_line()
        module = importlib.import_module(COMMANDS[args.command][0])
        from optbench import _interrupts
        from optbench._io import outputs

        # every file at the end or none; Ctrl-C and SIGTERM stop it, even where swallowed
        with _interrupts.handled(), outputs():
            status = int(module.run(args) or 0)
            _interrupts.check()
        return status
    except OptbenchError as err:
        print(f"optbench: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:
        signum = getattr(err, "signum", 2)
        print("optbench: terminated" if signum == 15 else "optbench: interrupted", file=sys.stderr)
        return 128 + signum


def console_main() -> None:
    """The ``optbench`` command: :func:`main` in a process of its own, configured for speed.

    Stopped by a signal, it leaves at once with ``128 + signal`` once its message is out: its
    files are already rolled back, and the interpreter's own shutdown could meet JAX's threads
    mid-computation (a crash instead of the status)."""
    status = main(configure_process=True)
    if status > 128:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)
    sys.exit(status)
