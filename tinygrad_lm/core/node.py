"""The graph node contract: Node, Primitive (a forward beside its VJPs and JVPs), apply() and
the per-thread grad mode."""

from __future__ import annotations

import itertools
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from . import backend

_NO_PARAMS: dict = {}


# The threads in which grad mode is off (inside no_grad): grad mode is per thread, as
# PyTorch's is. The set is nearly always empty, and the hot paths test that first
# (``not threads_without_grad or get_ident() not in threads_without_grad``): one global lookup,
# cheaper than any per-thread storage.
threads_without_grad: set[int] = set()
get_ident = threading.get_ident
# Every node takes the next number as it is made (its ``_seq``). A node is made after its inputs,
# so numbering order is a topological order (see engine.toposort).
next_seq = itertools.count().__next__


class Primitive:
    """One differentiable operation: its forward and, beside it, one VJP per input.

    ``forward`` runs on numpy arrays, ``standard`` (when given) on the arrays of any array-API
    library as ``standard(xp, *arrays, **params)``, ``scalar`` (when given) on Python floats
    for the ``Value`` front-end. ``vjps[i](grad, out, *inputs, **params)`` returns d loss /
    d input i; ``jvps[i](tangent, out, *inputs, **params)`` returns input i's contribution
    to the output's tangent (forward mode), with the same names.
    A piecewise-constant primitive has no VJPs; instead ``jumps(out, *inputs, **params)``
    returns, per input, a boolean mask of the entries that sit exactly on a jump. ``arity``
    (1, 2 or 0, from the VJPs) tells backward whether it may call them directly.

    Calling a primitive dispatches on its arguments: with a node among them it records a graph
    node (see ``apply``), on Python floats it runs ``scalar``, otherwise ``forward``. This is
    what lets one VJP serve both the fast first-order path (arrays in, arrays out) and
    ``create_graph=True`` (nodes in, a new graph out).

    >>> from tinygrad_lm.core import primitives as P
    >>> P.mul.name, P.mul.symbol, P.mul(2.0, 3.0), P.gt.is_piecewise_constant, P.mul.arity
    ('mul', '*', 6.0, True, 2)
    """

    __slots__ = ("name", "symbol", "forward", "scalar", "vjps", "jvps", "jumps", "arity",
                 "vjp_into_grad", "standard", "numpy_forward", "__weakref__")

    def __init__(self, name: str, forward: Callable, vjps: Sequence[Callable] = (),
                 jvps: Sequence[Callable] = (), *, scalar: Callable | None = None,
                 jumps: Callable | None = None, symbol: str | None = None,
                 vjp_into_grad: Callable | None = None, standard: Callable | None = None):
        self.name = name
        self.symbol = symbol or name
        self.forward = self.numpy_forward = forward
        # The forward on any array-API namespace: standard(xp, *arrays, **params). backend
        # dispatches to it once a non-numpy array has been seen (see backend.use_namespaces).
        self.standard = standard
        self.scalar = scalar
        self.vjps = vjps
        self.jvps = jvps
        self.jumps = jumps
        self.arity = _direct_arity(vjps)
        # The one VJP again, allowed to write its result into ``grad``'s memory: backward calls
        # it when it holds the only reference to a gradient array that owns its memory.
        self.vjp_into_grad = vjp_into_grad
        _PRIMITIVES.setdefault(name, self)
        _EVERY.add(self)
        if backend.switched():  # made after the first foreign array: dispatch from the start
            self.forward = backend.dispatching(self)

    @property
    def is_piecewise_constant(self) -> bool:
        """Whether the derivative is zero wherever it exists (the op has ``jumps``).

        >>> from tinygrad_lm.core import primitives as P
        >>> P.floor.is_piecewise_constant, P.exp.is_piecewise_constant
        (True, False)
        """
        return self.jumps is not None

    def __call__(self, *args, **params):
        for a in args:
            if isinstance(a, Node):
                return apply(self, args, params)
        if self.scalar is not None and type(args[0]) in (float, int):
            return self.scalar(*args, **params)
        return self.forward(*args, **params)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    def __reduce__(self):
        return (_primitive_by_name, (self.name,))


def _primitive_by_name(name: str) -> Primitive:
    """The first primitive made with ``name``: how a pickle refers to one (its VJPs are
    lambdas, which pickle cannot store). A registry, not an import of ``primitives``, which
    imports this module."""
    try:
        return _PRIMITIVES[name]
    except KeyError:
        raise ValueError(f"unpickling: no primitive is named {name!r}") from None


