"""The gallery: every scene renders in quick mode from the command line, and each picture shows what
its scene computes (checked against independent references, read back as strings or pixels)."""

import re
import shlex
import types
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from PIL import Image
from pixels import head_at, near, pixels, rgb

import optbench
from optbench import OptbenchError, cli, gallery
from optbench.cli import main
from optbench.render._style import THEMES

EXPECTED = [
    "activations",
    "lr_1d",
    "ill_conditioned",
    "valley_momentum",
    "saddle",
    "rosenbrock_race",
    "batch_vs_stochastic",
    "ewa",
    "adam_bias_correction",
    "rprop",
    "logreg_vs_mlp",
    "zero_init",
    "overfitting",
    "lr_sensitivity",
    "himmelblau_basins",
    "backprop",
    "surfaces_3d",
    "themes",
]

# every file each quick scene writes (and nothing else): (width, height), frames and frame delay
# (quick races: 1 s at 8 fps, 125 ms stored in 10 ms units; training boundaries at 10 fps)
FILES = {
    "activations": {"activations.png": ((1400, 360), 1, None)},
    "lr_1d": {"lr_1d.png": ((1500, 340), 1, None)},
    "ill_conditioned": {
        "ill_conditioned.gif": ((675, 225), 8, 120),  # three 225 px panels (0.75 x 300)
        "ill_conditioned_convergence.png": ((1350, 372), 1, None),
    },
    "valley_momentum": {
        "valley_momentum.gif": ((300, 300), 8, 120),
        "valley_momentum_convergence.png": ((1350, 372), 1, None),
    },
    "saddle": {
        "saddle_on_axis.gif": ((300, 300), 8, 120),
        "saddle_offset.gif": ((300, 300), 8, 120),
    },
    "rosenbrock_race": {
        "rosenbrock_race.gif": ((300, 300), 8, 120),
        "rosenbrock_race_convergence.png": ((1350, 372), 1, None),
    },
    "batch_vs_stochastic": {"batch_vs_stochastic.gif": ((300, 300), 8, 120)},  # title inside
    "ewa": {"ewa.png": ((1000, 400), 1, None)},
    "adam_bias_correction": {"adam_bias_correction.gif": ((450, 330), 8, 120)},
    "rprop": {"rprop.png": ((1200, 460), 1, None)},
    "logreg_vs_mlp": {
        "logreg_vs_mlp_logistic.gif": ((500, 500), 6, 100),
        "logreg_vs_mlp_mlp.gif": ((500, 500), 6, 100),
    },
    "zero_init": {"zero_init.png": ((900, 360), 1, None)},
    "overfitting": {"overfitting.png": ((900, 360), 1, None)},
    "lr_sensitivity": {"lr_sensitivity.png": ((640, 420), 1, None)},
    "himmelblau_basins": {
        "himmelblau_basins_sgd.png": ((520, 460), 1, None),
        "himmelblau_basins_momentum.png": ((520, 460), 1, None),
    },
    "backprop": {"backprop.png": ((1080, 560), 1, None)},
    "surfaces_3d": {
        "surfaces_3d_rosenbrock.gif": ((300, 300), 8, 120),
        "surfaces_3d_saddle.gif": ((600, 300), 8, 120),
        "surfaces_3d_monkey.gif": ((300, 300), 8, 120),
    },
    "themes": {"themes.png": ((480, 480), 1, None)},
}
WHITE = (255, 255, 255)  # every gallery picture is drawn on the light theme


def test_every_lecture_scene_is_declared_in_order():
    scenes = gallery.scenes()
    assert [s.name for s in scenes] == EXPECTED
    assert [s.number for s in scenes] == list(range(1, 19))
    for s in scenes:
        assert s.title and s.caption and s.reproduce.strip()


def commands(reproduce):
    """The ``optbench ...`` command lines of a REPRODUCE text, continuation lines joined."""
    lines = reproduce.replace("\\\n", " ").splitlines()
    return [shlex.split(line, comments=True) for line in lines if line.startswith("optbench ")]


