"""The bad-input corpus (issue 15, section 3): every mistake is one line, exit status 2, no files.

Each command-line case runs ``optbench.cli.main(argv)`` in-process from an empty working folder,
twice: once with its ``-o out`` folder absent (it must stay absent) and once with ``out/`` holding a
sentinel file (it must be left as it was). Either way the command prints nothing on stdout and
exactly one line, ``optbench: error: ...``, on stderr, naming the offending argument or value, and
leaves the working folder as it found it. The API cases raise :class:`optbench.OptbenchError`.

Almost every case fails during validation, before any compile; the few that must start a run use
one or two steps.
"""

from __future__ import annotations

import importlib.util
import math
import re
from pathlib import Path

import pytest

import optbench
from optbench import OptbenchError
from optbench.cli import main

HAS_TORCH = importlib.util.find_spec("torch") is not None
needs_torch = pytest.mark.skipif(not HAS_TORCH, reason="torch is not installed")
SENTINEL = b"left alone\n"


def case(cid: str, argv: list[str], message: str, *, files=None, marks=()):
    """One command-line case: ``argv``, a distinctive part of the one error line, input files."""
    return pytest.param(argv, message, files or {}, id=cid, marks=marks)


# -- argv builders: everything valid but the part under test, runs as short as they go -------------
def race(*steppers: str, surface: str = "quadratic", extra: tuple[str, ...] = ()) -> list[str]:
    return [
        "race",
        surface,
        *steppers,
        "--steps",
        "1",
        "--size",
        "200",
        "--fps",
        "2",
        "--duration",
        "1",
        "-o",
        "out",
        *extra,
    ]


def sweep(
    problem: str = "quadratic", stepper: str = "sgd", grid: str = "lr=0.1", extra=()
) -> list[str]:
    return ["sweep", problem, stepper, "--grid", grid, "--steps", "1", "-o", "out", *extra]


def train(dataset: str = "moons", extra: tuple[str, ...] = ()) -> list[str]:
    return ["train", dataset, "--epochs", "1", "--frames", "2", "-o", "out", *extra]


def check(target: str = "adam:lr=0.01", against: str = "adam:lr=0.01", extra=()) -> list[str]:
    return ["check", target, "--against", against, "--steps", "2", *extra]


def compare(cid: str, toml: str, message: str, *, marks=()):
    """A ``compare`` case: ``toml`` is the configuration file's text."""
    argv = ["compare", "config.toml", "-o", "out"]
    return case(cid, argv, message, files={"config.toml": toml}, marks=marks)


GOOD_TOML = 'problems = ["quadratic"]\nsteps = 2\nseeds = 1\n'
SGD_TABLE = '[steppers.SGD]\nstepper = "sgd"\ngrid = { lr = [0.1] }\n'
BOWL = "def bowl(x):\n    return (x ** 2).sum()\n"
BROKEN = "def f(x):\n    return (x\n"

SURFACES = (
    "ackley, beale, booth, goldstein_price, himmelblau, monkey_saddle, quadratic, rastrigin, "
    "rosenbrock, saddle, six_hump_camel, styblinski_tang"
)

