"""The graph core: the node contract, apply(), no_grad, one toposort and one chain-rule loop."""

from __future__ import annotations

import itertools
import threading
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from operator import attrgetter
from typing import Any


class _GradMode(threading.local):
    """Whether operations record a graph, per thread (as PyTorch's grad mode is)."""

    enabled = True


grad_mode = _GradMode()
_NO_PARAMS: dict = {}
# Every node takes the next number as it is made (its ``_seq``). A node is made after its inputs,
# so numbering order is a topological order: PyTorch's engine orders by a sequence number too.
next_seq = itertools.count().__next__
_by_seq = attrgetter("_seq")


class ZeroGradientWarning(UserWarning):
    """Backward found no path from the output to a parameter that avoids a piecewise-constant op.

    >>> import warnings, tinygrad_lm as tg
    >>> w = tg.Tensor([0.3, 0.7], requires_grad=True)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     (w > 0.5).mean().backward()
    >>> caught[0].category is tg.ZeroGradientWarning, w.grad
    (True, array([0., 0.]))
    """


class Primitive:
    """One differentiable operation: its forward and, beside it, one VJP per input.

    ``forward`` runs on numpy arrays, ``scalar`` (when given) on Python floats for the
    ``Value`` front-end. ``vjps[i](grad, out, *inputs, **params)`` returns d loss / d input i;
    ``jvps[i](tangent, out, *inputs, **params)`` returns input i's contribution to the output's
    tangent (forward mode), with the same names.
    A piecewise-constant primitive has no VJPs; instead ``jumps(out, *inputs, **params)``
    returns, per input, a boolean mask of the entries that sit exactly on a jump. ``arity``
    (1, 2 or 0, from the VJPs) tells backward whether it may call them directly.

    Calling a primitive dispatches on its arguments: with a node among them it records a graph
    node (see ``apply``), on Python floats it runs ``scalar``, otherwise ``forward``. This is
    what lets one VJP serve both the fast first-order path (arrays in, arrays out) and
    ``create_graph=True`` (nodes in, a new graph out).

    >>> from tinygrad_lm import primitives as P
    >>> P.mul.name, P.mul.symbol, P.mul(2.0, 3.0), P.greater.is_piecewise_constant, P.mul.arity
    ('mul', '*', 6.0, True, 2)
    """

    __slots__ = ("name", "symbol", "forward", "scalar", "vjps", "jvps", "jumps", "arity")

    def __init__(self, name: str, forward: Callable, vjps: Sequence[Callable] = (),
                 jvps: Sequence[Callable] = (), *, scalar: Callable | None = None,
                 jumps: Callable | None = None, symbol: str | None = None):
        self.name = name
        self.symbol = symbol or name
        self.forward = forward
        self.scalar = scalar
        self.vjps = vjps
        self.jvps = jvps
        self.jumps = jumps
        self.arity = _direct_arity(vjps)
        _PRIMITIVES.setdefault(name, self)

    @property
    def is_piecewise_constant(self) -> bool:
        """Whether the derivative is zero wherever it exists (the op has ``jumps``).

        >>> from tinygrad_lm import primitives as P
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
    takes the general step), 2 for two VJPs taking ``grad, out, x, y`` alone; 0 otherwise
    (variadic and piecewise-constant primitives), for the general step.

    >>> _direct_arity((lambda grad, out, x, y: grad, lambda grad, out, x, y: grad))
    2
    >>> _direct_arity((lambda grad, out, x, axis, keepdims: grad,))
    1
    """
    if not isinstance(vjps, tuple) or len(vjps) not in (1, 2):
        return 0
    if len(vjps) == 2 and any(getattr(getattr(vjp, "__code__", None), "co_argcount", 0) != 4
                              for vjp in vjps if vjp is not passthrough):
        return 0
    return len(vjps)


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
    return grad_mode.enabled


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
    previous = grad_mode.enabled
    grad_mode.enabled = False
    try:
        yield
    finally:
        grad_mode.enabled = previous


def apply(prim: Primitive, args: Sequence[Any], params: dict) -> Node:
    """Run ``prim`` forward on ``args`` (nodes or constants) and record the node if needed.

    A node is recorded only when some input requires grad and grad mode is on; otherwise the
    result is a constant of the same front-end.

    >>> import tinygrad_lm as tg
    >>> from tinygrad_lm import primitives as P
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
    if requires_grad and grad_mode.enabled:
        return cls._new(out, prim, tuple(inputs), tuple(datas), params or _NO_PARAMS)
    return cls._new(out)


def forward_error(prim: Primitive, datas: Sequence[Any], e: Exception) -> Exception:
    """numpy's error in a forward, as a plain ValueError/TypeError/IndexError naming the op
    and describing every input's shape and dtype.

    >>> import numpy as np
    >>> from tinygrad_lm import primitives as P
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


