"""Sphinx configuration of the optbench manual.

Build it with ``python -m sphinx -W --keep-going -b html docs docs/_build/html``. Nothing is
downloaded at build time; the command-line reference is generated from the parser by
``_ext/cli_reference.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "_ext"))

project = "optbench"
author = "the optbench authors"
copyright = "the optbench authors"
try:
    from optbench import __version__ as release
except ImportError:  # the manual is built with optbench installed; this keeps a plain build alive
    release = ""
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "cli_reference",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext"]
templates_path: list[str] = []

# -- MyST: Markdown pages ---------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3

# -- autodoc and napoleon: the API reference from Google-style docstrings ----------------------
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True  # "Attributes:" as fields, not as objects autodoc describes again
napoleon_use_rtype = False

# -- HTML ---------------------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"optbench {release}".strip()
html_static_path: list[str] = []