def test_every_reproduce_text_parses():
    parser = cli.build_parser()
    for s in gallery.scenes():
        found = commands(s.reproduce)
        if found:  # command lines, each accepted by the real parser
            for argv in found:
                assert argv[1] in ("race", "train", "lr"), (s.name, argv)
                assert parser.parse_args(argv[1:]).command == argv[1]
        else:  # Python code
            compile(s.reproduce, f"<{s.name} REPRODUCE>", "exec")
    with pytest.raises(SyntaxError):  # compile() does refuse broken code
        compile("for x in", "<broken>", "exec")


# --- what the scenes drew, recorded while they render ---------------------------------------------


@pytest.fixture
def drawn(monkeypatch):
    """Records, while a scene renders: every figure saved (by the file name it was saved under),
    every race scene built (``render._animate.build``), every nested ``optbench`` command line and
    the arrays handed to the network and sweep plots."""
    from optbench.networks import _plots

    from optbench.render import _animate
    from optbench.sweeps import plots

    rec = types.SimpleNamespace(figures={}, races=[], argv=[], calls={})
    savefig, build, cli_main = Figure.savefig, _animate.build, cli.main

    def record_savefig(fig, path, *a, **k):  # saved under .NAME.XXXXXXXX.part.png, then renamed
        name = re.sub(r"^\.(.+)\.[0-9a-f]{8}\.part(\.\w+)$", r"\1", Path(path).name)
        rec.figures[name] = fig
        return savefig(fig, path, *a, **k)

    def record_build(*a, **k):
        scene = build(*a, **k)
        rec.races.append(scene)
        return scene

    def record_main(argv, **k):
        rec.argv.append(list(argv))
        return cli_main(argv, **k)

    monkeypatch.setattr(Figure, "savefig", record_savefig)
    monkeypatch.setattr(_animate, "build", record_build)
    monkeypatch.setattr(cli, "main", record_main)  # what the gallery's command() calls
    for module, name in [
        (_plots, "boundary_gif"),
        (_plots, "zero_init_png"),
        (plots, "sensitivity"),
        (plots, "basins"),
    ]:

        def wrapper(*a, _f=getattr(module, name), _name=name, **k):
            rec.calls.setdefault(_name, []).append((a, k))
            return _f(*a, **k)

        monkeypatch.setattr(module, name, wrapper)
    return rec


def heads_seen(scene, frame):
    """How many path heads of a race scene the last frame shows in their path's colour, where
    nothing is drawn over them; asserts each one that is checked. (The legend is part of the
    static background: the heads are drawn over it.)"""
    from optbench.render._animate import _Counter

    steps = len(scene.moving[0].members[0][0]) - 1
    c = _Counter(scene.canvas, scene.axes[0], scene.colours, f"{scene.words['step']} {steps}")
    height, checked = scene.fig.bbox.height, 0
    for g in scene.moving:
        ax = g.ax
        box = ax.get_window_extent()
        heads = [ax.transData.transform(p[-1]) for p, _, _, _ in g.members]
        for i, (_, colour, _, t) in enumerate(g.members):
            x, y = heads[i]
            row = height - y
            covered = (
                t.diverged_at is not None  # out of view, or under its note
                or not (box.x0 + 6 < x < box.x1 - 6 and box.y0 + 6 < y < box.y1 - 6)
                or (c.col - 6 < x < c.col + c.w + 6 and c.row - 6 < row < c.row + c.h + 6)
                or any(np.hypot(*(heads[j] - heads[i])) < 12 for j in range(i + 1, len(heads)))
            )
            if covered:
                continue
            assert head_at(frame, scene.fig, ax, t.params[-1], colour), (t.label, colour)
            checked += 1
    return checked


def races(out, rec, names, heads):
    """Each race GIF's last frame shows ``heads[i]`` heads at their last positions, in colour,
    over a shaded surface."""
    assert len(rec.races) == len(names)
    for scene, name, n in zip(rec.races, names, heads):  # drawn by animate(): the layout is final
        frame = pixels(out / name)
        assert heads_seen(scene, frame) >= n, name
        height = scene.fig.bbox.height
        for g in scene.moving:  # the contour fill (Greys_r) covers the panel: not left white
            b = g.ax.get_window_extent()
            inside = frame[
                int(height - b.y1) + 2 : int(height - b.y0) - 2, int(b.x0) + 2 : int(b.x1) - 2
            ]
            assert (inside.min(axis=-1) > 240).mean() < 0.5, name
    return [[t for g in s.moving for _, _, _, t in g.members] for s in rec.races]


