"""Forward mode: tangents pushed through a recorded graph in one sweep, by each node's JVP rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .arguments import check_undefined
from .backend import as_data
from .engine import jump_masks, locally_constant, toposort
from .node import FREED, Node, passthrough
from .primitives import broadcast_to


def push_tangents(outputs: Node | Sequence[Node], tangents: dict, *, undefined: str = "zero",
                  create_graph: bool = False) -> dict:
    """Every node's tangent, d node / d t, given the tangents of some nodes (the seeds).

    ``tangents`` maps nodes (usually leaves) to their tangents, each of its node's shape. The
    nodes that lead to ``outputs`` are visited once, inputs first (``engine.toposort``); a node
    whose inputs carry a tangent gets the sum of its JVP rules' contributions, broadcast to its
    shape. Nothing runs backward and no ``.grad`` changes. The result maps every node that
    depends on a seed (seeds included) to its tangent; other nodes have tangent zero.

    Piecewise-constant nodes get exact zeros, and with ``undefined="nan"`` NaN in the output
    entries that depend on an input entry sitting on a jump (as strict-mode backward marks the
    gradient). With ``create_graph=True`` the rules run on the nodes themselves and every
    tangent is a node of a new graph, so tangents can be differentiated again. This is also
    what a drawing of the forward pass reads: each node's value and tangent.

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([1.0, 2.0], requires_grad=True)
    >>> y = (x * x).sum()
    >>> push_tangents(y, {x: np.array([1.0, 0.0])})[y]
    array(2.)
    >>> a = tg.Value(3.0)
    >>> b = a * a + a
    >>> push_tangents(b, {a: 1.0})[b]
    7.0
    """
    check_undefined(undefined, "push_tangents")
    roots = [outputs] if isinstance(outputs, Node) else list(outputs)
    order = _order(roots)
    constant = locally_constant(order) if undefined == "nan" else None
    shaped = not all(r.uses_floats for r in roots)
    result = {}
    for node, tangent in tangents.items():
        if not isinstance(node, Node):
            raise TypeError(f"push_tangents: tangents must be keyed by graph nodes, got "
                            f"{type(node).__name__}")
        if shaped and np.shape(tangent) != np.shape(node.data):
            raise ValueError(f"push_tangents: tangent of shape {tuple(np.shape(tangent))} for "
                             f"a node of shape {tuple(np.shape(node.data))}")
        if create_graph and not isinstance(tangent, Node):
            tangent = type(node)._new(tangent)
        result[node] = tangent
    for node in order:
        prim = node.prim
        if prim is None or node in result:
            continue
        if prim is FREED:
            raise RuntimeError("forward mode: this graph was freed by an earlier backward("
                               "retain_graph=False); build it again, or keep it with "
                               "retain_graph=True (the default)")
        inputs = node.inputs
        carrying = [i for i, inp in enumerate(inputs) if inp is not None and inp in result]
        if not carrying:
            continue
        if prim.jumps is not None:
            result[node] = _piecewise_tangent(node, carrying, constant, result, create_graph)
            continue
        tangent = _contributions(node, carrying, result, create_graph)
        if shaped and np.shape(tangent) != np.shape(node.data):
            tangent = broadcast_to(tangent, shape=node.data.shape)
        elif shaped and not create_graph and type(tangent) is not np.ndarray:
            tangent = as_data(tangent)  # numpy reductions give scalars, nodes hold arrays
        result[node] = tangent
    return result


def _order(roots: list[Node]) -> list[Node]:
    """The nodes leading to any of ``roots``, inputs first (a union of toposorts)."""
    if len(roots) == 1:
        return toposort(roots[0])
    reached: dict[Node, None] = {}
    for root in roots:
        reached.update(dict.fromkeys(toposort(root)))
    return sorted(reached, key=lambda n: n._seq)


def _contributions(node: Node, carrying: list[int], result: dict, create_graph: bool) -> Any:
    """The sum of the JVP rules of the inputs that carry a tangent, before broadcasting."""
    prim, inputs = node.prim, node.inputs
    if create_graph:
        args = tuple(a if inp is None else inp for inp, a in zip(inputs, node.args))
        out = node
    else:
        args = tuple(a if inp is None else inp.data for inp, a in zip(inputs, node.args))
        out = node.data
    params = node.params
    total = None
    for i in carrying:
        try:
            jvp = prim.jvps[i]
        except (IndexError, TypeError):
            raise TypeError(f"forward mode: primitive {prim.name!r} has no JVP rule for input "
                            f"{i}; declare jvps= beside its vjps=") from None
        tangent = result[inputs[i]]
        part = tangent if jvp is passthrough else jvp(tangent, out, *args, **params)
        total = part if total is None else total + part
    return total


def _piecewise_tangent(node: Node, carrying: list[int], constant: set[int] | None,
                       result: dict, create_graph: bool) -> Any:
    """Exact zeros; in strict mode NaN where an input carrying a tangent sits on a jump, or
    carries an undefined (NaN) tangent already: forward mode meets the jumps nearest the
    leaves first, and what they left undefined stays so through every later step."""
    if constant is None:
        return node._zeros_like(None, create_graph)
    masks = jump_masks(node, constant)
    on_jump = None
    for i in carrying:
        incoming = result[node.inputs[i]]
        undefined = np.isnan(getattr(incoming, "data", incoming))
        mask = undefined if masks[i] is None else masks[i] | undefined
        mask = _to_output(mask, node)
        on_jump = mask if on_jump is None else on_jump | mask
    return node._zeros_like(on_jump, create_graph)


def _to_output(mask: Any, node: Node) -> Any:
    """An input's jump mask as a mask over the output: the same entries where the op is
    elementwise, and any entry of a reduced slice for a reduction (argmax)."""
    if node.uses_floats:
        return bool(mask)
    out_shape = np.shape(node.data)
    try:
        return np.broadcast_to(mask, out_shape)
    except ValueError:
        params = node.params
        return np.any(mask, axis=params.get("axis"), keepdims=bool(params.get("keepdims")))
