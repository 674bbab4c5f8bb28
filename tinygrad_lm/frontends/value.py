"""Value: the scalar front-end of the graph core, compatible with micrograd's ``Value``."""

from __future__ import annotations

import numbers
from collections.abc import Callable

from ..core import arguments as A
from ..core import primitives as P
from ..core.engine import backprop
from ..core.node import _NO_PARAMS, Node, Primitive, is_grad_enabled, next_seq, threads_without_grad
from ..core.operators import install


def _binary(prim: Primitive, reflected: bool, comparison: bool, equality: bool) -> Callable:
    """The operator method ``self (op) other`` (``other (op) self`` when ``reflected``) for
    ``prim``, recorded as ``engine.apply`` would record it.

    The scalar hot path: the whole operation runs in this one Python frame, so that a Value
    graph builds faster than micrograd's closures do.
    """
    scalar, new, name = prim.scalar, object.__new__, prim.name

    def method(self: Value, other) -> Value:
        if other.__class__ is Value or isinstance(other, Value):
            other_data, const = other.data, None
        else:
            if other.__class__ is float:
                other_data = const = other
            elif other.__class__ is int:  # x ** 2, 1 - x: as common in micrograd code as floats
                other_data = const = float(other)
            else:
                try:
                    other_data = const = A.real(other, name, "Value")
                except TypeError:
                    if equality and not isinstance(other, Node):
                        return NotImplemented  # Python then compares identities
                    raise
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
        if not threads_without_grad or is_grad_enabled():
            v.prim, v.inputs, v._const = prim, inputs, const
        else:
            v.prim, v.inputs, v._const = None, (), None
        return v

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

    __slots__ = ("data", "grad", "label", "prim", "inputs", "_const", "_seq", "__weakref__")
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
        v = object.__new__(cls)
        v.data, v.grad, v.label, v.prim, v.inputs, v._const = data, 0.0, "", prim, inputs, None
        for inp, arg in zip(inputs, args):
            if inp is None:
                v._const = arg
        v._seq = next_seq()
        return v

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
        if self.prim is P.pow and self.inputs[1] is None:
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

    def __format__(self, spec: str) -> str:
        """Formats as its number with a spec (``f"{loss:.3f}"``), as its repr without one.

        >>> f"{Value(0.12345):.2f}"
        '0.12'
        """
        return format(self.data, spec) if spec else str(self)

    def __round__(self, ndigits: int | None = None) -> float | int:
        """Its number rounded by Python's ``round``.

        >>> round(Value(2.71828), 2)
        2.72
        """
        return round(self.data, ndigits)


def _unary(prim: Primitive) -> Callable:
    """The method ``prim(self)``: this front-end's lean path to ``engine.apply``'s contract."""
    scalar, new = prim.scalar, object.__new__

    def method(self: Value) -> Value:
        v = new(Value)
        v.data = scalar(self.data)
        v.grad = 0.0
        v.label = ""
        v._seq = next_seq()
        # At most three names per assignment: four would build a tuple, one more allocation
        # for Python's cyclic collector to count (see ``args``).
        if not threads_without_grad or is_grad_enabled():
            v.prim, v.inputs, v._const = prim, (self,), None
        else:
            v.prim, v.inputs, v._const = None, (), None
        return v

    return method


install(Value, _binary, _unary, "{cls}({x}).{name}().data")