def legend_texts(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


QUICK_FIELDS = {"steps", "duration", "fps", "size", "epochs", "frames", "out"}


def same_as_reproduce(name, argv):
    """Each command a scene ran is a REPRODUCE command, up to the quick mode's options."""
    parser = cli.build_parser()

    def fields(args):
        return {k: v for k, v in vars(parser.parse_args(args)).items() if k not in QUICK_FIELDS}

    shown = [fields(c[1:]) for c in commands(gallery.select([name])[0].reproduce)]
    assert argv
    for a in argv:
        assert fields(a) in shown, (name, a)


CHECKS = {}


def check(fn):
    CHECKS[fn.__name__.removeprefix("check_")] = fn
    return fn


@check
def check_backprop(out, rec):
    from optbench import networks

    fig = rec.figures["backprop.png"]
    texts = {t.get_gid(): t for t in fig.axes[0].texts if t.get_gid()}
    # the units' outputs, as the slide gives them
    assert [texts[f"a 1 {j}"].get_text() for j in range(3)] == ["0.13", "0.96", "0.40"]
    assert [texts[f"a 2 {k}"].get_text() for k in range(2)] == ["0.35", "0.85"]
    # the H1 -> O1 derivative: the slide's product, and the hand-derived delta rule
    w = networks.worked_example()
    by_hand = networks.backprop(w.params, w.x, w.target)
    assert texts["dE/dw 1 0 0"].get_text() == "-0.016"
    for layer in (0, 1):
        rows, cols = np.shape(by_hand[layer]["w"])
        for a in range(rows):
            for b in range(cols):
                text = texts[f"dE/dw {layer} {a} {b}"].get_text()
                assert float(text) == pytest.approx(float(by_hand[layer]["w"][a, b]), abs=6e-4)
                assert texts[f"dE/dw {layer} {a} {b}"].get_color() == "#D55E00"
                weight = float(w.params[layer]["w"][a, b])
                assert texts[f"w {layer} {a} {b}"].get_text() == f"{weight:.2f}"
                assert texts[f"w {layer} {a} {b}"].get_color() == "#0072B2"
    # the weight labels and the gradient labels of one edge never overlap
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(r) for k, t in texts.items() if k.startswith(("w ", "dE/dw"))]
    assert sum(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]) <= 2


@check
def check_surfaces_3d(out, rec):
    views = [a[a.index("--view") + 1] for a in rec.argv if "--view" in a]
    assert views == ["3d", "both", "3d"] and "--log-height" in rec.argv[0]
    # "both": the contour on the left half (a race scene of 300 x 300), the surface on the right
    (contour,) = rec.races
    assert (contour.fig.bbox.width, contour.fig.bbox.height) == (300, 300)
    right = pixels(out / "surfaces_3d_saddle.gif")[:, 300:]
    assert len(np.unique(right.reshape(-1, 3), axis=0)) > 20  # a shaded surface, not a blank


@check
def check_themes(out, rec):
    image = pixels(out / "themes.png")
    grounds = [THEMES[t]["bg"] for t in ("light", "dark", "print", "projector")]
    corners = [image[1, 1], image[1, 241], image[241, 1], image[241, 241]]
    for corner, ground in zip(corners, grounds):  # each tile on its theme's ground
        assert np.abs(corner - np.round(np.array(to_rgb(ground)) * 255)).max() <= 1


