"""Selection, scan and contraction primitives: where, cumsum, einsum (re-exported by primitives).

The same conventions as ``primitives``: fixed names (``grad`` or ``tangent``, ``out``, the
inputs), written with operators and primitives only, broadcasting undone or applied in the core.
"""

from __future__ import annotations

import array_api_compat as compat
import numpy as np

from . import backend
from .node import EachInput, Primitive
from .primitives_shape import broadcast_to, getitem

# Selection ----------------------------------------------------------------------------------

def _where_pass(i, grad, cond):
    """``grad`` (or a tangent) where input ``i`` was chosen (``a`` where ``cond``, ``b``
    elsewhere) and 0 where the other input was."""
    return where(grad, 0.0, cond=cond) if i == 0 else where(0.0, grad, cond=cond)


# ``cond`` is a parameter (a boolean array), not an input: it gets no gradient, as in PyTorch.
# The rules take the general step (EachInput), which hands a two-input rule its parameters.
def _standard_where(xp, a, b, cond):
    """``where`` on any library: ``cond`` (a parameter, often a host mask) joins a's library,
    and a Python number takes the other input's dtype."""
    like = a if hasattr(a, "dtype") else b
    cond = cond if backend.is_foreign(cond) else xp.asarray(np.asarray(cond),
                                                            device=compat.device(like))
    a, b = (xp.full_like(like, v) if isinstance(v, (int, float)) else v for v in (a, b))
    return xp.where(cond, a, b)


where = Primitive("where", lambda a, b, cond: np.where(cond, a, b),
                  EachInput(lambda i, grad, out, a, b, cond: _where_pass(i, grad, cond)),
                  EachInput(lambda i, tangent, out, a, b, cond: _where_pass(i, tangent, cond)),
                  standard=_standard_where)


# Scan ---------------------------------------------------------------------------------------

def _reversed(x, axis):
    """``x`` read backwards along ``axis``: a basic-index getitem, its own adjoint."""
    return getitem(x, index=(slice(None),) * axis + (slice(None, None, -1),))


# The adjoint of a running sum is the running sum taken from the other end.
cumsum = Primitive("cumsum", lambda x, axis: np.cumsum(x, axis=axis), (
    lambda grad, out, x, axis: _reversed(cumsum(_reversed(grad, axis), axis=axis), axis),
), (
    lambda tangent, out, x, axis: cumsum(tangent, axis=axis),
), standard=lambda xp, x, axis: xp.cumulative_sum(x, axis=axis))


# Contraction --------------------------------------------------------------------------------

def _einsum_vjp(i, grad, out, *xs, subscripts):
    """d/d xs[i] of einsum: the output's gradient contracted with every other operand, onto
    xs[i]'s subscripts. Letters summed away by xs[i] alone reach no other operand: the
    contraction yields the rest, broadcast back along them."""
    inputs, output = subscripts.split("->")
    terms = inputs.split(",")
    others = [t for k, t in enumerate(terms) if k != i]
    seen = set(output).union(*others)
    kept = "".join(c for c in terms[i] if c in seen)
    operands = [grad] + [x for k, x in enumerate(xs) if k != i]
    g = einsum(*operands, subscripts=",".join([output] + others) + "->" + kept)
    if kept == terms[i]:
        return g
    shape = tuple(n if c in seen else 1 for c, n in zip(terms[i], xs[i].shape))
    return broadcast_to(g.reshape(shape), shape=xs[i].shape)


# einsum is linear in each operand: operand i's tangent contributes einsum with it in place i.
einsum = Primitive("einsum", lambda *xs, subscripts: np.einsum(subscripts, *xs),
                   EachInput(_einsum_vjp),
                   EachInput(lambda i, tangent, out, *xs, subscripts: einsum(
                       *xs[:i], tangent, *xs[i + 1:], subscripts=subscripts)))
