"""The README's command-line reference, generated from the parser so it cannot drift.

``python -m optbench.cli._reference`` prints it, ``--write`` updates README.md in place, and
``tests/test_readme.py`` checks the README against it.
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
            parts += [
                f"### `optbench {name}`",
                "",
                "```text",
                sub.choices[name].format_help().rstrip(),
                "```",
                "",
            ]
    parts.append(END)
    return "\n".join(parts)


def update(readme: str = "README.md") -> None:
    """Rewrite the reference block of ``readme`` in place."""
    from pathlib import Path

    text = Path(readme).read_text(encoding="utf-8")
    a, b = text.index(START), text.index(END) + len(END)
    Path(readme).write_text(text[:a] + markdown() + text[b:], encoding="utf-8")


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write"]:
        update()
    else:
        print(markdown())
