"""Every example of the README and the guide runs as shown and gives what the page says.

Each page's ```python blocks run in order in one namespace, as a reader would paste them, in a
temporary working directory; a block introduced by "`NAME.py`:" is written to that file instead
(the student's module, a test file, a script). Then the page's check asserts what the blocks
printed and wrote. The shell examples are parsed by the real command-line parser, and the
transcripts of the cheap commands are rerun. The manual itself is built by CI, not here.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
GUIDE = sorted((ROOT / "docs" / "guide").glob("*.md"))
TEST_COMMAND = 'pip install -e ".[test]" && python -m pytest -n 2 tests'

PAGES = {p.relative_to(ROOT).as_posix(): p for p in [README, *GUIDE]}
# pages whose shell examples are parsed too (docs/cli.md is generated from the parser itself)
COMMAND_PAGES = {
    **PAGES,
    "docs/index.md": ROOT / "docs" / "index.md",
    "docs/performance.md": ROOT / "docs" / "performance.md",
}
TORCH_PAGES = {"docs/guide/testing.md"}  # drives torch.optim
SHELL = ("bash", "console", "sh", "shell")

FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.S | re.M)
FILE_INTRO = re.compile(r"`([\w-]+\.py)`:\s*$")


def fences(text: str) -> list[tuple[int, str, str, str]]:
    """(line, language, code, the text before it) for each fenced block."""
    found, prev = [], 0
    for m in FENCE.finditer(text):
        line = text[: m.start()].count("\n") + 1
        found.append((line, m.group(1), m.group(2), text[prev : m.start()]))
        prev = m.end()
    return found


class Page:
    """What a page's examples did: their namespace, each block's output, the folder they ran in."""

    def __init__(self, namespace: dict, outputs: list[str], folder: Path):
        self.ns, self.outputs, self.folder = namespace, outputs, folder
        self.out = "".join(outputs)


def run_page(name: str, folder: Path, capsys) -> Page:
    from optbench.steppers import _registry

    text = PAGES[name].read_text(encoding="utf-8")
    namespace: dict = {"__name__": "__docs__"}
    outputs: list[str] = []
    registered = dict(_registry._FACTORIES)
    modules = set(sys.modules)
    try:
        for line, lang, code, before in fences(text):
            if lang != "python":
                continue
            intro = FILE_INTRO.search(before.rstrip().splitlines()[-1] if before.strip() else "")
            if intro:
                (folder / intro.group(1)).write_text(code, encoding="utf-8")
            else:
                capsys.readouterr()
                exec(compile(code, f"{name}:{line}", "exec"), namespace)  # noqa: S102
            outputs.append(capsys.readouterr().out)
    finally:
        _registry._FACTORIES.clear()
        _registry._FACTORIES.update(registered)  # the pages register their own steppers
        for mod in set(sys.modules) - modules:
            if mod.startswith(("my_", "test_my_")):
                del sys.modules[mod]  # the pages' own modules, written into the folder
    return Page(namespace, outputs, folder)


def gif_frames(path: Path) -> tuple[int, tuple[int, int]]:
    with Image.open(path) as im:
        return im.n_frames, im.size


# -- what each page's examples must give ---------------------------------------------------------
def check_readme(p: Page) -> None:
    assert "[ 1. 20.] 0.1\n" in p.out
    assert re.search(r"SGD \(lr=0.05\) +final loss 1.6e-06", p.out)
    assert re.search(r"Momentum \(lr=0.05, beta=0.6\) +final loss 3.1e-23", p.out)
    assert p.ns["bad"].diverged_at == 27 and "27 left the window\n" in p.out
    assert gif_frames(p.folder / "valley.gif") == (60, (400, 400))
    assert (p.folder / "valley-convergence.png").stat().st_size > 10_000
    assert p.ns["res"].best()["hparams"] == {"lr": 1.0} and "{'lr': 1.0}" in p.out
    assert p.ns["report"].first_divergence == 1


def check_race(p: Page) -> None:
    assert "himmelblau.gif himmelblau-convergence.png\n" in p.out
    assert gif_frames(p.folder / "himmelblau.gif") == (150, (600, 600))
    assert (p.folder / "himmelblau-convergence.png").stat().st_size > 10_000
    assert [r.diverged_at for r in p.ns["runs"]] == [None, None, None]
    assert "['count', 'mu', 'nu'] (13, 2)\nadam-state.png\n" in p.out  # the optimizer's state
    assert (p.folder / "adam-state.png").stat().st_size > 10_000


def check_explore(p: Page) -> None:
    assert p.out == "explore.html True\n"
    text = (p.folder / "explore.html").read_text(encoding="utf-8")
    assert '"surface":"quadratic:kappa=10,angle=0.5"' in text and "SGD (lr=0.5 η_max)" in text


def check_notebooks(p: Page) -> None:
    assert p.out == "4 True\n"  # the sweep's table as Jupyter draws it: four rows, two diverged


def check_surfaces(p: Page) -> None:
    out = p.out
    assert out.startswith("[0.5 0.5]\n")  # the user's bowl, solved by Adam
    assert "(501, 2) (501,)\n" in out and "[0.9335 0.8711]\n" in out
    assert "SGD (lr=0.01) [3. 2.]\n" in out
    assert "Momentum (lr=0.01, beta=0.9) [ 3.584 -1.848]\n" in out
    assert "\n8\n" in out
    assert "['Adam (lr=0.05)', 'Adam (lr=0.05, b1=0.5)', 'Adam (lr=0.05) [2]', 'plain GD']\n" in out
    assert "[  1. 100.] 0.01 0.02 100.0\n" in out and "[1.   0.01]\n" in out
    assert "[   9.75027011 2092.24972989]\n" in out
    assert "[ 1. 20.] 0.1\n" in out and "None 27 left the window\n" in out
    assert p.ns["ok"].diverged_at is None and p.ns["ok"].final_loss < 1e-10
    assert p.ns["bad"].diverged_at == 27 and p.ns["bad"].diverged_kind == "left the window"
    assert "Tuning(lr=0.03305785123966942, beta=0.6694214876033059, rate=0.8181818181818182)" in out


def check_steppers(p: Page) -> None:
    out = p.out
    assert "Adam (lr=0.01)\n" in out
    assert "['sgd', 'momentum', 'nesterov', 'rmsprop', 'rprop', 'adagrad', 'adam', 'adamw']" in out
    assert "'variant': 'irprop-'}" in out
    assert "0.1 0.1 0.05 0.025\n" in out and "Adam (lr=cosine(0.01→0 in 300))\n" in out
    assert "[1. 1. 1.] True\n" in out  # an optbench stepper in an optax loop
    assert "\nTrue\n" in out  # optax.adam in optbench's runner equals optbench's adam
    assert "Adam (lr=0.05, b1=0.8) True\n" in out  # a registered factory, its b1 named
    # its published range checks a sweep's grid
    assert (
        "['', '', 'invalid'] ['`lr` of adam_fast2 (=2.0) must satisfy 0.0 < lr <= 1.0.']\n" in out
    )
    assert p.ns["t"].final_loss < p.ns["t"].loss[0]


def check_networks(p: Page) -> None:
    out = p.out
    assert "(256, 2) ['two_gaussians', 'set1', 'xor', 'circles', 'moons', 'spiral'" in out
    assert "['step', 'train_acc', 'train_loss', 'val_acc', 'val_loss']" in out
    history = p.ns["history"]
    assert len(history["val_acc"]) == 101 and history["val_acc"][-1] > 0.9  # spiral, 100 epochs
    assert p.ns["t"].extras["per_epoch"]["val_acc"][-1] > 0.9  # circles, 8 epochs
    assert "[0.35 0.85]\n" in out and "-0.0163\n" in out
    assert out.count("True\n") >= 2  # backprop equals jax.grad; batch GD diverges above eta_max
    assert "0.941 2.125\n" in out and "[0.302 0.897] None True\n" in out
    assert "0.84 2.38\n45\nNone\n" in out  # set-1 at the slide's numbers
    online = p.outputs[-2].splitlines()[-1]
    assert np.allclose(np.array(online.strip("[]").split(), float), [0.29, 0.89])


def check_sweeps(p: Page) -> None:
    out = p.out
    assert "['b1', 'lr']\n" in out and "52 0 1\n" in out
    csv = (p.folder / "results.csv").read_text().splitlines()
    head = csv[0].split(",")
    assert len(csv) == 53 and head[:4] == ["stepper", "lr", "b1", "b2"] and "seed" in head
    assert csv[1].split(",")[:4] == ["adam", "0.001", "0.8", "0.999"]  # every row says what ran
    assert "(49, 301, 2)\n" in out
    with Image.open(p.folder / "basins.png") as im:
        assert im.format == "PNG" and min(im.size) > 200
    table = p.outputs[2]
    assert table.startswith("|") and "SGD" in table and "Adam" in table
    assert "rosenbrock" in table and "himmelblau" in table
    assert "2 the best lr (0.1) is the largest value\n" in out


def check_testing(p: Page) -> None:
    from optbench.testing.plugin import Golden

    out = p.out
    assert "True None 4.44" in out  # the student's Adam equals optbench's to rounding
    assert "first divergence at step 1: coordinate 0 is -1.4900000000006453" in out
    assert "\n1\n1\n" in out  # optax.rprop: parts at step 1, one step late
    assert out.count("  PASS  ") == 5 and "adam conformance: 5/5 facts hold" in out
    assert (p.folder / "my_adam.py").exists()
    # the golden-file test file: the first run writes the file, the second compares with it
    sys.path.insert(0, str(p.folder))
    try:
        import test_my_adam as tests

        folder = p.folder / "golden" / "test_my_adam"
        name = "test_my_adam_trajectory_is_unchanged"
        for _ in range(2):
            tests.test_my_adam_trajectory_is_unchanged(Golden(folder, name, False, False, []))
        stored = json.loads((folder / f"{name}.json").read_text())
        assert len(stored["params"]) == 101 and stored["steps"] == 100
        tests.test_my_adam_equals_optbench()
        tests.test_my_adam_conforms()
    finally:
        sys.path.remove(str(p.folder))
        sys.modules.pop("test_my_adam", None)
        sys.modules.pop("my_adam", None)


def check_configuration(p: Page) -> None:
    assert "'cpu_devices'" in p.outputs[0] and "'keep_freed_memory'" in p.outputs[0]
    assert "JAX has already started with" in p.out and "before the first JAX computation" in p.out
    # the script runs in a process of its own, as it would for a user: configure comes first there
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("XLA_FLAGS", "JAX_NUM_CPU_DEVICES", "JAX_PLATFORMS", "JAX_ENABLE_X64")
    }
    done = subprocess.run(
        [sys.executable, "fast_sweep.py"], cwd=p.folder, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "True True"


def check_clusters(p: Page) -> None:
    # the program as it is, joined through a coordinator on 127.0.0.1 (as one process of one:
    # test_cli_sweep runs a sweep over two processes)
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("XLA_FLAGS", "JAX_NUM_CPU_DEVICES")}
    env.update(
        JAX_COORDINATOR_ADDRESS=f"127.0.0.1:{port}", JAX_NUM_PROCESSES="1", JAX_PROCESS_ID="0"
    )
    done = subprocess.run(
        [sys.executable, "sweep_job.py"], cwd=p.folder, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "3 {'lr': 0.1}"
    rows = (p.folder / "results.csv").read_text().splitlines()
    assert len(rows) == 4 and [r.split(",")[1] for r in rows[1:]] == ["0.001", "0.01", "0.1"]


CHECKS = {
    "docs/guide/clusters.md": check_clusters,
    "README.md": check_readme,
    "docs/guide/race.md": check_race,
    "docs/guide/explore.md": check_explore,
    "docs/guide/surfaces.md": check_surfaces,
    "docs/guide/steppers.md": check_steppers,
    "docs/guide/networks.md": check_networks,
    "docs/guide/sweeps.md": check_sweeps,
    "docs/guide/testing.md": check_testing,
    "docs/guide/configuration.md": check_configuration,
    "docs/guide/notebooks.md": check_notebooks,
}


def test_every_page_with_examples_has_a_check():
    with_examples = {n for n, p in PAGES.items() if "```python" in p.read_text(encoding="utf-8")}
    assert with_examples == set(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_examples_run_and_give_what_the_page_says(name, tmp_path, monkeypatch, capsys):
    if name in TORCH_PAGES:
        pytest.importorskip("torch")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    CHECKS[name](run_page(name, tmp_path, capsys))


# -- the README's set-up commands ----------------------------------------------------------------
def test_the_readme_opens_with_the_two_commands():
    text = README.read_text(encoding="utf-8")
    bash = [code for _, lang, code, _ in fences(text) if lang == "bash"]
    assert bash[0].strip().splitlines() == [
        "pip install . && optbench race rosenbrock",
        TEST_COMMAND,
    ]
    assert text.index("```bash") < text.index("```python")


def test_ci_runs_the_readme_test_command_exactly():
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text()


def test_the_readme_is_a_front_page():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 200
    for name in ("race.gif", "convergence.png", "trajectories.csv", "run.json"):
        assert name in text  # what the first command writes


@pytest.mark.parametrize("name", sorted(COMMAND_PAGES))
def test_relative_links_point_at_files(name):
    page = COMMAND_PAGES[name]
    text = page.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)#:\s]+)(?:#[^)]*)?\)", text) + re.findall(r'src="([^"]+)"', text)
    for link in links:
        assert (page.parent / link).exists(), f"{name}: {link}"


# -- the shell examples --------------------------------------------------------------------------
def commands(text: str) -> list[tuple[str, str]]:
    """Each ``optbench ...`` command of the page's shell blocks, with the transcript that follows a
    ``$ `` command (empty for a plain command)."""
    found = []
    for _, lang, code, _ in fences(text):
        if lang not in SHELL:
            continue
        lines = code.replace("\\\n", " ").splitlines()
        for i, line in enumerate(lines):
            if lang == "console" and not line.startswith("$ "):
                continue
            transcript = []
            for rest in lines[i + 1 :] if line.startswith("$ ") else []:
                if rest.startswith("$ "):
                    break
                transcript.append(rest)
            for part in re.split(r"&&|;", line.removeprefix("$ ")):
                words = shlex.split(part, comments=True)
                while words and (re.fullmatch(r"[A-Z_]+=\S*", words[0]) or words[0] == "time"):
                    words = words[1:]  # an environment variable, or the shell's timer
                if words[:1] == ["optbench"] and not "".join(words[1:2]).startswith(
                    "-"
                ):  # not --help
                    found.append((shlex.join(words), "\n".join(transcript).strip()))
    return found


@pytest.mark.parametrize("name", sorted(COMMAND_PAGES))
def test_shell_examples_parse(name):
    from optbench.cli import COMMANDS, build_parser

    parser = build_parser()
    for command, _ in commands(COMMAND_PAGES[name].read_text(encoding="utf-8")):
        args = parser.parse_args(shlex.split(command)[1:])
        assert args.command in COMMANDS, command


def test_the_guide_shows_every_subcommand():
    from optbench.cli import COMMANDS

    shown = {
        shlex.split(c)[1]
        for p in COMMAND_PAGES.values()
        for c, _ in commands(p.read_text(encoding="utf-8"))
    }
    assert shown == set(COMMANDS)


# the transcripts rerun here; the other commands are covered by tests/test_cli*
CHEAP = ("lr", "check", "list")


def transcripts(name: str) -> list[tuple[str, str]]:
    """The page's ``$ optbench ...`` commands of a cheap kind, shown with their output."""
    text = COMMAND_PAGES[name].read_text(encoding="utf-8")
    return [(c, t) for c, t in commands(text) if t and shlex.split(c)[1] in CHEAP]


@pytest.mark.parametrize("name", [n for n in sorted(COMMAND_PAGES) if transcripts(n)])
def test_shown_transcripts_match(name, tmp_path, monkeypatch, capsys):
    """Exit status, first and last line of each shown transcript ("..." marks an abridged line)."""
    from optbench.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    student = (ROOT / "docs" / "guide" / "testing.md").read_text(encoding="utf-8")
    student = re.search(r"`my_adam.py`:\n\n```python\n(.*?)```", student, re.S).group(1)
    (tmp_path / "my_adam.py").write_text(student)  # for `optbench check my_adam:make_adam`
    try:
        for command, transcript in transcripts(name):
            if "torch.optim" in command:
                pytest.importorskip("torch")
            capsys.readouterr()
            status = main(shlex.split(command)[1:])
            out = "\n".join(capsys.readouterr())
            error, disagree = "optbench: error:" in transcript, transcript.endswith("disagree")
            assert status == (2 if error else 1 if disagree else 0), (command, status, out)
            for line in (transcript.splitlines()[0], transcript.splitlines()[-1]):
                line = line.strip().removesuffix("...").strip()
                assert line in out, (command, line, out)
    finally:
        sys.modules.pop("my_adam", None)