@check
def check_activations(out, rec):
    fig = rec.figures["activations.png"]
    image = pixels(out / "activations.png")
    sig = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731
    reference = {  # f and f' by hand
        "sigmoid σ(z)": (sig, lambda z: sig(z) * (1 - sig(z))),
        "tanh z": (np.tanh, lambda z: 1 - np.tanh(z) ** 2),
        "ReLU max(0, z)": (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0),
        "LeakyReLU max(0.01z, z)": (
            lambda z: np.where(z > 0, z, 0.01 * z),
            lambda z: np.where(z > 0, 1.0, 0.01),
        ),
    }
    axes = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in axes] == list(reference)
    for ax, (f, df) in zip(axes, reference.values()):
        lines = {line.get_label(): line for line in ax.get_lines()}
        z = lines["f(z)"].get_xdata()
        smooth = z != 0  # JAX's derivative at a kink is a convention
        np.testing.assert_allclose(lines["f(z)"].get_ydata(), f(z), atol=1e-6)
        np.testing.assert_allclose(lines["f′(z)"].get_ydata()[smooth], df(z)[smooth], atol=1e-6)
        assert legend_texts(ax) == ["f(z)", "f′(z)"]
        assert near(image, fig, ax, (1.5, f(1.5)), lines["f(z)"].get_color())  # the solid f curve
    assert max(axes[0].get_lines()[-1].get_ydata()) == pytest.approx(0.25)  # σ' never exceeds 1/4


@check
def check_lr_1d(out, rec):
    from optbench.analysis import lr_limits

    lim = lr_limits("quadratic:dim=1,kappa=1,scale=2")
    assert lim.eta_opt == pytest.approx(0.5) and lim.eta_max == pytest.approx(1.0)
    fig = rec.figures["lr_1d.png"]
    image = pixels(out / "lr_1d.png")
    assert fig.get_suptitle() == "λ = 2:  η_opt = 1/λ = 0.5,  η_max = 2/λ = 1"
    x0, cases = 1.5, [0.2, 0.5, 0.8, 1.0, 1.1]
    what = ["< η_opt", "= η_opt", "η_opt < η < η_max", "= η_max", "> η_max"]
    axes = fig.axes
    assert [ax.get_title() for ax in axes] == [f"η = {lr:.2f}  ({w})" for lr, w in zip(cases, what)]
    for ax, lr in zip(axes, cases):
        x4 = (1 - 2 * lr) ** 4 * x0  # gradient descent on x²: x_k = (1 - 2η)^k x_0
        assert ax.texts[0].get_text() == ("diverges" if abs(x4) > x0 else f"x_4 = {x4:+.3f}")
        if abs(x4 - x0) > 0.1 and abs(x4) < 2:  # the last iterate, not under the start marker
            assert near(image, fig, ax, (x4, x4**2), ax.get_lines()[1].get_color()), lr


@check
def check_ill_conditioned(out, rec):
    (runs,) = races(out, rec, ["ill_conditioned.gif"], heads=[2])
    labels = ["SGD (lr=0.05)", "SGD (lr=0.095)", "SGD (lr=0.105)"]
    assert [ax.get_title() for ax in rec.races[0].axes] == labels
    # |1 - ηλ_max| = 0.5, 0.9, 1.1: the first two close in on the minimum, the last moves away
    distance = [np.linalg.norm(t.params[[0, -1]], axis=1) for t in runs]
    assert [d[-1] < d[0] for d in distance] == [True, True, False]
    conv = rec.figures["convergence.png"]
    assert legend_texts(conv.axes[0]) == [f"{s}  (η_max = 2/λ_max = 0.1)" for s in labels]
    assert [ax.get_ylabel() for ax in conv.axes] == [
        "loss − minimum",
        "distance to nearest minimum",
        "gradient norm",
    ]


@check
def check_valley_momentum(out, rec):
    (runs,) = races(out, rec, ["valley_momentum.gif"], heads=[2])
    assert legend_texts(rec.races[0].axes[0]) == [
        "SGD (lr=0.05)",
        "Momentum (lr=0.05, beta=0.6)",
        "Nesterov (lr=0.05, beta=0.6)",
    ]
    sgd, heavy_ball, nesterov = (t.loss[-1] for t in runs)
    assert heavy_ball < sgd and nesterov < sgd  # momentum gets further along the valley


@check
def check_saddle(out, rec):
    on_axis, offset = races(out, rec, ["saddle_on_axis.gif", "saddle_offset.gif"], heads=[2, 3])
    assert [t.label.split()[0] for t in offset] == ["SGD", "Momentum", "RMSprop", "Adam"]
    for t in on_axis:  # no y-gradient on y = 0: stuck on the axis
        assert np.all(t.params[:, 1] == 0), t.label
    for t in offset:  # from y0 = 1e-3 every stepper leaves the axis
        assert abs(t.params[-1, 1]) > 2 * abs(t.params[0, 1]), t.label


