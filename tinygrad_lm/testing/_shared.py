"""Shared by the gradient matcher and the loss identification: inputs, engine gradients, factors."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..core.engine import gradients, toposort
from ..core.node import Node
from ..frontends.tensor import Tensor
from .layout import infer_batch_axis

# Activations whose derivative hand-written backprop most often leaves out.
ACTIVATIONS = ("sigmoid", "tanh", "relu")


_SHORT_GROUP = re.compile(r"\([^()]{1,24}\)")


def fill(text: str, indent: str = "") -> str:
    """``text`` folded at 100 columns, never inside a short parenthesised group like (1 - s).

    >>> print(fill("the derivative s * (1 - s) of " + "a sigmoid " * 8 + "(taken as 1)", "  "))
    the derivative s * (1 - s) of a sigmoid a sigmoid a sigmoid a sigmoid a sigmoid a sigmoid a
      sigmoid a sigmoid (taken as 1)
    """
    guarded = _SHORT_GROUP.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)
    return textwrap.fill(guarded, 100, subsequent_indent=indent, break_long_words=False,
                         break_on_hyphens=False).replace("\u00a0", " ")


def as_array(x: Any, op: str, what: str) -> np.ndarray:
    """``x`` as a numeric numpy array (a Tensor gives its data), or a TypeError naming it.

    >>> as_array([1, 2], "demo", "params[0]")
    array([1, 2])
    """
    array = x.data if isinstance(x, Tensor) else np.asarray(x)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{op}: {what} must be a numeric array, got dtype {array.dtype} "
                        f"({type(x).__name__})")
    return array


def low_precision(arrays: Sequence[np.ndarray], names: Sequence[str]) -> list[str]:
    """The names of the floating arrays narrower than float64.

    >>> low_precision([np.zeros(2, np.float32), np.zeros(2)], ["a", "b"])
    ['a']
    """
    return [name for a, name in zip(arrays, names)
            if a.dtype.kind == "f" and a.dtype.itemsize < 8]


def leaves(arrays: Sequence[np.ndarray]) -> list[Tensor]:
    """Each array as a float64 leaf Tensor that requires grad (float32 is cast up).

    >>> leaves([np.ones(2, np.float32)])[0].dtype
    dtype('float64')
    """
    return [Tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]


def graph_output(out: Any, op: str, fn_name: str) -> Tensor:
    """``out`` checked as a Tensor that depends on some parameter.

    >>> graph_output(Tensor([1.0]), "demo", "predict_fn")
    Traceback (most recent call last):
    ...
    ValueError: demo: predict_fn returned a constant: build it with Tensor operations on its \
