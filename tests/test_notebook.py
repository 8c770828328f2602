"""In Jupyter: examples/notebook.ipynb runs in a real kernel and every object shows its picture."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

nbclient = pytest.importorskip("nbclient", reason="nbclient is in the test extra")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "notebook.ipynb"


def test_the_example_notebook_shows_a_contour_a_race_a_sweep_and_a_run(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(
        nb, timeout=120, resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    outputs = [{k: v for o in c.outputs for k, v in o.get("data", {}).items()} for c in code]
    assert all(o.output_type != "error" for c in code for o in c.outputs)
    contour = base64.b64decode(outputs[0]["image/png"])
    assert contour.startswith(b"\x89PNG")
    race = outputs[1]["text/html"]
    gif = base64.b64decode(re.search(r"data:image/gif;base64,([A-Za-z0-9+/=]+)", race).group(1))
    assert gif.startswith(b"GIF89a") and int.from_bytes(gif[6:8], "little") == 360  # 360 px wide
    assert "Momentum (lr=0.001, beta=0.9)" in race and "Adam (lr=0.05)" in race
    sweep = outputs[2]["text/html"]
    rows = re.findall(r"<tr><td>([0-9.e+-]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>", sweep)
    # eigenvalues 1 and 10: lr 0.1 zeroes the steep direction, past 2/10 = 0.2 GD diverges
    assert [r[0] for r in rows] == ["0.1", "0.01", "0.5", "1.5"]
    assert [r[2] for r in rows] == ["0%", "0%", "100%", "100%"]
    assert "data:image/png;base64," in sweep
    assert "diverged at step" not in race and "Adam (lr=0.05)" in outputs[3]["text/html"]
    assert list(tmp_path.iterdir()) == []  # nothing left behind
