"""``tinygrad-lm check FILE.py``: run a learner's file, identify its loss, match its gradients."""

from __future__ import annotations

import contextlib
import inspect
import io
import runpy
import sys
from pathlib import Path
from typing import Any

from .identify import CATALOGUE, identify_loss
from .match import assert_gradients_match
from .printed import loss_values, printed_loss
from .structure import Structure
from .vjp import assert_vjp_match

REQUIRED = ("predict", "params", "target", "grads")
LAYER = ("fn", "inputs", "grads")  # and cotangent, or dout

FORMAT = """\
A checked file is plain Python that defines four names, and may define a fifth:
  params   the arrays the loss depends on: a list [W1, b1, W2, b2], a dict
           {"W1": W1, ...}, or nested lists such as (biases, weights)
  predict  a function of the params returning the prediction Tensor the loss is
           applied to: predict(W1, b1, W2, b2) for a list (one argument per entry),
           predict(p) or predict(W1=..., ...) for a dict, predict(biases, weights)
           for nested lists; write it with Tensor operations (x.tanh(), x @ W,
           tg.Tensor(X)), not numpy functions
  target   what the loss compares the prediction with (one-hot rows or columns,
           labels, or values)
  grads    your gradients, with exactly the structure of params
  loss     optional: loss(pred, target) or loss(pred, target, params) for a
           regulariser, the loss you mean (e.g. tg.losses.cross_entropy); without
           it the check names the loss your gradients belong to, and fails unless
           that is a mean-reduced loss of the catalogue at scale 1

A layer's backward is checked from a file that defines, instead:
  fn        the layer's forward: fn(*inputs) returns a Tensor, written with
            Tensor operations and tg.functional (F.conv2d, F.max_pool2d, ...)
  inputs    a list of the arrays fn takes: [x, w, b]
  dout      the upstream gradient, of fn's output's shape (or name it cotangent)
  grads     your backward's results, one per input: [dx, dw, db]; None skips one
Print an example with --template (a loss) or --template layer."""

TEMPLATE = '''\
"""A file for `tinygrad-lm check`: your data, your params, your hand-written gradients."""
import numpy as np

import tinygrad_lm as tg

rng = np.random.default_rng(0)
X = rng.normal(size=(8, 4))                        # 8 examples as rows, 4 features
target = np.eye(3)[rng.integers(0, 3, size=8)]     # one-hot rows
params = {"W1": rng.normal(size=(4, 5)), "W2": rng.normal(size=(5, 3))}
reg = 0.01


def predict(p):
    """The logits, with Tensor operations only (the engine differentiates them)."""
    return (tg.Tensor(X) @ p["W1"]).tanh() @ p["W2"]


def loss(pred, target, p):
    """The loss you mean: mean cross-entropy of the logits plus reg * sum(W**2)."""
    return tg.losses.cross_entropy(pred, target) + reg * ((p["W1"] ** 2).sum()
                                                          + (p["W2"] ** 2).sum())


# Your backprop, in plain numpy: replace with your own code.
H = np.tanh(X @ params["W1"])
scores = H @ params["W2"]
probs = np.exp(scores - scores.max(1, keepdims=True))
probs /= probs.sum(1, keepdims=True)
dscores = (probs - target) / len(X)
dH = dscores @ params["W2"].T * (1 - H ** 2)
grads = {"W1": X.T @ dH + 2 * reg * params["W1"], "W2": H.T @ dscores + 2 * reg * params["W2"]}
'''


LAYER_TEMPLATE = '''\
"""A layer file for `tinygrad-lm check`: a forward, an upstream gradient, your backward."""
import numpy as np

import tinygrad_lm as tg

rng = np.random.default_rng(0)
x = rng.normal(size=(4, 3))                  # 4 examples, 3 features
w = rng.normal(size=(3, 2))
b = rng.normal(size=(1, 2))
inputs = [x, w, b]


def fn(x, w, b):
    """The layer's forward, with Tensor operations: an affine map then a ReLU."""
    return (x @ w + b).relu()


dout = rng.normal(size=(4, 2))               # the gradient arriving from the layer above

# Your backward, in plain numpy: replace with your own code.
z = x @ w + b
dz = dout * (z > 0)
grads = [dz @ w.T, x.T @ dz, dz.sum(axis=0, keepdims=True)]
'''
TEMPLATES = {"loss": TEMPLATE, "layer": LAYER_TEMPLATE}


