"""The README's command-line reference, generated from the parser so it cannot drift.

``python -m optbench.cli._reference`` prints it; ``tests/test_readme.py`` checks the README against it.
"""

from __future__ import annotations

import os
from unittest import mock

START = "<!-- cli-reference:start -->"
END = "<!-- cli-reference:end -->"


def markdown() -> str:
    """Every subcommand's ``--help``, at a fixed width of 100 columns, as Markdown."""
    from optbench.cli import COMMANDS, build_parser

    with mock.patch.dict(os.environ, {"COLUMNS": "100"}):
        parser = build_parser()
        sub = next(a for a in parser._actions if a.dest == "command")
        parts = [START, "", "```text", parser.format_help().rstrip(), "```", ""]
        for name in COMMANDS:
            parts += [f"### `optbench {name}`", "", "```text",
                      sub.choices[name].format_help().rstrip(), "```", ""]
    parts.append(END)
    return "\n".join(parts)


if __name__ == "__main__":
    print(markdown())
