"""What every transform shares: nesting depth, pass counting, arguments made into the nodes to
differentiate by, outputs made into arrays or Tensors, and the reverse pass returning gradients."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..core import arguments as A
from ..core import backend as B
from ..core import primitives as P
from ..core.arguments import positions
from ..core.engine import backward_steps, gradients
from ..core.node import Node, set_grad_enabled
from ..frontends.tensor import Tensor
from ..functional import stack


class _State(threading.local):
    """How deep in nested transforms this thread is, and the pass counters listening."""

    depth = 0

    def __init__(self):
        self.counters: list[dict] = []


_state = _State()


@contextmanager
def count_passes() -> Iterator[dict]:
    """Count the forward (tangent) and reverse (adjoint) passes the transforms make.

    >>> import numpy as np, tinygrad_lm as tg
    >>> with tg.transforms.count_passes() as passes:
    ...     _ = tg.jacrev(lambda x: x * x)(np.ones(3))
    >>> passes
    {'forward': 0, 'reverse': 3}
    """
    counter = {"forward": 0, "reverse": 0}
    _state.counters.append(counter)
    try:
        yield counter
    finally:
        _state.counters.remove(counter)


def _count(kind: str) -> None:
    for counter in _state.counters:
        counter[kind] += 1


@contextmanager
def _transform() -> Iterator[bool]:
    """Run one transform: yields whether it is nested inside another; records a graph even
    inside ``no_grad`` (as ``torch.func`` transforms ignore an enclosing no_grad)."""
    nested = _state.depth > 0
    previous = set_grad_enabled(True)
    _state.depth += 1
    try:
        yield nested
    finally:
        _state.depth -= 1
        set_grad_enabled(previous)


def _single(items: list) -> Any:
    return items[0]


def _positions(argnums: Any, count: int, op: str) -> tuple[int, ...]:
    """``argnums`` as a tuple of non-negative positions, checked against ``count`` arguments."""
    if isinstance(argnums, (tuple, list)) and not argnums:
        raise ValueError(f"{op}: argnums is empty; give an int or a tuple of ints")
    return positions(argnums, count, op, noun="argnums",
                     within="fn called with {} positional argument")


def _pick(items: list, argnums: Any) -> Any:
    """One result per argnum: a tuple when argnums was a tuple, the entry itself otherwise."""
    return tuple(items) if isinstance(argnums, (tuple, list)) else items[0]


def _variables(args: Sequence[Any], positions: tuple[int, ...], op: str, nested: bool) -> list:
    """The arguments, with those at ``positions`` made into the nodes to differentiate by."""
    xs = list(args)
    for k in positions:
        x = xs[k]
        if nested and isinstance(x, Tensor) and x.requires_grad:
            # A node of the enclosing graph: its own derivatives count only the paths through
            # this argument, while the enclosing transform still sees through it.
            xs[k] = P.reshape(x, shape=x.shape)
        else:
            xs[k] = _leaf(_floating(x, op, k))
    return xs


def _floating(x: Any, op: str, k: int) -> np.ndarray:
    """Argument ``k`` as a floating array of its own (one copy): Python numbers, Fractions and
    lists become float64, integer arrays and Tensors are refused, and so is a list holding
    tensors, whose graph the array would drop."""
    if isinstance(x, Node) and not isinstance(x, Tensor):
        raise TypeError(f"{op}: argument {k} is a {type(x).__name__}; transforms take numpy "
                        f"arrays, Python numbers or Tensors")
    data = x.data if isinstance(x, Tensor) else x
    if B.is_foreign(data):  # another library's array: differentiated in its library
        if B.kind(data.dtype) not in A.GRADABLE:
            raise TypeError(f"{op}: can differentiate only floating inputs, but argument {k} "
                            f"has dtype {data.dtype}")
        B.use_namespaces()
        return B.namespace(data).asarray(data, copy=True)
    try:
        array = A.array(x.data if isinstance(x, Tensor) else x, op)
    except TypeError as e:
        raise TypeError(f"{e} (argument {k})") from None
    if array.dtype.kind not in A.GRADABLE:
        raise TypeError(f"{op}: can differentiate only floating inputs, but argument {k} has "
                        f"dtype {array.dtype}; convert it with .astype(np.float64)")
    return array


def _leaf(array: np.ndarray) -> Tensor:
    """A leaf that requires grad, holding ``array`` itself (already converted and copied)."""
    leaf = Tensor._new(array)
    leaf.requires_grad = True
    return leaf


def _outputs(out: Any, op: str) -> tuple[list[Tensor], Callable[[list], Any]]:
    """``fn``'s result as a list of Tensors, and how to rebuild its structure from a list."""
    if isinstance(out, (tuple, list)):
        return [_as_tensor(o, op) for o in out], tuple
    return [_as_tensor(out, op)], _single


