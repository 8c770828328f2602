"""Models by name, sized to a data set: ``"mlp:16,16:tanh"``, ``"logistic"``, ``"cnn"`` ...

The grammar is ``NAME[:SIZES][:ACTIVATION][:key=value,...]``, tokens in any order after the name:

* ``mlp:16,16:tanh`` an MLP with hidden layers 16 and 16 and tanh units; ``mlp:32:relu:init=he``;
* ``logistic`` logistic regression (softmax regression for more than two classes);
* ``linear`` a linear unit without bias (LeCun's two-weight neuron, +-1 targets);
* ``cnn:8,16`` convolution blocks with 8 and 16 channels for square images (``digits``).

Inputs and outputs follow the data: one sigmoid output for two classes, a softmax over the classes
for more, one linear output for regression.
"""

from __future__ import annotations

from typing import Any

from optbench._errors import OptbenchError, unknown
from optbench._spec import parse_value

from ._cnn import cnn
from ._data import Dataset
from ._layers import ACTIVATIONS
from ._models import Model, mlp

MODELS = ("mlp", "logistic", "linear", "cnn")
MODEL_ALIASES = {"logreg": "logistic", "logistic_regression": "logistic"}
"""Other names for the models: ``logreg`` is ``logistic``."""


def _output_for(data: Dataset) -> tuple[str, int]:
    if data.kind == "regression":
        return "linear", 1
    return ("sigmoid", 1) if data.n_classes == 2 else ("softmax", data.n_classes)


def _parse(spec: str) -> tuple[str, list[int] | None, str | None, dict[str, Any]]:
    name, *tokens = [t.strip() for t in spec.strip().split(":")]
    name = MODEL_ALIASES.get(name, name)
    if name not in MODELS:
        raise unknown("model", name, [*MODELS, *MODEL_ALIASES])
    sizes, act, kw = None, None, {}
    for tok in tokens:
        if not tok:
            continue
        if "=" in tok:
            for item in tok.split(","):
                k, _, v = item.partition("=")
                kw[k.strip()] = parse_value(v)
        elif all(p.strip().isdigit() for p in tok.split(",")):
            sizes = [int(p) for p in tok.split(",")]
        elif tok in ACTIVATIONS or tok.isidentifier():
            if tok not in ACTIVATIONS:
                raise unknown("activation", tok, ACTIVATIONS)
            act = tok
        else:
            raise OptbenchError(
                f"`model` (={spec!r}) has a token {tok!r} that is neither layer sizes like 16,16, "
                "an activation, nor key=value."
            )
    if sizes is not None and any(s < 1 for s in sizes):
        raise OptbenchError(f"`model` (={spec!r}) has a layer of size 0; sizes must be >= 1.")
    return name, sizes, act, kw


def model_for(spec: Any, data: Dataset) -> Model:
    """The model ``spec`` (a :class:`Model` or a string) sized for ``data``, checked to fit it."""
    d = int(data.x.shape[1])
    output, n_out = _output_for(data)
    if isinstance(spec, Model):
        check_fits(spec, data)
        return spec
    if not isinstance(spec, str):
        raise OptbenchError(f"`model` (={spec!r}) must be a Model or a name like 'mlp:16,16:tanh'.")
    name, sizes, act, kw = _parse(spec)
    allowed = {
        "mlp": ("init", "output", "bias"),
        "logistic": ("init", "bias"),
        "linear": ("init", "bias"),
        "cnn": ("init", "kernel", "padding", "stride", "pool"),
    }
    for k in kw:
        if k not in allowed[name]:
            raise OptbenchError(
                f"`model` (={spec!r}) has no option {k!r}; {name} takes {', '.join(allowed[name])}."
            )
    if name in ("logistic", "linear") and (sizes or act):
        raise OptbenchError(f"`model` (={spec!r}): {name} has no hidden layers; use mlp:SIZES.")
    if name == "linear":
        model = mlp(
            [d, n_out],
            output="linear",
            bias=bool(kw.get("bias", False)),
            init=kw.get("init", "normal"),
        )
    elif name == "logistic":
        model = mlp(
            [d, n_out],
            output=output,
            bias=bool(kw.get("bias", True)),
            init=kw.get("init", "normal"),
        )
    elif name == "mlp":
        out = kw.get("output", output)
        model = mlp(
            [d, *(sizes or [16]), n_out if out == output else _n_for(out, data)],
            activation=act or "tanh",
            output=out,
            init=kw.get("init", "normal"),
            bias=bool(kw.get("bias", True)),
        )
    else:
        side = round(d**0.5)
        if side * side != d or data.kind != "classification":
            raise OptbenchError(
                f"`model` (={spec!r}) needs square images, but data set {data.name!r} has {d} "
                "inputs per example; use mlp."
            )
        model = cnn(
            (side, side, 1),
            tuple(sizes or [8]),
            n_out=n_out,
            activation=act or "relu",
            output=output,
            **kw,
        )
    check_fits(model, data)
    return model


def _n_for(output: str, data: Dataset) -> int:
    if output == "softmax":
        return max(data.n_classes, 2)
    return 1


def check_fits(model: Model, data: Dataset) -> None:
    """A one-sentence error when the model's input or output size does not fit the data set."""
    d = int(data.x.shape[1])
    if model.in_dim != d:
        raise OptbenchError(
            f"`model` ({model.name}) takes {model.in_dim} inputs, but data set {data.name!r} has "
            f"{d} features per example."
        )
    if data.kind == "regression":
        ok = model.out_dim == 1 and model.output == "linear"
        need = "1 linear output"
    elif model.output == "softmax":
        ok = model.out_dim == data.n_classes
        need = f"{data.n_classes} softmax outputs"
    else:
        ok = (model.out_dim == 1 and data.n_classes == 2) or model.out_dim == data.n_classes
        need = "1 output (two classes)" if data.n_classes == 2 else f"{data.n_classes} outputs"
    if not ok:
        raise OptbenchError(
            f"`model` ({model.name}) has {model.out_dim} {model.output} output(s), but data set "
            f"{data.name!r} needs {need}."
        )