_PRIMITIVES: dict[str, Primitive] = {}
_EVERY: weakref.WeakSet = weakref.WeakSet()  # every primitive, the unnamed copies too


def _dispatch_every_primitive() -> None:
    """Wrap each primitive's forward to ask its arguments' namespace (backend.use_namespaces)."""
    for prim in list(_EVERY):
        prim.forward = backend.dispatching(prim)


backend.on_switch(_dispatch_every_primitive)


def passthrough(grad: Any, out: Any, *operands: Any, **params: Any) -> Any:
    """The VJP of an input that receives the output's gradient unchanged (both inputs of add,
    the first of sub). Backward recognises it and hands ``grad`` on without a call.

    >>> passthrough(3.0, None, 1.0, 2.0)
    3.0
    """
    return grad


def _direct_arity(vjps: Sequence[Callable]) -> int:
    """How many operands backward passes straight to the VJPs: 1 for one VJP (one operand,
    keyword parameters passed by name; a node whose other arguments were given positionally
    takes the general step), 2 for two VJPs (two operands; two-operand primitives take no
    keyword parameters); 0 otherwise (variadic and piecewise-constant primitives), for the
    general step.

    >>> _direct_arity((passthrough, passthrough)), _direct_arity(())
    (2, 0)
    """
    return len(vjps) if isinstance(vjps, tuple) and len(vjps) in (1, 2) else 0


class EachInput:
    """The VJPs of a primitive that takes any number of inputs: ``rule(i, grad, out, *xs)``.

    >>> vjps = EachInput(lambda i, grad, out, *xs: grad * i)
    >>> vjps[2](1.5, None, 0.0, 0.0, 0.0)
    3.0
    """

    __slots__ = ("rule",)

    def __init__(self, rule: Callable):
        self.rule = rule

    def __getitem__(self, i: int) -> Callable:
        rule = self.rule
        return lambda grad, out, *xs, **params: rule(i, grad, out, *xs, **params)


def _freed(*args: Any, **params: Any) -> Any:
    raise RuntimeError("freed: a node released by backward(retain_graph=False) has no forward")


# The primitive of a node whose graph backward(retain_graph=False) released.
FREED = Primitive("freed", _freed)


class Node:
    """The contract every graph node keeps, whatever holds its data.

    ``data``: the value; ``grad``: the accumulated gradient of a leaf; ``requires_grad``;
    ``prim``: the ``Primitive`` that made it (``None`` for a leaf); ``inputs``: one entry per
    positional argument, the input node or ``None`` where the argument was a constant;
    ``args``: the argument values (a Tensor keeps those of forward time; a Value reads its inputs'
    current values, as micrograd does); ``params``: keyword parameters; ``_seq``: the node's
    number from ``next_seq()``, taken when it is made.
    Front-ends supply ``_new`` (build a node), ``_accumulate`` (add a gradient into a leaf),
    ``_zeros_like`` (the gradient a piecewise-constant op passes back) and, where data has a
    shape, ``_fit`` (un-broadcast a gradient whose shape differs from the node's, or raise).

    >>> import tinygrad_lm as tg
    >>> x = tg.Value(2.0)
    >>> y = x * 3
    >>> isinstance(y, Node), x.is_leaf, y.op, y.inputs == (x, None), y.args
    (True, True, 'mul', True, (2.0, 3.0))
    """

    __slots__ = ()
    uses_floats = False       # True: forward runs Primitive.scalar on Python floats
    keeps_every_grad = False  # True: every node, not only leaves, keeps its gradient
    all_require_grad = False  # True: no node of this front-end is a constant (Value)

    @property
    def is_leaf(self) -> bool:
        """Whether no primitive made this node (an input or a parameter).

        >>> import tinygrad_lm as tg
        >>> x = tg.Tensor([1.0], requires_grad=True)
        >>> x.is_leaf, (x * 2).is_leaf
        (True, False)
        """
        return self.prim is None

    @property
    def op(self) -> str:
        """The name of the primitive that made this node ('' for a leaf).

        >>> import tinygrad_lm as tg
        >>> (tg.Tensor([1.0], requires_grad=True).exp()).op
        'exp'
        """
        return "" if self.prim is None else self.prim.name

    def _release(self) -> None:
        """Forget the inputs once backward(retain_graph=False) has run this node's VJPs, so the
        graph behind it can be freed; backward through it again then raises."""
        self.prim, self.inputs = FREED, ()

    def __setstate__(self, state: tuple) -> None:
        """Restore a pickled or copied node under a new ``_seq``: numbers are per process, and
        a node's number must stay above those of its inputs (restored before it)."""
        attributes, slots = state if isinstance(state, tuple) else (state, None)
        for name, value in {**(attributes or {}), **(slots or {})}.items():
            setattr(self, name, value)
        self._seq = next_seq()