STEPPER_CASES = [
    case(
        "race-unknown-stepper", race("adma:lr=0.1"), "unknown stepper 'adma'; did you mean 'adam'?"
    ),
    case(
        "race-unknown-hparam",
        race("adam:lrr=0.1"),
        "stepper 'adam' has no hyperparameter 'lrr'; it takes lr, b1,",
    ),
    case(
        "race-lr-abc", race("adam:lr=abc"), "`lr` of adam (='abc') must be a number with 0.0 < lr."
    ),
    case("race-b1-foo", race("adam:lr=0.1,b1=foo"), "`b1` of adam (='foo') must be a number with"),
    case(
        "race-beta-high",
        race("momentum:lr=0.1,beta=high"),
        "`beta` of momentum (='high') must be a number with 0.0 <= beta < 1.0.",
    ),
    case("race-lr-negative", race("sgd:lr=-1"), "`lr` of sgd (=-1) must satisfy 0.0 < lr."),
    case("race-lr-zero", race("sgd:lr=0"), "`lr` of sgd (=0) must satisfy 0.0 < lr."),
    case("race-lr-inf", race("sgd:lr=inf"), "`lr` of sgd (=inf) must be a finite number > 0."),
    case(
        "race-b1-schedule",
        race("adam:lr=0.1,b1=cosine(0.1,10)"),
        "must be a number with 0.0 <= b1 < 1.0; only `lr` takes a schedule.",
    ),
    case(
        "race-optax-text-value",
        race("optax.adam:learning_rate=abc"),
        "optax.adam rejects learning_rate='abc' (text, not a number)",
    ),
    case(
        "race-eta-no-curvature",
        race("sgd:lr=0.5eta_max", surface="monkey_saddle", extra=("--start=0,0",)),
        "needs a finite eta_max, but the Hessian of 'monkey_saddle' at [0.0, 0.0] has no positive "
        "eigenvalue",
    ),
    case(
        "race-abceta_max",
        race("sgd:lr=abceta_max"),
        "(='abceta_max') must be a number times eta_max, e.g. 0.5eta_max",
    ),
    case(
        "race-eta-zero",
        race("sgd:lr=0eta_opt"),
        "(='0eta_opt') must be a positive multiple of eta_opt.",
    ),
    case(
        "race-schedule-misspelt",
        race("sgd:lr=cosin(1,2)"),
        "unknown schedule 'cosin'; did you mean 'cosine'?",
    ),
    case(
        "race-schedule-unbalanced",
        race("sgd:lr=cosine(1,"),
        "stepper 'sgd:lr=cosine(1,' leaves a parenthesis open.",
    ),
    case(
        "race-schedule-extra-paren",
        race("sgd:lr=cosine(1,2))"),
        "closes a parenthesis it never opened.",
    ),
    case(
        "race-schedule-arg-count",
        race("sgd:lr=cosine(0.1)"),
        "schedule cosine(...) in stepper 'sgd:lr=cosine(0.1)' takes lr, steps, [final_lr]; got 1",
    ),
    case(
        "race-schedule-arg-text",
        race("sgd:lr=cosine(abc,10)"),
        "`lr` of schedule cosine(...) (='abc') in stepper 'sgd:lr=cosine(abc,10)' must be a "
        "number.",
    ),
    case(
        "race-warmup-too-short",
        race("sgd:lr=warmup_cosine(0,0.1,10,10)"),
        "`steps` of WarmupCosine (=10) must exceed `warmup_steps` (=10)",
    ),
    case(
        "race-malformed-item",
        race("sgd:lr"),
        "stepper 'sgd:lr' has a malformed parameter 'lr'; expected key=value",
    ),
    case("race-malformed-key", race("sgd:=0.1"), "has a malformed parameter '=0.1'"),
    case(
        "race-duplicate-key",
        race("sgd:lr=0.1,lr=0.2"),
        "stepper 'sgd:lr=0.1,lr=0.2' gives 'lr' twice.",
    ),
    case("race-empty-stepper", race(""), "stepper '' is empty; expected NAME[:key=value,...]."),
    case("race-no-name", race(":lr=0.1"), "stepper ':lr=0.1' has no name before ':'"),
    case("race-missing-lr", race("sgd"), "stepper 'sgd' needs lr, e.g. sgd:lr=0.01."),
    case(
        "race-optax-nonexistent",
        race("optax.nonexistent:learning_rate=0.1"),
        "'optax' has no attribute 'nonexistent'",
    ),
    case(
        "race-optax-misspelt-arg",
        race("optax.adam:learning_rat=0.1"),
        "optax.adam has no hyperparameter 'learning_rat'; it takes learning_rate,",
    ),
    case(
        "race-torch-bad-value",
        race("torch.optim.Adam:betas=0.8"),
        "torch.optim.Adam rejects betas=0.8",
        marks=needs_torch,
    ),
    case(
        "race-torch-misspelt",
        race("torch.optim.Adamm:lr=0.1"),
        "'torch.optim' has no attribute 'Adamm' (in 'torch.optim.Adamm:lr=0.1'); did you mean "
        "'Adam'?",
        marks=needs_torch,
    ),
    case(
        "sweep-unknown-stepper",
        sweep(stepper="adma"),
        "unknown stepper 'adma'; did you mean 'adam'?",
    ),
    case(
        "sweep-unknown-hparam",
        sweep(stepper="adam:lrr=0.1"),
        "stepper 'adam' has no hyperparameter 'lrr'; it takes lr, b1, b2, eps, eps_in_sqrt, "
        "bias_correction, amsgrad. Did you mean 'lr'?",
    ),
    case(
        "sweep-fixed-b1-foo",
        sweep(stepper="adam:b1=foo"),
        "`b1` of adam (='foo') must be a number with 0.0 <= b1 < 1.0.",
    ),
    case(
        "sweep-torch",
        sweep(stepper="torch.optim.Adam"),
        "stepper 'torch.optim.Adam' is a torch.optim class",
        marks=needs_torch,
    ),
    case("sweep-optax-nonexistent", sweep(stepper="optax.nonexistent"), "'optax' has no attribute"),
    case(
        "sweep-optax-misspelt-grid",
        sweep(stepper="optax.adam", grid="learning_rat=0.1"),
        "`grid` names 'learning_rat', which stepper 'optax.adam' does not have; it takes "
        "learning_rate,",
    ),
    case(
        "sweep-schedule-arg-count",
        sweep(stepper="sgd:lr=cosine(0.1)", grid="lr=0.1"),
        "schedule cosine(...) in stepper 'sgd:lr=cosine(0.1)' takes lr, steps",
    ),
    case(
        "train-unknown-stepper",
        train(extra=("--stepper", "adma:lr=0.1")),
        "unknown stepper 'adma'; did you mean 'adam'?",
    ),
    case("train-lr-negative", train(extra=("--stepper", "sgd:lr=-1")), "`lr` of sgd (=-1)"),
    case(
        "train-abceta_max",
        train(extra=("--stepper", "sgd:lr=abceta_max")),
        "(='abceta_max') must be a number times eta_max",
    ),
    case(
        "train-torch",
        train(extra=("--stepper", "torch.optim.Adam:lr=0.1")),
        "is not a JAX optimizer",
        marks=needs_torch,
    ),
    case(
        "check-unknown-target", check(target="adma:lr=0.1"), "unknown stepper 'adma'; did you mean"
    ),
    case("check-bad-reference", check(against="adam:lr=abc"), "`lr` of adam (='abc')"),
    case("check-empty-target", check(target=""), "optimizer '' is empty"),
    case(
        "check-optax-text-value",
        check(target="optax.adam:learning_rate=abc"),
        "optax.adam rejects learning_rate='abc' (text, not a number)",
    ),
    case(
        "sweep-optax-text-value",
        sweep(stepper="optax.adam:b1=abc", grid="learning_rate=0.1"),
        "optax.adam rejects b1='abc' (text, not a number): unsupported operand type(s)",
    ),
    case(
        "sweep-optax-misspelt-arg",
        sweep(stepper="optax.adam:b11=0.1", grid="learning_rate=0.1"),
        "optax.adam has no hyperparameter 'b11'; it takes learning_rate, b1, b2, eps, eps_root, "
        "mu_dtype, nesterov. Did you mean 'b1'?",
    ),
    case("check-optax-nonexistent", check(target="optax.nonexistent"), "'optax' has no attribute"),
    case(
        "check-optax-misspelt-arg",
        check(target="optax.adam:learning_rat=0.1"),
        "optax.adam has no hyperparameter 'learning_rat'",
    ),
    case(
        "check-torch-betas",
        check(target="torch.optim.Adam:betas=0.8"),
        "torch.optim.Adam rejects betas=0.8",
        marks=needs_torch,
    ),
    case(
        "check-no-such-module",
        check(target="no_such_module_xyz:factory"),
        "cannot import 'no_such_module_xyz'",
    ),
    case(
        "check-no-such-factory",
        check(target="optbench.steppers:no_such_factory"),
        "'optbench.steppers' has no attribute 'no_such_factory'",
    ),
    case(
        "check-eta-without-problem",
        check(target="sgd:lr=0.5eta_max"),
        "`lr` of stepper 'sgd:lr=0.5eta_max' (=0.5 η_max) is in units of the problem's curvature",
    ),
]

