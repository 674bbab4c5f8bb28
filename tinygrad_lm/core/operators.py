"""The operators and elementwise methods of both front-ends, declared once as a table.

Each front-end supplies two factories, ``binary(prim, reflected, comparison, equality)`` and
``unary(prim)``, that build one method in one Python frame (how it wraps its data: arrays for
``Tensor``, floats for ``Value``); ``install`` binds the whole table with them, as HIPS
autograd binds its array box's methods with one loop over a list of names. The method name
is the primitive's name wherever Python leaves the choice (``t.exp()`` records ``exp``).
"""

from __future__ import annotations

from collections.abc import Callable

from . import primitives as P
from .node import Primitive

# Python's name for an operator (``add``: ``__add__`` and ``__radd__``) and its primitive.
ARITHMETIC = (("add", P.add), ("sub", P.sub), ("mul", P.mul), ("truediv", P.div),
              ("pow", P.pow), ("matmul", P.matmul))
# Python reflects comparisons itself (``2 < x`` calls ``x.__gt__(2)``): no ``__r*__`` forms.
COMPARISONS = (("gt", P.gt), ("ge", P.ge), ("lt", P.lt),
               ("le", P.le), ("eq", P.eq), ("ne", P.ne))
# ``==`` and ``!=`` with something that is no number answer as for any Python object.
EQUALITY = ("eq", "ne")
UNARY_OPERATORS = (("neg", P.neg), ("abs", P.abs))
# Method name (the primitive's name), primitive, what it computes, an example input, its result.
METHODS = (
    ("abs", P.abs, "|x|, with the subgradient 0 at 0 (as PyTorch).", "-2.0", "2.0"),
    ("exp", P.exp, "e**x.", "0.0", "1.0"),
    ("log", P.log, "The natural logarithm (-inf at 0, as IEEE arithmetic says).", "1.0", "0.0"),
    ("sqrt", P.sqrt, "The square root.", "4.0", "2.0"),
    ("sigmoid", P.sigmoid, "1 / (1 + e**-x).", "0.0", "0.5"),
    ("tanh", P.tanh, "The hyperbolic tangent.", "0.0", "0.0"),
    ("relu", P.relu, "max(x, 0), with the subgradient 0 at 0 (as PyTorch).", "-1.0", "0.0"),
    ("round", P.round, "Round half to even; zero gradient, undefined at the halves.", "2.5",
     "2.0"),
    ("floor", P.floor, "The largest integer <= x; zero gradient, undefined at the integers.",
     "-1.5", "-2.0"),
    ("sign", P.sign, "-1, 0 or 1; zero gradient, undefined at 0.", "-3.0", "-1.0"),
    ("sin", P.sin, "The sine (x in radians).", "0.0", "0.0"),
    ("cos", P.cos, "The cosine (x in radians).", "0.0", "1.0"),
    ("log1p", P.log1p, "log(1 + x), accurate for x near 0.", "0.0", "0.0"),
    ("expm1", P.expm1, "e**x - 1, accurate for x near 0.", "0.0", "0.0"),
)


def install(cls: type, binary: Callable, unary: Callable, example: str) -> None:
    """Bind every operator and elementwise method of the table to ``cls``.

    ``example`` is the doctest expression that shows a method's result, with ``{cls}``,
    ``{x}`` (the input) and ``{name}`` (the method) filled in. A front-end whose nodes hold
    Python floats (``cls.uses_floats``) gets only the primitives that have a ``scalar``.

    >>> import tinygrad_lm as tg
    >>> tg.Tensor.exp.__doc__.splitlines()[-2]
    '>>> Tensor(0.0).exp().item()'
    """
    def supported(prim: Primitive) -> bool:
        return not cls.uses_floats or prim.scalar is not None

    def bind(name: str, method: Callable, doc: str | None = None) -> None:
        method.__name__, method.__qualname__ = name, f"{cls.__name__}.{name}"
        method.__doc__ = doc
        setattr(cls, name, method)

    for name, prim in ARITHMETIC:
        if supported(prim):
            bind(f"__{name}__", binary(prim, False, False, False))
            bind(f"__r{name}__", binary(prim, True, False, False))
    for name, prim in COMPARISONS:
        bind(f"__{name}__", binary(prim, False, True, name in EQUALITY))
    for name, prim in UNARY_OPERATORS:
        bind(f"__{name}__", unary(prim))
    for name, prim, summary, x, result in METHODS:
        if supported(prim):
            shown = example.format(cls=cls.__name__, x=x, name=name)
            bind(name, unary(prim), f"{summary}\n\n>>> {shown}\n{result}\n")
