"""The command-line reference, generated from the parser so it cannot drift.

``python -m optbench.cli._reference`` prints it; the manual's ``docs/cli.md`` is written from
:func:`markdown` each time the manual is built (``docs/_ext/cli_reference.py``).
"""

from __future__ import annotations

import os
from unittest import mock


def markdown() -> str:
    """Every subcommand's ``--help``, at a fixed width of 100 columns, as Markdown.

    The top-level help comes first, then one second-level section per subcommand.
    """
    from optbench.cli import COMMANDS, build_parser

    with mock.patch.dict(os.environ, {"COLUMNS": "100"}):
        parser = build_parser()
        sub = next(a for a in parser._actions if a.dest == "command")
        parts = ["```text", parser.format_help().rstrip(), "```"]
        for name in COMMANDS:
            parts += [
                "",
                f"## `optbench {name}`",
                "",
                "```text",
                sub.choices[name].format_help().rstrip(),
                "```",
            ]
    return "\n".join(parts) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
