"""Function transforms that nest: grad, value_and_grad, vjp, jvp, jacrev, jacfwd, hessian, hvp.

At the top level a transform takes numpy arrays, Python numbers or Tensors (their data) and
returns numpy arrays. While one runs, a per-thread depth counter is raised; a transform called
at depth > 0 is inside another one and works on Tensors instead: its inputs become new nodes of
the enclosing graph (a reshape to the same shape, so that its derivatives count only paths
through its own argument, as in JAX), reverse passes record their gradients
(``create_graph=True``) and forward passes their tangents, and everything it returns is a
Tensor connected to the enclosing graph, which the enclosing transform differentiates again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..core.forward import push_tangents
from ..frontends.tensor import Tensor
from .core import (
    _assemble,
    _count,
    _matching,
    _outputs,
    _pick,
    _positions,
    _pullback,
    _result,
    _scalar_output,
    _single,
    _tangent_of,
    _transform,
    _variables,
    basis,
    count_passes,
    zeros,
)

__all__ = ["count_passes", "grad", "hessian", "hvp", "jacfwd", "jacrev", "jvp", "value_and_grad",
           "vjp"]


# Reverse mode --------------------------------------------------------------------------------

def grad(fn: Callable[..., Tensor], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The gradient of a scalar-valued ``fn`` as a function, as ``jax.grad``; it nests.

    >>> import numpy as np, tinygrad_lm as tg
    >>> tg.grad(lambda x: (x ** 2).sum())(np.array([1.0, -3.0]))
    array([ 2., -6.])
    >>> tg.grad(tg.grad(lambda x: x ** 3))(2.0)
    array(12.)
    """
    value_and_grad_fn = _value_and_grad(fn, argnums, "grad")
    return lambda *args: value_and_grad_fn(*args)[1]


def value_and_grad(fn: Callable[..., Tensor],
                   argnums: int | Sequence[int] = 0) -> Callable[..., tuple[Any, Any]]:
    """``fn``'s value and its gradient with respect to ``argnums`` (a tuple for a tuple).

    >>> import numpy as np, tinygrad_lm as tg
    >>> value, g = tg.value_and_grad(lambda x, y: (x * y).sum(), argnums=(0, 1))(
    ...     np.array([2.0]), np.array([5.0]))
    >>> value, g
    (array(10.), (array([5.]), array([2.])))
    """
    return _value_and_grad(fn, argnums, "value_and_grad")


def _value_and_grad(fn: Callable, argnums: Any, op: str) -> Callable[..., tuple[Any, Any]]:
    def wrapped(*args):
        positions = _positions(argnums, len(args), op)
        with _transform() as nested:
            xs = _variables(args, positions, op, nested)
            out = _scalar_output(fn(*xs), op)
            seed = zeros(out, out.shape) + 1
            grads = _pullback([out], [seed], [xs[k] for k in positions], nested)
        grads = [_result(g, nested) for g in grads]
        return _result(out, nested), _pick(grads, argnums)

    return wrapped


def vjp(fn: Callable[..., Any], *primals: Any) -> tuple[Any, Callable[[Any], tuple]]:
    """``fn(*primals)`` and the function ``cotangent -> (cotangent^T J_1, ...)``, one entry per
    primal, as ``torch.func.vjp``; ``fn`` may return a Tensor or a tuple of Tensors.

    >>> import numpy as np, tinygrad_lm as tg
    >>> out, vjp_fn = tg.vjp(lambda x: x * x, np.array([1.0, 2.0]))
    >>> out, vjp_fn(np.array([1.0, 10.0]))
    (array([1., 4.]), (array([ 2., 40.]),))
    """
    positions = tuple(range(len(primals)))
    with _transform() as nested:
        xs = _variables(primals, positions, "vjp", nested)
        outs, rebuild = _outputs(fn(*xs), "vjp")

    def vjp_fn(cotangent: Any) -> tuple:
        cotangents = _matching(cotangent, outs, len(outs) > 1 or rebuild is not _single,
                               "vjp_fn", "cotangent", "output", nested)
        with _transform() as inner:
            grads = _pullback(outs, cotangents, xs, nested or inner)
        return tuple(_result(g, nested or inner) for g in grads)

    return rebuild([_result(o, nested) for o in outs]), vjp_fn


