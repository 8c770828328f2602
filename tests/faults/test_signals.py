"""Ctrl-C and SIGTERM: every one ends the command (130 / 143, one line), and leaves no temporary
file, no folder of its own; an interrupted sweep resumes to the table of an uninterrupted one.

One real ``python -m optbench`` process is signalled from outside while it draws. The other
cases run ``main(argv)`` in this process and send it a real signal (``signal.raise_signal``) at a
moment fixed in advance: the k-th frame drawn, the k-th chunk of a sweep, the tenth frame of an
MP4 being encoded. A Ctrl-C that something swallows (JAX's garbage-collection callback discards a
KeyboardInterrupt raised inside it) is simulated too.
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from optbench import _interrupts
from optbench._progress import Progress
from optbench.cli import main

EXIT = {
    signal.SIGINT: (130, "optbench: interrupted"),
    signal.SIGTERM: (143, "optbench: terminated"),
}
RACE = ["race", "rosenbrock", "adam:lr=0.05", "--steps", "300", "--fps", "25", "--duration", "8"]
SWEEP = ["sweep", "rosenbrock:noise=0.1", "adam", "--grid", "lr=1e-4:1:64:log", "--steps", "50"]
SWEEP += ["--chunk-size", "8"]


def start(argv: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "optbench", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(check, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    end = time.monotonic() + timeout
    while not check():
        if proc.poll() is not None:
            pytest.fail(f"the command ended first: {proc.communicate()[1]}")
        if time.monotonic() > end:
            proc.kill()
            pytest.fail("the moment never came")
        time.sleep(0.01)


def debris(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(".*part*")]


def ended_by(proc: subprocess.Popen, sig: int) -> str:
    _, err = proc.communicate(timeout=60)
    status, line = EXIT[sig]
    assert proc.returncode == status, err
    assert err.splitlines()[-1] == line and "Traceback" not in err, err
    return err


def test_a_race_process_stops_and_leaves_nothing(tmp_path):
    # a real process, signalled from outside while it draws
    out = tmp_path / "out"
    proc = start([*RACE, "-o", str(out)])
    wait_for(out.exists, proc)  # every argument checked: the work begins
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:  # it finished before the signal came: all its files, whole
        assert sorted(p.name for p in out.iterdir()) == [
            "convergence.png",
            "race.gif",
            "run.json",
            "trajectories.csv",
        ]
        return
    assert (proc.returncode, err.splitlines()[-1]) == EXIT[signal.SIGTERM], err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []  # no file, no temporary, not even out/


def signal_at(monkeypatch, sig: int, count: int) -> None:
    """Send the process ``sig`` when the ``count``-th progress update comes (a frame drawn, a
    chunk finished): a real signal, at a moment fixed in advance, to the handlers main() set."""
    real, seen = Progress.update, [0]

    def update(self, done):
        seen[0] += 1
        if seen[0] == count:
            signal.raise_signal(sig)
        return real(self, done)

    monkeypatch.setattr(Progress, "update", update)


MOMENTS = [(signal.SIGINT, 1), (signal.SIGTERM, 1), (signal.SIGINT, 15), (signal.SIGTERM, 29)]


@pytest.mark.parametrize(
    "sig, frame", MOMENTS, ids=[f"{signal.Signals(s).name}-frame-{f}" for s, f in MOMENTS]
)
def test_a_race_stops_at_any_frame_and_leaves_nothing(sig, frame, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    signal_at(monkeypatch, sig, frame)
    argv = ["race", "quadratic", "sgd:lr=0.1", "--steps", "40", "--size", "200", "--fps", "10"]
    assert main([*argv, "--duration", "3", "-o", "out"]) == EXIT[sig][0]
    assert capsys.readouterr().err == EXIT[sig][1] + "\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(
    importlib.util.find_spec("imageio_ffmpeg") is None,
    reason="imageio-ffmpeg is not installed (the video extra): no MP4 to interrupt",
)
def test_an_mp4_being_written_stops_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    import imageio.v2 as imageio

    monkeypatch.chdir(tmp_path)
    real, frames = imageio.get_writer, [0]

    def get_writer(*args, **kwargs):  # SIGTERM while ffmpeg encodes the tenth frame
        writer = real(*args, **kwargs)
        append = writer.append_data

        def append_data(frame):
            frames[0] += 1
            if frames[0] == 10:
                assert [p.name for p in (tmp_path / "out").glob(".race.mp4.*.part.mp4")]
                signal.raise_signal(signal.SIGTERM)
            return append(frame)

        writer.append_data = append_data
        return writer

    monkeypatch.setattr(imageio, "get_writer", get_writer)
    argv = ["race", "quadratic", "sgd:lr=0.1", "--steps", "40", "--size", "200", "--fps", "10"]
    assert main([*argv, "--format", "mp4", "-o", "out"]) == 143
    assert capsys.readouterr().err.splitlines()[-1] == "optbench: terminated"
    assert frames[0] == 10 and list(tmp_path.iterdir()) == []


def test_an_interrupted_sweep_keeps_its_chunks_and_resumes_to_the_same_table(
    tmp_path, monkeypatch, capsys
):
    ref, out = tmp_path / "ref", tmp_path / "out"
    assert main([*SWEEP, "-o", str(ref)]) == 0
    real, saved = np.savez, [0]

    def savez(*args, **kwargs):  # SIGTERM as the fourth of eight chunks is about to be written
        saved[0] += 1
        if saved[0] == 4:
            signal.raise_signal(signal.SIGTERM)
        return real(*args, **kwargs)

    with monkeypatch.context() as m:
        m.setattr(np, "savez", savez)
        assert main([*SWEEP, "-o", str(out)]) == 143
    kept = sorted(p.name for p in (out / "chunks").glob("chunk_*.npz"))
    assert len(kept) == 3 and debris(out) == []
    assert sorted(p.name for p in out.iterdir()) == ["chunks"]  # the table: whole, or not at all
    capsys.readouterr()
    assert main([*SWEEP, "-o", str(out), "--resume"]) == 0
    assert (out / "results.csv").read_bytes() == (ref / "results.csv").read_bytes()
    assert debris(out) == []


def test_a_swallowed_ctrl_c_still_ends_the_command(tmp_path, monkeypatch, capsys):
    # the handler ran and recorded the signal, but its KeyboardInterrupt was discarded (as inside
    # JAX's garbage-collection callback): the command ends at its next check, writing nothing
    import optbench.render as render

    real = render.animate

    def swallowed(*args, **kwargs):
        _interrupts._RECEIVED[0] = signal.SIGINT
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "animate", swallowed)
    monkeypatch.chdir(tmp_path)
    argv = ["race", "quadratic", "sgd:lr=0.1", "--steps", "40", "--size", "200", "-o", "out"]
    assert main(argv) == 130
    assert capsys.readouterr().err == "optbench: interrupted\n"
    assert list(tmp_path.iterdir()) == []
    assert _interrupts.received() == 0  # and the process is left as it was
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
