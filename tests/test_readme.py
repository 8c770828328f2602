"""The README's commands and examples: the CLI reference matches --help, the tour runs."""

import re
import sys
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


# The README's python blocks run in two parts, each in one namespace as a reader would paste them:
# up to the Networks section, and from there on (those sections import what they use, which the
# second part checks), so two test workers share them.
SPLIT = README.index("\n## Networks")


@pytest.mark.parametrize("part", [0, 1])
def test_every_python_example_in_the_readme_runs(part, tmp_path, monkeypatch, capsys):
    """All ```python blocks of one part, in order, in one namespace."""
    blocks = [(m.start(), m.group(1)) for m in re.finditer(r"```python\n(.*?)```", README, re.S)]
    assert len(blocks) >= 20
    blocks = [(pos, code) for pos, code in blocks if (pos > SPLIT) == bool(part)]
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    if part and "torch" not in sys.modules:
        pytest.importorskip("torch")  # the testing section drives torch.optim
    namespace: dict = {}
    tour_end = README.index("\n## ", README.index("## A five-minute tour") + 10)
    tour: dict = {}
    try:
        for pos, code in blocks:
            if pos > tour_end and not tour:
                tour = dict(namespace)  # what the five-minute tour left behind
            if "`my_adam.py`" in README[max(0, pos - 200) : pos]:
                (tmp_path / "my_adam.py").write_text(code)  # the README's student module
            line = README[:pos].count("\n") + 1
            exec(compile(code, f"README.md:{line}", "exec"), namespace)  # noqa: S102
    finally:
        from optbench import steppers
        from optbench.steppers import _registry

        for name in ("heavy_adam", "adam_fast"):
            _registry._FACTORIES.pop(name, None)
            assert name not in steppers.names()
        sys.modules.pop("my_adam", None)
    out = capsys.readouterr().out
    if part == 0:
        for name in ("valley.gif", "valley-convergence.png", "adam-lr.csv"):
            assert (tmp_path / name).stat().st_size > 0
        assert "[1. 1. 1.]" in out
        assert tour["bad"].diverged_at is not None and tour["ok"].diverged_at is None
        assert tour["report"].first_divergence == 1
        assert tour["t"].extras["per_epoch"]["val_acc"][-1] > 0.9
    else:  # the student module written and tested by the last section
        assert (tmp_path / "my_adam.py").stat().st_size > 0 and "True None 4.44" in out


@pytest.mark.parametrize("name", ["race.gif", "convergence.png", "trajectories.csv", "run.json"])
def test_first_command_outputs_are_named_in_the_readme(name):
    assert name in README


def _commands() -> list[tuple[str, str]]:
    """Concrete ``optbench ...`` command lines in the README's shell blocks, with the transcript
    that follows each ``$`` command (empty for plain command blocks). Usage lines are skipped."""
    ref = (README.index(START), README.index(END))
    found = []
    for m in re.finditer(r"```(\w*)\n(.*?)```", README, re.S):
        if m.group(1) == "python" or ref[0] < m.start() < ref[1]:
            continue
        lines = m.group(2).replace("\\\n", " ").splitlines()
        for i, line in enumerate(lines):
            cmd = line.removeprefix("$ ").strip()
            if not cmd.startswith("optbench ") or re.search(r"\[|\b[A-Z]{3,}\b", cmd):
                continue
            after = []
            if line.startswith("$ "):
                for rest in lines[i + 1 :]:
                    if rest.startswith("$ "):
                        break
                    after.append(rest)
            found.append((cmd, "\n".join(after).strip()))
    return found


def _command_groups() -> dict[str, list[tuple[str, str]]]:
    """The README's commands in groups of similar cost (each train command alone), so parallel
    test workers share them."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for i, (cmd, transcript) in enumerate(_commands()):
        sub = cmd.split()[1]
        key = f"{sub}{i}" if sub == "train" else sub if sub in ("sweep", "compare") else "lr+check"
        groups.setdefault(key, []).append((cmd, transcript))
    return groups


def test_the_readme_shows_enough_commands():
    assert sum(len(g) for g in _command_groups().values()) >= 10


@pytest.mark.parametrize("group", sorted(_command_groups()))
def test_every_readme_command_runs_as_shown(group, tmp_path, monkeypatch, capsys):
    import shlex
    import shutil

    from optbench.cli import main

    commands = _command_groups()[group]
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    student = re.search(r"`my_adam.py`:\n\n```python\n(.*?)```", README, re.S).group(1)
    (tmp_path / "my_adam.py").write_text(student)
    needs_torch = any("torch.optim" in c for c, _ in commands)
    if needs_torch:
        pytest.importorskip("torch")
    try:
        for cmd, transcript in commands:
            capsys.readouterr()
            status = main(shlex.split(cmd)[1:])
            out = "\n".join(capsys.readouterr())
            want = (
                2
                if "optbench: error:" in transcript
                else 1
                if transcript.endswith("disagree")
                else 0
            )
            assert status == want, (cmd, status, out)
            first = next((ln for ln in transcript.splitlines() if ln.strip()), "")
            first = first.strip().removesuffix("...").strip()  # "..." marks an abridged line
            if first:
                assert first in out, (cmd, first, out)
    finally:
        sys.modules.pop("my_adam", None)