def jacrev(fn: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The Jacobian by reverse mode, one reverse pass per output entry; shape
    ``out.shape + input.shape`` (a tuple per output and per argnum given as tuples).

    >>> import numpy as np, tinygrad_lm as tg
    >>> tg.jacrev(lambda x: x[:2] * x[1:])(np.array([1.0, 2.0, 3.0]))
    array([[2., 1., 0.],
           [0., 3., 2.]])
    """
    return _jacobian(fn, argnums, "jacrev", _rows_by_reverse_passes)


# Forward mode --------------------------------------------------------------------------------

def jvp(fn: Callable[..., Any], primals: Sequence[Any],
        tangents: Sequence[Any]) -> tuple[Any, Any]:
    """``fn(*primals)`` and its directional derivative ``J tangents``, in one forward pass that
    carries tangents (no backward pass), as ``jax.jvp`` and ``torch.func.jvp``.

    >>> import numpy as np, tinygrad_lm as tg
    >>> tg.jvp(lambda x: (x ** 3).sum(), (np.array([1.0, 2.0]),), (np.array([1.0, 0.0]),))
    (array(9.), array(3.))
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(f"jvp: primals and tangents must be tuples (one entry per argument of "
                        f"fn), got {type(primals).__name__} and {type(tangents).__name__}")
    if len(primals) != len(tangents):
        raise ValueError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    positions = tuple(range(len(primals)))
    with _transform() as nested:
        xs = _variables(primals, positions, "jvp", nested)
        seeds = _matching(tuple(tangents), xs, True, "jvp", "tangent", "primal", nested)
        outs, rebuild = _outputs(fn(*xs), "jvp")
        _count("forward")
        table = push_tangents(outs, dict(zip(xs, seeds)), create_graph=nested)
        out_tangents = [_tangent_of(out, table, nested) for out in outs]
    return (rebuild([_result(o, nested) for o in outs]),
            rebuild([_result(t, nested) for t in out_tangents]))


def jacfwd(fn: Callable[..., Any], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The Jacobian by forward mode, one forward pass per input entry; shape
    ``out.shape + input.shape`` (a tuple per output and per argnum given as tuples).

    >>> import numpy as np, tinygrad_lm as tg
    >>> J = tg.jacfwd(lambda x: x ** 2)(np.array([1.0, 3.0]))   # elementwise: a diagonal 2x
    >>> J.diagonal(), J.shape
    (array([2., 6.]), (2, 2))
    """
    return _jacobian(fn, argnums, "jacfwd", _columns_by_forward_passes)


def _jacobian(fn: Callable[..., Any], argnums: int | Sequence[int], op: str,
              build: Callable[[list, list, bool], list]) -> Callable[..., Any]:
    """``fn``'s Jacobians for ``argnums``, ``build(outs, wrt, nested)`` giving one per output
    and per argument: the part jacrev and jacfwd share."""
    def wrapped(*args):
        positions = _positions(argnums, len(args), op)
        with _transform() as nested:
            xs = _variables(args, positions, op, nested)
            outs, rebuild = _outputs(fn(*xs), op)
            jacobians = build(outs, [xs[k] for k in positions], nested)
        return rebuild([_pick([_result(j, nested) for j in per], argnums) for per in jacobians])

    return wrapped


def _rows_by_reverse_passes(outs: list, wrt: list, nested: bool) -> list:
    """One reverse pass per output entry, each giving a row of every Jacobian of that output."""
    jacobians = []
    for out in outs:
        rows: list[list] = [[] for _ in wrt]
        for j in range(out.size):
            seed = basis(out, j)
            for row, g in zip(rows, _pullback([out], [seed], wrt, nested)):
                row.append(g)
        jacobians.append([_assemble(row, out, x, 0, nested) for row, x in zip(rows, wrt)])
    return jacobians


def _columns_by_forward_passes(outs: list, wrt: list, nested: bool) -> list:
    """One forward pass per input entry, each giving a column of every output's Jacobian."""
    jacobians: list[list] = [[] for _ in outs]
    for x in wrt:
        columns: list[list] = [[] for _ in outs]
        for j in range(x.size):
            _count("forward")
            table = push_tangents(outs, {x: basis(x, j)}, create_graph=nested)
            for column, out in zip(columns, outs):
                column.append(_tangent_of(out, table, nested))
        for per, column, out in zip(jacobians, columns, outs):
            per.append(_assemble(column, out, x, -1, nested))
    return jacobians


def hessian(fn: Callable[..., Tensor], argnums: int | Sequence[int] = 0) -> Callable[..., Any]:
    """The Hessian of a scalar-valued ``fn``: ``jacfwd(jacrev(fn))`` (forward over reverse),
    of shape ``input.shape + input.shape``.

    >>> import numpy as np, tinygrad_lm as tg
    >>> tg.hessian(lambda x: x[0] ** 2 * x[1])(np.array([1.0, 3.0]))
    array([[6., 2.],
           [2., 0.]])
    """
    def scalar_fn(*args):
        return _scalar_output(fn(*args), "hessian").reshape(())

    return jacfwd(jacrev(scalar_fn, argnums), argnums)


def hvp(fn: Callable[..., Tensor], primals: Any, tangents: Any) -> tuple[Any, Any]:
    """``fn(*primals)`` and the Hessian-vector product ``H tangents`` of a scalar ``fn``,
    without forming the Hessian: one reverse pass, then one forward pass through it
    (forward over reverse). ``primals`` and ``tangents``: a tuple, or one array for a
    one-argument ``fn`` (then ``hvp`` is one array too), as ``torch.autograd.functional.hvp``.

    >>> import numpy as np, tinygrad_lm as tg
    >>> tg.hvp(lambda x: (x ** 3).sum(), np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    (array(9.), array([ 6., 12.]))
    """
    single = not isinstance(primals, (tuple, list))
    primals = (primals,) if single else tuple(primals)
    tangents = (tangents,) if single and not isinstance(tangents, (tuple, list)) else tangents
    value_and_grad_fn = _value_and_grad(fn, tuple(range(len(primals))), "hvp")

    def value_and_flat_grad(*xs):
        value, grads = value_and_grad_fn(*xs)
        return (value, *grads)

    (value, *_), (_, *products) = jvp(value_and_flat_grad, primals, tuple(tangents))
    return value, products[0] if single else tuple(products)