def check_file(path: Path) -> tuple[str, int]:
    """The report on the file at ``path`` and the exit code: 0 match, 1 mismatch or ambiguous.

    The file's format is ``FORMAT`` (``TEMPLATE`` is an example). Without ``loss`` the
    gradients are matched against the identified loss at scale 1, and the exit code is 1
    unless that is a mean-reduced loss (a summed one may be a forgotten 1/N). Raises OSError
    for a file that cannot be read and ValueError for a missing name, a file that fails to
    run, or a natural mistake in ``predict`` (said as a sentence naming the fix).

    >>> check_file(Path("no_such_file.py"))
    Traceback (most recent call last):
    ...
    FileNotFoundError: no file no_such_file.py
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file {path}")
    printed = _Tee(sys.stdout)
    try:
        with contextlib.redirect_stdout(printed):
            names = runpy.run_path(str(path), run_name="tinygrad_lm_check")
    except Exception as e:  # the learner's code may raise anything
        raise ValueError(f"running {path} raised {type(e).__name__}: {e}") from e
    if "predict" not in names and any(name in names for name in ("fn", "dout", "cotangent")):
        return _check_layer(path, names)
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ValueError(f"{path} does not define {', '.join(missing)}; a checked file "
                         f"defines predict (params -> prediction Tensor), params (a list of "
                         f"arrays), target and grads (one per param), and optionally "
                         f"loss(pred, target)\n{FORMAT}")
    predict, params, target, grads = (names[name] for name in REQUIRED)
    if not callable(predict):
        raise ValueError(f"predict in {path} must be a function of the params, got "
                         f"{type(predict).__name__}")
    _check_arity(predict, params)
    try:
        return _report(predict, params, target, grads, names.get("loss"), printed.text)
    except TypeError as e:
        if "ufunc" in str(e) or "__array__" in str(e):
            raise ValueError(f"predict in {path} applies a numpy function to a Tensor ({e}): "
                             f"use the Tensor's own operations instead (z.exp(), z.tanh(), "
                             f"z.sigmoid(), z.relu(), z.sum(), z @ W, tg.Tensor(X)) so the "
                             f"engine can differentiate it") from e
        raise
    except ValueError:
        raise
    except Exception as e:  # the learner's predict or loss may raise anything
        raise ValueError(f"checking {path} raised {type(e).__name__}: {e}") from e


def _check_arity(predict: Any, params: Any) -> None:
    """A ``predict(params)`` handed a list of several arrays: say how to write it instead."""
    if not isinstance(params, (list, tuple)) or len(params) < 2:
        return
    try:
        args = [p for p in inspect.signature(predict).parameters.values()
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        varargs = any(p.kind == p.VAR_POSITIONAL for p in
                      inspect.signature(predict).parameters.values())
    except (TypeError, ValueError):
        return
    if len(args) == 1 and not varargs and Structure(params, "check").flat:
        raise ValueError(f"predict takes one argument ({args[0].name}) but params is a "
                         f"{type(params).__name__} of {len(params)} arrays, which check "
                         f"passes as {len(params)} arguments: write def predict(W1, W2, ...) "
                         f"with one argument per entry, or make params a dict "
                         f"{{'W1': W1, ...}} so predict receives the dict")


def _with_loss(predict: Any, target: Any, loss: Any) -> Any:
    """``loss(predict(...), target[, params])`` called as ``predict`` is, with its signature."""
    takes_params = _takes_params(loss)

    def whole(*args: Any, **kwargs: Any) -> Any:
        pred = predict(*args, **kwargs)
        if not takes_params:
            return loss(pred, target)
        given = kwargs or (args[0] if len(args) == 1 and isinstance(args[0], dict) else
                           list(args))
        return loss(pred, target, given)

    whole.__signature__ = inspect.signature(predict)  # reports name params as predict does
    return whole


def _report(predict, params, target, grads, loss, printed: str = "") -> tuple[str, int]:
    """The identification, then the match against ``loss``, the loss the file printed, or the
    identified loss."""
    try:
        match = identify_loss(predict, params, target, grads)
        lines = ["which loss:", str(match), ""]
    except ValueError as e:
        if "has shape" not in str(e):
            raise
        match = None
        lines = ["which loss: not identified, " + str(e).split(": ", 1)[1].split(";")[0], ""]
    code = 0
    if callable(loss):
        meant = "the file's loss(pred, target" + (", params)" if _takes_params(loss) else ")")
    else:
        seen = "" if match is None else printed_loss(
            printed, loss_values(predict, params, target, match), match.name)
        name = seen[0] if seen and seen[0] else (
            None if match is None else match.name or match.closest)
        if name is None:
            return "\n".join(lines + ["no loss to match against: define loss(pred, target) "
                                       "in the file"]), 1
        fn = next(fn for key, _, fn in CATALOGUE if key == name)
        if match.probabilities and name == match.name:
            fn = _of_log(fn)
        loss = fn if not match.decayed else _decayed(fn, match, Structure(params, "check")
                                                     .short_names(predict))
        decay = " with its weight decay" if match.decayed else ""
        if seen and seen[0]:
            meant = f"{name}{decay}, the loss your file prints ({seen[1]:g} is its value here)"
        else:
            meant = f"{name} (scale 1){decay}"
            if name.endswith("(sum)") and match.name is not None:
                lines += [_ambiguous(match, name), ""]
                code = 1
    try:
        assert_gradients_match(_with_loss(predict, target, loss), params, grads)
    except AssertionError as e:
        lines += [f"against {meant}:", str(e)]
        if meant.startswith("the file's") and match is not None and match.name is not None:
            lines += ["", _other_loss(match)]
        return "\n".join(lines), 1
    lines.append(f"against {meant}: every gradient matches the engine's")
    return "\n".join(lines), code


def _other_loss(match: Any) -> str:
    """When the file's loss fails but the gradients are another loss's: say which, and why."""
    if match.probabilities:
        return "note: " + match.note
    words = (f"note: your gradients are not the file's loss's, but they are {match.name}'s "
             f"(see 'which loss' above).")
    if match.name.startswith("binary_cross_entropy") and "logits" not in match.name:
        words += (" Your predict returns sigmoid outputs (probabilities); if your loss is "
                  "binary_cross_entropy_with_logits, it takes logits: return the scores before "
                  "the sigmoid from predict, or use tg.losses.binary_cross_entropy.")
    return words


def _of_log(fn: Any) -> Any:
    """``fn`` with ``log(pred)`` as its prediction: cross-entropy of probabilities' logits."""
    return lambda pred, target: fn(pred.log(), target)