SURFACE_CASES = [
    case(
        "race-unknown-surface",
        race("sgd:lr=0.1", surface="rosenbrok"),
        f"unknown surface 'rosenbrok'; did you mean 'rosenbrock'? Known: {SURFACES}.",
    ),
    case(
        "race-surface-param",
        race("sgd:lr=0.1", surface="rosenbrock:c=1"),
        "surface 'rosenbrock' has no parameter 'c'; it takes a, b, noise.",
    ),
    case(
        "race-surface-value",
        race("sgd:lr=0.1", surface="rosenbrock:a=abc"),
        "`a` of rosenbrock (='abc') must be a finite number.",
    ),
    case(
        "race-surface-kappa",
        race("sgd:lr=0.1", surface="quadratic:kappa=-1"),
        "`kappa` of quadratic (=-1) must be a number >= 1.",
    ),
    case(
        "race-surface-3d",
        race("sgd:lr=0.1", surface="quadratic:dim=3"),
        "surface 'quadratic' is 3-D; a race is drawn on 2-D surfaces.",
    ),
    case(
        "race-surface-malformed",
        race("sgd:lr=0.1", surface="rosenbrock:a"),
        "surface 'rosenbrock:a' has a malformed parameter 'a'; expected key=value, e.g. "
        "rosenbrock:a=VALUE.",
    ),
    case("race-surface-empty", race("sgd:lr=0.1", surface=""), "surface '' is empty"),
    case(
        "race-surface-file-missing",
        race("sgd:lr=0.1", surface="no_such_file.py:f"),
        "surface file 'no_such_file.py' does not exist.",
    ),
    case(
        "race-surface-file-no-function",
        race("sgd:lr=0.1", surface="bowl.py:nothere"),
        "surface file 'bowl.py' has no function 'nothere'. It defines: bowl.",
        files={"bowl.py": BOWL},
    ),
    case(
        "race-surface-file-broken",
        race("sgd:lr=0.1", surface="broken.py:f"),
        "surface file 'broken.py' failed to load: SyntaxError",
        files={"broken.py": BROKEN},
    ),
    case(
        "check-unknown-problem",
        check(extra=("--problem", "rosenbrok")),
        "unknown surface 'rosenbrok'; did you mean 'rosenbrock'?",
    ),
    case(
        "check-problem-param",
        check(extra=("--problem", "rosenbrock:c=1")),
        "surface 'rosenbrock' has no parameter 'c'",
    ),
    case(
        "sweep-surface-param",
        sweep(problem="rosenbrock:c=1"),
        "surface 'rosenbrock' has no parameter 'c'",
    ),
    case(
        "lr-unknown-surface",
        ["lr", "rosenbrok"],
        "unknown surface 'rosenbrok'; did you mean 'rosenbrock'?",
    ),
    case("lr-surface-param", ["lr", "rosenbrock:c=1"], "surface 'rosenbrock' has no parameter 'c'"),
    case("lr-empty", ["lr", ""], "surface '' is empty"),
]

POINT_CASES = [
    case(
        "race-start-text",
        race("sgd:lr=0.1", extra=("--start=a,b",)),
        "`--start` (='a,b') must be numbers separated by commas",
    ),
    case("race-start-empty", race("sgd:lr=0.1", extra=("--start=",)), "`--start` (='')"),
    case(
        "race-start-nan",
        race("sgd:lr=0.1", extra=("--start=nan,0",)),
        "`--start` (=[nan, 0.0]) must be finite (no NaN or inf).",
    ),
    case(
        "race-start-inf",
        race("sgd:lr=0.1", extra=("--start=inf,0",)),
        "`--start` (=[inf, 0.0]) must be finite",
    ),
    case(
        "race-start-1d",
        race("sgd:lr=0.1", extra=("--start=1",)),
        "`--start` (=[1.0]) has 1 coordinate(s) but surface 'quadratic' is 2-D.",
    ),
    case(
        "race-start-3d",
        race("sgd:lr=0.1", extra=("--start=1,2,3",)),
        "`--start` (=[1.0, 2.0, 3.0]) has 3 coordinate(s)",
    ),
    case(
        "check-start-nan", check(extra=("--start=nan,0",)), "`--start` (=[nan, 0.0]) must be finite"
    ),
    case(
        "check-start-text",
        check(extra=("--start=a,b",)),
        "`--start` (='a,b') must be comma-separated",
    ),
    case(
        "check-start-3d",
        check(extra=("--start=1,2,3",)),
        "`--start` (=[1.0, 2.0, 3.0]) has 3 coordinate(s) but surface 'rosenbrock' is 2-D.",
    ),
    case("lr-at-text", ["lr", "rosenbrock", "--at=a,b"], "`--at` (='a,b') must be comma-separated"),
    case("lr-at-empty", ["lr", "rosenbrock", "--at="], "`--at` (='') must be comma-separated"),
    case("lr-at-nan", ["lr", "rosenbrock", "--at=nan,1"], "`--at` (='nan,1') must be finite"),
    case(
        "lr-at-3d",
        ["lr", "rosenbrock", "--at=1,2,3"],
        "`--at` (='1,2,3') has 3 coordinate(s) but surface 'rosenbrock' is 2-D.",
    ),
    case(
        "lr-at-on-network",
        ["lr", "moons", "--at=1,1"],
        "`--at` (='1,1') names a point on a surface; a network is measured at its initial weights",
    ),
]