@check
def check_rosenbrock_race(out, rec):
    races(out, rec, ["rosenbrock_race.gif"], heads=[3])
    assert legend_texts(rec.races[0].axes[0]) == [
        "SGD (lr=0.001)",
        "Momentum (lr=0.001, beta=0.9)",
        "Nesterov (lr=0.001, beta=0.9)",
        "RMSprop (lr=0.01, decay=0.99)",
        "iRprop− (lr=0.01)",
        "Adam (lr=0.05)",
    ]


@check
def check_batch_vs_stochastic(out, rec):
    from optbench import networks
    from optbench.analysis import lr_limits

    (runs,) = races(out, rec, ["batch_vs_stochastic.gif"], heads=[2])
    # the slide's numbers: the exact Hessian of set-1 has lambda_max 0.84, so eta_max = 2.38
    exact = lr_limits(networks.problem("linear", "set1"), method="exact")
    assert round(exact.lambda_max, 6) == 0.84 and round(exact.eta_max, 2) == 2.38
    assert rec.races[0].fig.get_suptitle() == "η_max = 2/λ_max = 2/0.84 = 2.38"
    assert legend_texts(rec.races[0].axes[0]) == [
        "batch, lr=2",
        "batch, past η_max, lr=2.5",
        "minibatch 10, lr=0.2",
        "stochastic (1 example), lr=0.2",
    ]
    # past eta_max the error grows by |1 - 2.5 * 0.84| = 1.1 a step along the top eigenvector
    runs = {t.label: t for t in runs}
    below, past = runs["batch, lr=2"], runs["batch, past η_max, lr=2.5"]
    w = below.params[-1]
    gap = np.linalg.norm(past.params - w, axis=1)
    assert below.diverged_at is None and gap[-1] > 3 * gap[10]


@check
def check_ewa(out, rec):
    fig = rec.figures["ewa.png"]
    (ax,) = fig.axes
    lines = {line.get_label(): line.get_ydata() for line in ax.get_lines()}
    theta = lines["θ_t (noisy series)"]
    t = np.arange(1, len(theta) + 1)
    for beta in (0.9, 0.98):  # v_t = (1 - β) Σ_{i≤t} β^(t-i) θ_i, summed directly
        weights = np.tril(beta ** (t[:, None] - t[None, :])) * (1 - beta)
        v = weights @ theta
        np.testing.assert_allclose(lines[f"β = {beta}, no correction"], v, rtol=1e-10)
        np.testing.assert_allclose(lines[f"β = {beta}, v_t / (1 − β^t)"], v / (1 - beta**t))
        assert lines[f"β = {beta}, v_t / (1 − β^t)"][0] == pytest.approx(theta[0])
    assert len(legend_texts(ax)) == 5


@check
def check_adam_bias_correction(out, rec):
    (runs,) = races(out, rec, ["adam_bias_correction.gif"], heads=[2])
    assert [ax.get_title() for ax in rec.races[0].axes[:2]] == [t.label for t in runs]
    corrected, raw = (np.abs(t.params[1] - t.params[0]) for t in runs)
    np.testing.assert_allclose(corrected, 0.2, rtol=1e-3)  # the first step is lr * sign(g)
    np.testing.assert_allclose(raw, 0.2 * 0.1 / np.sqrt(0.001), rtol=1e-3)  # lr (1-β1)/√(1-β2)


