"""The explorer's data and commands: every stored run is optbench's own (checked against
``optbench.race``), rates in units of eta_max resolve as a race's spec does, and bad input gets
one sentence. The page itself is driven in a real browser in test_explore_browser.py."""

import json
import re
import socket

import numpy as np
import pytest

import optbench
from optbench import OptbenchError
from optbench.cli import main
from optbench.explorer import Explorer, _data, _model, _page

SURFACE = "quadratic:kappa=10,angle=0.5"
SPECS = ["sgd:lr=0.5eta_max", "momentum:lr=0.02,beta=0.5"]
STEPS = 30


@pytest.fixture(scope="module")
def explorer():
    return Explorer(SURFACE, SPECS, steps=STEPS, starts=5)  # the browser test's and the guide's


@pytest.fixture(scope="module")
def stored(explorer):
    return _data.encode(explorer, [_data.compute_lane(explorer, lane) for lane in explorer.lanes])


def test_start_grid_holds_the_surfaces_start_and_spans_the_window():
    s = optbench.surfaces.get_spec("rosenbrock")  # window [-2, 2] x [-1, 3], start (-1.5, 2)
    nodes, home = _model.start_grid(s, 9)
    assert nodes[home].tolist() == [-1.5, 2.0]
    assert sorted(set(nodes[:, 0])) == pytest.approx(np.arange(-2.0, 2.01, 0.5))
    assert sorted(set(nodes[:, 1])) == pytest.approx(np.arange(-1.0, 3.01, 0.5))


def test_lanes_move_over_eta_multiples_or_a_log_scale(explorer):
    sgd, mom = explorer.lanes
    assert sgd.lr.unit == "eta_max" and sgd.lr.values[sgd.lr.index] == 0.5
    assert {0.95, 1.05} <= set(sgd.lr.values) and sgd.second is None
    assert mom.lr.values[mom.lr.index] == 0.02 and mom.lr.values[0] == pytest.approx(0.005)
    assert mom.lr.values[-1] == pytest.approx(0.08)
    assert mom.second.key == "beta" and mom.second.values == (0.0, 0.5, 0.9, 0.99)
    assert sgd.spec_at(7) == "sgd:lr=1.05eta_max"
    assert mom.spec_at(0, 2) == "momentum:lr=0.005,beta=0.9"
    labels = _page.config(explorer)["labels"]
    assert labels[0][7] == ["SGD (lr=1.05 η_max)"]
    assert labels[1][0][2] == "Momentum (lr=0.005, beta=0.9)"


def test_every_stored_run_is_the_race_of_its_spec(explorer, stored):
    """Decoded as the page decodes them, the runs are optbench.race's, to the 16-bit step of the
    box (9 window extents / 65535) and, for the loss, to 0.1%."""
    b = explorer.surface.bounds
    tol = 9 * (b[:, 1] - b[:, 0]).max() / 65535
    for k, lane in enumerate(explorer.lanes):
        runs = _data.decode(stored, k)
        M = len(lane.second.values) if lane.second else 1
        for s, i, j in [
            (explorer.home, lane.lr.index, M - 1),
            (0, 0, 0),
            (7, len(lane.lr.values) - 1, 1 % M),
        ]:
            spec = lane.spec_at(i, j if lane.second else None)
            (t,) = optbench.race(SURFACE, [spec], STEPS, start=explorer.nodes[s])
            assert np.abs(runs["params"][s, i, j] - t.params).max() <= tol, spec
            np.testing.assert_allclose(runs["loss"][s, i, j], t.loss, rtol=1e-3, atol=1e-12)
            assert runs["diverged_at"][s, i, j] == (-1 if t.diverged_at is None else t.diverged_at)
    # past eta_max plain gradient descent diverges on a quadratic; below it, it does not
    sgd = _data.decode(stored, 0)["diverged_at"][:, :, 0]
    values = explorer.lanes[0].lr.values
    assert (sgd[:, values.index(2.0)] >= 0).all() and (sgd[:, values.index(0.95)] < 0).all()


def test_rates_in_units_resolve_at_each_start_as_race_resolves_them(explorer):
    from optbench._run import resolve_stepper

    cfg = _page.config(explorer)
    lane = explorer.lanes[0]
    for s in (0, 5, explorer.home):
        st = resolve_stepper("sgd:lr=0.7eta_max", explorer.surface, explorer.nodes[s])
        assert 0.7 * cfg["units"]["eta_max"][s] == st.hparams["lr"]
    assert lane.lr.text(lane.lr.values.index(0.7)) == "0.7eta_max"


def test_answer_is_a_race_from_exactly_that_start():
    ex = Explorer(SURFACE, SPECS, steps=STEPS, live=True)
    lane = ex.lanes[1]
    out = ex.answer({"start": [0.123, -0.5], "lanes": [{"i": 3}, {"i": 20, "j": 1}]})
    (t,) = optbench.race(SURFACE, [lane.spec_at(20, 1)], STEPS, start=[0.123, -0.5])
    rec = out["lanes"][1]
    assert rec["spec"] == "momentum:lr=" + _model._num(0.02 * 2 ** (4 / 8)) + ",beta=0.5"
    assert rec["label"] == t.label
    np.testing.assert_array_equal(np.reshape(rec["path"], (-1, 2)), t.params)
    assert out["lanes"][0]["label"] == "SGD (lr=0.2 η_max)"
    with pytest.raises(OptbenchError, match=r"slider position of lr \(=99\) must be an integer"):
        ex.answer({"start": [0, 0], "lanes": [{"i": 99}, {"i": 0, "j": 0}]})