def _as_tensor(out: Any, op: str) -> Tensor:
    if isinstance(out, Tensor):
        return out
    if isinstance(out, Node):
        raise TypeError(f"{op}: fn must return Tensors, got a {type(out).__name__}")
    if B.is_foreign(out):
        return Tensor._new(out)
    try:
        array = np.asarray(out)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{op}: fn must return Tensors, got {type(out).__name__}") from e
    if array.dtype.kind not in A.STORABLE:
        raise TypeError(f"{op}: fn must return Tensors, got {type(out).__name__}")
    return Tensor._new(array)


def _scalar_output(out: Any, op: str) -> Tensor:
    out = _as_tensor(out, op)
    if out.size != 1:
        raise ValueError(f"{op}: fn must return a one-element Tensor (a scalar), got shape "
                         f"{out.shape}; for the derivatives of every output entry use "
                         f"tg.jacrev or tg.jacfwd")
    if out.dtype.kind != "f":
        raise TypeError(f"{op}: fn must return a floating Tensor, got dtype {out.dtype}")
    return out


def _matching(given: Any, nodes: list[Tensor], many: bool, op: str, what: str, of: str,
              nested: bool) -> list:
    """Tangents (or cotangents), one per node, checked for the node's shape and dtype."""
    items = list(given) if many else [given]
    if many and not isinstance(given, (tuple, list)):
        raise TypeError(f"{op}: expected a tuple of {len(nodes)} {what}s, got "
                        f"{type(given).__name__}")
    if len(items) != len(nodes):
        raise ValueError(f"{op}: {len(items)} {what}s for {len(nodes)} {of}s")
    checked = []
    for k, (t, node) in enumerate(zip(items, nodes)):
        data = t.data if isinstance(t, Tensor) else t
        if B.is_foreign(data):
            if tuple(data.shape) != node.shape:
                raise ValueError(f"{op}: {what} {k} has shape {tuple(data.shape)}, but its {of} "
                                 f"has shape {node.shape}")
            checked.append(t if nested and isinstance(t, Tensor) else data)
            continue
        typed = isinstance(data, (np.ndarray, np.generic))
        array = np.asarray(data) if typed else np.asarray(data, dtype=node.dtype)
        if array.shape != node.shape:
            raise ValueError(f"{op}: {what} {k} has shape {array.shape}, but its {of} has "
                             f"shape {node.shape}")
        if typed and array.dtype != node.dtype:
            raise TypeError(f"{op}: {what} {k} has dtype {array.dtype}, but its {of} has "
                            f"dtype {node.dtype}")
        checked.append(t if nested and isinstance(t, Tensor) else array)
    return checked


def _pullback(outs: list[Tensor], seeds: list, wrt: list[Tensor], create_graph: bool) -> list:
    """sum_i d(sum(outs[i] * seeds[i])) / d each of ``wrt``, leaving every ``.grad`` untouched;
    one reverse pass per output. Zeros where no path leads to an input."""
    totals: list[Any] = [None] * len(wrt)
    for out, seed in zip(outs, seeds):
        if not out.requires_grad:
            continue
        _count("reverse")
        if create_graph and not isinstance(seed, Tensor):
            seed = Tensor._new(seed if B.is_foreign(seed) else np.asarray(seed, out.dtype))
        found = _adjoints(out, seed, wrt, create_graph)
        for j, x in enumerate(wrt):
            g = found.get(x)
            if g is not None:
                totals[j] = g if totals[j] is None else totals[j] + g
    grads = []
    for x, g in zip(wrt, totals):
        if g is None:
            g = zeros(x, x.shape)
            g = Tensor._new(g) if create_graph else g
        elif B.numpy_dtype(g.dtype) != x.dtype:  # a float32 input gets a float32 gradient
            g = P.astype(g, dtype=x.dtype)
        grads.append(g)
    return grads


