"""Numerical gradients, gradcheck and gradgradcheck, and the functional grad / value_and_grad."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .engine import ZeroGradientWarning, gradients
from .functional import concatenate
from .tensor import Tensor


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
    arrays = [_as_float64(x, "numerical_grad") for x in inputs]
    weights = None if grad_output is None else np.asarray(grad_output, dtype=np.float64)

    def total(*xs):
        out = _evaluate(fn, xs)
        return float(np.sum(out if weights is None else out * weights))

    grads = []
    for k, x in enumerate(arrays):
        g = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            g[j] = _central(total, arrays, k, j, eps)
        grads.append(g)
    return grads


def gradcheck(fn: Callable[..., Tensor], inputs: Sequence[Any], *, eps: float = 1e-6,
              atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Compare the engine's Jacobian of ``fn`` with central differences, entry by entry.

    Inputs are checked in float64: floating arrays and Tensors that require grad (a Tensor
    that does not, and integer data, are passed as constants). ``fn(*inputs)`` may return a
    Tensor of any shape: every output entry is back-propagated. On a mismatch the report
    names, per input, the worst entry with both values and their errors, and says when the
    numerical slope grows as ``eps`` shrinks (``fn`` jumps there) or the one-sided slopes
    differ (a kink).

    >>> import tinygrad_lm as tg
    >>> tg.gradcheck(lambda x: x.sigmoid() * x, [np.array([0.3, -1.2])])
    True
    """
    checked, values = _checked_inputs(inputs, "gradcheck")
    analytic = _analytic_jacobians(fn, values, checked)
    failures = []
    for k in checked:
        numeric = _numerical_jacobian(fn, values, k, eps)
        bad = np.abs(analytic[k] - numeric) > atol + rtol * np.abs(numeric)
        bad |= np.isnan(analytic[k]) != np.isnan(numeric)
        if bad.any():
            failures.append(_report(fn, values, k, analytic[k], numeric, eps, atol, rtol))
    if not failures:
        return True
    if raise_exception:
        raise GradcheckError("gradcheck failed:\n" + "\n".join(failures))
    return False


def gradgradcheck(fn: Callable[..., Tensor], inputs: Sequence[Any], *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                  seed: int = 0) -> bool:
    """Check second derivatives: gradcheck of the first-order gradients of ``fn``.

    The first-order gradients are those of ``sum(fn(*inputs) * v)`` for a fixed random ``v``
    (so every output entry counts), computed with ``create_graph=True``.

    >>> import tinygrad_lm as tg
    >>> tg.gradgradcheck(lambda x: (x ** 3).sum(), [np.array([0.5, -2.0])])
    True
    """
    checked, values = _checked_inputs(inputs, "gradgradcheck")
    probe = _evaluate(fn, values)
    v = np.random.default_rng(seed).uniform(0.5, 1.5, size=np.shape(probe))

    def first_order(*xs):
        out = fn(*xs)
        grads = _grads(out, [xs[k] for k in checked], Tensor._new(v), create_graph=True)
        return concatenate([g.reshape(-1) for g in grads])

    return gradcheck(first_order, values, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)


