"""Compare hand-written gradients with the engine's and say, per parameter, what went wrong."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..frontends.tensor import Tensor
from ._shared import (
    activation_variants,
    best_scale,
    counts,
    explain_factor,
    fill,
    leaves,
    low_precision,
    nice_factor,
    node_grads,
    relative_error,
    scalar_output,
)
from .decay import decay_diagnosis, decay_terms
from .shared_derivative import extra_variants, shared_variants
from .structure import flatten

OP = "assert_gradients_match"
# How the layer mistakes of ``vjp.LAYER_MISTAKES`` begin: checked before the usual factors.
LAYER_WORDS = ("a bias gradient averaged", "a missing dropout", "a layer mistake: ")


def assert_gradients_match(loss_fn: Callable[..., Tensor], params: Sequence[Any],
                           grads: Sequence[Any], *, atol: float = 1e-7,
                           rtol: float = 1e-5, batch_axis: int | None = None) -> None:
    """Check hand-written ``grads`` against the engine's gradients of ``loss_fn(*params)``.

    Each ``params[i]`` is a numpy array, handed to ``loss_fn`` as a float64 Tensor; ``grads[i]``
    is your d loss / d ``params[i]``. ``params`` and ``grads`` may also be dicts (``loss_fn``
    gets the dict, or keywords) or nested lists of the same structure (``loss_fn`` gets the top-
    level entries: ``(biases, weights)``); reports name entries by path. Entries agree when
    ``|yours - engine| <= atol + rtol * |engine|``. Returns None when all do; otherwise raises
    ``AssertionError`` with, for each differing parameter, its worst entry and a diagnosis of
    the usual mistakes: a constant factor and its likely cause, a flipped sign, a missing,
    halved or doubled L2 weight decay gradient (separated from the data loss's part first), a
    transpose, a missing activation derivative or one taken at the activation's input, zeros
    where the engine has signal, a shape mismatch. ``batch_axis`` says which axis of the array
    the loss reduces holds the examples (0 rows, 1 columns); by default it is inferred from the
    data in the graph.

    >>> import numpy as np
    >>> def loss(w):
    ...     return ((w - 1) ** 2).sum()
    >>> w = np.array([0.0, 3.0])
    >>> assert_gradients_match(loss, [w], [2 * (w - 1)])
    >>> assert_gradients_match(loss, [w], [w - 1])
    Traceback (most recent call last):
    ...
    AssertionError: gradients differ from the engine's for 1 of 1 parameters ...
    params[0] (w), shape (2,): 2 of 2 entries differ
      worst entry (1,): yours 2, engine's 4, abs error 2, rel error 0.5
      diagnosis: a constant factor 1/2, likely the 2 of a square: ...
    """
    check_gradients(loss_fn, params, grads, atol, rtol, batch_axis)


def check_gradients(loss_fn: Callable[..., Tensor], params: Any, grads: Any, atol: float,
                    rtol: float, batch_axis: int | None, layer: Callable | None = None,
                    skip_none: bool = False, op: str = OP) -> None:
    """``assert_gradients_match``, with ``layer(tensors, engine, root, record)`` giving more
    candidate mistakes (``(diagnosis, gradients)`` pairs) and, with ``skip_none``, None grads
    skipped.

    >>> check_gradients(lambda w: (w * 2).sum(), [np.ones(2)], [None], 1e-7, 1e-5, None,
    ...                 skip_none=True)
    """
    structure, arrays, raw = flatten(params, grads, op, missing=True)
    names = structure.names(loss_fn)
    tensors = leaves(arrays)
    root = scalar_output(structure.call(loss_fn, tensors), op, "loss_fn")
    engine, record = node_grads(root, tensors)
    if skip_none:
        raw = [e if g is None else g for g, e in zip(raw, engine)]
    user = [None if g is None else g.astype(np.float64) for g in raw]
    failing = [i for i, (u, e) in enumerate(zip(user, engine))
               if u is None or not _close(u, e, atol, rtol)]
    if not failing:
        return None
    coefficients, penalties = decay_terms(root, tensors, record)
    n, c, axis = counts(root, penalties, batch_axis)
    shared = shared_variants(root, tensors, record)
    # One wrong derivative at every layer explains every failing gradient at once: say so for
    # all of them, the last layer's (which sees only its own mistake) included.
    everywhere = [v for v in shared if all(_close(user[i], v[1][i], atol, rtol)
                                           for i in failing if user[i] is not None
                                           and user[i].shape == v[1][i].shape)]
    variants = (everywhere + activation_variants(root, tensors, record)
                + shared + extra_variants(root, tensors, record))
    first = [] if layer is None else layer(tensors, engine, root, record)
    lines = [f"gradients differ from the engine's for {len(failing)} of {len(arrays)} "
             f"parameters (compared in float64, atol={atol:g}, rtol={rtol:g}; the loss "
             f"reduces an array of " + (f"N = {n} rows by C = {c} columns)" if axis == 0 else
                                        f"N = {n} examples as columns by C = {c} rows)")]
    given = [i for i, g in enumerate(raw) if g is not None]
    narrow = low_precision(arrays, names) + low_precision([raw[i] for i in given],
                                                          [f"grads{structure.paths[i]}"
                                                           for i in given])
    if narrow:
        lines.append(f"note: {', '.join(narrow)} are float32 or narrower; the engine computed its "
                     f"gradients in float64 from the values cast up, and yours were compared in "
                     f"float64. float32 rounding alone is about 6e-8 relative: if that is all "
                     f"that separates them, pass rtol=1e-4.")
    for i in failing:
        lines += _parameter_report(i, names[i], user[i], engine[i],
                                   [(label, gs[i]) for label, gs in first + variants], n, c,
                                   atol, rtol,
                                   arrays[i].astype(np.float64), coefficients[i])
    raise AssertionError("\n".join(_wrap(line) for line in lines))


def _wrap(line: str) -> str:
    """One report line folded at 100 columns, continuation lines indented two spaces more."""
    indent = " " * (len(line) - len(line.lstrip()) + 2)
    return fill(line, indent)


def _close(u: np.ndarray, e: np.ndarray, atol: float, rtol: float) -> bool:
    return u.shape == e.shape and bool(np.all(np.abs(u - e) <= atol + rtol * np.abs(e)))


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _parameter_report(i: int, name: str, u: np.ndarray | None, e: np.ndarray,
                      variants: list[tuple[str, np.ndarray]], n: int, c: int, atol: float,
                      rtol: float, p: np.ndarray, decay: float) -> list[str]:
    """The lines on one differing parameter: how many entries, the worst, the diagnosis."""
    if u is None:
        return [f"{name}, shape {e.shape}: no gradient given (None)",
                "  diagnosis: missing: pass the gradient of the loss with respect to it "
                "(zeros if it truly does not affect the loss)"]
    if u.shape != e.shape:
        return [f"{name}: shape mismatch: yours have shape {u.shape}, the parameter and the "
                f"engine's gradient have shape {e.shape}",
                f"  diagnosis: {_shape_diagnosis(u, e, atol, rtol)}"]
    bad = ~(np.abs(u - e) <= atol + rtol * np.abs(e))
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = np.abs(u - e) / (atol + rtol * np.abs(e))
    excess = np.where(np.isnan(excess), np.inf, excess)
    worst = np.unravel_index(int(np.argmax(excess)), e.shape) if e.ndim else ()
    worst = tuple(int(k) for k in worst)
    yours, theirs = float(u[worst]), float(e[worst])
    abs_error = abs(yours - theirs)
    rel = _fmt(abs_error / abs(theirs)) if theirs != 0 else "inf (the engine's is 0)"
    return [f"{name}, shape {e.shape}: {int(bad.sum())} of {e.size} entries differ",
            f"  worst entry {worst}: yours {_fmt(yours)}, engine's {_fmt(theirs)}, abs error "
            f"{_fmt(abs_error)}, rel error {rel}",
            f"  diagnosis: {_diagnosis(u, e, variants, n, c, atol, rtol, p, decay)}"]


def _shape_diagnosis(u: np.ndarray, e: np.ndarray, atol: float, rtol: float) -> str:
    if u.ndim == 2 and u.shape == e.T.shape and _close(u, e.T, atol, rtol):
        return ("a transposed gradient: yours equal the engine's transposed (.T); for "
                "Z = A @ W the gradient is A.T @ dZ, of W's shape, not dZ.T @ A")
    if u.size == e.size and _squeezed(u.shape) == _squeezed(e.shape):
        same = _close(u.reshape(e.shape), e, atol, rtol)
        return (("the values match, " if same else "the shapes differ only by axes of "
                 "length 1, ") + f"but the gradient must have the parameter's shape {e.shape}: "
                f"sum with keepdims=True, or reshape it (.reshape{e.shape})")
    if u.size == e.size:
        return (f"a shape mismatch with the same number of entries ({e.size}): a reshape or "
                f"the factors of a matrix product in the wrong order")
    return ("a shape mismatch: a gradient has its parameter's shape; a summed or broadcast axis "
            "(a bias summed over the rows?) or a product with the wrong factor")


def _factor(u: np.ndarray, e: np.ndarray, n: int, c: int, atol: float,
            rtol: float) -> tuple[float, str] | None:
    """The usual factor f with u = f * e within tolerance, as (value, label), or None."""
    found = nice_factor(best_scale([u], [e]), n, c, tol=1e-3)
    if found is None or not _close(u, found[0] * e, atol, rtol):
        return None
    return found


def _diagnosis(u: np.ndarray, e: np.ndarray, variants: list[tuple[str, np.ndarray]], n: int,
               c: int, atol: float, rtol: float, p: np.ndarray, decay: float) -> str:
    """The first usual mistake that explains ``u`` against the engine's ``e``."""
    finite = np.isfinite(u)
    if not finite.all():
        first = tuple(int(k) for k in np.argwhere(~finite)[0])
        return (f"not finite: {int((~finite).sum())} of yours are nan or inf (the first at "
                f"{first}): an overflow, a log of 0 or a division by 0 upstream")
    signal = np.abs(e) > atol
    if not signal.any():
        return ("the engine's gradient is zero here: this parameter does not change the loss at "
                "these values (is it used in loss_fn?), yet yours is not zero")
    if not u.any():
        return ("all zeros where the engine has signal: this gradient is never computed, or "
                "it is overwritten or reset before you return it")
    # With a penalty in the loss, the factor belongs to the data loss's part alone.
    for diagnosis, variant in variants:  # a layer's mistakes come first, exact only
        if diagnosis.startswith(LAYER_WORDS) and _close(u, variant, atol, rtol):
            return diagnosis
    found = None if decay else _factor(u, e, n, c, atol, rtol)
    if found is not None:
        return explain_factor(*found, n, c)
    words = decay_diagnosis(u, e, p, decay, n, c, lambda a, b: _close(a, b, atol, rtol))
    if words is not None:
        return words
    if u.ndim == 2 and u.shape[0] == u.shape[1]:
        found = _factor(u, e.T, n, c, atol, rtol)
        if found is not None:
            extra = "" if found[1] == "1" else f", times {explain_factor(*found, n, c)}"
            return ("a transposed gradient: yours equal the engine's transposed (.T), which "
                    f"has the same shape for a square parameter{extra}")
    for diagnosis, variant in variants:
        found = _factor(u, variant, n, c, atol, rtol)
        if found is not None:
            return diagnosis + ("" if found[1] == "1" else f"; and {explain_factor(*found, n, c)}")
    zeros = (u == 0) & signal
    if zeros.any() and _close(u[~zeros], e[~zeros], atol, rtol):
        first = tuple(int(k) for k in np.argwhere(zeros)[0])
        return (f"zeros where the engine has signal: {int(zeros.sum())} of {u.size} entries "
                f"(the first at {first}) are 0 in yours and not in the engine's; the rest agree")
    scale = best_scale([u], [e])
    rel = relative_error([u], [e], scale)
    if rel < 1e-6:
        return (f"a constant factor {scale:.6g} that is none of the usual ones (2, N = {n}, "
                f"C = {c} and their products): a learning rate or step size folded in?")
    cos = float(np.vdot(u, e) / (np.linalg.norm(u) * np.linalg.norm(e) or 1.0))
    return (f"no usual mistake explains it: the best constant factor, {scale:.4g}, still "
            f"leaves a relative error of {rel:.2g}; cosine similarity with the engine's "
            f"{cos:.4f} (1: same direction)")


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(k for k in shape if k != 1)
