"""One wrong activation derivative used at every layer (a shared ``sigmoid_prime``) at once."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core.engine import gradients, toposort
from ..frontends.tensor import Tensor
from ._shared import ACTIVATIONS, record_grads

_DERIVATIVE = {"sigmoid": "s*(1-s)", "tanh": "1-t**2", "relu": "(z>0)"}
_AT_INPUT = {"sigmoid": "z*(1-z)", "tanh": "1-z**2"}
_DOCS = "see docs: checking-your-backprop.md, 'An extra derivative'"


def shared_variants(root: Tensor, tensors: Sequence[Tensor],
                    record: dict) -> list[tuple[str, list[np.ndarray]]]:
    """The gradients with one mistake made at every activation node of a kind at once.

    Nodes are visited from the loss down; each sends on ``wrong(g) - vjp(g)`` for the gradient
    g that reaches it, the upper mistakes' effect included (backward is linear in g).

    >>> w = Tensor(np.array([0.3]), requires_grad=True)
    >>> root = (w.sigmoid() * 2).sigmoid().sum()
    >>> from tinygrad_lm.testing._shared import node_grads
    >>> [text[:30] for text, _ in shared_variants(root, [w], node_grads(root, [w])[1])]
    ['a shared missing derivative: y', 'a shared derivative taken at i']
    """
    order = toposort(root)
    base = record_grads(record, tensors)
    out = []
    for kind in ACTIVATIONS:
        nodes = [n for n in order if n.op == kind and n.inputs[0] is not None
                 and n.inputs[0].requires_grad and n in record]
        if len(nodes) < 2:
            continue
        mistakes = [("missing", lambda node, g, z: g)]
        if kind in _AT_INPUT:
            mistakes.append(("at input", lambda node, g, z: node.prim.vjps[0](
                g, z.data, z.data, **node.params)))
        for label, wrong in mistakes:
            delta: dict = {}
            for node in reversed(nodes):
                z = node.inputs[0]
                g = record[node] + delta.get(node, 0.0)
                own = node.prim.vjps[0](g, node.data, z.data, **node.params)
                for key, value in gradients(z, wrong(node, g, z) - own).items():
                    delta[key] = delta.get(key, 0.0) + value
            grads = [b + np.asarray(delta.get(t, 0.0)) for b, t in zip(base, tensors)]
            if label == "missing":
                text = (f"a shared missing derivative: yours equal the engine's with the "
                        f"derivative {_DERIVATIVE[kind]} left out at every {kind} (all "
                        f"{len(nodes)} of them): the function you use for it at each layer "
                        f"or time step returns 1, or is never multiplied in ({_DOCS})")
            else:
                text = (f"a shared derivative taken at its input: yours equal the engine's "
                        f"with the derivative of every {kind} (all {len(nodes)}) computed as "
                        f"{_AT_INPUT[kind]} of its input z, where {_DERIVATIVE[kind]} of its "
                        f"output belongs: the derivative function you reuse at each layer "
                        f"or step (a {kind}_prime) is handed z, or expects the output and "
                        f"gets z ({_DOCS})")
            out.append((text, grads))
    return out


def extra_variants(root: Tensor, tensors: Sequence[Tensor],
                   record: dict) -> list[tuple[str, list[np.ndarray]]]:
    """The gradients with the last sigmoid's derivative applied twice: the squared error's
    delta ``(a - y) * a * (1 - a)`` used with cross-entropy, whose delta is ``a - y``.

    >>> w = Tensor(np.array([0.3]), requires_grad=True)
    >>> root = (w.sigmoid() * 2).sum()
    >>> from tinygrad_lm.testing._shared import node_grads
    >>> [text[:35] for text, _ in extra_variants(root, [w], node_grads(root, [w])[1])]
    ['an extra activation derivative: you']
    """
    nodes = [n for n in toposort(root) if n.op in ("sigmoid", "tanh") and n in record
             and n.inputs[0] is not None and n.inputs[0].requires_grad]
    if not nodes:
        return []
    node = nodes[-1]
    z = node.inputs[0]
    own = node.prim.vjps[0](record[node], node.data, z.data, **node.params)
    twice = node.prim.vjps[0](own, node.data, z.data, **node.params)
    extra = gradients(z, twice - own)
    base = record_grads(record, tensors)
    text = (f"an extra activation derivative: yours equal the engine's with the derivative "
            f"{_DERIVATIVE[node.op]} of the last {node.op} applied twice. With cross-entropy "
            f"on a sigmoid output the delta is a - y: the derivative of the sigmoid cancels; "
            f"(a - y) * a * (1 - a) is the squared error's delta (see docs: "
            f"checking-your-backprop.md, 'An extra derivative')")
    return [(text, [b + np.asarray(extra.get(t, 0.0)) for b, t in zip(base, tensors)])]
