"""Plot axes that survive real numbers: zeros on log axes sit on a floor labelled "0", losses of
both signs get a symmetric log axis that a diverged tail does not stretch, and sweep heatmaps get
thinned ticks, a colour scale set by the finite positive cells and a marked colour for failures."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from matplotlib.figure import Figure
from pixels import near, pixels

import optbench
from optbench import render
from optbench.render import THEMES
from optbench.sweeps import plots
from optbench.sweeps._table import SweepResult
from optbench.sweeps.plots import compact


@pytest.fixture
def figures(monkeypatch):
    """The figures the plots save, in order."""
    saved, savefig = [], Figure.savefig
    monkeypatch.setattr(
        Figure, "savefig", lambda fig, *a, **k: saved.append(fig) or savefig(fig, *a, **k)
    )
    return saved


@pytest.fixture(scope="module")
def quad_runs():
    # 20 steps here and below: the runs the suite's other quadratic races compile anyway
    return optbench.race("quadratic", ["sgd:lr=0.1", "sgd:lr=0.2"], steps=20)


def labels(ax):
    """[(tick value, label)] of ``ax``'s labelled y ticks inside the view, as drawn."""
    lo, hi = ax.get_ylim()
    out = [(t.get_position()[1], t.get_text()) for t in ax.get_yticklabels()]
    return [(v, text) for v, text in out if lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9) and text]


def label_at(ax, value):
    """The label of the y tick at ``value`` (None when there is none)."""
    found = [text for v, text in labels(ax) if v == pytest.approx(value, rel=1e-9)]
    return found[0] if found else None


def with_values(t, **arrays):
    return dataclasses.replace(t, **{k: np.asarray(v, dtype=np.float32) for k, v in arrays.items()})


def test_zeros_sit_on_a_floor_a_decade_below_the_smallest_positive_value(
    quad_runs, figures, tmp_path
):
    quad = optbench.surfaces.get("quadratic")
    a, b = quad_runs
    loss = np.asarray(a.loss, dtype=float).copy()
    loss[-4:] = 0.0  # reached the minimum exactly
    grad = np.asarray(a.grad_norm, dtype=float).copy()
    grad[-3:] = 0.0
    smallest = float(min(loss[loss > 0].min(), b.loss.min()))
    exact = [with_values(a, loss=loss, grad_norm=grad), b]
    render.convergence(exact, tmp_path / "c.png", surface=quad)
    (fig,) = figures
    gap, dist, norm = fig.axes
    # loss - minimum: the floor is the power of ten a decade below the smallest positive value's
    want = 10.0 ** (np.floor(np.log10(smallest)) - 1)
    assert gap.get_yscale() == "log"
    assert gap.get_ylim()[0] == pytest.approx(want, rel=1e-12)
    assert label_at(gap, want) == "0"
    assert [text for _, text in labels(gap)].count("0") == 1
    # the zero losses are drawn there, not dropped
    line = gap.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata()[-4:], want, rtol=1e-12)
    # the gradient norm: its own floor, from its own smallest positive value
    positive = np.concatenate([grad[grad > 0], b.grad_norm[b.grad_norm > 0]])
    want = 10.0 ** (np.floor(np.log10(float(positive.min()))) - 1)
    assert norm.get_ylim()[0] == pytest.approx(want, rel=1e-12)
    assert label_at(norm, want) == "0"
    # the distance never reaches 0: a plain log axis, no "0" tick, no 1e-300
    assert dist.get_yscale() == "log" and "0" not in [text for _, text in labels(dist)]
    assert dist.get_ylim()[0] > 1e-3


def test_a_diverged_runs_frozen_zero_gradient_does_not_pull_the_axis_down(figures, tmp_path):
    quad = optbench.surfaces.get("quadratic")
    runs = optbench.race(quad, ["sgd:lr=0.1", "sgd:lr=0.3"], steps=20)
    diverged = runs[1]
    assert diverged.diverged_at is not None
    render.convergence(runs, tmp_path / "c.png", surface=quad)
    norm = figures[0].axes[-1]
    shown = np.concatenate([runs[0].grad_norm, diverged.grad_norm[: diverged.diverged_at + 1]])
    assert (shown == 0).any()  # the runner records 0 once a run has stopped
    floor = 10.0 ** (np.floor(np.log10(float(shown[shown > 0].min()))) - 1)
    assert norm.get_ylim()[0] == pytest.approx(floor, rel=1e-12)
    assert label_at(norm, floor) == "0"
    cross = [line for line in norm.get_lines() if line.get_marker() == "x"]
    assert len(cross) == 1
    x, y = cross[0].get_xdata()[0], cross[0].get_ydata()[0]
    assert x == diverged.diverged_at
    if diverged.grad_norm[diverged.diverged_at] == 0:
        assert y == pytest.approx(floor)