OPTION_CASES = [
    case(
        "race-steps-0",
        race("sgd:lr=0.1", extra=("--steps", "0")),
        "`--steps` (=0) must be a positive",
    ),
    case(
        "race-steps-neg",
        race("sgd:lr=0.1", extra=("--steps=-1",)),
        "`--steps` (=-1) must be a positive",
    ),
    case(
        "race-steps-text",
        race("sgd:lr=0.1", extra=("--steps", "abc")),
        "argument --steps: invalid int value: 'abc'",
    ),
    case(
        "race-fps-0",
        race("sgd:lr=0.1", extra=("--fps", "0")),
        "`fps` (=0.0) must be a positive number.",
    ),
    case(
        "race-fps-nan",
        race("sgd:lr=0.1", extra=("--fps", "nan")),
        "`fps` (=nan) must be a positive",
    ),
    case(
        "race-duration-0",
        race("sgd:lr=0.1", extra=("--duration", "0")),
        "`duration` (=0.0) must be",
    ),
    case(
        "race-size-too-small",
        ["race", "quadratic", "sgd:lr=0.1", "--steps", "1", "--size", "50", "-o", "out"],
        "`--size` (='50') must be at least 120 pixels a side",
    ),
    case(
        "race-size-0",
        race("sgd:lr=0.1", extra=("--size", "0")),
        "`--size` (='0') must be at least 120 pixels a side",
    ),
    case(
        "race-view-unknown",
        race("sgd:lr=0.1", extra=("--view", "3D")),
        "unknown --view '3D'; did you mean '3d'?",
    ),
    case(
        "race-view-with-panels",
        race("sgd:lr=0.1", "adam", extra=("--view", "both", "--panels")),
        "--panels draws the contour view; --view (='both') must be 2d.",
    ),
    case(
        "race-rotate-nan",
        race("sgd:lr=0.1", extra=("--view", "3d", "--rotate", "nan")),
        "--rotate (=nan) must be a finite number of degrees.",
    ),
    case(
        "race-dpi-on-a-gif",
        race("sgd:lr=0.1", extra=("--dpi", "300")),
        "--dpi (=300) stamps a PNG still: give --format png.",
    ),
    case(
        "race-state-of-sgd-alone",
        race("sgd:lr=0.1", extra=("--show", "state")),
        "there is no state to draw",
    ),
    case(
        "race-size-not-wxh",
        race("sgd:lr=0.1", extra=("--size", "1280by720")),
        "`--size` (='1280by720') must be pixels as N or WxH, e.g. 600 or 1280x720.",
    ),
    case(
        "race-size-too-small-for-panels",
        race(
            "sgd:lr=0.1", "adam", "rprop", "momentum:lr=0.01", extra=("--size", "200", "--panels")
        ),
        "leaves 2 x 2 panels under 50 pixels a side after their labels: give at least",
    ),
    case(
        "race-format-bmp",
        race("sgd:lr=0.1", extra=("--format", "bmp")),
        "unknown format 'bmp'; did you mean 'mp4'? Known: gif, mp4, png.",
    ),
    case(
        "race-theme-neon",
        race("sgd:lr=0.1", extra=("--theme", "neon")),
        "unknown theme 'neon'. Known: dark, light, print, projector.",
    ),
    case(
        "race-lang-fr",
        race("sgd:lr=0.1", extra=("--lang", "fr")),
        "unknown language 'fr'. Known: en, ru.",
    ),
    case(
        "race-no-surface",
        ["race"],
        "the following arguments are required: SURFACE[:key=value,...]",
    ),
    case(
        "race-misspelt-option",
        race("sgd:lr=0.1", extra=("--stpes", "3")),
        "unrecognized arguments: --stpes 3",
    ),
    case(
        "race-out-is-a-file",
        ["race", "quadratic", "sgd:lr=0.1", "--steps", "1", "-o", "bowl.py"],
        "output directory 'bowl.py' is a file, not a folder.",
        files={"bowl.py": BOWL},
    ),
    case(
        "check-steps-0", check(extra=("--steps", "0")), "`steps` (=0) must be a positive integer."
    ),
    case(
        "check-steps-text",
        check(extra=("--steps", "x")),
        "argument --steps: invalid int value: 'x'",
    ),
    case(
        "check-dtype-float16",
        check(extra=("--dtype", "float16")),
        "argument --dtype: invalid choice 'float16'; did you mean 'float64'? Known: float64, "
        "float32.",
    ),
    case(
        "check-atol-negative",
        check(extra=("--atol=-1",)),
        "`atol` (=-1.0) must be a finite number >= 0.",
    ),
    case(
        "check-no-against",
        ["check", "adam:lr=0.1"],
        "the following arguments are required: --against",
    ),
    case(
        "lr-method",
        ["lr", "rosenbrock", "--method", "exakt"],
        "argument --method: invalid choice 'exakt'; did you mean 'exact'? Known: auto, exact, "
        "power, lecun.",
    ),
    case(
        "list-unknown-section",
        ["list", "stepers"],
        "argument section: invalid choice 'stepers'; did you mean 'steppers'? Known: surfaces, "
        "steppers, networks.",
    ),
    case("list-extra-argument", ["list", "steppers", "extra"], "unrecognized arguments: extra"),
    case(
        "unknown-command",
        ["racee"],
        "argument COMMAND: invalid choice 'racee'; did you mean 'race'? Known: race, list, lr,",
    ),
    case(
        "gallery-unknown-scene",
        ["gallery", "--only", "rosenbrok_race", "-o", "out"],
        "unknown gallery scene 'rosenbrok_race'; did you mean 'rosenbrock_race'?",
    ),
    case(
        "gallery-one-unknown-scene",
        ["gallery", "--only", "saddle", "nope"],
        "unknown gallery scene 'nope'. Known: activations,",
    ),
]

GRID_CASES = [
    case("grid-text", sweep(grid="lr=abc"), "`--grid` value 'abc' in 'lr' is not a number."),
    case(
        "grid-two-part-range",
        sweep(grid="lr=1:2"),
        "`--grid` range for 'lr' (='1:2') must be start:stop:count",
    ),
    case(
        "grid-log-from-zero",
        sweep(grid="lr=0:1:5:log"),
        "`--grid` log range for 'lr' needs positive ends",
    ),
    case(
        "grid-count-0",
        sweep(grid="lr=1:2:0"),
        "`--grid` count '0' for 'lr' must be a positive integer.",
    ),
    case("grid-count-fraction", sweep(grid="lr=1:2:2.5"), "`--grid` count '2.5' for 'lr'"),
    case("grid-spacing", sweep(grid="lr=1:2:3:geo"), "`--grid` range for 'lr' (='1:2:3:geo')"),
    case(
        "grid-unknown-hparam",
        sweep(grid="lrr=0.1,0.2"),
        "`grid` names 'lrr', which stepper 'sgd' does not have; it takes lr. Did you mean 'lr'?",
    ),
    case(
        "grid-unknown-hparam-adam",
        sweep(stepper="adam", grid="lr=0.1,b=0.9"),
        "`grid` names 'b', which stepper 'adam' does not have",
    ),
    case(
        "grid-mixed-units",
        sweep(grid="lr=0.1eta_max:2:3"),
        "`--grid` range for 'lr' (='0.1eta_max:2:3') mixes units",
    ),
    case(
        "grid-abceta_max",
        sweep(grid="lr=abceta_max"),
        "(='abceta_max') must be a number times eta_max",
    ),
    case(
        "grid-negative-eta",
        sweep(grid="lr=-1eta_max"),
        "(='-1eta_max') must be a positive multiple",
    ),
    case("grid-empty", sweep(grid=""), "`--grid` (='') must look like lr=1e-4:1:41:log"),
    case("grid-no-value", sweep(grid="lr="), "`--grid` (='lr=') must look like"),
    case("grid-no-name", sweep(grid="0.1,0.2"), "`--grid` (='0.1,0.2') must look like"),
    case(
        "grid-twice", sweep(grid="lr=0.1,lr=0.2"), "`--grid` (='lr=0.1,lr=0.2') names 'lr' twice."
    ),
    case("grid-bad-name", sweep(grid="l r=0.1"), "has 'l r' where a hyperparameter name goes."),
    case(
        "grid-switch",
        sweep(stepper="adam", grid="amsgrad=0,1"),
        "`amsgrad` of adam (=0.0) must be True or False.",
    ),
    case(
        "grid-missing",
        ["sweep", "quadratic", "sgd", "-o", "out"],
        "the following arguments are required: --grid",
    ),
    case("sweep-seeds-0", sweep(extra=("--seeds", "0")), "`--seeds` (=0) must be an integer >= 1."),
    case(
        "sweep-steps-0", sweep(extra=("--steps", "0")), "`--steps` (=0) must be a positive integer."
    ),
    case(
        "sweep-dtype-float16",
        sweep(extra=("--dtype", "float16")),
        "`dtype` (='float16') must be one of float32, float64.",
    ),
    case(
        "sweep-unknown-problem",
        sweep(problem="quadratik"),
        "unknown surface or data set 'quadratik'; did you mean 'quadratic'?",
    ),
    case(
        "sweep-dataset-misspelt",
        sweep(problem="mons"),
        "unknown surface or data set 'mons'; did you mean 'moons'?",
    ),
    case(
        "sweep-model-misspelt",
        sweep(problem="moons", extra=("--model", "mpl:16")),
        "unknown model 'mpl'; did you mean 'mlp'?",
    ),
    case(
        "sweep-batch-0",
        sweep(problem="moons", extra=("--batch", "0")),
        "`batch_size` (=0) must be an integer from 1",
    ),
    case("sweep-top-0", sweep(extra=("--top", "0")), "`--top` (=0) must be a positive integer"),
    case(
        "sweep-top-negative",
        sweep(grid="lr=0.1,0.2", extra=("--top=-1",)),
        "`--top` (=-1) must be a positive integer",
    ),
]