def _ambiguous(match: Any, name: str) -> str:
    """Why a summed loss is not a pass: the mean the code may mean, and the factor between."""
    mean = next((c for c in match.candidates if c.name == name[:-len("(sum)")] and c.fits),
                None)
    if mean is None:
        return (f"ambiguous: your gradients are those of the summed loss {name}. If your code "
                f"means a mean, you forgot to divide by its count. Define loss(pred, target) "
                f"in the file, or print the loss, to say which you mean.")
    label = f"{mean.factor} = {mean.scale:g}" if mean.factor not in (None, "1") else (
        f"{mean.scale:g}")
    return (f"ambiguous: your gradients are those of the summed loss {name}; {mean.name}, the "
            f"mean, would give gradients {label} times smaller. If your code means the mean "
            f"(the one it prints, say), you forgot to divide by {label}. Define loss(pred, "
            f"target) in the file, or print the loss, to say which you mean.")


class _Tee(io.StringIO):
    """Standard output that is also kept: what the checked file prints, read for its loss."""

    def __init__(self, stream: Any):
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(text)
        return super().write(text)

    @property
    def text(self) -> str:
        return self.getvalue()


def _takes_params(loss: Any) -> bool:
    """Whether ``loss`` has a third argument for the params (a regulariser)."""
    try:
        return len([p for p in inspect.signature(loss).parameters.values()
                    if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                    and p.default is p.empty]) >= 3
    except (TypeError, ValueError):
        return False


def _decayed(fn: Any, match: Any, names: list[str]) -> Any:
    """The catalogue loss plus the identified penalty (c/2)·ΣW² on the decayed params."""
    chosen = [i for i, name in enumerate(names) if name in match.decayed]

    def with_penalty(pred: Any, target: Any, params: Any) -> Any:
        leaves = Structure(params, "check").leaves
        total = fn(pred, target)
        for i in chosen:
            total = total + (match.weight_decay / 2) * (leaves[i] ** 2).sum()
        return total
    return with_penalty


def _check_layer(path: Path, names: dict) -> tuple[str, int]:
    """A layer file: ``grads`` against the engine's VJP of ``fn`` at ``inputs`` given ``dout``."""
    missing = [name for name in LAYER if name not in names]
    if "dout" not in names and "cotangent" not in names:
        missing.append("dout")
    if missing:
        raise ValueError(f"{path} looks like a layer file but does not define "
                         f"{', '.join(missing)}; a layer file defines fn (the forward, "
                         f"inputs -> Tensor), inputs (a list of arrays), dout (the upstream "
                         f"gradient) and grads (one per input)\n{FORMAT}")
    fn, inputs, grads = (names[name] for name in LAYER)
    dout = names["dout"] if "dout" in names else names["cotangent"]
    if not callable(fn):
        raise ValueError(f"fn in {path} must be the layer's forward function, got "
                         f"{type(fn).__name__}")
    for label, value in (("inputs", inputs), ("grads", grads)):
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"{label} in {path} must be a list with one entry per argument of "
                             f"fn, got {type(value).__name__}")
    if len(grads) != len(inputs):
        raise ValueError(f"{path} has {len(inputs)} inputs but {len(grads)} grads: give one "
                         f"gradient per input (None to skip one)")
    try:
        assert_vjp_match(fn, inputs, dout, grads)
    except AssertionError as e:
        return f"against the engine's backward of fn:\n{e}", 1
    except (TypeError, ValueError) as e:
        raise ValueError(f"checking {path}: {e}") from e
    except Exception as e:  # the learner's fn may raise anything
        raise ValueError(f"checking {path} raised {type(e).__name__}: {e}") from e
    checked = sum(g is not None for g in grads)
    return (f"against the engine's backward of fn: every gradient matches ({checked} of "
            f"{len(grads)} checked)"), 0