@pytest.fixture(scope="module")
def monkey_race():
    """A short monkey-saddle race, and the same race with a diverged run whose last values run
    away to -8e16 (the frozen value the runner keeps after a blow-up)."""
    surface = optbench.surfaces.get("monkey_saddle")
    calm, fast = optbench.race(surface, ["sgd:lr=0.02", "adam:lr=0.05"], steps=20)  # as gallery
    assert calm.diverged_at is None and fast.diverged_at is None
    loss = np.asarray(fast.loss, dtype=float).copy()
    tail = np.array([-50.0, -9e4, -2e9, -8e16, -8e16, -8e16])
    loss[-len(tail) :] = tail
    grad = np.asarray(fast.grad_norm, dtype=float).copy()
    grad[-2:] = 0.0
    blown = dataclasses.replace(
        fast,
        loss=loss,
        grad_norm=grad,
        diverged_at=len(loss) - 3,
        label="blows up",
    )
    return surface, calm, blown


def test_a_saddle_race_gets_a_symlog_axis_that_its_diverged_tail_does_not_set(
    monkey_race, figures, tmp_path
):
    surface, calm, blown = monkey_race
    render.convergence([calm, blown], tmp_path / "m.png", surface=surface)
    (fig,) = figures
    ax = fig.axes[0]
    assert ax.get_yscale() == "symlog"
    bottom, top = ax.get_ylim()
    # every value of the calm run and the blown run's values before its tail are inside
    race = np.concatenate([calm.loss, blown.loss[: len(blown.loss) - 6]])
    assert bottom < race.min() and race.max() < top
    # the race's scale is its largest calm magnitude (0.88 at the start): -50 lies within 100x of
    # it and stays in view, -9e4 and beyond are the runaway tail and do not set the range
    scale = max(abs(calm.loss).max(), abs(blown.loss[0]))
    assert 50 < 100 * scale < 9e4
    assert -200 < bottom < -50
    # linear within +-0.1 (the power of ten below the start loss, 0.88), logarithmic beyond
    assert calm.loss[0] == pytest.approx(0.88)
    assert ax.yaxis.get_transform().linthresh == pytest.approx(0.1)
    # the cross of the run that blew up sits on the bottom edge, in view
    (cross,) = [line for line in ax.get_lines() if line.get_marker() == "x"]
    assert cross.get_ydata()[0] == pytest.approx(bottom)
    assert near(
        pixels(tmp_path / "m.png"),
        fig,
        ax,
        (blown.diverged_at, bottom * 0.999),
        THEMES["light"]["paths"][1],
    )


def test_a_real_saddle_race_stays_in_view(figures, tmp_path):
    surface = optbench.surfaces.get("saddle")
    runs = optbench.race(surface, ["sgd:lr=0.1", "adam:lr=0.1"], steps=20)  # as the gallery's
    render.convergence(runs, tmp_path / "s.png", surface=surface)
    ax = figures[0].axes[0]
    assert ax.get_yscale() == "symlog"
    bottom, top = ax.get_ylim()
    for t in runs:
        if t.diverged_at is None:
            assert bottom < t.loss.min() and t.loss.max() < top


def sweep_result(final, lr, b1, failed=()):
    """A SweepResult over the (lr, b1) grid, one seed, with the given final losses."""
    lr_, b1_ = np.meshgrid(lr, b1, indexing="ij")
    n = lr_.size
    kind = np.full(n, "", dtype=object)
    kind[list(failed)] = "nan"
    final = np.asarray(final, dtype=float).ravel()
    return SweepResult(
        hparams={"lr": lr_.ravel(), "b1": b1_.ravel()},
        seed=np.zeros(n, int),
        start=np.zeros(n, int),
        final_loss=final,
        best_loss=final,
        diverged_at=np.where(kind == "", -1, 3),
        kind=kind.astype(str),
        hits=np.zeros((n, 0), int),
        targets=np.zeros(0),
        f_min=0.0,
        wall_time=np.zeros(n),
    )


def test_a_300_by_300_heatmap_has_thinned_compact_ticks_and_a_positive_scale(figures, tmp_path):
    lr, b1 = np.logspace(-5, 0, 300), np.linspace(0.5, 0.999, 300)
    final = (lr[:, None] * 1e3) * (1 + b1[None, :])
    final[0, 0] = 0.0  # exact: below the scale, not setting it
    final[4, 7] = np.inf
    res = sweep_result(final, lr, b1, failed=[1 * 300 + 2])
    plots.heatmap(res, "lr", "b1", tmp_path / "h.png")
    ax = figures[0].axes[0]
    xl = [t.get_text() for t in ax.get_xticklabels()]
    yl = [t.get_text() for t in ax.get_yticklabels()]
    assert len(xl) <= 10 and len(yl) <= 10
    assert xl == [compact(v) for v in lr[[0, 43, 85, 128, 171, 214, 256, 299]]]
    assert xl[:4] == ["1e-5", "5.24e-5", "2.64e-4", "0.00138"] and xl[-1] == "1"
    assert yl[0] == "0.5" and yl[-1] == "0.999"
    np.testing.assert_array_equal(ax.get_xticks(), [0, 43, 85, 128, 171, 214, 256, 299])
    norm = ax.images[0].norm
    ok = np.isfinite(final) & (final > 0)
    ok.ravel()[1 * 300 + 2] = False
    assert norm.vmin == pytest.approx(final[ok].min(), rel=1e-12)
    assert norm.vmax == pytest.approx(final[ok].max(), rel=1e-12)
    assert norm.vmax == pytest.approx(1e3 * 1.999)


