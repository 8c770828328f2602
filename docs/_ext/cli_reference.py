"""Write ``cli.md`` from the argument parser when the build starts, so it cannot drift.

``optbench.cli._reference.markdown()`` renders every subcommand's ``--help``; this extension puts
it under a title in ``docs/cli.md`` (a generated file, ignored by git) before Sphinx reads the
sources. The file is rewritten only when its text changes, so an unchanged parser does not make
Sphinx rebuild the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

HEADER = """\
# Command-line reference

Every subcommand's `--help`, generated from the parser when this manual is built. The guide
pages explain what the commands do: [the race](guide/race.md), [surfaces and learning rates](
guide/surfaces.md), [networks](guide/networks.md), [sweeps and comparisons](guide/sweeps.md)
and [the testing toolkit](guide/testing.md).

"""


def text() -> str:
    from optbench.cli._reference import markdown

    return HEADER + markdown() + "\n"


def write(app: Any) -> None:
    path = Path(app.srcdir) / "cli.md"
    new = text()
    if not path.exists() or path.read_text(encoding="utf-8") != new:
        path.write_text(new, encoding="utf-8")


def setup(app: Any) -> dict[str, Any]:
    app.connect("builder-inited", write)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
