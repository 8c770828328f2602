"""``optbench train``: the lecture's point (a linear model cannot separate circles, an MLP can), the
files it writes, byte-identical reruns, and one-line errors with exit status 2."""

import csv
import json

import numpy as np
import pytest
from PIL import Image

from optbench.cli import main

# The gallery's quick scene 11 (logreg_vs_mlp) trains the same two models on the same data for as
# many epochs and frames with Adam; the rate is traced, not compiled in, so these runs reuse its
# compiled programs (a cold suite compiles them once).
ARGS = [
    "train",
    "circles",
    "--epochs",
    "8",
    "--batch",
    "32",
    "--frames",
    "6",
    "--stepper",
    "adam:lr=0.1",
]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A folder with the runs 'logistic', 'mlp' and 'again' (the MLP rerun)."""
    base = tmp_path_factory.mktemp("train")
    for name, model in (
        ("logistic", "logistic"),
        ("mlp", "mlp:16,16:tanh"),
        ("again", "mlp:16,16:tanh"),
    ):
        assert main([*ARGS, "--model", model, "-o", str(base / name)]) == 0
    return base


def _final(run_dir):
    return json.loads((run_dir / "run.json").read_text())["final"]


def test_logistic_regression_is_near_chance_and_an_mlp_near_perfect(trained):
    logistic, mlp = _final(trained / "logistic"), _final(trained / "mlp")
    # no line separates two concentric circles: about half of each class is on the wrong side
    assert 0.35 <= logistic["train_acc"] <= 0.65 and 0.3 <= logistic["val_acc"] <= 0.7
    assert mlp["train_acc"] >= 0.98 and mlp["val_acc"] >= 0.95


def test_files_history_and_run_json(trained):
    out = trained / "mlp"
    names = sorted(p.name for p in out.iterdir())
    assert names == ["boundary.gif", "curves.png", "history.csv", "landscape.png", "run.json"]
    rows = list(csv.DictReader((out / "history.csv").read_text().splitlines()))
    assert len(rows) == 9 and rows[-1]["step"] == str(8 * 5)  # 160 train points / 32 per batch
    record = json.loads((out / "run.json").read_text())
    assert record["problem"]["n_train"] == 160 and record["problem"]["n_val"] == 40
    assert float(rows[-1]["val_acc"]) == pytest.approx(record["final"]["val_acc"], rel=1e-6)
    assert record["stepper"] == "adam" and record["hparams"]["lr"] == 0.1


def _gif_tables(data: bytes) -> tuple[bool, list[bool]]:
    """(has a global colour table, per frame: has a local one), read from the bytes."""

    def skip_sub_blocks(i):
        while data[i]:
            i += data[i] + 1
        return i + 1

    has_global = bool(data[10] & 0x80)
    i = 13 + (3 * 2 ** ((data[10] & 7) + 1) if has_global else 0)
    local = []
    while data[i] != 0x3B:
        if data[i] == 0x21:  # extension: label, then sub-blocks
            i = skip_sub_blocks(i + 2)
        elif data[i] == 0x2C:  # image descriptor: 9 bytes, maybe a local table, LZW data
            packed = data[i + 9]
            local.append(bool(packed & 0x80))
            i += 10 + (3 * 2 ** ((packed & 7) + 1) if packed & 0x80 else 0)
            i = skip_sub_blocks(i + 1)
        else:
            raise AssertionError(f"unexpected GIF block {data[i]:#x} at byte {i}")
    return has_global, local


def test_boundary_gif_has_one_shared_palette(trained):
    path = trained / "mlp" / "boundary.gif"
    has_global, local = _gif_tables(path.read_bytes())
    assert has_global and local == [False] * 6  # every frame uses the one global palette
    with Image.open(path) as im:
        assert im.n_frames == 6 and im.size == (500, 500)
        first = np.asarray(im.convert("RGB"))
        im.seek(5)
        last = np.asarray(im.convert("RGB"))
    assert not np.array_equal(first, last)  # the boundary moved


def test_reruns_are_byte_identical(trained):
    for name in ("boundary.gif", "curves.png", "landscape.png", "history.csv", "run.json"):
        assert (trained / "mlp" / name).read_bytes() == (trained / "again" / name).read_bytes(), (
            name
        )


@pytest.mark.parametrize(
    "argv,message",
    [
        (["spirals"], "unknown data set 'spirals'; did you mean 'spiral'?"),
        (["xor", "--model", "mpl:16"], "unknown model 'mpl'; did you mean 'mlp'?"),
        (["xor", "--model", "mlp:16:relou"], "unknown activation 'relou'; did you mean 'relu'?"),
        (["xor", "--loss", "bse"], "unknown loss 'bse'; did you mean 'mse'?"),
        (["xor", "--batch", "0"], "`batch_size` (=0) must be an integer from 1 to 160"),
        (["xor", "--batch", "161"], "`batch_size` (=161) must be an integer from 1 to 160"),
        (["xor", "--validation", "1.5"], "`validation` (=1.5) must be a number in (0, 1)."),
        (["xor", "--stepper", "sgdd:lr=0.1"], "unknown stepper 'sgdd'; did you mean 'sgd'?"),
    ],
)
def test_bad_input_exits_2_with_one_line(argv, message, capsys, tmp_path):
    assert main(["train", *argv, "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("optbench: error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "out" / "run.json").exists()


def test_a_diverged_training_says_so_everywhere(tmp_path, capsys, monkeypatch):
    from matplotlib.figure import Figure

    figures, savefig = [], Figure.savefig
    monkeypatch.setattr(
        Figure, "savefig", lambda fig, *a, **k: figures.append(fig) or savefig(fig, *a, **k)
    )
    # full-batch gradient descent on a linear neuron at lr 4 > eta_max: the loss runs away and
    # passes 10^6 times its start at step 9
    argv = ["train", "moons", "--model", "linear", "--loss", "mse", "--batch", "full"]
    argv += ["--stepper", "sgd:lr=4", "--epochs", "12", "--frames", "4", "-o", str(tmp_path)]
    assert main(argv) == 0
    said = capsys.readouterr().out.splitlines()[0]
    assert said == (
        "diverged at step 9 (epoch 9, blow-up): the run froze at its last good step, and the "
        "figures below are from there."
    )
    rec = json.loads((tmp_path / "run.json").read_text())
    assert (rec["diverged_at"], rec["diverged_kind"]) == (9, "blow-up")
    rows = list(csv.DictReader((tmp_path / "history.csv").read_text().splitlines()))
    assert [r["diverged"] for r in rows] == [""] * 9 + ["blow-up"] * 4
    assert rows[8]["train_loss"] == rows[12]["train_loss"]  # the frozen network of step 8
    curves = next(f for f in figures if len(f.axes) == 2)
    labels = [t.get_text() for t in curves.axes[0].get_legend().get_texts()]
    assert labels[-1] == "diverged at epoch 9: frozen after"