@check
def check_rprop(out, rec):
    fig = rec.figures["rprop.png"]
    ax, bx = fig.axes
    path = np.stack([ax.get_lines()[0].get_xdata(), ax.get_lines()[0].get_ydata()], 1)
    delta = np.stack([line.get_ydata() for line in bx.get_lines()], 1)
    assert ax.get_title() == "iRprop− path, 60 steps (Rosenbrock, log-scaled contours)"
    assert legend_texts(bx) == ["Δ_x", "Δ_y"] and path.shape == delta.shape == (61, 2)
    np.testing.assert_array_equal(path[0], [-1.5, 2.0])
    assert np.all(delta[0] == np.float32(0.01))  # Δ_0 = lr
    ratio = delta[1:] / delta[:-1]
    grow, shrink, keep = (np.isclose(ratio, r, rtol=1e-5) for r in (1.2, 0.5, 1.0))
    assert np.all(grow | shrink | keep) and grow.any() and shrink.any()
    moved = path[1:] - path[:-1]
    assert np.all(moved[shrink] == 0)  # a sign flip halves Δ and skips that coordinate's step
    np.testing.assert_allclose(np.abs(moved[~shrink]), delta[1:][~shrink], rtol=1e-4, atol=1e-6)
    x, y = path[:-1, 0].astype(float), path[:-1, 1].astype(float)
    grad = np.stack([-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)], 1)  # by hand
    clear = ~shrink & (np.abs(grad) > 1e-2)
    np.testing.assert_array_equal(np.sign(moved[clear]), -np.sign(grad[clear]))  # downhill


def boundary_pixel(xs, ys, x, y):
    """Pixel (row, col) of input (x, y) on the boundary GIF: 500 px, axes at (0.08, 0.06, 0.88,
    0.86) over the field's grid."""
    col = 500 * (0.08 + 0.88 * (x - xs[0]) / (xs[-1] - xs[0]))
    row = 500 - 500 * (0.06 + 0.86 * (y - ys[0]) / (ys[-1] - ys[0]))
    return np.round(row).astype(int), np.round(col).astype(int)


@check
def check_logreg_vs_mlp(out, rec):
    from optbench.networks import _plots

    calls = rec.calls["boundary_gif"]
    assert len(calls) == 2
    residual = {}
    for (args, _), name in zip(calls, ("logistic", "mlp")):
        _, x, y, xs, ys, field, titles = args
        assert (titles[0], titles[-1]) == ("epoch 0 / 8", "epoch 8 / 8")
        p = np.clip(field[-1].astype(float), 1e-4, 1 - 1e-4)
        gx, gy = np.meshgrid(xs, ys)
        a = np.stack([gx.ravel(), gy.ravel(), np.ones(gx.size)], 1)
        logit = np.log(p / (1 - p)).ravel()
        inner = (p.ravel() > 0.01) & (p.ravel() < 0.99)
        fit = np.linalg.lstsq(a[inner], logit[inner], rcond=None)[0]
        residual[name] = np.abs(a[inner] @ fit - logit[inner]).max()
        # every data point away from the others is drawn in its class colour on the last frame
        frame = pixels(out / f"logreg_vs_mlp_{name}.gif")
        rows, cols = boundary_pixel(xs, ys, x[:, 0], x[:, 1])
        apart = np.hypot(rows[:, None] - rows, cols[:, None] - cols) + 99 * np.eye(len(x)) > 6
        seen = 0
        for i in np.flatnonzero(apart.all(axis=1)):
            want = rgb(_plots.THEMES["light"]["points"][y[i]])
            patch = frame[rows[i] - 1 : rows[i] + 2, cols[i] - 1 : cols[i] + 2].reshape(-1, 3)
            assert np.min(np.abs(patch - want).sum(axis=1)) < 40, (name, i)
            seen += 1
        assert seen >= 20
    # one sigmoid neuron: log(p / (1 - p)) is affine in the input, a straight boundary; the MLP's
    # is not
    assert residual["logistic"] < 1e-3 < 0.1 < residual["mlp"]


@check
def check_zero_init(out, rec):
    (args, _), *_ = rec.calls["zero_init_png"]
    _, steps, zeros, normal = args
    assert zeros.shape == normal.shape == (41, 4) and np.ptp(zeros[-1]) == 0
    assert np.all(np.ptp(zeros, axis=1) == 0) and np.ptp(zeros[:, 0]) > 0  # one line, moving
    assert np.ptp(normal[-1]) > 1e-2  # random initialization: distinct units
    fig = rec.figures["zero_init.png"]
    assert [ax.get_title() for ax in fig.axes] == ["zero initialization", "random initialization"]
    assert fig.axes[0].get_ylabel() == "weight from input 1 to each hidden unit"
    # the four zero-init lines lie on one another: only the last drawn shows
    last = fig.axes[0].get_lines()[-1]
    assert near(
        pixels(out / "zero_init.png"), fig, fig.axes[0], (20, zeros[20, 0]), last.get_color()
    )