arguments, not numpy on their .data
    """
    if not isinstance(out, Tensor):
        raise TypeError(f"{op}: {fn_name} must return a Tensor built from its Tensor "
                        f"arguments, got {type(out).__name__}")
    if not out.requires_grad:
        raise ValueError(f"{op}: {fn_name} returned a constant: build it with Tensor "
                         f"operations on its arguments, not numpy on their .data")
    return out


def scalar_output(out: Any, op: str, fn_name: str) -> Tensor:
    """``out`` checked as a one-element Tensor that depends on some parameter.

    >>> scalar_output(Tensor([1.0, 2.0], requires_grad=True) * 2, "demo", "loss_fn")
    Traceback (most recent call last):
    ...
    ValueError: demo: loss_fn must return a one-element Tensor (the loss), got shape (2,)
    """
    out = graph_output(out, op, fn_name)
    if out.size != 1:
        raise ValueError(f"{op}: {fn_name} must return a one-element Tensor (the loss), got "
                         f"shape {out.shape}")
    return out


def node_grads(root: Tensor, tensors: Sequence[Tensor]) -> tuple[list[np.ndarray], dict]:
    """d root / d each tensor (zeros where no path leads) and the gradient of every node.

    The leaves' ``.grad`` is left alone: the gradients come from the engine's recording pass.

    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> node_grads((w * w).sum(), [w])[0], w.grad
    ([array([2., 4.])], None)
    """
    record = gradients(root, np.ones(root.shape, np.float64))
    return record_grads(record, tensors), record


def activation_variants(root: Tensor, tensors: Sequence[Tensor],
                        record: dict) -> list[tuple[str, list[np.ndarray]]]:
    """For each activation node, the gradients the engine would give with its derivative left
    out (taken as 1) and, for sigmoid and tanh, with it computed from the input z rather than
    the output (``z*(1-z)`` for ``s*(1-s)``); each with its diagnosis.

    Backward is linear in the gradient that reaches the activation's input z, so a wrong
    derivative adds ``backprop(z, wrong - vjp(g))`` to the true gradients, g being the gradient
    at the activation's output and ``wrong`` what the mistake sends on instead.

    >>> w = Tensor([0.0], requires_grad=True)
    >>> root = (w * 3).sigmoid().sum()
    >>> grads, record = node_grads(root, [w])
    >>> [(text[:46], g) for text, g in activation_variants(root, [w], record)]
    [('a missing activation derivative: yours equal t', [array([3.])]), \
('an activation derivative taken at its input: y', [array([0.])])]
    """
    order = toposort(root)
    acts = [n for n in order if n.op in ACTIVATIONS and n.inputs[0] is not None
            and n.inputs[0].requires_grad and n in record]
    base = record_grads(record, tensors)
    variants = []
    for k, node in enumerate(acts):
        same = [n for n in acts if n.op == node.op]
        z, g = node.inputs[0], record[node]
        own = node.prim.vjps[0](g, node.data, z.data, **node.params)
        derivative = {"sigmoid": "s*(1-s)", "tanh": "1-t**2", "relu": "(z>0)"}[node.op]
        where = "the last one, nearest the loss" if k == len(acts) - 1 else "counted from the input"
        rank = [n is node for n in same].index(True) + 1
        which = f"{node.op} {rank} of {len(same)} (output shape {node.shape}, {where})"
        mistakes = [(f"a missing activation derivative: yours equal the engine's with the "
                     f"derivative {derivative} of {which} left out (taken as 1)", g)]
        if node.op != "relu":  # the sigmoid's and tanh's VJPs read the output: give them z
            at_z = {"sigmoid": "z*(1-z)", "tanh": "1-z**2"}[node.op]
            mistakes.append((f"an activation derivative taken at its input: yours equal the "
                             f"engine's with the derivative of {which} computed from its input "
                             f"z, as {at_z}, where {derivative} of its output belongs",
                             node.prim.vjps[0](g, z.data, z.data, **node.params)))
        for text, sent in mistakes:
            extra = gradients(z, sent - own)
            variants.append((text, [b + np.asarray(extra.get(t, 0.0))
                                    for b, t in zip(base, tensors)]))
    return variants


def record_grads(record: dict, tensors: Sequence[Tensor]) -> list[np.ndarray]:
    """The recorded gradient of each tensor, zeros where none reached it.

    >>> record_grads({}, [Tensor([1.0, 2.0])])
    [array([0., 0.])]
    """
    return [np.asarray(record.get(t, np.zeros(t.shape)), dtype=np.float64) for t in tensors]


def counts(root: Node, skip: Sequence[Node] = (),
           batch_axis: int | None = None) -> tuple[int, int, int]:
    """(N, C): the rows and columns of the per-entry array the loss reduces.

    Walks down from the loss through one-element nodes to the first bigger one; its first axis
    gives N (its second when the examples are columns: ``batch_axis``, inferred by default
    from the data in its graph; the third value returned), passing by the terms in ``skip``
    (penalties, so their order in a sum does not matter). C is the product of its other axes,
    or, for one value per row (cross-entropy picks one entry per row), the columns of the
    nearest two-axis node with N rows below it.

    >>> w = Tensor(np.ones((4, 3)), requires_grad=True)
    >>> counts(((w - 1) ** 2).sum() / 8)
    (4, 3, 0)
    """
    node = root
    while node.prim is not None and node.data.size == 1:
        ahead = [n for n in node.inputs if n is not None and n.requires_grad
                 and not any(n is s for s in skip)]
        if not ahead:
            return 1, 1, 0
        node = max(ahead, key=lambda n: n.data.size)
    shape = node.data.shape
    if not shape:
        return 1, 1, 0
    axis = infer_batch_axis(shape, None, node, batch_axis)
    if axis == 1:
        return shape[1], shape[0], 1
    n = shape[0]
    c = int(np.prod(shape[1:], dtype=np.int64))
    if len(shape) == 1:
        wide = [m for m in toposort(node) if m.data.ndim == 2 and m.data.shape[0] == n]
        if wide:
            c = wide[-1].data.shape[1]  # toposort keeps creation order: the nearest last
    return n, c, 0


def best_scale(user: Sequence[np.ndarray], engine: Sequence[np.ndarray]) -> float:
    """The least-squares factor a of ``user ~ a * engine`` over all arrays (0 for no signal).

    >>> best_scale([np.array([2.0, 4.0])], [np.array([1.0, 2.0])])
    2.0
    """
    num = sum(float(np.vdot(u, e)) for u, e in zip(user, engine))
    den = sum(float(np.vdot(e, e)) for e in engine)
    return num / den if den > 0 else 0.0


def relative_error(user: Sequence[np.ndarray], engine: Sequence[np.ndarray],
                   scale: float) -> float:
    """The largest |user - scale * engine| over the largest |scale * engine| (inf: no signal).

    >>> relative_error([np.array([2.0, 5.0])], [np.array([1.0, 2.0])], 2.0)
    0.25
    """
    top = max((float(np.max(np.abs(scale * e), initial=0.0)) for e in engine), default=0.0)
    diff = max((float(np.max(np.abs(u - scale * e), initial=0.0))
                for u, e in zip(user, engine)), default=0.0)
    if top == 0:
        return 0.0 if diff == 0 else float("inf")
    return diff / top


def _fraction(value: float) -> str:
    """A factor as people write it: 2, 1/2, 1/24, 0.1."""
    if value == 0:
        return "0"
    for k in (value, 1 / value):
        if abs(k - round(k)) < 1e-9 and round(k) != 0:
            return f"{round(k)}" if k is value else f"1/{round(k)}"
    return f"{value:.4g}"


def factors(n: int, c: int) -> list[tuple[float, str]]:
    """The usual factors between two gradients, simplest first, each named with N and C.

    >>> [label for value, label in factors(8, 3)][:6]
    ['1', '-1', '2', '1/2', '-2', '-1/2']
    """
    out: list[tuple[float, str]] = []
    seen: set[float] = set()
    for terms in ((), ("2",), ("N",), ("C",), ("2/C",), ("N", "C"), ("2", "N"), ("2", "C"),
                  ("2", "N", "C")):
        values = {"2": 2.0, "N": float(n), "C": float(c), "2/C": 2.0 / c}
        base = float(np.prod([values[t] for t in terms])) if terms else 1.0
        word = "*".join(terms)
        if not terms:
            candidates = [(1.0, "1"), (-1.0, "-1")]
        else:
            down = f"1/({word})" if len(terms) > 1 else (
                "C/2" if word == "2/C" else f"1/{word}")
            candidates = [(base, word), (1 / base, down), (-base, f"-{word}"),
                          (-1 / base, f"-{down}")]
        for value, label in candidates:
            key = round(value, 12)
            if key not in seen:
                seen.add(key)
                out.append((value, label))
    return out


def nice_factor(value: float, n: int, c: int, tol: float = 1e-6) -> tuple[float, str] | None:
    """The usual factor (see ``factors``) that ``value`` equals within ``tol``, or None.

    >>> nice_factor(0.125, 8, 3), nice_factor(0.3, 8, 3)
    ((0.125, '1/N'), None)
    """
    for exact, label in factors(n, c):
        if abs(value - exact) <= tol * abs(exact):
            return exact, label
    return None


_CAUSES = {
    "2": "the 2 of a square: you kept the 2 that d(e**2)/de = 2e brings down, but the loss "
         "has a 1/2 in front of the square (or the loss is half of what you differentiated)",
    "1/2": "the 2 of a square: d(e**2)/de = 2e, and your gradient lost the 2 (there is no 1/2 "
           "in front of the square in this loss)",
    "N": "the 1/N of a mean: the loss averages over the N rows and your gradient sums them "
         "(divide by N once)",
    "1/N": "the 1/N of a mean once too often: you divide by N where the loss sums over the "
           "rows, or you divided by N twice (once in the error, again in the update)",
    "C": "the 1/C of a mean over classes: the loss averages over the C columns as well, your "
         "gradient only over the rows",
    "1/C": "an extra 1/C: you average over the C columns where the loss sums them",
    "2/C": "a mix-up of two squared errors: yours come from the mean over all N*C entries, "
           "while the loss is the half summed squared error over N, sum(e**2) / (2N)",
    "C/2": "a mix-up of two squared errors: yours come from the half summed squared error over "
           "N, sum(e**2) / (2N), while the loss is the mean over all N*C entries",
    "N*C": "the 1/(N*C) of a mean over all entries: the loss averages over every entry, your "
           "gradient sums them",
    "1/(N*C)": "a mean over all N*C entries where the loss sums them",
}


def explain_factor(value: float, label: str, n: int, c: int) -> str:
    """A sentence on the likely cause of yours = factor x the engine's, the factor being
    ``value`` named ``label`` (as ``nice_factor`` gives them).

    >>> explain_factor(-1.0, "-1", 8, 3)[:40]
    'a flipped sign: yours point uphill, so a'
    """
    sign = label.startswith("-")
    core = label.lstrip("-")
    parts = []
    if sign:
        parts.append("a flipped sign: yours point uphill, so a step W -= lr * dW climbs the "
                     "loss (gradient ascent); check the sign of the error (A - Y, not Y - A)")
    if core != "1":
        cause = _CAUSES.get(core)
        if cause is None:
            terms = core.strip("1/()").split("*")
            inverse = core.startswith("1/")
            cause = "; and ".join(_CAUSES[("1/" + t) if inverse else t] for t in terms)
        size = f" (= {_fraction(abs(value))})" if "N" in core or "C" in core else ""
        parts.append(f"a constant factor {core}{size}, likely {cause}")
    return "; and ".join(parts)
