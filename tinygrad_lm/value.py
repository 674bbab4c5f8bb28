"""Value: the scalar front-end of the graph core, compatible with micrograd's ``Value``."""

from __future__ import annotations

import numbers

from . import primitives as P
from .engine import _GRAD_ENABLED, _NO_PARAMS, Node, backprop


class Value(Node):
    """A Python float that records the operations applied to it, as micrograd's ``Value``.

    Every node keeps its gradient in ``.grad`` (a float) after ``backward()``, leaves by
    accumulation, intermediate nodes by assignment, so a second ``backward()`` adds once more
    to the leaves without counting the intermediates twice.

    >>> import tinygrad_lm as tg
    >>> a, b = tg.Value(2.0), tg.Value(-3.0)
    >>> c = a * b + a
    >>> c.backward()
    >>> a.grad, b.grad
    (-2.0, 2.0)
    """

    __slots__ = ("data", "grad", "label", "_prim", "_inputs", "_const", "_params")
    requires_grad = True
    uses_floats = True
    keeps_every_grad = True

    def __init__(self, data: float, label: str = ""):
        if isinstance(data, Node) or isinstance(data, (str, bytes)) or not isinstance(
                data, numbers.Real):
            raise TypeError(f"Value: data must be a real number, got {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._prim = None
        self._inputs = ()
        self._const = None
        self._params = _NO_PARAMS

    @classmethod
    def _new(cls, data, prim=None, inputs=(), args=(), params=_NO_PARAMS) -> Value:
        const = None
        for inp, arg in zip(inputs, args):
            if inp is None:
                const = arg
        return _node(data, prim, inputs, const, params)

    @property
    def _args(self) -> tuple:
        """The operands' values: read from the input nodes, as micrograd's closures read them.

        A node stores only its constant operand, if any, rather than a tuple of floats: that
        tuple would be one more object per node for Python's cyclic collector to track, which
        costs a third of the step under the default gc.
        """
        inputs = self._inputs
        if len(inputs) == 1:
            return (inputs[0].data,)
        if not inputs:
            return ()
        x, y = inputs
        return (self._const if x is None else x.data, self._const if y is None else y.data)

    # The node contract's front-end half --------------------------------------------------

    def _accumulate(self, g) -> None:
        self.grad += g

    def _zeros_like(self, mask, create_graph: bool):
        zero = float("nan") if mask else 0.0
        return Value(zero) if create_graph else zero

    # micrograd's view of the graph --------------------------------------------------------

    @property
    def _prev(self) -> set[Value]:
        """The input nodes, as micrograd's ``_prev``."""
        return {inp for inp in self._inputs if inp is not None}

    @property
    def _op(self) -> str:
        """The op's symbol as micrograd writes it ('+', '*', '**2', 'ReLU', ...)."""
        if self._prim is None:
            return ""
        if self._prim is P.power and self._inputs[1] is None:
            return f"**{self._args[1]:g}"
        return self._prim.symbol

    def backward(self, *, undefined: str = "zero") -> None:
        """Back-propagate from this node: every node's ``.grad`` holds d self / d node.

        >>> x = Value(3.0)
        >>> y = x ** 2
        >>> y.backward()
        >>> x.grad
        6.0
        """
        backprop(self, 1.0, undefined=undefined)

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return self.data != 0

    # Operators ----------------------------------------------------------------------------

    def __add__(self, other): return _binary(P.add, self, other)
    def __radd__(self, other): return _binary(P.add, other, self)
    def __sub__(self, other): return _binary(P.sub, self, other)
    def __rsub__(self, other): return _binary(P.sub, other, self)
    def __mul__(self, other): return _binary(P.mul, self, other)
    def __rmul__(self, other): return _binary(P.mul, other, self)
    def __truediv__(self, other): return _binary(P.div, self, other)
    def __rtruediv__(self, other): return _binary(P.div, other, self)
    def __pow__(self, other): return _binary(P.power, self, other)
    def __rpow__(self, other): return _binary(P.power, other, self)
    def __neg__(self): return _unary(P.neg, self)
    def __abs__(self): return _unary(P.absolute, self)
    def __gt__(self, other): return _binary(P.greater, self, other)
    def __ge__(self, other): return _binary(P.greater_equal, self, other)
    def __lt__(self, other): return _binary(P.less, self, other)
    def __le__(self, other): return _binary(P.less_equal, self, other)
    def __eq__(self, other): return _binary(P.equal, self, other)  # type: ignore[override]
    def __ne__(self, other): return _binary(P.not_equal, self, other)  # type: ignore[override]

    def relu(self) -> Value:
        """max(x, 0) (micrograd's ``relu``; 0 gets the subgradient 0).

        >>> Value(-2.0).relu().data
        0.0
        """
        return _unary(P.relu, self)

    def tanh(self) -> Value:
        """The hyperbolic tangent.

        >>> Value(0.0).tanh().data
        0.0
        """
        return _unary(P.tanh, self)

    def exp(self) -> Value:
        """e**x.

        >>> Value(0.0).exp().data
        1.0
        """
        return _unary(P.exp, self)

    def log(self) -> Value:
        """The natural logarithm (-inf at 0, as IEEE says).

        >>> Value(1.0).log().data
        0.0
        """
        return _unary(P.log, self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-x).

        >>> Value(0.0).sigmoid().data
        0.5
        """
        return _unary(P.sigmoid, self)

    def abs(self) -> Value:
        """|x| (the subgradient 0 at 0).

        >>> Value(-2.0).abs().data
        2.0
        """
        return _unary(P.absolute, self)


def _unary(prim, x: Value) -> Value:
    """``prim`` on one Value: this front-end's lean path to ``engine.apply``'s contract."""
    data = x.data
    if _GRAD_ENABLED[0]:
        return _node(prim.scalar(data), prim, (x,))
    return _node(prim.scalar(data))


def _binary(prim, x, y) -> Value:
    """``prim`` on two operands, Values or real numbers, recorded as ``engine.apply`` would."""
    if isinstance(x, Value):
        x_data, x_node = x.data, x
    else:
        x_data, x_node = _number(x, prim), None
    if isinstance(y, Value):
        y_data, y_node = y.data, y
    else:
        y_data, y_node = _number(y, prim), None
    out = prim.scalar(x_data, y_data)
    if _GRAD_ENABLED[0]:
        return _node(out, prim, (x_node, y_node), x_data if x_node is None else y_data)
    return _node(out)


def _node(data: float, prim=None, inputs: tuple = (), const: float | None = None,
          params: dict = _NO_PARAMS) -> Value:
    v = object.__new__(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v._prim = prim
    v._inputs = inputs
    v._const = const
    v._params = params
    return v


def _number(other, prim) -> float:
    if isinstance(other, Node):
        raise TypeError(f"{prim.symbol}: cannot combine a Value with a {type(other).__name__}")
    if isinstance(other, numbers.Real) and not isinstance(other, bool):
        return float(other)
    raise TypeError(f"{prim.symbol}: a Value combines with Values and real numbers, got "
                    f"{type(other).__name__}")