def test_a_log_grid_gets_ticks_on_its_round_values(figures, tmp_path):
    lr, b1 = np.logspace(-4, 0, 41), np.array([0.8, 0.9, 0.99])
    res = sweep_result(np.ones((41, 3)), lr, b1)
    plots.heatmap(res, "lr", "b1", tmp_path / "h.png")
    ax = figures[0].axes[0]
    xl = [t.get_text() for t in ax.get_xticklabels()]
    assert xl == ["1e-4", "3.16e-4", "0.001", "0.00316", "0.01", "0.0316", "0.1", "0.316", "1"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0.8", "0.9", "0.99"]


def test_failed_heatmap_cells_are_drawn_in_the_marked_colour(figures, tmp_path):
    lr, b1 = np.array([0.001, 0.01, 0.1, 1.0]), np.array([0.5, 0.9, 0.99])
    final = np.array([[1.0, 0.5, 0.2], [0.1, 0.05, np.nan], [0.01, 0.0, 3.0], [2.0, 5.0, 9.0]])
    res = sweep_result(final, lr, b1, failed=[3 * 3 + 1])  # lr=1, b1=0.9 diverged
    plots.heatmap(res, "lr", "b1", tmp_path / "h.png")
    fig = figures[0]
    ax = fig.axes[0]
    image = pixels(tmp_path / "h.png")
    # imshow puts cell (row=b1 index, column=lr index) at data (column, row)
    assert near(image, fig, ax, (1, 2), plots.FAILED_COLOUR, tol=6)  # lr=0.01, b1=0.99: NaN
    assert near(image, fig, ax, (3, 1), plots.FAILED_COLOUR, tol=6)  # lr=1, b1=0.9: diverged
    assert not near(image, fig, ax, (0, 0), plots.FAILED_COLOUR, tol=30)
    # the finite positive cells set the scale; the zero cell takes the lowest colour, not grey
    norm = ax.images[0].norm
    assert (norm.vmin, norm.vmax) == (0.01, 9.0)
    cmap = ax.images[0].get_cmap()
    assert near(image, fig, ax, (2, 1), cmap(0.0)[:3], tol=12)
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()] == ["diverged / NaN / inf"]
    assert "0" in fig.axes[1].get_ylabel()  # the colourbar says what the end triangle holds


def test_sensitivity_draws_a_zero_final_loss_on_the_floor(figures, tmp_path):
    lr, b1 = np.logspace(-3, 0, 4), np.array([0.9])
    final = np.array([[0.3], [2e-3], [0.0], [5.0]])
    res = sweep_result(final, lr, b1, failed=[3])
    plots.sensitivity({"adam": res}, tmp_path / "s.png")
    ax = figures[0].axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_ylim()[0] == pytest.approx(1e-4)  # 2e-3 -> its decade 1e-3 -> a decade below
    assert label_at(ax, 1e-4) == "0"
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata()[:3], [0.3, 2e-3, 1e-4])
    assert np.isnan(line.get_ydata()[3])  # every run at lr=1 diverged: an x, no point


def test_sensitivity_of_negative_losses_uses_a_symmetric_log_axis(figures, tmp_path):
    lr, b1 = np.logspace(-3, 0, 4), np.array([0.9])
    final = np.array([[0.5], [-20.0], [-3e4], [-1.0]])
    plots.sensitivity({"sgd": sweep_result(final, lr, b1)}, tmp_path / "s.png")
    ax = figures[0].axes[0]
    assert ax.get_yscale() == "symlog"
    bottom, top = ax.get_ylim()
    assert bottom < -3e4 and top > 0.5 and bottom > -3e5


def test_training_curves_put_a_zero_validation_loss_on_the_floor(figures, tmp_path):
    from networks import _plots

    train = np.array([2.0, 0.5, 0.05, 0.02])
    val = np.array([2.5, 0.7, 0.1, 0.0])  # a perfect fit of the validation set
    _plots.curves_png(tmp_path / "c.png", {"train_loss": train, "val_loss": val})
    ax = figures[0].axes[0]
    assert ax.get_yscale() == "log"
    assert ax.get_ylim()[0] == pytest.approx(1e-3)  # 0.02 -> its decade 1e-2 -> a decade below
    assert label_at(ax, 1e-3) == "0"
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), [2.5, 0.7, 0.1, 1e-3])