@check
def check_overfitting(out, rec):
    fig = rec.figures["curves.png"]
    loss = fig.axes[0]
    lines = {line.get_label(): line for line in loss.get_lines()}
    assert legend_texts(loss)[:3] == ["train", "validation", "best epoch"]
    train, val = lines["train"].get_ydata(), lines["validation"].get_ydata()
    assert len(train) == len(val) == 41 and train[-1] < train[0]
    assert lines["best epoch"].get_xdata()[0] == np.nanargmin(val)  # marked at the best epoch
    assert fig.get_suptitle().startswith("mlp")


@check
def check_lr_sensitivity(out, rec):
    fig = rec.figures["lr_sensitivity.png"]
    (ax,) = fig.axes
    names = ["sgd", "momentum", "nesterov", "rmsprop", "rprop", "adam"]
    # Rosenbrock's Hessian at the start (-1.5, 2), by hand
    x, y = -1.5, 2.0
    hessian = [[2 - 400 * (y - x**2) + 800 * x**2, -400 * x], [-400 * x, 200]]
    eta_max = 2 / np.linalg.eigvalsh(hessian).max()
    assert legend_texts(ax) == [*names, rf"$\eta_{{max}}$ = {eta_max:.3g}"]
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert lines[legend_texts(ax)[-1]].get_xdata()[0] == pytest.approx(eta_max, rel=1e-9)
    for name in names:
        np.testing.assert_allclose(lines[name].get_xdata(), np.logspace(-5, 0, 6))
    (args, _), *_ = rec.calls["sensitivity"]
    assert args[0]["sgd"].failed[np.argmax(args[0]["sgd"].hparams["lr"])].all()  # lr = 1: diverged


@check
def check_himmelblau_basins(out, rec):
    from optbench.sweeps import plots

    surf = optbench.surfaces.get("himmelblau")
    for (args, _), spec in zip(rec.calls["basins"], ("sgd", "momentum")):
        starts, finals, minima = args[:3]
        fig = rec.figures[f"himmelblau_basins_{spec}.png"]
        image = pixels(out / f"himmelblau_basins_{spec}.png")
        ax = fig.axes[0]
        assert ax.get_title() == {"sgd": "sgd, lr=0.01", "momentum": "momentum, lr=0.002"}[spec]
        labels = plots.basin_labels(finals, minima)
        if spec == "sgd":  # gradient descent, lr=0.01, 60 steps, by hand in float64
            p = starts.astype(float)
            for _ in range(60):
                a, b = p[:, 0] ** 2 + p[:, 1] - 11, p[:, 0] + p[:, 1] ** 2 - 7
                p = p - 0.01 * np.stack([4 * p[:, 0] * a + 2 * b, 2 * a + 4 * p[:, 1] * b], 1)
            d = np.linalg.norm(p[:, None] - surf.minima[None], axis=-1)
            clear = (d.min(1) < 5e-3) | (d.min(1) > 2e-2)
            np.testing.assert_array_equal(labels[clear], plots.basin_labels(p, surf.minima)[clear])
            assert clear.sum() > 70
        # quick mode: gradient descent finds all four minima, slow momentum mostly none (grey)
        assert set(labels) == ({0, 1, 2, 3} if spec == "sgd" else {-1, 3})
        for start, k in zip(starts, labels):  # each start's cell in its minimum's colour
            want = plots.PALETTE[k] if k >= 0 else "0.85"
            assert near(image, fig, ax, start, want, tol=12), (spec, start, k)


