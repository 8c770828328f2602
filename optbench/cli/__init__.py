"""The ``optbench`` command line: ``main(argv) -> int``, testable in-process.

Each subcommand is a small module ``optbench.cli._<name>`` with ``add_arguments(parser)`` and
``run(args) -> int``. Those modules import JAX and matplotlib only inside ``run``, so
``optbench --help`` stays fast. User mistakes print one line, ``optbench: error: ...``, and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from optbench import __version__
from optbench._errors import OptbenchError
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


def main(argv: Sequence[str] | None = None, *, configure_process: bool = False) -> int:
    """Run the command line with ``argv`` (``sys.argv[1:]`` if None); return the exit status.

    ``configure_process``: make the process-wide speed settings first
    (:func:`optbench._config.configure_command_line`), as the ``optbench`` command does for its
    own process. Called in-process (tests, notebooks) it leaves the process as it is.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return 0
        args = apply_config(parser, parser.commands[args.command], argv, args)
        if configure_process:
            from optbench._config import configure_command_line

            configure_command_line()
        module = importlib.import_module(COMMANDS[args.command][0])
        return int(module.run(args) or 0)
    except OptbenchError as err:
        print(f"optbench: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("optbench: interrupted", file=sys.stderr)
        return 130


def console_main() -> None:
    """The ``optbench`` command: :func:`main` in a process of its own, configured for speed."""
    sys.exit(main(configure_process=True))