def test_the_page_is_one_file_with_nothing_to_fetch(explorer, stored):
    text = _page.html(_page.page_config(explorer), stored)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert "fetch(" in text  # the live model's, which a static page never calls
    cfg = json.loads(re.search(r'id="ob-config">(.*?)</script>', text, re.S)[1])
    assert (
        cfg["surface"] == SURFACE and cfg["steps"] == STEPS and cfg["picture"]["size"] == [560, 520]
    )
    left, top, w, h = cfg["picture"]["box"]
    assert (left, top, round(w), round(h)) == (56.0, 12.0, 490, 462)


def test_a_port_in_use_is_named():
    from optbench.explorer._serve import make_server

    ex = Explorer(SURFACE, SPECS[:1], steps=STEPS, live=True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(
            OptbenchError, match=f"port {port} on 127.0.0.1 is in use; give another"
        ):
            make_server(ex, "127.0.0.1", port)


def test_the_command_serves_the_live_page_on_this_machine_only(capsys, monkeypatch):
    """`optbench explore --serve` in-process: its server answers the page and a request as a
    browser sends them (from a thread), then stops as Ctrl-C would stop it."""
    import http.server
    import threading
    import urllib.request

    got = {}

    def serve_two_requests(server):
        url = "http://%s:%d/" % server.server_address[:2]
        body = json.dumps({"start": [0.5, 0.5], "lanes": [{"i": 16, "j": 1}]}).encode()

        def browse():
            with urllib.request.urlopen(url) as r:
                got["page"] = r.read()
            with urllib.request.urlopen(urllib.request.Request(url + "run", data=body)) as r:
                got["answer"] = json.loads(r.read())

        client = threading.Thread(target=browse)
        client.start()
        server.handle_request()
        server.handle_request()
        client.join()

    monkeypatch.setattr(http.server.HTTPServer, "serve_forever", serve_two_requests)
    assert (
        main(["explore", SURFACE, SPECS[1], "--steps", str(STEPS), "--serve", "--port", "0"]) == 0
    )
    line = capsys.readouterr().out
    assert re.fullmatch(
        r"optbench explore: serving http://127\.0\.0\.1:\d+/ on this machine only "
        r"\(--host to change\); Ctrl-C stops\n",
        line,
    ), line
    assert b'"live":true' in got["page"]
    (t,) = optbench.race(SURFACE, [SPECS[1]], STEPS, start=[0.5, 0.5])
    rec = got["answer"]["lanes"][0]
    assert rec["label"] == t.label == "Momentum (lr=0.02, beta=0.5)"
    np.testing.assert_array_equal(np.reshape(rec["path"], (-1, 2)), t.params)


def test_the_command_writes_the_page(tmp_path, capsys):
    out = tmp_path / "slides" / "explore.html"
    argv = ["explore", SURFACE, SPECS[0], "--steps", str(STEPS), "--starts", "5", "--lang", "ru"]
    assert main([*argv, "--theme", "dark", "-o", str(out)]) == 0
    text = out.read_text("utf-8")
    cfg = json.loads(re.search(r'id="ob-config">(.*?)</script>', text, re.S)[1])
    assert cfg["words"]["lr"] == "скорость обучения" and cfg["colours"]["bg"] == "#15171c"
    assert cfg["labels"][0][cfg["lanes"][0]["lr"]["index"]] == ["SGD (lr=0.5 η_max)"]
    assert str(out) in capsys.readouterr().out


def test_the_notebook_widget_answers_in_the_kernel():
    pytest.importorskip("anywidget", reason="the notebook widget needs anywidget")
    w = optbench.explore(SURFACE, SPECS, steps=STEPS)
    assert "export default { render }" in w._esm and w.config["live"] is True
    w.request = {"start": [1.0, 1.0], "lanes": [{"i": 0}, {"i": 16, "j": 0}]}
    (t,) = optbench.race(SURFACE, ["sgd:lr=0.05eta_max"], STEPS, start=[1.0, 1.0])
    assert w.runs["lanes"][0]["label"] == t.label
    np.testing.assert_array_equal(np.reshape(w.runs["lanes"][0]["path"], (-1, 2)), t.params)
    assert w.runs["lanes"][1]["spec"] == "momentum:lr=0.02,beta=0"


def test_a_start_without_eta_max_is_said_not_drawn():
    """The monkey saddle's Hessian at the origin is zero: a rate in units of eta_max has no value
    there, so that lane answers `missing` (the page says so) while a plain rate still runs."""
    ex = Explorer("monkey_saddle", ["sgd:lr=0.5eta_max", "sgd:lr=0.01"], steps=10, live=True)
    out = ex.answer({"start": [0.0, 0.0], "lanes": [{"i": 3}, {"i": 8}]})
    assert out["lanes"][0] == {"spec": "sgd:lr=0.2eta_max", "label": None, "missing": True}
    assert out["lanes"][1]["label"] == "SGD (lr=0.005)"
    assert "no η_max at this start" in _page.config(ex)["words"]["no_eta"]