def toposort(root: Node) -> list[Node]:
    """Every node that requires grad and leads to ``root``, inputs before the nodes they feed.

    The nodes reachable from ``root`` are collected with an explicit stack (so graph depth is
    bounded by memory, not by Python's recursion limit) and put in creation order, which is a
    topological order: every node is numbered after its inputs (``_seq``).

    >>> import tinygrad_lm as tg
    >>> x = tg.Value(1.0)
    >>> y = (x * 2).exp()
    >>> [n.op for n in toposort(y)]
    ['', 'mul', 'exp']
    """
    reached = {root}
    stack = list(root.inputs)
    pop, push, reach = stack.pop, stack.extend, reached.add
    every = root.all_require_grad
    while stack:
        node = pop()
        if node is None or node in reached or not (every or node.requires_grad):
            continue
        reach(node)
        push(node.inputs)
    return sorted(reached, key=_by_seq)


def locally_constant(order: list[Node]) -> set[int]:
    """Ids of the nodes in ``order`` that no small change of a leaf can move.

    They are the outputs of piecewise-constant primitives and everything computed from them
    alone; a comparison of such a node (``argmax(p) == y``) sits on no jump even at equality.

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([0.5], requires_grad=True)
    >>> step = x > 0
    >>> y = step * 2 + x
    >>> sorted(n.op for n in toposort(y) if id(n) in locally_constant(toposort(y)))
    ['gt', 'mul']
    """
    constant: set[int] = set()
    for node in order:
        prim = node.prim
        if prim is None:
            continue
        if prim.jumps is not None or all(
                inp is None or not inp.requires_grad or id(inp) in constant
                for inp in node.inputs):
            constant.add(id(node))
    return constant


def jump_masks(node: Node, constant: set[int]) -> list[Any]:
    """Per input of a piecewise-constant node: where its derivative does not exist, or None.

    An input that is itself locally constant (see ``locally_constant``) has no undefined
    entries: its value cannot move onto or off the jump.

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([0.0, 1.0], requires_grad=True)
    >>> jump_masks(x > 0, set())
    [array([ True, False]), None]
    """
    masks = node.prim.jumps(node.data, *node.args, **node.params)
    return [None if inp is None or not inp.requires_grad or id(inp) in constant else mask
            for inp, mask in zip(node.inputs, masks)]


