"""Numerical gradients, gradcheck and gradgradcheck: the engine's derivatives against central
differences, by reverse mode and (``check_forward_ad``) forward mode, entry by entry or along
random directions (``fast_mode``)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..core import backend as B
from ..core.forward import push_tangents
from ..frontends.tensor import Tensor
from ..functional import concatenate
from .core import _floating, _pullback
from .functions import _columns_by_forward_passes, _rows_by_reverse_passes


class GradcheckError(AssertionError):
    """Analytic and numerical gradients disagree; the message is a per-input report.

    >>> import numpy as np, tinygrad_lm as tg
    >>> try:
    ...     tg.gradcheck(lambda x: x.relu().sum(), [np.array([0.0])])
    ... except tg.GradcheckError as e:
    ...     print(str(e).splitlines()[0])
    gradcheck failed:
    """


def numerical_grad(fn: Callable[..., Tensor], inputs: Sequence[Any], eps: float = 1e-6,
                   grad_output: Any = None) -> list[np.ndarray]:
    """Central differences of ``sum(fn(*inputs) * grad_output)`` for every input.

    ``grad_output`` defaults to ones, so for a scalar ``fn`` this is its gradient.

    >>> import tinygrad_lm as tg
    >>> [g.round(6) for g in tg.numerical_grad(lambda x: (x ** 2).sum(), [np.array([1.0, 3.0])])]
    [array([2., 6.])]
    """
    arrays = [_float64(_floating(x, "numerical_grad", k)) for k, x in enumerate(inputs)]
    weights = None if grad_output is None else np.asarray(grad_output, dtype=np.float64)

    def total(*xs):
        out = _evaluate(fn, xs)
        return float(np.sum(out if weights is None else out * weights))

    grads = []
    for k, x in enumerate(arrays):
        g = np.zeros(tuple(x.shape))
        for j in np.ndindex(tuple(x.shape)):
            g[j] = _central(total, arrays, k, j, eps)
        grads.append(_like(g, x))
    return grads


def gradcheck(fn: Callable[..., Tensor], inputs: Sequence[Any], *, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
              check_forward_ad: bool = False, fast_mode: bool = False, seed: int = 0) -> bool:
    """Compare the engine's Jacobian of ``fn`` with central differences, entry by entry.

    Inputs are checked in float64: floating arrays and Tensors that require grad (a Tensor
    that does not, and integer data, are passed as constants). ``fn(*inputs)`` may return a
    Tensor of any shape: every output entry is back-propagated. On a mismatch the report
    names, per input, the worst entry with both values and their errors, and says when the
    numerical slope grows as ``eps`` shrinks (``fn`` jumps there) or the one-sided slopes
    differ (a kink).

    ``check_forward_ad=True`` also checks forward mode: the Jacobian built from JVPs (one
    forward pass per input entry) against the same central differences, reported per input
    beside reverse mode. ``fast_mode=True`` checks, per input, the single number ``u^T J v``
    for random ``u`` and ``v`` (drawn from ``seed``) instead of every entry: one reverse pass,
    one forward pass and two evaluations of ``fn`` per input, however large, as PyTorch's
    fast mode. Its ``atol`` is scaled by ``sum|u| sum|v|``, the size of ``u^T E v`` for an
    all-``atol`` error ``E``.

    >>> import tinygrad_lm as tg
    >>> tg.gradcheck(lambda x: x.sigmoid() * x, [np.array([0.3, -1.2])])
    True
    >>> tg.gradcheck(lambda x: x.sigmoid() * x, [np.ones(500)], check_forward_ad=True,
    ...              fast_mode=True)
    True
    """
    checked, values = _checked_inputs(inputs, "gradcheck")
    if fast_mode:
        failures = _fast_failures(fn, values, checked, eps, atol, rtol, check_forward_ad, seed)
    else:
        failures = []
        modes = _jacobians(fn, values, checked, check_forward_ad)
        for k in checked:
            numeric = _numerical_jacobian(fn, values, k, eps)
            for mode, analytic in modes.items():
                bad = np.abs(analytic[k] - numeric) > atol + rtol * np.abs(numeric)
                bad |= np.isnan(analytic[k]) != np.isnan(numeric)
                if bad.any():
                    label = f", {mode}" if check_forward_ad else ""
                    failures.append(_report(fn, values, k, analytic[k], numeric, eps, atol,
                                            rtol, label))
    if not failures:
        return True
    if raise_exception:
        raise GradcheckError("gradcheck failed:\n" + "\n".join(failures))
    return False


def gradgradcheck(fn: Callable[..., Tensor], inputs: Sequence[Any], *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                  seed: int = 0, check_forward_ad: bool = False,
                  fast_mode: bool = False) -> bool:
    """Check second derivatives: gradcheck of the first-order gradients of ``fn``.

    The first-order gradients are those of ``sum(fn(*inputs) * v)`` for a fixed random ``v``
    (so every output entry counts), computed with ``create_graph=True``. With
    ``check_forward_ad`` their forward-mode derivatives are checked too (forward over reverse);
    ``fast_mode`` as in ``gradcheck``.

    >>> import tinygrad_lm as tg
    >>> tg.gradgradcheck(lambda x: (x ** 3).sum(), [np.array([0.5, -2.0])])
    True
    """
    checked, values = _checked_inputs(inputs, "gradgradcheck")
    probe = _evaluate(fn, values)
    v = np.random.default_rng(seed).uniform(0.5, 1.5, size=np.shape(probe))

    def first_order(*xs):
        out = fn(*xs)
        grads = _pullback([out], [Tensor._new(_like(v, out.data))], [xs[k] for k in checked],
                          True)
        return concatenate([g.reshape(-1) for g in grads])

    return gradcheck(first_order, values, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, check_forward_ad=check_forward_ad,
                     fast_mode=fast_mode, seed=seed)


# Internals ----------------------------------------------------------------------------------

def _checked_inputs(inputs: Sequence[Any], op: str) -> tuple[list[int], list[Any]]:
    """Which inputs are checked, and every input as float64 data (constants left as given)."""
    checked, values = [], []
    for k, x in enumerate(inputs):
        data = x.data if isinstance(x, Tensor) else x
        floating = B.kind(data.dtype) == "f" if B.is_foreign(data) else (
            np.asarray(data).dtype.kind == "f")
        wants = x.requires_grad if isinstance(x, Tensor) else floating
        if wants:
            checked.append(k)
            if B.is_foreign(data):  # checked in its own library, in float64 there
                B.use_namespaces()
                xp = B.namespace(data)
                values.append(xp.astype(data, xp.float64, copy=True))
            else:
                values.append(np.array(data, dtype=np.float64))
        else:
            values.append(x)
    if not checked:
        raise ValueError(f"{op}: no input to check; pass floating arrays or Tensors with "
                         f"requires_grad=True")
    return checked, values


def _evaluate(fn: Callable[..., Tensor], xs: Sequence[Any]) -> np.ndarray:
    out = fn(*[Tensor(x, requires_grad=True)
               if (isinstance(x, np.ndarray) and x.dtype.kind == "f") or B.is_foreign(x) else x
               for x in xs])
    if not isinstance(out, Tensor):
        raise TypeError(f"fn must return a Tensor, got {type(out).__name__}")
    return np.array(out.numpy(), dtype=np.float64)


def _central(total: Callable[..., float], arrays: list, k: int, j: tuple, eps: float) -> float:
    return (_shifted(total, arrays, k, j, eps) - _shifted(total, arrays, k, j, -eps)) / (2 * eps)


def _shifted(f: Callable[..., Any], arrays: list, k: int, j: tuple, step: float) -> Any:
    """``f`` with entry ``j`` of input ``k`` moved by ``step`` (restored afterwards)."""
    x = arrays[k]
    if B.is_foreign(x):  # moved on the host, then evaluated in its library again
        host = np.array(B.to_numpy(x))
        host[j] += step
        return f(*arrays[:k], _like(host, x), *arrays[k + 1:])
    original = x[j]
    x[j] = original + step
    try:
        return f(*arrays)
    finally:
        x[j] = original


def _leaves_and_output(fn, values, checked) -> tuple[list, Tensor]:
    xs = [Tensor(v, requires_grad=True) if k in checked else v for k, v in enumerate(values)]
    out = fn(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"fn must return a Tensor, got {type(out).__name__}")
    return xs, out


def _jacobians(fn, values, checked, check_forward_ad) -> dict[str, dict[int, np.ndarray]]:
    """Per mode, per checked input, the Jacobian d out / d input as (out.size, input.size),
    from one evaluation of ``fn``: rows by reverse passes, columns by forward passes."""
    xs, out = _leaves_and_output(fn, values, checked)
    wrt = [xs[k] for k in checked]
    modes = {"reverse mode (VJP)": _rows_by_reverse_passes([out], wrt, False)[0]}
    if check_forward_ad:
        modes["forward mode (JVP)"] = _columns_by_forward_passes([out], wrt, False)[0]
    return {mode: {k: np.reshape(B.to_numpy(j), (out.size, _count(values[k])))
                   for k, j in zip(checked, jacs)} for mode, jacs in modes.items()}


def _fast_failures(fn, values, checked, eps, atol, rtol, check_forward_ad, seed) -> list[str]:
    """Per checked input, ``u^T J v`` by reverse (and forward) mode against the numerical
    directional derivative along ``v``, for random ``u`` and ``v``."""
    rng = np.random.default_rng(seed)
    xs, out = _leaves_and_output(fn, values, checked)
    u = rng.normal(size=out.shape)
    directions = {k: rng.normal(size=tuple(values[k].shape)) for k in checked}
    grads = _pullback([out], [_like(u.astype(out.dtype), out.data)],
                      [xs[k] for k in checked], False)
    failures = []
    for k, g in zip(checked, grads):
        v = directions[k]
        there = _like(v, values[k])
        arrays = list(values)
        arrays[k] = values[k] + eps * there
        ahead = _evaluate(fn, arrays)
        arrays[k] = values[k] - eps * there
        behind = _evaluate(fn, arrays)
        numeric = float(np.sum(u * (ahead - behind))) / (2 * eps)
        modes = {"reverse mode (VJP)": float(np.sum(B.to_numpy(g) * v))}
        if check_forward_ad:
            tangent = push_tangents(out, {xs[k]: there}).get(out)
            modes["forward mode (JVP)"] = 0.0 if tangent is None else float(
                np.sum(u * B.to_numpy(getattr(tangent, "data", tangent))))
        scaled_atol = atol * float(np.abs(u).sum() * np.abs(v).sum())
        for mode, analytic in modes.items():
            error = abs(analytic - numeric)
            if error > scaled_atol + rtol * abs(numeric) or np.isnan(analytic) != np.isnan(
                    numeric):
                rel = error / abs(numeric) if numeric else float("inf")
                failures.append(
                    f"  input {k} (shape {tuple(values[k].shape)}), {mode}: u^T J v differs "
                    f"for random u, v (seed {seed}):\n    analytic {analytic!r}, numerical "
                    f"{numeric!r}, abs error {error:.3g}, rel error {rel:.3g} (atol {atol:g} "
                    f"scaled to {scaled_atol:.3g}, rtol {rtol:g})\n    rerun with "
                    f"fast_mode=False to find the entries that differ")
    return failures


def _numerical_jacobian(fn, values, k: int, eps: float) -> np.ndarray:
    def flat(*xs):
        return np.ravel(_evaluate(fn, xs))

    arrays = list(values)
    columns = [_central(flat, arrays, k, j, eps) for j in np.ndindex(tuple(values[k].shape))]
    return np.stack(columns, axis=1) if columns else np.zeros((0, 0))


def _report(fn, values, k, analytic, numeric, eps, atol, rtol, label="") -> str:
    """One input's part of the failure report: the worst entry and a diagnosis."""
    excess = np.abs(analytic - numeric) - atol - rtol * np.abs(numeric)
    excess = np.where(np.isnan(excess), np.inf, excess)
    row, col = np.unravel_index(int(np.argmax(excess)), excess.shape)
    a, n = float(analytic[row, col]), float(numeric[row, col])
    j = np.unravel_index(col, tuple(values[k].shape)) if values[k].ndim else ()
    abs_err = abs(a - n)
    rel_err = abs_err / abs(n) if n else float("inf")
    where = f"output entry {row}, input entry {tuple(int(i) for i in j)}"
    lines = [f"  input {k} (shape {tuple(values[k].shape)}){label}: {int((excess > 0).sum())} of "
             f"{excess.size} entries differ; worst at {where}:",
             f"    analytic {a!r}, numerical {n!r}, abs error {abs_err:.3g}, "
             f"rel error {rel_err:.3g} (atol {atol:g}, rtol {rtol:g})"]
    lines.append("    " + _diagnose(fn, values, k, j, row, eps))
    return "\n".join(lines)


