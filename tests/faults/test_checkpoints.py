"""A sweep's checkpoints: named by everything that determines them, never another sweep's, and a
damaged or half-written chunk computed again rather than trusted."""

import json

import jax.numpy as jnp
import numpy as np
import pytest

from optbench import OptbenchError, surfaces, sweep
from optbench.cli import main

GRID = {"lr": np.logspace(-3, -1, 6)}


def bowl(scale):
    # two user surfaces with one name, bounds and start: only their functions differ
    return surfaces.Surface(
        lambda p: scale * jnp.sum(p**2), bounds=[(-2, 2), (-2, 2)], start=[1.0, 1.0], name="bowl"
    )


def test_another_sweep_of_the_same_name_is_refused(tmp_path):
    sweep(bowl(1.0), "sgd", GRID, 20, chunk_size=2, checkpoint_dir=tmp_path)
    with pytest.raises(OptbenchError) as err:
        sweep(bowl(2.0), "sgd", GRID, 20, chunk_size=2, checkpoint_dir=tmp_path, resume=True)
    assert str(err.value) == (
        f"`checkpoint_dir` (={str(tmp_path)!r}) holds the chunks of a different sweep (bowl, sgd, "
        "20 steps), not of this one; resume into that sweep's own folder, or run without resume "
        "to start over."
    )
    # the same function made again (a new closure, the same code and value) is the same sweep
    again = sweep(bowl(1.0), "sgd", GRID, 20, chunk_size=2, checkpoint_dir=tmp_path, resume=True)
    assert again.meta["recomputed"] == []
    # without resume, a new sweep starts afresh: the other sweep's chunks are removed
    other = sweep(bowl(2.0), "sgd", GRID, 20, chunk_size=2, checkpoint_dir=tmp_path)
    names = {p.name.split("_")[1] for p in tmp_path.glob("chunk_*.npz")}
    assert len(names) == 1 and json.loads((tmp_path / "sweep.json").read_text())["steps"] == 20
    # x_1 = (1 - 2 lr s) x_0 with f = s |x|^2: the scale shows in every loss
    np.testing.assert_allclose(other.final_loss, 2 * (1 - 4 * GRID["lr"]) ** 40 * 2, rtol=1e-4)


def test_damaged_chunks_are_computed_again_and_debris_is_removed(tmp_path):
    full = sweep("quadratic", "sgd", GRID, 20, chunk_size=2, checkpoint_dir=tmp_path)
    files = sorted(tmp_path.glob("chunk_*.npz"))
    files[0].write_bytes(files[0].read_bytes()[:100])  # truncated
    files[1].write_bytes(b"not a zip file")
    debris = tmp_path / f".{files[2].name}.1a2b3c4d.part.npz"  # what a SIGKILL leaves
    debris.write_bytes(b"half")
    again = sweep("quadratic", "sgd", GRID, 20, chunk_size=2, checkpoint_dir=tmp_path, resume=True)
    np.testing.assert_array_equal(full.final_loss, again.final_loss)
    said = again.meta["recomputed"]
    assert len(said) == 2 and not debris.exists()
    assert said[0].startswith(f"checkpoint {str(files[0])!r} is unreadable (")
    assert said[0].endswith("; computed it again")
    for f in files[:2]:  # written whole again
        with np.load(f) as z:
            assert len(z["final"]) == 2


def test_the_command_says_what_it_recomputed(tmp_path, capsys):
    argv = ["sweep", "quadratic", "sgd", "--grid", "lr=0.001:0.1:6:log", "--steps", "20"]
    assert main([*argv, "-o", str(tmp_path)]) == 0
    (chunk,) = sorted((tmp_path / "chunks").glob("chunk_*.npz"))
    chunk.write_bytes(b"")
    capsys.readouterr()
    assert main([*argv, "-o", str(tmp_path), "--resume"]) == 0
    err = capsys.readouterr().err
    assert f"optbench: warning: checkpoint {str(chunk)!r} is unreadable (" in err


def test_a_chunk_size_below_one_is_refused():
    for bad in (0, -3, 2.5, True):
        with pytest.raises(OptbenchError, match=r"`chunk_size` \(=.*\) must be a positive integer"):
            sweep("quadratic", "sgd", GRID, 20, chunk_size=bad)
