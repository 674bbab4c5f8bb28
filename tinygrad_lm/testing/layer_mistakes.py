"""The mistakes of a hand-written conv, pooling or batch-norm backward, found in the graph.

Each function takes the recorded graph (``root``, its leaves ``tensors`` and the gradient
``record`` of every node) and returns ``(diagnosis, gradients)`` pairs: the gradients the
engine computes when one node's backward makes the mistake. Backward is linear in the
gradient that reaches a node's input, so a wrong VJP at ``node`` changes the leaves' gradients
by ``gradients(input, wrong - right)``; nothing is guessed, and a diagnosis is only named
when its gradients equal the learner's.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..core import primitives as P
from ..core.engine import gradients, toposort
from ..core.scopes import composite_of
from ..frontends.tensor import Tensor
from ._shared import record_grads

DOCS = "see docs: checking-your-backprop.md, 'Layers: assert_vjp_match'"
Variants = list[tuple[str, list[np.ndarray]]]


def _shifted(base: list[np.ndarray], tensors: Sequence[Tensor], deltas: Sequence[dict]) -> list:
    """``base`` plus every delta's contribution to each leaf."""
    return [b + sum((np.asarray(d.get(t, 0.0)) for d in deltas), np.zeros_like(b))
            for b, t in zip(base, tensors)]


def _wrong(node, i: int, record: dict, wrong: np.ndarray) -> dict:
    """What sending ``wrong`` into input ``i`` of ``node``, instead of its VJP, adds below."""
    inp = node.inputs[i]
    right = node.prim.vjps[i](record[node], node.data, *(a.data for a in node.inputs),
                              **node.params)
    return gradients(inp, np.asarray(wrong) - np.asarray(right))


def flipped_kernel(root: Tensor, tensors: Sequence[Tensor], record: dict) -> Variants:
    """A convolution where the layer computes a cross-correlation: the kernel rotated 180°.

    The forward pass ``conv`` slides ``w`` over ``x`` without flipping it, so ``dx`` is
    ``dout`` slid over ``w`` flipped in both spatial axes, and ``dw`` correlates ``x`` with
    ``dout``; a backward written from the textbook convolution uses ``w`` unflipped in ``dx``,
    or returns ``dw`` rotated.

    >>> import tinygrad_lm as tg
    >>> from tinygrad_lm.testing._shared import node_grads
    >>> x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    >>> w = Tensor(np.array([[[[1.0, 2.0], [0.0, -1.0]]]]), requires_grad=True)
    >>> root = tg.functional.conv2d(x, w).sum()
    >>> [text[:40] for text, _ in flipped_kernel(root, [x, w], node_grads(root, [x, w])[1])]
    ['a layer mistake: a flipped kernel in dx:', 'a layer mistake: a rotated kernel gradie']
    """
    out = []
    base = record_grads(record, tensors)
    for node in toposort(root):
        if node.op != "conv" or node not in record:
            continue
        x, w = node.inputs
        spatial = tuple(range(2, w.data.ndim))
        if all(w.data.shape[a] == 1 for a in spatial):
            continue  # a 1x1 kernel is its own flip
        if x.requires_grad:
            flipped = node.prim.vjps[0](record[node], node.data, x.data,
                                        np.flip(w.data, spatial), **node.params)
            out.append((f"a layer mistake: a flipped kernel in dx: yours is the engine's input "
                        f"gradient for the kernel rotated 180°, one flip too many or too few. "
                        f"The forward pass is a cross-correlation (the kernel slides "
                        f"unflipped), so dx either adds dout times w, as it is, into each "
                        f"window it came from, or, as a full convolution, slides dout over w "
                        f"flipped in both spatial axes (w[..., ::-1, ::-1]) ({DOCS})",
                        _shifted(base, tensors, [_wrong(node, 0, record, flipped)])))
        if w.requires_grad:
            right = node.prim.vjps[1](record[node], node.data, x.data, w.data, **node.params)
            out.append((f"a layer mistake: a rotated kernel gradient: yours is the engine's dw "
                        f"rotated 180° (flipped in both spatial axes), as for a true "
                        f"convolution; the forward pass is a cross-correlation, so dw[o, c, i, "
                        f"j] sums dout[:, o] times the input window at offset (i, j), with no "
                        f"flip ({DOCS})",
                        _shifted(base, tensors,
                                 [_wrong(node, 1, record, np.flip(right, spatial))])))
    return out


