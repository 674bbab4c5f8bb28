"""Choosing and contracting entries: where, maximum, minimum and einsum, as in PyTorch."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core import arguments as A
from ..core import backend as B
from ..core import primitives as P
from ..core.node import Node
from ..core.scopes import composite


def _shapes(*xs) -> str:
    return ", ".join(str(tuple(np.shape(getattr(x, "data", x)))) for x in xs)


def _needs_node(op: str, *xs) -> None:
    """Front-ends are told apart by their nodes: refuse a call made of arrays alone."""
    if not any(isinstance(x, Node) for x in xs):
        raise TypeError(f"{op}: needs at least one tensor among its inputs (arrays alone are "
                        f"numpy's job: np.{op})")


def where(cond: Any, a: Any, b: Any):
    """``a`` where ``cond`` is true, ``b`` elsewhere, broadcast together as ``np.where``; the
    gradient flows to ``a`` and ``b`` where each was chosen, none to ``cond``.

    ``cond`` is boolean: an array, or a tensor of bools or a comparison's result (``x > 0``).

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([-1.0, 2.0], requires_grad=True)
    >>> y = tg.where(x > 0, x, x * 0.1)
    >>> y.sum().backward()
    >>> y.data, x.grad
    (array([-0.1,  2. ]), array([0.1, 1. ]))
    """
    mask = (B.to_numpy(cond.data).astype(bool) if getattr(cond, "_is_mask", False)
            else A.index(cond))
    mask = np.asarray(B.to_numpy(mask))
    if mask.dtype != bool:
        raise TypeError(f"where: cond must be boolean (or a comparison's result), got "
                        f"{mask.dtype}; compare it (cond != 0) to make a mask")
    if not isinstance(a, Node) and not isinstance(b, Node) and isinstance(cond, Node):
        a = type(cond)._new(B.like(np.asarray(a), cond.data))  # constants chosen by a mask
    _needs_node("where", a, b)
    try:
        np.broadcast_shapes(mask.shape, np.shape(getattr(a, "data", a)),
                            np.shape(getattr(b, "data", b)))
    except ValueError:
        raise ValueError(f"where: cond, a and b do not broadcast together: shapes "
                         f"{_shapes(mask, a, b)}") from None
    return P.where(a, b, cond=mask)


def maximum(a: Any, b: Any):
    """The larger of ``a`` and ``b`` entry by entry, broadcast; on a tie each gets half the
    gradient, as ``torch.maximum``. NaN wins, as in numpy and PyTorch.

    >>> import tinygrad_lm as tg
    >>> a = tg.Tensor([1.0, 5.0, 2.0], requires_grad=True)
    >>> tg.maximum(a, 2.0).sum().backward()
    >>> a.grad
    array([0. , 1. , 0.5])
    """
    _needs_node("maximum", a, b)
    return P.maximum(a, b)


@composite("minimum")
def minimum(a: Any, b: Any):
    """The smaller of ``a`` and ``b`` entry by entry, as -maximum(-a, -b) (exact): ties split
    the gradient as in ``maximum``.

    >>> import tinygrad_lm as tg
    >>> tg.minimum(tg.Tensor([1.0, 5.0]), tg.Tensor([3.0, 4.0]))
    Tensor([1., 4.])
    """
    _needs_node("minimum", a, b)
    return -P.maximum(-a, -b)


def _explicit(subscripts: Any, operands: tuple) -> str:
    """``subscripts`` checked against the operands and written with its ``->`` output."""
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: subscripts must be a string such as 'ij,jk->ik', got "
                        f"{subscripts!r}")
    spec = subscripts.replace(" ", "")
    if "." in spec:
        raise ValueError(f"einsum: '...' is not supported here; name every axis ({spec!r})")
    inputs, arrow, output = spec.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum: {spec!r} names {len(terms)} operands, got {len(operands)}")
    for term, x in zip(terms, operands):
        if not term.isalpha() and term:
            raise ValueError(f"einsum: subscripts are letters, got {term!r} in {spec!r}")
        if len(term) != np.ndim(getattr(x, "data", x)):
            raise ValueError(f"einsum: {term!r} names {len(term)} axes for an operand of shape "
                             f"{tuple(np.shape(getattr(x, 'data', x)))}")
        if len(set(term)) != len(term):
            raise ValueError(f"einsum: a letter repeated within one operand ({term!r}: a "
                             f"diagonal) is not supported; take the diagonal by indexing")
    letters = "".join(terms)
    if not arrow:  # numpy's implicit output: the letters used once, in alphabetical order
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if not output.isalpha() and output or len(set(output)) != len(output) or \
            not set(output) <= set(letters):
        raise ValueError(f"einsum: the output {output!r} must name distinct letters of the "
                         f"inputs, in {spec!r}")
    return f"{','.join(terms)}->{output}"


def einsum(subscripts: str, *operands: Any):
    """Sums of products of entries named by letters, as ``np.einsum`` and ``torch.einsum``
    (no ``...`` and no letter twice in one operand). Its gradient to each operand is an
    einsum of the output's gradient with the others.

    >>> import tinygrad_lm as tg
    >>> a = tg.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> tg.einsum("ij,j->i", a, np.array([1.0, 1.0]))
    Tensor([3., 7.], op='einsum')
    """
    _needs_node("einsum", *operands)
    return P.einsum(*operands, subscripts=_explicit(subscripts, operands))
