"""L2 weight decay: the part of a hand-written gradient that is a multiple of its parameter."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ..core.engine import gradients
from ..core.node import Node
from ..frontends.tensor import Tensor
from ._shared import best_scale, explain_factor, nice_factor, record_grads, relative_error


def fit_decay(user: Sequence[np.ndarray], engine: Sequence[np.ndarray],
              params: Sequence[np.ndarray]) -> tuple[float, list[float]]:
    """Least squares of ``user[i] ~ a * engine[i] + d[i] * params[i]``: ``(a, [d_i])``.

    One scale ``a`` for the data loss, one decay coefficient per parameter.

    >>> w = np.array([1.0, 2.0]); e = np.array([3.0, -1.0])
    >>> a, d = fit_decay([2 * e + 0.1 * w], [e], [w])
    >>> round(a, 9), [round(x, 9) for x in d]
    (2.0, [0.1])
    """
    rows = sum(u.size for u in user)
    design = np.zeros((rows, 1 + len(params)))
    start = 0
    for i, (e, p) in enumerate(zip(engine, params)):
        stop = start + e.size
        design[start:stop, 0] = e.ravel()
        design[start:stop, 1 + i] = p.ravel()
        start = stop
    target = np.concatenate([u.ravel() for u in user])
    solution = np.linalg.lstsq(design, target, rcond=None)[0]
    return float(solution[0]), [float(d) for d in solution[1:]]


def common_decay(decays: Sequence[float], params: Sequence[np.ndarray],
                 user: Sequence[np.ndarray]) -> tuple[float, list[int]] | None:
    """The one coefficient shared by every parameter with a visible decay term, and which.

    A term counts when ``|d * p|`` exceeds 1e-9 of the gradient's size; the coefficients of the
    counted ones must agree within 1e-6 relative (one ``reg`` for every weight matrix), else
    None. ``(0.0, [])`` when no parameter has a decay term.

    >>> common_decay([0.1, 0.0, 0.1], [np.ones(2)] * 3, [np.ones(2)] * 3)
    (0.1, [0, 2])
    """
    top = max(float(np.max(np.abs(u), initial=0.0)) for u in user) or 1.0
    counted = [i for i, (d, p) in enumerate(zip(decays, params))
               if abs(d) * float(np.max(np.abs(p), initial=0.0)) > 1e-9 * top]
    if not counted:
        return 0.0, []
    value = float(np.median([decays[i] for i in counted]))
    if any(abs(decays[i] - value) > 1e-6 * abs(value) for i in counted):
        return None
    return round(value, 12), counted


def decayed_fit(user: Sequence[np.ndarray], engine: Sequence[np.ndarray],
                params: Sequence[np.ndarray], n: int,
                c: int) -> tuple[float, str | None, float, float, list[int]] | None:
    """``user`` as a data loss's gradients times a scale plus one L2 decay term, or None.

    Returns ``(scale, factor label or None, relative error, decay coefficient, decayed
    indices)``; None when no parameter shows a decay term or they disagree on it.

    >>> w = np.array([1.0, 2.0]); e = np.array([3.0, -1.0])
    >>> decayed_fit([e + 0.5 * w], [e], [w], 4, 1)[:2] + decayed_fit([e + 0.5 * w], [e], [w],
    ...                                                              4, 1)[3:]
    (1.0, '1', 0.5, [0])
    """
    _, decays = fit_decay(user, engine, params)
    shared = common_decay(decays, params, user)
    if shared is None or not shared[1]:
        return None
    coefficient, decayed = shared
    rest = [u - coefficient * p if i in decayed else u
            for i, (u, p) in enumerate(zip(user, params))]
    scale = best_scale(rest, engine)
    found = nice_factor(scale, n, c, tol=1e-3)
    if found is not None and relative_error(rest, engine, found[0]) <= 1e-6:
        scale, label = found
    else:
        label = None
    return float(scale), label, relative_error(rest, engine, scale), coefficient, decayed


def _addends(root: Node) -> list[Node]:
    """The terms a one-element loss sums (through add, sub and neg), deepest first."""
    terms, stack = [], [root]
    while stack:
        node = stack.pop()
        if node.op in ("add", "sub", "neg") and node.data.size == 1:
            stack += [m for m in node.inputs if m is not None and m.requires_grad]
        else:
            terms.append(node)
    return terms


def decay_terms(root: Node, tensors: Sequence[Tensor],
                record: dict) -> tuple[list[float], list[Node]]:
    """The L2 coefficient c_i the loss puts on each tensor (its gradient holds c_i * p_i), and
    the terms of the loss that are such penalties.

    A term of the loss's sum is a penalty when its gradient for every tensor it reaches is a
    multiple of that tensor (``reg * (W**2).sum()``: ``2 * reg * W``).

    >>> w = Tensor(np.array([1.0, -2.0]), requires_grad=True)
    >>> root = (w * 3).sum() + 0.05 * (w ** 2).sum()
    >>> from tinygrad_lm.testing._shared import node_grads
    >>> coefficients, terms = decay_terms(root, [w], node_grads(root, [w])[1])
    >>> [round(c, 12) for c in coefficients], len(terms)
    ([0.1], 1)
    """
    coefficients, penalties = [0.0] * len(tensors), []
    for term in _addends(root):
        if term not in record or term.data.size != 1:
            continue
        part = record_grads(gradients(term, record[term]), tensors)
        found = {}
        for i, (g, t) in enumerate(zip(part, tensors)):
            if not g.any():
                continue
            p = np.asarray(t.data, np.float64)
            c = best_scale([g], [p])
            if c == 0 or relative_error([g], [p], c) > 1e-9:
                found = {}
                break
            found[i] = c
        if found:
            penalties.append(term)
            for i, c in found.items():
                coefficients[i] += c
    return coefficients, penalties


def decay_diagnosis(u: np.ndarray, e: np.ndarray, p: np.ndarray, coefficient: float, n: int,
                    c: int, close: Callable[[np.ndarray, np.ndarray], bool]) -> str | None:
    """``u`` as (a factor of the data loss's gradient) plus (a wrong L2 term), in words.

    ``e`` is the engine's whole gradient and ``coefficient`` the L2 coefficient the loss puts
    on this parameter, so ``e - coefficient * p`` is the data loss's part. None when that
    decomposition does not explain ``u``.

    >>> p, e = np.array([1.0, 2.0]), np.array([3.0, 1.0])
    >>> decay_diagnosis(e - 0.1 * p, e, p, 0.1, 4, 1, np.allclose)[:40]
    'the L2 weight decay gradient is missing:'
    """
    data = e - coefficient * p
    a, (d,) = fit_decay([u], [data], [p])
    found = nice_factor(a, n, c, tol=1e-3)
    a = found[0] if found is not None else a
    d = round(d, 12)
    if u.size <= 1 + (found is None):
        return None  # as many entries as unknowns (a, d): any gradient would fit
    if not close(u, a * data + d * p) or (found is not None and found[1] == "1"
                                          and d == round(coefficient, 12)):
        return None
    if coefficient != 0:
        ratio = d / coefficient
        words = {0.0: f"the L2 weight decay gradient is missing: yours leave out the "
                      f"{coefficient:.6g}·W the penalty adds",
                 0.5: f"the L2 weight decay gradient is halved: yours add {d:.6g}·W where the "
                      f"penalty reg·ΣW² adds 2·reg·W = {coefficient:.6g}·W (the 2 of the square)",
                 2.0: f"the L2 weight decay gradient is doubled: yours add {d:.6g}·W where the "
                      f"penalty adds {coefficient:.6g}·W (the 1/2 of a penalty reg/2·ΣW² "
                      f"dropped, or the term added twice)",
                 1.0: "the L2 weight decay gradient is right"}.get(
            round(ratio, 9), f"the L2 weight decay gradient is {d:.6g}·W where the penalty "
                             f"adds {coefficient:.6g}·W")
    elif d != 0:
        words = (f"yours add an L2 weight decay gradient {d:.6g}·W, but loss_fn puts no "
                 f"penalty on this parameter (add reg·ΣW² to the loss, or drop the term)")
    else:
        words = "the L2 weight decay gradient is right"
    if found is None:
        return (f"{words}; and the data loss's gradient is {a:.6g} times the engine's, none of "
                f"the usual factors")
    if found[1] == "1":
        return words + "; the data loss's gradient itself is right"
    return f"{words}; and the data loss's gradient is {explain_factor(found[0], found[1], n, c)}"