def pooling_window(root: Tensor, tensors: Sequence[Tensor], record: dict) -> Variants:
    """A max-pool backward that sends each window's gradient to all its entries, not its max.

    >>> import tinygrad_lm as tg
    >>> from tinygrad_lm.testing._shared import node_grads
    >>> x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    >>> root = tg.functional.max_pool2d(x, 2).sum()
    >>> [text[36:50] for text, _ in pooling_window(root, [x], node_grads(root, [x])[1])]
    ['sent to every ', 'spread evenly ']
    """
    out = []
    base = record_grads(record, tensors)
    for node in toposort(root):
        if node.op != "max_pool" or node not in record or not node.inputs[0].requires_grad:
            continue
        size, stride = node.params["size"], node.params["stride"]
        x, g = node.inputs[0].data, np.asarray(record[node])
        n, c, h, w = x.shape
        # Each window's gradient added to all its entries: the input gradient of a sum pool.
        every = P.conv_input_grad(g.reshape(n * c, 1, *g.shape[2:]), np.ones((1, 1, *size)),
                                  shape=(n * c, 1, h, w), stride=stride,
                                  dilation=(1, 1)).reshape(x.shape)
        count = size[0] * size[1]
        out.append((f"a layer mistake: a pooling gradient sent to every entry of each "
                    f"{size[0]}x{size[1]} window: max pooling passes each window's gradient "
                    f"only to the entry that was the max (the one the forward pass kept); "
                    f"keep a mask of where the max was and route dout there ({DOCS})",
                    _shifted(base, tensors, [_wrong(node, 0, record, every)])))
        out.append((f"a layer mistake: a pooling gradient spread evenly over each "
                    f"{size[0]}x{size[1]} window (dout / {count} to every entry): that is "
                    f"average pooling's backward; max pooling sends all of it to the window's "
                    f"max ({DOCS})",
                    _shifted(base, tensors, [_wrong(node, 0, record, every / count)])))
    return out


def batch_norm_detached(root: Tensor, tensors: Sequence[Tensor], record: dict) -> Variants:
    """A batch-norm backward that treats the batch's mean and variance as constants.

    The statistics are the two reductions of each training-mode ``batch_norm`` call, found
    among the call's nodes by their shape (one entry per channel); detaching them drops their
    gradients, first the variance's (computed from the mean), then the mean's.

    >>> import tinygrad_lm as tg
    >>> from tinygrad_lm.testing._shared import node_grads
    >>> x = Tensor(np.array([[1.0, 2.0], [3.0, 7.0], [0.0, 1.0]]), requires_grad=True)
    >>> root = (tg.functional.batch_norm(x, training=True) * np.arange(6.0).reshape(3, 2)).sum()
    >>> [text[:46] for text, _ in batch_norm_detached(root, [x], node_grads(root, [x])[1])]
    ['a layer mistake: batch norm with its statistic']
    """
    out = []
    base = record_grads(record, tensors)
    order = toposort(root)
    for node in order:
        made = composite_of(node)
        if made is None or made[0] != "batch_norm":
            continue
        members = [n for n in order if n._seq > made[1] and n._seq <= node._seq
                   and n.op == "div" and n in record]
        channels = node.shape[1] if len(node.shape) > 1 else 0
        stats = [n for n in members if n.shape == (1, channels) + (1,) * (len(node.shape) - 2)
                 and n.inputs[0] is not None and n.inputs[0].op == "sum"]
        if len(stats) != 2:
            continue  # evaluation mode: the running statistics are constants already
        mean, var = sorted(stats, key=lambda n: n._seq)
        dropped_var = gradients(var, -np.asarray(record[var]))
        g_mean = np.asarray(record[mean]) + np.asarray(dropped_var.get(mean, 0.0))
        dropped_mean = gradients(mean, -g_mean)
        out.append((f"a layer mistake: batch norm with its statistics treated as constants: "
                    f"yours is dout * gamma / sqrt(var + eps), the gradient if the batch mean "
                    f"and variance did not depend on x. They do: dx has two more terms, minus "
                    f"the mean of dxhat and minus xhat times the mean of dxhat * xhat, over "
                    f"the batch ({DOCS})",
                    _shifted(base, tensors, [dropped_var, dropped_mean])))
    return out


GRAPH_MISTAKES = (flipped_kernel, pooling_window, batch_norm_detached)
