"""Backward: one toposort, the first-order hot loop and the general loop that returns gradients."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Generator, Sequence
from itertools import repeat
from operator import attrgetter
from typing import Any

from .arguments import check_undefined
from .node import FREED, Node, passthrough


def _sole_reference_count() -> int:
    """What sys.getrefcount reports for an object that only one local name holds."""
    probe = object()
    return sys.getrefcount(probe)


_SOLE = _sole_reference_count()
# Backward lets a VJP write into a gradient array only from this size on: a small array costs
# less to allocate than to check.
_STEAL_MIN_SIZE = 1 << 16


def _stealable(grad: Any, last: Any) -> bool:
    """Whether backward's loop holds the only reference to ``grad``, a large array that owns
    its memory (``last``, the loop's previous VJP result, may be the same object): then the
    VJP may write its result into it, as PyTorch's engine steals such buffers.
    """
    # References: the loop's name, this function's parameter, getrefcount's argument, and the
    # loop's and this function's names for ``last`` when it is ``grad``.
    return (hasattr(grad, "flags") and grad.size >= _STEAL_MIN_SIZE  # a numpy array
            and sys.getrefcount(grad) == _SOLE + 1 + 2 * (last is grad)
            and getattr(grad, "base", 0) is None and grad.flags.writeable)


# Every node takes the next number as it is made (its ``_seq``). A node is made after its inputs,
# so numbering order is a topological order: PyTorch's engine orders by a sequence number too.
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
             retain_graph: bool = True) -> None:
    """Add d root / d leaf into every leaf that requires grad: what ``.backward()`` runs.

    The mode is chosen here, once: a plain first-order backward takes the hot loop
    (``_first_order``); ``create_graph`` and the strict mode take the general loop
    (``backward_steps``), whose gradients are then added into the leaves. With
    ``retain_graph=False`` each node forgets its inputs once its VJPs have run, so the graph
    behind it can be freed during backward (running backward through it again then raises).

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([1.0, 2.0], requires_grad=True)
    >>> backprop((x * x).sum(), 1.0)
    >>> x.grad
    array([2., 4.])
    """
    check_undefined(undefined, "backward")
    if create_graph or undefined == "nan":
        grads = gradients(root, seed, create_graph=create_graph, undefined=undefined)
        for node, grad in grads.items():
            if type(node) is tuple:
                continue
            if node.prim is None:
                node._accumulate(grad)
            elif node.keeps_every_grad:
                node.grad = grad
        steps = _has_steps([n for n in grads if type(n) is not tuple])
        blocking = _blocking_steps(root) if steps else []
    else:
        order = toposort(root)
        # With retain_graph=False the graph is released on the way: look for a signal first.
        blocking = [] if retain_graph or not _has_steps(order) else _blocking_steps(root)
        if _first_order(order, seed, retain_graph) and retain_graph:
            blocking = _blocking_steps(root)
    if blocking:
        warnings.warn(
            f"no gradient signal reaches any leaf that requires grad: every path crosses a "
            f"piecewise-constant op ({', '.join(blocking)}), whose derivative is zero wherever "
            f"it exists. Optimise a smooth surrogate instead, such as tg.losses.cross_entropy "
            f"or tg.losses.mse, or a sigmoid((x - threshold) / temperature) in place of a "
            f"comparison.", ZeroGradientWarning, stacklevel=3)


def _first_order(order: list[Node], seed: Any, retain_graph: bool) -> bool:
    """The hot loop: first-order gradients summed per node and added into the leaves of
    ``order`` (a ``toposort``); returns whether it met a piecewise-constant node.

    Nearly every node has one or two operands, and calling their VJPs directly costs half of a
    call through ``*args, **params`` (the scalar benchmark's budget), so those two steps are
    written out; every other node takes the general step.
    """
    root = order[-1]
    every, shaped, keep = root.all_require_grad, not root.uses_floats, root.keeps_every_grad
    pop, get = (grads := {root: seed}).pop, grads.get
    stepped = False
    g = None
    # Popped rather than iterated when the graph is released: a node the graph alone held is
    # then freed as soon as its consumers have run (iterating is faster on scalar graphs).
    nodes = reversed(order) if retain_graph else map(order.pop, repeat(-1, len(order)))
    for node in nodes:
        grad, prim, inputs = pop(node), node.prim, node.inputs
        if prim is None:
            node._accumulate(grad)
            continue
        if keep: node.grad = grad  # Value keeps every node's gradient, as micrograd does
        if prim.arity == 1 and len(inputs) == 1:  # not clip(x, lo, hi) called positionally
            x = inputs[0]
            vjp = prim.vjp_into_grad if prim.vjp_into_grad and _stealable(grad, g) else prim.vjps[0]
            g = vjp(grad, node.data, x.data, **node.params)
            g = x._fit(g, prim, 0) if shaped and g.shape != x.data.shape else g
            grads[x] = g if (previous := get(x)) is None else previous + g
        elif prim.arity == 2:  # each input written out: a loop over the two costs ~10% here
            x, y = inputs
            x_data, y_data = node.args if x is None or y is None else (x.data, y.data)
            if x is not None and (every or x.requires_grad):
                vjp = prim.vjps[0]
                g = grad if vjp is passthrough else vjp(grad, node.data, x_data, y_data)
                g = x._fit(g, prim, 0) if shaped and g.shape != x.data.shape else g
                grads[x] = g if (previous := get(x)) is None else previous + g
            if y is not None and (every or y.requires_grad):
                vjp = prim.vjps[1]
                g = grad if vjp is passthrough else vjp(grad, node.data, x_data, y_data)
                g = y._fit(g, prim, 1) if shaped and g.shape != y.data.shape else g
                grads[y] = g if (previous := get(y)) is None else previous + g
        else:
            _add_into(grads, inputs, _input_grads(node, grad, False, None))
            stepped = stepped or prim.jumps is not None
        if not retain_graph:
            node._release()
    return stepped


def backward_steps(root: Node, seed: Any, *, create_graph: bool = False,
                   undefined: str = "zero") -> Generator[tuple[Node, Any, list], None, dict]:
    """The general loop: yield ``(node, grad, input_grads)`` for every non-leaf node, in
    backward order, writing no ``.grad``.

    ``grad`` is d root / d node, complete; ``input_grads`` has one entry per ``node.inputs``,
    the gradient carried along that edge (un-broadcast to the input's shape), ``None`` where
    none flows. With ``create_graph`` the VJPs run on the nodes themselves and record a new
    graph; with ``undefined="nan"`` the edges out of a piecewise-constant node carry NaN where
    its input sits on a jump. The generator returns the leaves' gradients. Drawings step
    through it; ``gradients`` collects it.

    >>> import tinygrad_lm as tg
    >>> x = tg.Value(3.0)
    >>> [(node.op, grad, input_grads) for node, grad, input_grads in backward_steps(x * x, 1.0)]
    [('mul', 1.0, [3.0, 3.0])]
    """
    check_undefined(undefined, "backward")
    order = toposort(root)
    constant = locally_constant(order) if undefined == "nan" else None
    grads = {root: seed}
    leaves = {}
    for node in reversed(order):
        grad = grads.pop(node)
        if node.prim is None:
            leaves[node] = grad
            continue
        input_grads = _input_grads(node, grad, create_graph, constant)
        _add_into(grads, node.inputs, input_grads)
        yield node, grad, input_grads
    return leaves


def gradients(root: Node, seed: Any, *, create_graph: bool = False,
              undefined: str = "zero") -> dict:
    """d root / d node for every node that leads to ``root`` (keyed by the node itself) and
    the gradient carried along every edge (keyed by ``(node, input_index)``), writing no
    ``.grad``: what ``torch.autograd.grad`` returns, for every node at once.

    >>> import numpy as np, tinygrad_lm as tg
    >>> x = tg.Tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * 3
    >>> grads = gradients(y.sum(), np.ones(()))
    >>> grads[x], grads[(y, 0)], x.grad
    (array([3., 3.]), array([3., 3.]), None)
    """
    result = {}
    steps = backward_steps(root, seed, create_graph=create_graph, undefined=undefined)
    while True:
        try:
            node, grad, input_grads = next(steps)
        except StopIteration as done:
            result.update(done.value)
            return result
        result[node] = grad
        for i, g in enumerate(input_grads):
            if g is not None:
                result[(node, i)] = g


def _add_into(grads: dict, inputs: Sequence[Node | None], input_grads: Sequence[Any]) -> None:
    """Sum each input's gradient into its entry: gradients are added, never assigned."""
    for inp, g in zip(inputs, input_grads):
        if g is not None:
            grads[inp] = g if (previous := grads.get(inp)) is None else previous + g


def _input_grads(node: Node, grad: Any, create_graph: bool,
                 constant: set[int] | None) -> list[Any]:
    """d root / d input for every input of ``node``, un-broadcast to its shape, None where none
    flows: the general step, for any number of operands, keyword parameters, piecewise-constant
    ops, strict mode and ``create_graph`` (VJPs called on the nodes themselves)."""
    prim, inputs = node.prim, node.inputs
    if prim is FREED:
        raise RuntimeError("backward: this graph was freed by an earlier backward(retain_graph="
                           "False); pass retain_graph=True (the default) to run backward through "
                           "it again")
    if prim.jumps is not None:
        grads = _piecewise_grads(node, create_graph, constant)
    else:
        out = node if create_graph else node.data
        args = tuple(a if inp is None else inp if create_graph else inp.data
                     for inp, a in zip(inputs, node.args))
        grads = [None if inp is None or not inp.requires_grad
                 else prim.vjps[i](grad, out, *args, **node.params)
                 for i, inp in enumerate(inputs)]
    if not node.uses_floats:
        grads = [g if g is None or g.shape == inp.data.shape else inp._fit(g, prim, i)
                 for i, (inp, g) in enumerate(zip(inputs, grads))]
    return grads


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


def _has_steps(order: list[Node]) -> bool:
    return any(n.prim is not None and n.prim.jumps is not None for n in order)


def _blocking_steps(root: Node) -> list[str]:
    """The piecewise-constant ops of the graph when every path from ``root`` to a leaf that
    requires grad crosses one of them (no gradient signal reaches any leaf), else ``[]``.

    >>> import tinygrad_lm as tg
    >>> w = tg.Tensor([0.3], requires_grad=True)
    >>> _blocking_steps(((w > 0.5) + 1).sum()), _blocking_steps((w > 0.5) * w)
    (['gt'], [])
    """
    reached, stack = {root}, [root]
    while stack:
        node = stack.pop()
        if node.prim is None:
            return []  # a path that avoids every piecewise-constant op reaches this leaf
        if node.prim.jumps is not None:
            continue
        for inp in node.inputs:
            if inp is not None and inp.requires_grad and inp not in reached:
                reached.add(inp)
                stack.append(inp)
    return sorted({n.prim.name for n in toposort(root)
                   if n.prim is not None and n.prim.jumps is not None})
