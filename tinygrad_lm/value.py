"""Value: the scalar front-end of the graph core, compatible with micrograd's ``Value``."""

from __future__ import annotations

import numbers
from collections.abc import Callable

from . import primitives as P
from .engine import backprop
from .node import _NO_PARAMS, Node, Primitive, grad_mode, next_seq


def _binary_op(prim: Primitive, *, reflected: bool = False) -> Callable:
    """The operator method ``self (op) other`` (``other (op) self`` when ``reflected``) for
    ``prim``, recorded as ``engine.apply`` would record it.

    The scalar hot path: the whole operation runs in this one Python frame, so that a Value
    graph builds faster than micrograd's closures do.
    """
    scalar, new = prim.scalar, object.__new__

    def method(self: Value, other) -> Value:
        if other.__class__ is Value or isinstance(other, Value):
            other_data, const = other.data, None
        else:
            other_data = const = _number(other, prim)
            other = None
        if reflected:
            out, inputs = scalar(other_data, self.data), (other, self)
        else:
            out, inputs = scalar(self.data, other_data), (self, other)
        v = new(Value)
        v.data = out
        v.grad = 0.0
        v.label = ""
        v._seq = next_seq()
        if grad_mode.enabled:
            v.prim, v.inputs, v._const = prim, inputs, const
        else:
            v.prim, v.inputs, v._const = None, (), None
        return v

    method.__name__ = f"__{'r' if reflected else ''}{prim.name}__"
    return method


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

    __slots__ = ("data", "grad", "label", "prim", "inputs", "_const", "_seq")
    params = _NO_PARAMS  # no scalar primitive takes keyword parameters
    requires_grad = True
    uses_floats = True
    keeps_every_grad = True
    all_require_grad = True

    def __init__(self, data: float, label: str = ""):
        if isinstance(data, Node) or isinstance(data, (str, bytes)) or not isinstance(
                data, numbers.Real):
            raise TypeError(f"Value: data must be a real number, got {type(data).__name__}")
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self.prim = None
        self.inputs = ()
        self._const = None
        self._seq = next_seq()

    @classmethod
    def _new(cls, data, prim=None, inputs=(), args=(), params=_NO_PARAMS) -> Value:
        if params:
            raise TypeError(f"{prim.name} is not defined for Value")
        const = None
        for inp, arg in zip(inputs, args):
            if inp is None:
                const = arg
        return _node(data, prim, inputs, const)

    @property
    def args(self) -> tuple:
        """The operands' values: read from the input nodes, as micrograd's closures read them.

        A node stores only its constant operand, if any, rather than a tuple of floats: that
        tuple would be one more object per node for Python's cyclic collector to track, which
        costs a third of the step under the default gc.

        >>> (Value(5.0) * 4.0).args
        (5.0, 4.0)
        """
        inputs = self.inputs
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
        return {inp for inp in self.inputs if inp is not None}

    @property
    def _op(self) -> str:
        """The op's symbol as micrograd writes it ('+', '*', '**2', 'ReLU', ...)."""
        if self.prim is None:
            return ""
        if self.prim is P.power and self.inputs[1] is None:
            return f"**{self.args[1]:g}"
        return self.prim.symbol

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

    # The arithmetic operators are built by _binary_op below: one Python frame per operation.
    __add__, __radd__ = _binary_op(P.add), _binary_op(P.add, reflected=True)
    __sub__, __rsub__ = _binary_op(P.sub), _binary_op(P.sub, reflected=True)
    __mul__, __rmul__ = _binary_op(P.mul), _binary_op(P.mul, reflected=True)
    __truediv__, __rtruediv__ = _binary_op(P.div), _binary_op(P.div, reflected=True)
    __pow__, __rpow__ = _binary_op(P.power), _binary_op(P.power, reflected=True)
    __gt__, __ge__ = _binary_op(P.greater), _binary_op(P.greater_equal)
    __lt__, __le__ = _binary_op(P.less), _binary_op(P.less_equal)
    __eq__, __ne__ = _binary_op(P.equal), _binary_op(P.not_equal)  # type: ignore[assignment]

    def __neg__(self): return _unary(P.neg, self)
    def __abs__(self): return _unary(P.absolute, self)

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
    if grad_mode.enabled:
        return _node(prim.scalar(data), prim, (x,))
    return _node(prim.scalar(data))


def _node(data: float, prim=None, inputs: tuple = (), const: float | None = None) -> Value:
    v = object.__new__(Value)
    v.data = data
    v.grad = 0.0
    v.label = ""
    v.prim = prim
    v.inputs = inputs
    v._const = const
    v._seq = next_seq()
    return v


def _number(other, prim) -> float:
    if other.__class__ is float:
        return other
    if isinstance(other, Node):
        raise TypeError(f"{prim.symbol}: cannot combine a Value with a {type(other).__name__}")
    if isinstance(other, numbers.Real) and not isinstance(other, bool):
        return float(other)
    raise TypeError(f"{prim.symbol}: a Value combines with Values and real numbers, got "
                    f"{type(other).__name__}")