NETWORK_CASES = [
    case(
        "train-model-misspelt",
        train(extra=("--model", "mpl:16")),
        "unknown model 'mpl'; did you mean 'mlp'?",
    ),
    case(
        "train-activation",
        train(extra=("--model", "mlp:16:tanhh")),
        "unknown activation 'tanhh'; did you mean 'tanh'?",
    ),
    case(
        "train-activation-extra", train(extra=("--model", "mlp:4:tanh:x")), "unknown activation 'x'"
    ),
    case(
        "train-layer-0",
        train(extra=("--model", "mlp:0")),
        "`model` (='mlp:0') has a layer of size 0",
    ),
    case(
        "train-logistic-sizes",
        train(extra=("--model", "logistic:16")),
        "logistic has no hidden layers",
    ),
    case(
        "train-cnn-on-points",
        train(extra=("--model", "cnn")),
        "`model` (='cnn') needs square images",
    ),
    case(
        "train-loss-misspelt",
        train(extra=("--loss", "bse")),
        "unknown loss 'bse'; did you mean 'mse'?",
    ),
    case(
        "train-loss-for-output",
        train("regression", extra=("--loss", "bce")),
        "`loss` (='binary_cross_entropy') needs a model with a sigmoid output",
    ),
    case(
        "train-batch-0",
        train(extra=("--batch", "0")),
        "`batch_size` (=0) must be an integer from 1 to 160",
    ),
    case("train-batch-negative", train(extra=("--batch=-3",)), "`batch_size` (=-3)"),
    case(
        "train-batch-too-large",
        train(extra=("--batch", "100000")),
        "`batch_size` (=100000) must be an integer from 1 to 160",
    ),
    case(
        "train-batch-text",
        train(extra=("--batch", "abc")),
        "`--batch` (='abc') must be a positive integer or 'full'.",
    ),
    case(
        "train-validation-1.5",
        train(extra=("--validation", "1.5")),
        "`validation` (=1.5) must be a number in (0, 1).",
    ),
    case("train-validation-negative", train(extra=("--validation=-0.1",)), "`validation` (=-0.1)"),
    case("train-dataset-misspelt", train("mons"), "unknown data set 'mons'; did you mean 'moons'?"),
    case(
        "train-dataset-param",
        train("moons:nosie=0.1"),
        "data set 'moons' has no parameter 'nosie'; it takes n, noise, seed.",
    ),
    case(
        "train-dataset-value",
        train("moons:noise=abc"),
        "`noise` of moons (='abc') must be a number in [0, 10).",
    ),
    case(
        "train-dataset-seed",
        train("moons:seed=-1"),
        "`seed` of moons (=-1) must be an integer >= 0.",
    ),
    case(
        "train-dataset-factor",
        train("circles:factor=abc"),
        "`factor` of circles (='abc') must be a number in (0, 1).",
    ),
    case(
        "lr-dataset-seed", ["lr", "moons:seed=abc"], "`seed` of moons (='abc') must be an integer"
    ),
    case(
        "lr-dataset-turns",
        ["lr", "spiral:turns=abc"],
        "`turns` of spiral (='abc') must be a finite",
    ),
    case(
        "train-epochs-0",
        train(extra=("--epochs", "0")),
        "`--epochs` (=0) must be a positive integer.",
    ),
    case("train-frames-1", train(extra=("--frames", "1")), "`--frames` (=1) must be at least 2."),
    case(
        "train-dropout",
        train(extra=("--dropout", "1.5")),
        "`dropout` (=1.5) must be a number in (0, 1).",
    ),
    case(
        "train-weight-decay",
        train(extra=("--weight-decay=-1",)),
        "`weight_decay` (=-1.0) must be a number >= 0.",
    ),
    case(
        "train-patience-0",
        train(extra=("--patience", "0")),
        "`patience` (=0) must be a positive integer",
    ),
    case(
        "train-theme",
        train(extra=("--theme", "neon")),
        "argument --theme: invalid choice 'neon'. Known: light, dark.",
    ),
    case(
        "train-lang",
        train(extra=("--lang", "fr")),
        "argument --lang: invalid choice 'fr'. Known: en, ru.",
    ),
    case(
        "train-seed-text", train(extra=("--seed", "x")), "argument --seed: invalid int value: 'x'"
    ),
    case(
        "lr-model-misspelt",
        ["lr", "moons", "--model", "mpl:16"],
        "unknown model 'mpl'; did you mean 'mlp'?",
    ),
    case(
        "lr-batch-0",
        ["lr", "moons", "--batch", "0"],
        "`batch_size` (=0) must be an integer from 1 to 200",
    ),
    case("lr-batch-too-large", ["lr", "moons", "--batch", "100000"], "`batch_size` (=100000)"),
    case(
        "lr-dataset-misspelt",
        ["lr", "mons"],
        "unknown data set 'mons'; did you mean 'moons'?",
    ),
]