def backprop(root: Node, seed: Any, *, create_graph: bool = False, undefined: str = "zero",
             record: dict | None = None) -> None:
    """The one chain-rule loop, for every front-end.

    Walks ``toposort(root)`` from the output back, summing each node's incoming gradients in a
    dict keyed by node identity (popped once used, so memory falls as backward proceeds) and adding
    the result into every leaf that requires grad. A VJP reads its operands from the input
    nodes' current ``data`` (as micrograd's closures do) and constants from ``args``. With
    ``create_graph`` the VJPs run on the nodes themselves and record a new graph. With
    ``record`` (a dict), leaves are left alone and the gradient of every node (key ``id(node)``)
    and every edge (key ``(id(node), input_index)``) is stored there instead: that is how
    drawings show gradients.

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> record = {}
    >>> backprop(y, 1.0, record=record)
    >>> record[id(x)], x.grad
    (array([2., 4.]), None)
    """
    if undefined not in ("zero", "nan"):
        raise ValueError(f"backward: undefined must be 'zero' or 'nan', got {undefined!r}")
    order = toposort(root)
    constant = locally_constant(order) if undefined == "nan" else None
    # A plain first-order backward calls the VJPs of one- and two-operand primitives directly
    # (Primitive.arity); recording, strict mode and create_graph take _input_grads everywhere.
    plain = record is None and constant is None and not create_graph
    keeps_every_grad = root.keeps_every_grad and record is None
    every = root.all_require_grad  # then an input node needs no requires_grad test
    # Gradients of Python floats (Value) have no shape to check: one front-end per graph.
    shaped = not root.uses_floats
    piecewise = []
    # Keyed by the node itself: nodes hash by identity, so this is keying by id(), but faster.
    grads = {root: seed}
    pop, get = grads.pop, grads.get
    for node in reversed(order):
        grad = pop(node)  # every node in order leads to root, so a gradient reached it
        prim = node.prim
        if prim is None:
            if record is None:
                node._accumulate(grad)
            else:
                record[id(node)] = grad
            continue
        if keeps_every_grad:
            node.grad = grad
        elif record is not None:
            record[id(node)] = grad
        inputs = node.inputs
        arity = prim.arity if plain else 0
        if arity == 1 and len(inputs) == 1:  # not clip(x, lo, hi) called positionally
            # The hot path, written out: nearly every node has one or two operands, and a
            # direct call costs half of a call through *args (the scalar benchmark's budget).
            (x,) = inputs
            params = node.params
            if params:
                g = prim.vjps[0](grad, node.data, x.data, **params)
            else:
                g = prim.vjps[0](grad, node.data, x.data)
            if shaped and g.shape != x.data.shape:
                g = x._fit(g, prim, 0)
            grads[x] = g if (previous := get(x)) is None else previous + g
            continue
        if arity == 2:  # each input written out too: a loop over the two costs ~10% here
            x, y = inputs
            if x is None or y is None:
                x_data, y_data = node.args
            else:
                x_data, y_data = x.data, y.data
            vjps, out = prim.vjps, node.data
            if x is not None and (every or x.requires_grad):
                vjp = vjps[0]
                g = grad if vjp is passthrough else vjp(grad, out, x_data, y_data)
                if shaped and g.shape != x.data.shape:
                    g = x._fit(g, prim, 0)
                grads[x] = g if (previous := get(x)) is None else previous + g
            if y is not None and (every or y.requires_grad):
                vjp = vjps[1]
                g = grad if vjp is passthrough else vjp(grad, out, x_data, y_data)
                if shaped and g.shape != y.data.shape:
                    g = y._fit(g, prim, 1)
                grads[y] = g if (previous := get(y)) is None else previous + g
            continue
        if prim.jumps is not None:
            piecewise.append(node)
        for i, g in enumerate(_input_grads(node, grad, create_graph, constant)):
            if g is None:
                continue
            inp = inputs[i]
            if shaped and g.shape != inp.data.shape:
                g = inp._fit(g, prim, i)
            if record is not None:
                record[(id(node), i)] = g
            grads[inp] = g if (previous := get(inp)) is None else previous + g
    if piecewise and record is None:
        _warn_if_no_signal(root, order, piecewise)


def _input_grads(node: Node, grad: Any, create_graph: bool,
                 constant: set[int] | None) -> list[Any]:
    """d root / d input for every input of ``node``, None where none flows: the general step,
    for any number of operands, keyword parameters, piecewise-constant ops, strict mode and
    ``create_graph`` (VJPs called on the nodes themselves)."""
    prim, inputs = node.prim, node.inputs
    if prim.jumps is not None:
        return _piecewise_grads(node, create_graph, constant)
    if create_graph:
        args = tuple(a if inp is None else inp for inp, a in zip(inputs, node.args))
        out = node
    else:
        args = tuple(a if inp is None else inp.data for inp, a in zip(inputs, node.args))
        out = node.data
    vjps, params = prim.vjps, node.params
    return [None if inp is None or not inp.requires_grad else vjps[i](grad, out, *args, **params)
            for i, inp in enumerate(inputs)]


def _piecewise_grads(node: Node, create_graph: bool, constant: set[int] | None) -> list[Any]:
    """Exact zeros for each input of a piecewise-constant node; NaN on its jumps in strict mode."""
    masks = jump_masks(node, constant) if constant is not None else [None] * len(node.inputs)
    grads = []
    for inp, mask in zip(node.inputs, masks):
        if inp is None or not inp.requires_grad:
            grads.append(None)
            continue
        grads.append(inp._zeros_like(mask, create_graph))
    return grads


def _warn_if_no_signal(root: Node, order: list[Node], piecewise: list[Node]) -> None:
    """Warn when every path from ``root`` to a leaf that requires grad crosses a step."""
    reached = {id(root)}
    for node in reversed(order):
        if id(node) not in reached or node.prim is None or node.prim.jumps is not None:
            continue
        for inp in node.inputs:
            if inp is not None and inp.requires_grad:
                reached.add(id(inp))
    leaves = [n for n in order if n.prim is None]
    if not leaves or any(id(leaf) in reached for leaf in leaves):
        return
    blocking = sorted({n.prim.name for n in piecewise})
    warnings.warn(
        f"no gradient signal reaches any leaf that requires grad: every path crosses a "
        f"piecewise-constant op ({', '.join(blocking)}), whose derivative is zero wherever it "
        f"exists. Optimise a smooth surrogate instead, such as tg.losses.cross_entropy or "
        f"tg.losses.mse, or a sigmoid((x - threshold) / temperature) in place of a comparison.",
        ZeroGradientWarning, stacklevel=4)
