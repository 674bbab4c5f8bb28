"""Activation functions as composites of primitives, with PyTorch's formulas and kinks.

The kinked ones are built from ``relu`` and ``clip``, which are continuous, so strict mode
(``undefined="nan"``) sees a kink, not a jump, and the gradient at 0 is the one PyTorch's
backward formula gives: ``clip(x, hi=0)`` passes the gradient at 0 (bounds included),
``relu`` does not.
"""

from __future__ import annotations

import math

from ..core import primitives as P
from ..core.scopes import composite

__all__ = ["elu", "gelu", "leaky_relu", "silu", "softplus"]

# softplus(x) = x beyond here, as torch's default threshold=20 (and beta=1).
_SOFTPLUS_THRESHOLD = 20.0


def _check_tensor(x, op: str):
    if not (hasattr(x, "prim") and hasattr(x, "dtype")):
        raise TypeError(f"{op}: x must be a Tensor, got a {type(x).__name__}")
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: x must have a floating dtype, got {x.dtype}")
    return x


@composite("softplus")
def softplus(x):
    """log(1 + e^x), and ``x`` itself above 20, as PyTorch's ``softplus`` (beta=1,
    threshold=20). Below -37 it rounds to 0 where PyTorch's log1p keeps e^x (under 1e-16).
    The threshold is a real jump (of 2e-9): strict mode marks x = 20 as undefined.

    >>> import tinygrad_lm as tg
    >>> tg.functional.softplus(tg.Tensor([0.0, 30.0])).data.round(6)
    array([ 0.693147, 30.      ])
    """
    x = _check_tensor(x, "softplus")
    above = x > _SOFTPLUS_THRESHOLD
    below = 1 - above
    # Above the threshold the exponent is 0, so e^x cannot overflow on the branch not taken.
    return above * x + below * (1 + (x * below).exp()).log()


@composite("leaky_relu")
def leaky_relu(x, negative_slope: float = 0.01):
    """``x`` where x > 0, else ``negative_slope * x``; the slope at 0 is ``negative_slope``,
    as PyTorch's backward gives.

    >>> import tinygrad_lm as tg
    >>> tg.functional.leaky_relu(tg.Tensor([-2.0, 3.0]), 0.1)
    Tensor([-0.2,  3. ])
    """
    x = _check_tensor(x, "leaky_relu")
    return x.relu() + negative_slope * x.clip(hi=0.0)


@composite("elu")
def elu(x, alpha: float = 1.0):
    """``x`` where x > 0, else ``alpha * (e^x - 1)`` (Clevert et al.), as PyTorch's ``elu``.

    >>> import tinygrad_lm as tg
    >>> tg.functional.elu(tg.Tensor([0.0, 2.0]))
    Tensor([0., 2.])
    """
    x = _check_tensor(x, "elu")
    # The exponent is clipped to 0 on the positive side, so a large x cannot overflow there.
    return x.relu() + alpha * (x.clip(hi=0.0).exp() - 1)


@composite("gelu")
def gelu(x, approximate: str = "none"):
    """x Phi(x), Phi the standard normal CDF: ``0.5 x (1 + erf(x / sqrt 2))``, or with
    ``approximate="tanh"`` ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``, as PyTorch.

    >>> import tinygrad_lm as tg
    >>> tg.functional.gelu(tg.Tensor([0.0, 1.0])).data.round(6)
    array([0.      , 0.841345])
    """
    x = _check_tensor(x, "gelu")
    if approximate == "none":
        return 0.5 * x * (1 + P.erf(x * (1 / math.sqrt(2.0))))
    if approximate == "tanh":
        inner = math.sqrt(2.0 / math.pi) * (x + 0.044715 * (x * x * x))
        return 0.5 * x * (1 + inner.tanh())
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


@composite("silu")
def silu(x):
    """x sigmoid(x) (also called swish), as PyTorch's ``silu``.

    >>> import tinygrad_lm as tg
    >>> tg.functional.silu(tg.Tensor([0.0, 2.0])).data.round(6)
    array([0.      , 1.761594])
    """
    x = _check_tensor(x, "silu")
    return x * x.sigmoid()