def _adjoints(out: Tensor, seed: Any, wrt: list[Tensor], create_graph: bool) -> dict:
    """d out / d x for each x of ``wrt`` that leads to ``out``, by the general backward loop.

    A nested transform's arguments are nodes of the enclosing graph, not leaves: the loop stops
    once it has passed them all (their gradients are complete when reached), rather than go on
    to differentiate the enclosing graph, which nobody asked for."""
    pending = {x for x in wrt if x.prim is not None}
    if len(pending) < len(wrt):  # a leaf among them: its gradient is complete only at the end
        return gradients(out, seed, create_graph=create_graph)
    found = {}
    for node, grad, _ in backward_steps(out, seed, create_graph=create_graph):
        if node in pending:
            found[node] = grad
            pending.discard(node)
            if not pending:
                break
    return found


def _tangent_of(out: Tensor, table: dict, nested: bool) -> Any:
    """An output's tangent from a forward pass; zeros when it does not depend on the seeds."""
    t = table.get(out)
    if t is None:
        empty = zeros(out, out.shape, out.dtype if out.dtype.kind == "f" else np.float64)
        return Tensor._new(empty) if nested else empty
    return t


def _assemble(parts: list, out: Tensor, x: Tensor, axis: int, nested: bool) -> Any:
    """Rows (axis 0, one per output entry) or columns (axis -1, one per input entry) put
    together as a Jacobian of shape ``out.shape + x.shape``."""
    shape = out.shape + x.shape
    if not parts:
        empty = zeros(x, shape)
        return Tensor._new(empty) if nested else empty
    if nested:
        parts = [p if isinstance(p, Tensor) else Tensor._new(p) for p in parts]
        flat = [p.reshape(-1) for p in parts] if axis == 0 else parts
        return stack(flat, axis=axis).reshape(shape)
    if type(x.data) is not np.ndarray:
        xp = x.xp
        flat = [xp.reshape(p, (-1,)) for p in parts] if axis == 0 else parts
        return xp.reshape(xp.stack(flat, axis=axis), shape)
    flat = [np.ravel(p) for p in parts] if axis == 0 else parts
    return np.stack(flat, axis=axis).reshape(shape)


def zeros(like: Tensor, shape: tuple[int, ...], dtype: Any = None) -> Any:
    """Zeros of ``shape`` in the library (and, by default, the dtype) of ``like``'s data.

    >>> zeros(Tensor(np.ones(2, np.float32)), (1, 2))
    array([[0., 0.]], dtype=float32)
    """
    dtype = like.dtype if dtype is None else np.dtype(dtype)
    if type(like.data) is np.ndarray:
        return np.zeros(shape, dtype)
    xp = like.xp
    return xp.zeros(shape, dtype=getattr(xp, dtype.name))


def basis(like: Tensor, j: int) -> Any:
    """The ``j``-th unit vector of ``like``'s flattened shape, reshaped, in its library.

    >>> basis(Tensor(np.zeros((2, 2))), 1)
    array([[0., 1.],
           [0., 0.]])
    """
    flat = zeros(like, (like.size,), like.dtype if like.dtype.kind == "f" else np.float64)
    flat[j] = 1
    return flat.reshape(like.shape) if type(flat) is np.ndarray else like.xp.reshape(
        flat, like.shape)


def _result(x: Any, nested: bool) -> Any:
    """A Tensor inside another transform, a numpy array at the top level."""
    if nested:
        return x if isinstance(x, Tensor) else Tensor._new(B.as_data(x))
    data = x.data if isinstance(x, Tensor) else x
    if B.is_foreign(data):
        return data  # in its own library, as the arguments were
    array = np.asarray(data)
    # A VJP may give a read-only broadcast view (the gradient of a sum); the caller owns a result.
    return array if array.flags.writeable else array.copy()