COMPARE_CASES = [
    case(
        "compare-missing-file",
        ["compare", "nope.toml", "-o", "out"],
        "`CONFIG` (='nope.toml') cannot be read: No such file or directory.",
    ),
    case(
        "compare-folder",
        ["compare", ".", "-o", "out"],
        "`CONFIG` (='.') cannot be read: Is a directory.",
    ),
    compare(
        "compare-malformed",
        "problems = [\n",
        "`CONFIG` (='config.toml') is not valid TOML:",
    ),
    compare(
        "compare-unknown-key",
        GOOD_TOML + "stpes = 3\n" + SGD_TABLE,
        "unknown key 'stpes' in config.toml; did you mean 'steps'? Known: problems, seeds, "
        "steppers, steps, target.",
    ),
    compare(
        "compare-no-problems",
        "steps = 2\n" + SGD_TABLE,
        '`problems` is missing from config.toml; e.g. problems = ["rosenbrock"].',
    ),
    compare(
        "compare-no-steppers",
        GOOD_TOML,
        "`steppers` is missing from config.toml: add [steppers.LABEL] tables.",
    ),
    compare(
        "compare-no-grid",
        GOOD_TOML + '[steppers.SGD]\nstepper = "sgd"\n',
        '`steppers.SGD` needs a `grid` entry, e.g. grid = { lr = "1e-3:1:13:log" }.',
    ),
    compare(
        "compare-bad-range",
        GOOD_TOML + SGD_TABLE.replace("[0.1]", '"1:2"'),
        "`steppers.SGD.grid` range for 'lr' (='1:2') must be start:stop:count",
    ),
    compare(
        "compare-unknown-problem",
        GOOD_TOML.replace("quadratic", "quadratik") + SGD_TABLE,
        "unknown surface 'quadratik'; did you mean 'quadratic'?",
    ),
    compare(
        "compare-unknown-stepper",
        GOOD_TOML + SGD_TABLE.replace('"sgd"', '"sgdd"'),
        "unknown stepper 'sgdd'; did you mean 'sgd'?",
    ),
    compare(
        "compare-unknown-hparam",
        GOOD_TOML + SGD_TABLE.replace("lr =", "lrr ="),
        "`grid` names 'lrr', which stepper 'sgd' does not have",
    ),
    compare(
        "compare-steps-0",
        GOOD_TOML.replace("steps = 2", "steps = 0") + SGD_TABLE,
        "`steps` (=0)",
    ),
    compare(
        "compare-steps-text",
        GOOD_TOML.replace("steps = 2", 'steps = "many"') + SGD_TABLE,
        "`steps` (='many') must be a positive integer.",
    ),
    compare(
        "compare-seeds-0",
        GOOD_TOML.replace("seeds = 1", "seeds = 0") + SGD_TABLE,
        "`seeds` (=0)",
    ),
    compare(
        "compare-grid-text",
        GOOD_TOML + SGD_TABLE.replace("[0.1]", '["abc"]'),
        "`steppers.SGD.grid` value 'abc' in 'lr' is not a number.",
    ),
    compare(
        "compare-stepper-number",
        GOOD_TOML + SGD_TABLE.replace('"sgd"', "3"),
        "`steppers.SGD.stepper` (=3) must be a string, not an integer.",
    ),
    compare(
        "compare-target-text",
        GOOD_TOML + 'target = "small"\n' + SGD_TABLE,
        "`target` (='small') must be a number, not a string.",
    ),
    compare(
        "compare-target-negative",
        GOOD_TOML + "target = -1\n" + SGD_TABLE,
        "`target` (=-1) must be a number from 1e-08 to 100: a run reaches it when its loss is "
        "within target of the problem's minimum,",
    ),
    compare(
        "compare-target-inf",
        GOOD_TOML + "target = inf\n" + SGD_TABLE,
        "`target` (=inf) must be a number from 1e-08 to 100",
    ),
    compare(
        "compare-problems-number",
        "problems = 3\nsteps = 2\nseeds = 1\n" + SGD_TABLE,
        "`problems` (=3) must be a non-empty list of strings.",
    ),
    compare(
        "compare-steppers-number",
        GOOD_TOML + "steppers = 3\n",
        "`steppers` (=3) must be a table, not an integer.",
    ),
    compare(
        "compare-grid-number",
        GOOD_TOML + SGD_TABLE.replace("{ lr = [0.1] }", "3"),
        "`steppers.SGD.grid` (=3) must be a table, not an integer.",
    ),
    compare(
        "compare-unknown-stepper-key",
        GOOD_TOML + SGD_TABLE + "gird = 1\n",
        "unknown key 'gird' in `steppers.SGD`; did you mean 'grid'? Known: grid, stepper.",
    ),
]


def configured(cid: str, command: str, toml: str, message: str):
    """A ``--config`` case of ``race``, ``sweep`` or ``train``: ``toml`` is the file's text."""
    argv = [command, "--config", "slide.toml", "-o", "out"]
    return case(cid, argv, message, files={"slide.toml": toml})


RACE_TOML = 'surface = "quadratic"\nsteps = 1\nsize = 200\nfps = 2\nduration = 1\n'
CONFIG_CASES = [
    configured(
        "race-config-misspelt-key",
        "race",
        RACE_TOML + "stpes = 3\n",
        "unknown key 'stpes' in slide.toml; did you mean 'steps'? Known: dpi, duration, format,",
    ),
    configured(
        "race-config-steps-text",
        "race",
        RACE_TOML.replace("steps = 1", 'steps = "1"'),
        "`steps` in slide.toml (='1') must be an integer, not a string.",
    ),
    configured(
        "race-config-switch-text",
        "race",
        RACE_TOML + 'panels = "yes"\n',
        "`panels` in slide.toml (='yes') must be true or false.",
    ),
    configured(
        "race-config-no-surface",
        "race",
        RACE_TOML.replace('surface = "quadratic"\n', ""),
        "the following arguments are required: SURFACE[:key=value,...] (on the command line or "
        "in --config FILE.toml).",
    ),
    configured(
        "race-config-grid-in-table",
        "race",
        RACE_TOML + '[steppers.A]\nstepper = "sgd:lr=0.1"\ngrid = { lr = [0.1] }\n',
        "unknown key 'grid' in `steppers.A`. Known: stepper.",
    ),
    configured(
        "race-config-two-problems",
        "race",
        RACE_TOML.replace('surface = "quadratic"', 'problems = ["quadratic", "rosenbrock"]'),
        "`problems` in slide.toml lists 2 problems; this command takes one (optbench compare "
        "takes several).",
    ),
    configured(
        "race-config-bad-stepper",
        "race",
        RACE_TOML + 'steppers = ["adam:lr=abc"]\n',
        "`lr` of adam (='abc') must be a number with 0.0 < lr.",
    ),
    configured(
        "race-config-malformed",
        "race",
        "surface = \n",
        "`--config` (='slide.toml') is not valid TOML:",
    ),
    case(
        "race-config-missing",
        ["race", "--config", "nope.toml", "-o", "out"],
        "`--config` (='nope.toml') cannot be read: No such file or directory.",
    ),
    configured(
        "sweep-config-two-tables",
        "sweep",
        'problem = "quadratic"\nsteps = 1\n[steppers.A]\nstepper = "sgd"\ngrid = "lr=0.1"\n'
        '[steppers.B]\nstepper = "adam"\ngrid = "lr=0.1"\n',
        "`steppers` in slide.toml holds 2 tables; this command runs one stepper (optbench "
        "compare takes several).",
    ),
    configured(
        "sweep-config-grid-bool",
        "sweep",
        'problem = "quadratic"\nstepper = "sgd"\nsteps = 1\ngrid = { lr = true }\n',
        "'lr' in `grid` in slide.toml (=True) must be a range such as \"1e-4:1:41:log\" or a "
        "list of values such as [0.9, 0.99].",
    ),
    configured(
        "sweep-config-grid-text",
        "sweep",
        'problem = "quadratic"\nstepper = "sgd"\nsteps = 1\ngrid = { lr = ["abc"] }\n',
        "`--grid` value 'abc' in 'lr' is not a number.",
    ),
    configured(
        "sweep-config-no-grid",
        "sweep",
        'problem = "quadratic"\nstepper = "sgd"\nsteps = 1\n',
        "the following arguments are required: --grid (on the command line or in --config",
    ),
    configured(
        "train-config-language",
        "train",
        'dataset = "moons"\nepochs = 1\nlang = "fr"\n',
        "unknown value 'fr' for `lang` in slide.toml. Known: en, ru.",
    ),
    configured(
        "train-config-epochs-float",
        "train",
        'dataset = "moons"\nepochs = 1.5\n',
        "`epochs` in slide.toml (=1.5) must be an integer, not a number.",
    ),
    configured(
        "train-config-unknown-key",
        "train",
        'dataset = "moons"\nepochs = 1\nlearning_rate = 0.1\n',
        "unknown key 'learning_rate' in slide.toml.",
    ),
]

