"""Named composites: which nodes one call of a composite made, so drawings can box them."""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from .node import Node, next_seq

# The composites made most recently: output ``_seq`` -> (name, the number taken just before the
# composite ran, the constant nodes it was given). Its members are the output's ancestors
# numbered above that. The constants (a target) are kept because the composite may only use
# values derived from them (1 - target), which carry no link back. Numbers are never reused, so
# an entry cannot name the wrong node; the bound keeps a training loop's calls from growing it
# forever (an evicted composite is drawn expanded, op by op).
_MADE: OrderedDict[int, tuple[str, int, tuple[Node, ...]]] = OrderedDict()
_KEEP = 256


def composite(name: str) -> Callable[[Callable], Callable]:
    """Decorate a function built from primitives so that drawings show its ops as one box.

    The call costs one sequence number and one dict entry; nothing is added to any node.

    >>> import tinygrad_lm as tg
    >>> @composite("twice_exp")
    ... def twice_exp(x):
    ...     return x.exp() * 2
    >>> y = twice_exp(tg.Tensor([0.0], requires_grad=True))
    >>> composite_of(y)[0]
    'twice_exp'
    """
    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def boxed(*args: Any, **kwargs: Any) -> Any:
            first = next_seq()
            out = fn(*args, **kwargs)
            if isinstance(out, Node) and out.prim is not None and out._seq > first:
                constants = tuple(a for a in (*args, *kwargs.values())
                                  if isinstance(a, Node) and not a.requires_grad)
                _MADE[out._seq] = (name, first, constants)
                if len(_MADE) > _KEEP:
                    _MADE.popitem(last=False)
            return out
        return boxed
    return decorate


def composite_of(node: Node) -> tuple[str, int, tuple[Node, ...]] | None:
    """``(name, first, constants)`` when ``node`` is the output of a composite call (its members
    are the ancestors of ``node`` numbered above ``first``; ``constants`` the nodes it was given
    that require no grad), else None.

    >>> import tinygrad_lm as tg
    >>> composite_of(tg.Tensor([1.0], requires_grad=True) * 2) is None
    True
    """
    return _MADE.get(node._seq)