def grad(fn: Callable[..., Tensor], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The gradient of a scalar-valued ``fn`` as a function, as ``jax.grad``.

    >>> import tinygrad_lm as tg
    >>> tg.grad(lambda x: (x ** 2).sum())(np.array([1.0, -3.0]))
    array([ 2., -6.])
    """
    value_and_grad_fn = value_and_grad(fn, argnums)
    return lambda *args: value_and_grad_fn(*args)[1]


def value_and_grad(fn: Callable[..., Tensor],
                   argnums: int | Sequence[int] = 0) -> Callable[..., tuple[Any, Any]]:
    """``fn``'s value and its gradient with respect to ``argnums``, as numpy arrays.

    >>> import tinygrad_lm as tg
    >>> value, g = tg.value_and_grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(
    ...     np.array([2.0]), np.array([5.0]))
    >>> value, g
    (array(10.), (array([5.]), array([2.])))
    """
    many = not isinstance(argnums, int)
    positions = tuple(argnums) if many else (argnums,)

    def wrapped(*args):
        for k in positions:
            if not -len(args) <= k < len(args):
                raise ValueError(f"value_and_grad: argnums {argnums} out of range for "
                                 f"{len(args)} arguments")
        xs = list(args)
        for k in positions:
            data = xs[k].data if isinstance(xs[k], Tensor) else xs[k]
            xs[k] = Tensor(_as_float(data, "value_and_grad"), requires_grad=True)
        out = fn(*xs)
        if not isinstance(out, Tensor) or out.size != 1:
            shape = out.shape if isinstance(out, Tensor) else type(out).__name__
            raise ValueError(f"value_and_grad: fn must return a one-element Tensor, got {shape}")
        grads = _grads(out, [xs[k] for k in positions], np.ones(out.shape, out.dtype))
        return out.data, tuple(grads) if many else grads[0]

    return wrapped


# Internals ----------------------------------------------------------------------------------

def _grads(out: Tensor, wrt: Sequence[Tensor], seed: Any, create_graph: bool = False) -> list:
    """d(sum(out * seed)) / d each of ``wrt``, leaving every ``.grad`` untouched."""
    record: dict = {}
    if out.requires_grad:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ZeroGradientWarning)
            record = gradients(out, seed, create_graph=create_graph)
    grads = []
    for x in wrt:
        g = record.get(x)
        if g is None:
            g = np.zeros(x.shape, x.dtype)
            g = Tensor._new(g) if create_graph else g
        grads.append(g)
    return grads


def _as_float(x: Any, op: str) -> np.ndarray:
    array = np.array(x, dtype=None)
    if array.dtype.kind == "f":
        return array
    if array.dtype.kind in "iub" and not isinstance(x, np.ndarray):
        return array.astype(np.float64)
    raise TypeError(f"{op}: can differentiate only floating inputs, got dtype {array.dtype}")


def _as_float64(x: Any, op: str) -> np.ndarray:
    return _as_float(x.data if isinstance(x, Tensor) else x, op).astype(np.float64)


def _checked_inputs(inputs: Sequence[Any], op: str) -> tuple[list[int], list[Any]]:
    """Which inputs are checked, and every input as float64 data (constants left as given)."""
    checked, values = [], []
    for k, x in enumerate(inputs):
        data = x.data if isinstance(x, Tensor) else x
        floating = np.asarray(data).dtype.kind == "f"
        wants = x.requires_grad if isinstance(x, Tensor) else floating
        if wants:
            checked.append(k)
            values.append(np.array(data, dtype=np.float64))
        else:
            values.append(x)
    if not checked:
        raise ValueError(f"{op}: no input to check; pass floating arrays or Tensors with "
                         f"requires_grad=True")
    return checked, values


def _evaluate(fn: Callable[..., Tensor], xs: Sequence[Any]) -> np.ndarray:
    out = fn(*[Tensor(x, requires_grad=True)
               if isinstance(x, np.ndarray) and x.dtype.kind == "f" else x for x in xs])
    if not isinstance(out, Tensor):
        raise TypeError(f"fn must return a Tensor, got {type(out).__name__}")
    return np.array(out.data, dtype=np.float64)


def _central(total: Callable[..., float], arrays: list, k: int, j: tuple, eps: float) -> float:
    return (_shifted(total, arrays, k, j, eps) - _shifted(total, arrays, k, j, -eps)) / (2 * eps)


def _shifted(f: Callable[..., Any], arrays: list, k: int, j: tuple, step: float) -> Any:
    """``f`` with entry ``j`` of input ``k`` moved by ``step`` (restored afterwards)."""
    x = arrays[k]
    original = x[j]
    x[j] = original + step
    try:
        return f(*arrays)
    finally:
        x[j] = original


def _analytic_jacobians(fn, values, checked) -> dict[int, np.ndarray]:
    """Per checked input, the Jacobian d out / d input as (out.size, input.size)."""
    xs = [Tensor(v, requires_grad=True) if k in checked else v for k, v in enumerate(values)]
    out = fn(*xs)
    if not isinstance(out, Tensor):
        raise TypeError(f"fn must return a Tensor, got {type(out).__name__}")
    jac = {k: np.zeros((out.size, values[k].size)) for k in checked}
    for row in range(out.size):
        seed = np.zeros(out.size, out.dtype)
        seed[row] = 1
        grads = _grads(out, [xs[k] for k in checked], seed.reshape(out.shape))
        for k, g in zip(checked, grads):
            jac[k][row] = np.ravel(g)
    return jac


def _numerical_jacobian(fn, values, k: int, eps: float) -> np.ndarray:
    def flat(*xs):
        return np.ravel(_evaluate(fn, xs))

    arrays = list(values)
    columns = [_central(flat, arrays, k, j, eps) for j in np.ndindex(values[k].shape)]
    return np.stack(columns, axis=1) if columns else np.zeros((0, 0))


def _report(fn, values, k, analytic, numeric, eps, atol, rtol) -> str:
    """One input's part of the failure report: the worst entry and a diagnosis."""
    excess = np.abs(analytic - numeric) - atol - rtol * np.abs(numeric)
    excess = np.where(np.isnan(excess), np.inf, excess)
    row, col = np.unravel_index(int(np.argmax(excess)), excess.shape)
    a, n = float(analytic[row, col]), float(numeric[row, col])
    j = np.unravel_index(col, values[k].shape) if values[k].ndim else ()
    abs_err = abs(a - n)
    rel_err = abs_err / abs(n) if n else float("inf")
    where = f"output entry {row}, input entry {tuple(int(i) for i in j)}"
    lines = [f"  input {k} (shape {values[k].shape}): {int((excess > 0).sum())} of "
             f"{excess.size} entries differ; worst at {where}:",
             f"    analytic {a!r}, numerical {n!r}, abs error {abs_err:.3g}, "
             f"rel error {rel_err:.3g} (atol {atol:g}, rtol {rtol:g})"]
    lines.append("    " + _diagnose(fn, values, k, j, row, eps))
    return "\n".join(lines)


def _diagnose(fn, values, k, j, row, eps) -> str:
    """Tell a jump (the slope grows like 1/eps) or a kink (one-sided slopes differ)."""
    arrays = list(values)
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