EXPLORE_CASES = [
    case(f"explore-{name}", ["explore", *argv, "-o", "out/explore.html"], message)
    for name, argv, message in [
        ("3d", ["quadratic:dim=3"], "surface 'quadratic' is 3-D; the explorer draws 2-D surfaces"),
        ("unknown", ["rosenbrock", "adma:lr=0.1"], "unknown stepper 'adma'; did you mean 'adam'?"),
        (
            "no-lr",
            ["rosenbrock", "sgd"],
            "stepper 'sgd' needs lr, e.g. sgd:lr=0.01 or sgd:lr=0.5eta",
        ),
        ("schedule", ["rosenbrock", "sgd:lr=cosine(0.1,10)"], "is a schedule; the explorer moves"),
        (
            "range",
            ["rosenbrock", "momentum:lr=0.01,beta=2"],
            "`beta` of momentum (=2) must satisfy 0.0 <= beta < 1.0",
        ),
        ("outside", ["rosenbrock", "optax.adam:learning_rate=0.1"], "names an outside optimizer"),
        ("eta-beta", ["rosenbrock", "momentum:lr=0.1,beta=eta_max"], "only lr may be"),
        (
            "host",
            ["rosenbrock", "--host", "0.0.0.0"],
            "--host (='0.0.0.0') is where --serve listens",
        ),
        (
            "starts",
            ["rosenbrock", "--starts", "1"],
            "--starts (=1) must be an integer from 2 to 41",
        ),
        ("theme", ["rosenbrock", "--theme", "drak"], "unknown theme 'drak'; did you mean 'dark'?"),
    ]
] + [
    case(
        "explore-too-large",
        ["explore", "rosenbrock", "--starts", "41", "--steps", "2000", "-o", "out/explore.html"],
        "is too large to open in a browser; at most 3e+07: give fewer starts or steps",
    ),
    case("explore-png", ["explore", "rosenbrock", "-o", "x.png"], "`--out` (='x.png') must end in"),
    case(
        "explore-port",
        ["explore", "rosenbrock", "--serve", "--port", "70000"],
        "--port (=70000) must be an integer from 0 to 65535",
    ),
    case(
        "explore-serve-out",
        ["explore", "rosenbrock", "--serve", "-o", "out/explore.html"],
        "--out (='out/explore.html') names a static page; --serve writes none",
    ),
]