def _diagnose(fn, values, k, j, row, eps) -> str:
    """Tell a jump (the slope grows like 1/eps) or a kink (one-sided slopes differ)."""
    arrays = list(values)
    if not B.is_foreign(values[k]):
        arrays[k] = np.array(values[k], dtype=np.float64)

    def f(*xs):
        return np.ravel(_evaluate(fn, xs))[row]

    slopes = [_central(f, arrays, k, j, h) for h in (eps, eps / 10, eps / 100)]
    if all(np.isfinite(slopes)) and abs(slopes[2]) > 20 * max(abs(slopes[0]), 1e-300) \
            and abs(slopes[1]) > 3 * max(abs(slopes[0]), 1e-300):
        return (f"fn is not differentiable here: the numerical slope grows as eps shrinks "
                f"({slopes[0]:.3g}, {slopes[1]:.3g}, {slopes[2]:.3g} at eps {eps:g}, "
                f"{eps / 10:g}, {eps / 100:g}), so fn jumps at this point")
    center = f(*arrays)
    right = (_shifted(f, arrays, k, j, eps) - center) / eps
    left = (center - _shifted(f, arrays, k, j, -eps)) / eps
    if abs(right - left) > 1e-3 * max(1.0, abs(right), abs(left)):
        return (f"fn has a kink here: slope {left:.6g} from the left, {right:.6g} from the "
                f"right; any value between them is a subgradient, and the numerical value is "
                f"their average, so check away from the kink")
    return "the numerical slope is stable as eps shrinks: the analytic gradient looks wrong"


def _like(host: np.ndarray, ref: Any) -> Any:
    """The numpy array ``host`` in the library of ``ref`` (itself when that is numpy)."""
    if not B.is_foreign(ref):
        return host
    return B.to_namespace(np.asarray(host, B.numpy_dtype(ref.dtype)), B.namespace(ref))


def _float64(x: Any) -> Any:
    """``x`` in float64, in its own library."""
    if B.is_foreign(x):
        xp = B.namespace(x)
        return xp.astype(x, xp.float64)
    return x.astype(np.float64)


def _count(x: Any) -> int:
    return math.prod(tuple(x.shape))