@pytest.mark.parametrize("name", EXPECTED)
def test_quick_scene_draws_what_it_computes(name, tmp_path, drawn):
    assert main(["gallery", "--quick", "--only", name, "-o", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(FILES[name])  # no more, no less
    for file, (size, frames, delay) in FILES[name].items():
        with Image.open(tmp_path / file) as im:
            assert (im.size, getattr(im, "n_frames", 1)) == (size, frames), file
            if delay is not None:  # a GIF that loops forever
                assert (im.info["loop"], im.info["duration"]) == (0, delay), file
        image = pixels(tmp_path / file)
        # the light theme's white background (a GIF's shared palette may shift it slightly)
        for corner in (image[0, 0], image[-1, -1]):
            assert np.abs(corner - WHITE).sum() <= (0 if frames == 1 else 12), (file, corner)
        packed = (image[..., 0] << 16) | (image[..., 1] << 8) | image[..., 2]
        assert len(np.unique(packed)) > 8, file  # not a blank picture
    CHECKS[name](tmp_path, drawn)
    if drawn.argv:  # the commands it ran are its REPRODUCE commands (quick options aside)
        same_as_reproduce(name, drawn.argv)


def test_a_full_build_writes_the_readme_with_every_picture(tmp_path, monkeypatch):
    # the pictures themselves are rendered above; here each scene writes a small one
    import dataclasses

    def small_picture(scene):
        def render(out, quick):
            path = out / f"{scene.name}.png"
            Image.new("RGB", (120, 80)).save(path)
            return [path]

        return types.SimpleNamespace(render=render)

    scenes = [dataclasses.replace(s, module=small_picture(s)) for s in gallery.scenes()]
    monkeypatch.setattr(gallery, "scenes", lambda: scenes)
    written = gallery.build(tmp_path, quick=True, log=lambda *a: None)
    readme = (tmp_path / "README.md").read_text()
    assert written[-1] == tmp_path / "README.md"
    for s in scenes:
        assert f"]({s.name}.png)" in readme and s.title in readme
        assert s.reproduce.strip().splitlines()[0] in readme


def test_an_unknown_scene_is_refused_before_anything_is_written(tmp_path, capsys):
    assert main(["gallery", "--only", "eva", "-o", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'ewa'" in err
    assert not (tmp_path / "x").exists()


RU_ENGLISH = re.compile(
    r"\b(step|steps|loss|diverged|diverges|minimum|start|value|noisy|series|correction|"
    r"forward|backward|weights|outputs|size|sizes|path|sign|flip|initialization|batch)\b",
    re.IGNORECASE,
)


def test_the_russian_dark_gallery_speaks_russian_on_the_dark_ground(tmp_path, drawn):
    from matplotlib.text import Text

    for scene in gallery.scenes():  # every scene has its Russian title and caption
        title, caption = scene.words("ru")
        assert re.search("[а-яА-Я]", title) and re.search("[а-яА-Я]", caption), scene.name
    only = ["ewa", "rprop", "backprop", "saddle"]
    files = gallery.build(tmp_path, only=only, quick=True, lang="ru", theme="dark", log=lambda s: 0)
    dark = np.round(np.array(to_rgb(THEMES["dark"]["bg"])) * 255)
    for f in files:
        corner = pixels(f)[1, 1]
        assert np.abs(corner - dark).max() <= 2, f.name  # the dark theme's ground
    for name, fig in drawn.figures.items():
        fig.canvas.draw()
        for t in fig.findobj(Text):
            text = re.sub(r"\$[^$]*\$", "", t.get_text())
            assert not RU_ENGLISH.search(text), (name, text)
    assert any(a[:1] == ["race"] and "--lang" in a and "ru" in a for a in drawn.argv)
    with pytest.raises(OptbenchError, match=r"unknown gallery theme 'print'"):
        gallery.build(tmp_path, only=["ewa"], lang="ru", theme="print")


def test_the_committed_galleries_keep_their_size_budget():
    root = Path(__file__).resolve().parents[1] / "gallery"
    pictures = [p for p in root.rglob("*") if p.suffix in (".gif", ".png")]
    english = {p.name for p in root.glob("*") if p.suffix in (".gif", ".png")}
    russian = {p.name for p in (root / "ru").glob("*") if p.suffix in (".gif", ".png")}
    assert english == russian and len(english) == sum(len(f) for f in FILES.values())
    assert max(p.stat().st_size for p in pictures) <= 1_000_000  # 1 MB a file
    assert sum(p.stat().st_size for p in pictures) <= 20_000_000  # 20 MB in all
    assert (root / "ru" / "README.md").read_text(encoding="utf-8").startswith("# Галерея optbench")