CLI_CASES = (
    CONFIG_CASES
    + STEPPER_CASES
    + SURFACE_CASES
    + POINT_CASES
    + OPTION_CASES
    + GRID_CASES
    + NETWORK_CASES
    + COMPARE_CASES
    + EXPLORE_CASES
)


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under ``folder`` with its bytes (None for a folder)."""
    return {
        str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes())
        for p in sorted(folder.rglob("*"))
    }


def one_error_line(capsys, argv: list[str], message: str) -> None:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert (status, out) == (2, ""), err
    assert "Traceback" not in err
    assert err.startswith("optbench: error: ") and err.count("\n") == 1 and err.endswith("\n"), err
    assert message in err, err


@pytest.mark.parametrize(("argv", "message", "files"), CLI_CASES)
def test_bad_command_line(argv, message, files, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    # 1: no output folder beforehand; none afterwards, nor anything else in the working folder
    before = snapshot(tmp_path)
    one_error_line(capsys, argv, message)
    assert snapshot(tmp_path) == before
    if "-o" not in argv or argv[argv.index("-o") + 1] != "out":
        return
    # 2: an output folder with a file in it beforehand: left exactly as it was
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_bytes(SENTINEL)
    before = snapshot(tmp_path)
    one_error_line(capsys, argv, message)
    assert snapshot(tmp_path) == before


def test_the_corpus_is_large_and_covers_every_subcommand():
    from optbench.cli import COMMANDS

    assert len(CLI_CASES) + len(API_CASES) >= 90
    used = {p.values[0][0] for p in CLI_CASES if p.values[0]}
    assert set(COMMANDS) <= used


# -- the Python API: OptbenchError (a ValueError) with the same one sentence --------------------
API_CASES = [
    *(
        pytest.param(
            lambda t=t: optbench.sweeps.compare(
                "quadratic", {"GD": ("sgd", {"lr": [0.1]})}, 2, 1, target=t
            ),
            f"`target` (={t!r}) must be a number from 1e-08 to 100",
            id=f"compare-target-{t!r}",
        )
        for t in (-1, 0, float("inf"), "a", 1e-12)
    ),
    pytest.param(
        lambda: optbench.steppers.get("adma", lr=0.1),
        "unknown stepper 'adma'; did you mean 'adam'?",
        id="steppers.get-unknown",
    ),
    pytest.param(
        lambda: optbench.steppers.get("adam", lrr=0.1),
        "stepper 'adam' has no hyperparameter 'lrr'",
        id="steppers.get-unknown-hparam",
    ),
    pytest.param(
        lambda: optbench.steppers.get("sgd", lr=-1),
        "`lr` of sgd (=-1) must satisfy 0.0 < lr.",
        id="steppers.get-lr-negative",
    ),
    pytest.param(
        lambda: optbench.steppers.get("adam", lr=0.1, b1="foo"),
        "`b1` of adam (='foo')",
        id="steppers.get-b1-text",
    ),
    pytest.param(
        lambda: optbench.steppers.get("sgd"),
        "stepper 'sgd' needs lr, e.g. sgd:lr=0.01.",
        id="steppers.get-missing-lr",
    ),
    pytest.param(
        lambda: optbench.steppers.get(
            "adam", lr=0.1, b1=optbench.steppers.schedules.Cosine(0.1, 9)
        ),
        "only `lr` takes a schedule.",
        id="steppers.get-b1-schedule",
    ),
    pytest.param(
        lambda: optbench.steppers.get("sgd", lr=math.inf),
        "`lr` of sgd (=inf) must be a finite number > 0.",
        id="steppers.get-lr-inf",
    ),
    pytest.param(
        lambda: optbench.steppers.schedules.from_call("cosin", (1, 2)),
        "unknown schedule 'cosin'; did you mean 'cosine'?",
        id="schedules.from_call-unknown",
    ),
    pytest.param(
        lambda: optbench.steppers.schedules.WarmupCosine(0.0, 0.1, 10, 5),
        "`steps` of WarmupCosine (=5) must exceed `warmup_steps` (=10)",
        id="schedules.WarmupCosine-short",
    ),
    pytest.param(
        lambda: optbench.surfaces.get_spec("rosenbrok"),
        "unknown surface 'rosenbrok'; did you mean 'rosenbrock'?",
        id="surfaces.get_spec-unknown",
    ),
    pytest.param(
        lambda: optbench.surfaces.get("rosenbrock", c=1),
        "surface 'rosenbrock' has no parameter 'c'",
        id="surfaces.get-unknown-param",
    ),
    pytest.param(
        lambda: optbench.surfaces.get_spec("rosenbrock:a=abc"),
        "`a` of rosenbrock (='abc') must be a finite number.",
        id="surfaces.get_spec-bad-value",
    ),
    pytest.param(
        lambda: optbench.run("quadratic", "adma:lr=0.1", steps=2),
        "unknown stepper 'adma'",
        id="run-unknown-stepper",
    ),
    pytest.param(
        lambda: optbench.run("quadratic", "sgd:lr=0.1,lr=0.2", steps=2),
        "gives 'lr' twice.",
        id="run-duplicate-key",
    ),
    pytest.param(
        lambda: optbench.run("quadratic", "", steps=2),
        "stepper '' is empty",
        id="run-empty-spec",
    ),
    pytest.param(
        lambda: optbench.run("quadratic", "sgd:lr=0.1", steps=0),
        "`steps` (=0)",
        id="run-steps-0",
    ),
    pytest.param(
        lambda: optbench.run("quadratic", "sgd:lr=0.1", steps=2, start=[1.0]),
        "has 1 coordinate(s) but surface 'quadratic' is 2-D.",
        id="run-start-1d",
    ),
    pytest.param(
        lambda: optbench.run("quadratic", "sgd:lr=0.1", steps=2, start=[math.nan, 0.0]),
        "must be finite (no NaN or inf).",
        id="run-start-nan",
    ),
    pytest.param(
        lambda: optbench.run("monkey_saddle", "sgd:lr=0.5eta_max", steps=2, start=[0.0, 0.0]),
        "has no positive eigenvalue (eta_max = inf); give a number instead.",
        id="run-eta-no-curvature",
    ),
    pytest.param(
        lambda: optbench.race("quadratic", ["sgd:lr=0.1", "adam:lr=abc"], 2),
        "`lr` of adam (='abc')",
        id="race-second-stepper",
    ),
    pytest.param(
        lambda: optbench.sweeps.parse_grid("lr=1:2"),
        "`--grid` range for 'lr' (='1:2') must be start:stop:count[:lin|log].",
        id="parse_grid-two-part-range",
    ),
    pytest.param(
        lambda: optbench.sweeps.parse_grid("lr=0.1eta_max:2:3"),
        "mixes units",
        id="parse_grid-mixed-units",
    ),
    pytest.param(
        lambda: optbench.sweep("quadratic", "sgd", {"lrr": [0.1]}, 2, 1, progress=False),
        "`grid` names 'lrr', which stepper 'sgd' does not have; it takes lr. Did you mean 'lr'?",
        id="sweep-unknown-hparam",
    ),
    pytest.param(
        lambda: optbench.sweep("quadratic", "sgd", {}, 2, 1, progress=False),
        "`grid` (={}) must be a non-empty mapping",
        id="sweep-empty-grid",
    ),
    pytest.param(
        lambda: optbench.sweep("quadratic", "sgd", {"lr": [0.1]}, 2, 0, progress=False),
        "`seeds` (=0) must be an integer >= 1.",
        id="sweep-seeds-0",
    ),
    pytest.param(
        lambda: optbench.sweep("quadratic", "sgd", {"lr": [0.1]}, 2, 1, dtype="float16"),
        "`dtype` (='float16') must be one of float32, float64.",
        id="sweep-dtype",
    ),
    pytest.param(
        lambda: optbench.sweep("quadratic", "adam:lrr=0.1", {"lr": [0.1]}, 2, 1, progress=False),
        "'lrr'",
        id="sweep-unknown-fixed-hparam",
    ),
    pytest.param(
        lambda: optbench.networks.problem("mpl:16", "moons"),
        "unknown model 'mpl'; did you mean 'mlp'?",
        id="networks.problem-model",
    ),
    pytest.param(
        lambda: optbench.networks.problem("mlp:16", "mons"),
        "unknown data set 'mons'; did you mean 'moons'?",
        id="networks.problem-dataset",
    ),
    pytest.param(
        lambda: optbench.networks.problem("mlp:16", "moons", "bse"),
        "unknown loss 'bse'; did you mean 'mse'?",
        id="networks.problem-loss",
    ),
    pytest.param(
        lambda: optbench.networks.problem("mlp:16", "moons", batch_size=0),
        "`batch_size` (=0) must be an integer from 1 to 200",
        id="networks.problem-batch",
    ),
    pytest.param(
        lambda: optbench.networks.problem("mlp:16", "moons", validation=1.5),
        "`validation` (=1.5) must be a number in (0, 1).",
        id="networks.problem-validation",
    ),
    pytest.param(
        lambda: optbench.networks.dataset("moons", seed="abc"),
        "`seed` of moons (='abc') must be an integer >= 0.",
        id="networks.dataset-seed",
    ),
    pytest.param(
        lambda: optbench.testing.resolve("optax.sgd:learning_rate=fast"),
        "optax.sgd rejects learning_rate='fast' (text, not a number)",
        id="testing.resolve-text-value",
    ),
    pytest.param(
        lambda: optbench.testing.resolve("optax.adam:learning_rat=0.1"),
        "optax.adam has no hyperparameter 'learning_rat'",
        id="testing.resolve-misspelt-arg",
    ),
    pytest.param(
        lambda: optbench.testing.resolve("torch.optim.Adam:betas=0.8"),
        "torch.optim.Adam rejects betas=0.8",
        id="testing.resolve-torch-betas",
        marks=needs_torch,
    ),
    pytest.param(
        lambda: optbench.gallery.select(["nope"]),
        "unknown gallery scene 'nope'",
        id="gallery.select-unknown",
    ),
]


@pytest.mark.parametrize(("call", "message"), API_CASES)
def test_bad_api_input(call, message):
    with pytest.raises(OptbenchError, match=re.escape(message)):
        call()
    assert issubclass(OptbenchError, ValueError)