def is_grad_enabled() -> bool:
    """Whether operations record a graph now (``False`` inside ``no_grad``).

    >>> import tinygrad_lm as tg
    >>> with tg.no_grad():
    ...     tg.is_grad_enabled()
    False
    """
    return get_ident() not in threads_without_grad


def set_grad_enabled(enabled: bool) -> bool:
    """Turn recording on or off in this thread; returns the previous setting (to restore it).

    >>> previous = set_grad_enabled(False)
    >>> is_grad_enabled(), set_grad_enabled(previous)
    (False, False)
    """
    ident = get_ident()
    previous = ident not in threads_without_grad
    if enabled:
        threads_without_grad.discard(ident)
    else:
        threads_without_grad.add(ident)
    return previous


@contextmanager
def no_grad() -> Iterator[None]:
    """Record no graph inside the block, as ``torch.no_grad()`` does.

    >>> import tinygrad_lm as tg
    >>> w = tg.Tensor([1.0, 2.0], requires_grad=True)
    >>> with tg.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False
    """
    previous = set_grad_enabled(False)
    try:
        yield
    finally:
        set_grad_enabled(previous)


def apply(prim: Primitive, args: Sequence[Any], params: dict) -> Node:
    """Run ``prim`` forward on ``args`` (nodes or constants) and record the node if needed.

    A node is recorded only when some input requires grad and grad mode is on; otherwise the
    result is a constant of the same front-end.

    >>> import tinygrad_lm as tg
    >>> from tinygrad_lm.core import primitives as P
    >>> y = apply(P.mul, (tg.Tensor([2.0], requires_grad=True), 3.0), {})
    >>> y, y.inputs[1] is None
    (Tensor([6.], op='mul'), True)
    """
    cls = None
    requires_grad = False
    datas = []
    inputs = []
    for a in args:
        if isinstance(a, Node):
            if cls is not type(a):
                if cls is not None:
                    raise TypeError(f"{prim.name}: cannot mix {cls.__name__} and "
                                    f"{type(a).__name__} in one operation")
                cls = type(a)
            datas.append(a.data)
            inputs.append(a)
            requires_grad = requires_grad or a.requires_grad
        else:
            datas.append(a)
            inputs.append(None)
    forward = prim.scalar if cls.uses_floats else prim.forward
    if forward is None:
        raise TypeError(f"{prim.name} is not defined for {cls.__name__}")
    try:
        out = forward(*datas, **params)
    except (ValueError, TypeError, IndexError) as e:
        raise forward_error(prim, datas, e) from e
    if requires_grad and (not threads_without_grad or is_grad_enabled()):
        return cls._new(out, prim, tuple(inputs), tuple(datas), params or _NO_PARAMS)
    return cls._new(out)


def forward_error(prim: Primitive, datas: Sequence[Any], e: Exception) -> Exception:
    """numpy's error in a forward, as a plain ValueError/TypeError/IndexError naming the op
    and describing every input's shape and dtype.

    >>> import numpy as np
    >>> from tinygrad_lm.core import primitives as P
    >>> forward_error(P.add, (np.ones(2), np.ones(3)), ValueError("shapes differ"))
    ValueError('add: shapes differ (inputs: shape (2,) float64, shape (3,) float64)')
    """
    kind = next(k for k in (IndexError, TypeError, ValueError) if isinstance(e, k))
    message = str(e) if str(e).startswith(prim.name) else f"{prim.name}: {e}"
    return kind(f"{message} (inputs: {_describe(datas)})")


def _describe(datas: Sequence[Any]) -> str:
    parts = []
    for d in datas:
        shape = getattr(d, "shape", None)
        if shape is None:
            parts.append(type(d).__name__)
        else:
            parts.append(f"shape {tuple(shape)} {getattr(d, 'dtype', '')}".rstrip())
    return ", ".join(parts)
