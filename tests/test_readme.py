"""The README's commands and examples: the CLI reference matches --help, the tour runs."""

import re
from pathlib import Path

import pytest

from optbench.cli._reference import END, START, markdown

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = 'pip install -e ".[test]" && python -m pytest -n 2 tests'


def test_readme_opens_with_the_two_commands():
    block = re.search(r"```bash\n(.*?)```", README, re.S).group(1).strip().splitlines()
    assert block == ["pip install . && optbench race rosenbrock", TEST_COMMAND]


def test_ci_runs_the_readme_test_command_exactly():
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text()


def test_cli_reference_matches_the_parser():
    a, b = README.index(START), README.index(END) + len(END)
    assert README[a:b] == markdown(), "run: python -m optbench.cli._reference --write"


def _tour_blocks() -> list[str]:
    start = README.index("## A five-minute tour")
    end = README.index("\n## ", start + 10)
    return re.findall(r"```python\n(.*?)```", README[start:end], re.S)


def test_the_tour_runs(tmp_path, monkeypatch, capsys):
    blocks = _tour_blocks()
    assert len(blocks) >= 6
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    try:
        for code in blocks:
            exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the README's own code
    finally:
        from optbench import steppers
        from optbench.steppers import _registry

        _registry._FACTORIES.pop("heavy_adam", None)
        assert "heavy_adam" not in steppers.names()
    for name in ("valley.gif", "valley-convergence.png", "adam-lr.csv"):
        assert (tmp_path / name).stat().st_size > 0
    out = capsys.readouterr().out
    assert "[1. 1. 1.]" in out
    assert namespace["bad"].diverged_at is not None and namespace["ok"].diverged_at is None
    assert namespace["report"].first_divergence == 1
    assert namespace["t"].extras["per_epoch"]["val_acc"][-1] > 0.9


@pytest.mark.parametrize("name", ["race.gif", "convergence.png", "trajectories.csv", "run.json"])
def test_first_command_outputs_are_named_in_the_readme(name):
    assert name in README
