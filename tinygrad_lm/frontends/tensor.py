"""Tensor: the numpy-array front-end of the graph core."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import functional as F
from ..core import arguments as A
from ..core import backend as B
from ..core import primitives as P
from ..core.engine import backprop
from ..core.node import (
    _NO_PARAMS,
    Node,
    Primitive,
    forward_error,
    is_grad_enabled,
    next_seq,
    threads_without_grad,
)
from ..core.operators import install
from .tensor_data import Size, count, foreign, standard_zeros
from .tensor_methods import TensorMethods
from .tensor_shape import TensorShape


class Tensor(TensorMethods, TensorShape, Node):
    """An n-dimensional array that records the operations applied to it.

    Its operators and elementwise methods (``+``, ``>``, ``exp``...) come from ``operators``.

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    array([2., 4., 6.])
    """

    # _is_mask is set only on the result of a comparison: it may index as a boolean mask.
    __slots__ = ("data", "grad", "requires_grad", "name", "prim", "inputs", "args",
                 "params", "_seq", "_is_mask", "__weakref__")
    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected operator

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None):
        data = A.node_data(data, "Tensor")
        array = foreign(data, dtype) if B.is_foreign(data) else A.array(data, "Tensor", dtype)
        if requires_grad and B.kind(array.dtype) not in A.GRADABLE:
            raise TypeError(f"Tensor: only floating-point data can require grad, got "
                            f"{array.dtype} data; pass dtype=np.float64 or convert it")
        self.data = array
        self.grad = None
        self.requires_grad = bool(requires_grad)
        self.name = ""
        self.prim = None
        self.inputs = ()
        self.args = ()
        self.params = _NO_PARAMS
        self._seq = next_seq()

    @classmethod
    def _new(cls, data, prim=None, inputs=(), args=(), params=_NO_PARAMS) -> Tensor:
        t = object.__new__(cls)
        t.data = data if type(data) is np.ndarray else B.as_data(data)
        t.grad = None
        t.requires_grad = prim is not None
        t.name = ""
        t.prim = prim
        t.inputs = inputs
        t.args = args
        t.params = params
        t._seq = next_seq()
        return t

    def _fit(self, g, prim, i):
        """A gradient whose shape differs from this node's, un-broadcast, or a clear error."""
        if g.ndim < self.data.ndim or not A.reduces_to(g.shape, self.data.shape):
            raise ValueError(f"backward: the VJP of {prim.name} for input {i} has shape "
                             f"{tuple(g.shape)}, but that input has shape {self.shape}")
        return P.sum_to_shape(g, shape=self.data.shape)

    def _accumulate(self, g) -> None:
        if isinstance(g, Tensor) or isinstance(self.grad, Tensor):
            if isinstance(g, Tensor) and g.dtype != self.dtype:
                g = g.astype(self.dtype)
            self.grad = g if self.grad is None else self.grad + g
        elif self.grad is None:
            self.grad = (np.array(g, dtype=self.data.dtype) if type(self.data) is np.ndarray
                         else B.namespace(g).astype(g, self.data.dtype, copy=True))
        else:
            self.grad += g

    def _release(self) -> None:
        super()._release()
        self.args = ()

    def _zeros_like(self, mask, create_graph: bool):
        if type(self.data) is not np.ndarray:
            zeros = standard_zeros(self.data, mask)
            return Tensor._new(zeros) if create_graph else zeros
        dtype = self.data.dtype if self.data.dtype.kind == "f" else np.float64
        zeros = np.zeros(np.broadcast_shapes(self.data.shape, np.shape(mask)), dtype)
        if mask is not None:
            zeros[np.broadcast_to(mask, zeros.shape)] = np.nan
        return Tensor._new(zeros) if create_graph else zeros

    # Attributes ---------------------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        """The sizes of the axes, as ``ndarray.shape``.

        >>> Tensor([[1.0, 2.0, 3.0]]).shape
        (1, 3)
        """
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of axes.

        >>> Tensor([[1.0, 2.0, 3.0]]).ndim
        2
        """
        return self.data.ndim

    @property
    def size(self) -> Size:
        """The number of entries; ``size()`` is the shape, as in PyTorch.

        >>> Tensor([[1.0, 2.0, 3.0]]).size, Tensor([[1.0, 2.0, 3.0]]).size()
        (3, (1, 3))
        """
        return Size(count(self.data), tuple(self.data.shape))

    @property
    def xp(self) -> Any:
        """The array-API namespace of the data: ``numpy`` itself for numpy data.

        >>> Tensor([1.0]).xp is np
        True
        """
        return B.namespace(self.data, op="xp")

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype of the data; for another library's data, numpy's dtype of the same
        name (``.data.dtype`` is the library's own).

        >>> Tensor([1, 2]).dtype, Tensor(np.ones(2, np.float32)).dtype
        (dtype('float64'), dtype('float32'))
        """
        data = self.data
        return data.dtype if type(data) is np.ndarray else B.numpy_dtype(data.dtype)

    @property
    def T(self) -> Tensor:
        """All axes reversed, as numpy's ``.T``.

        >>> Tensor(np.zeros((2, 3, 4))).T.shape
        (4, 3, 2)
        """
        return self.transpose()

    @property
    def mT(self) -> Tensor:
        """The last two axes swapped (a batch of matrices transposed).

        >>> Tensor(np.zeros((2, 3, 4))).mT.shape
        (2, 4, 3)
        """
        if self.ndim < 2:
            raise ValueError(f"mT: needs at least 2 dimensions, got shape {self.shape}")
        axes = list(range(self.ndim))
        axes[-2], axes[-1] = axes[-1], axes[-2]
        return self.transpose(*axes)

    def astype(self, dtype: Any) -> Tensor:
        """The same values in another floating dtype; the gradient is cast back.

        >>> Tensor([1.5], requires_grad=True).astype(np.float32).dtype
        dtype('float32')
        """
        dtype = np.dtype(dtype) if type(self.data) is np.ndarray else dtype
        if self.requires_grad and B.kind(dtype) not in A.GRADABLE:
            raise TypeError(f"astype: a tensor that requires grad can only be cast to a "
                            f"floating dtype, got {dtype}")
        return P.astype(self, dtype=dtype)

    def item(self) -> float:
        """The value of a one-element tensor as a Python number.

        >>> Tensor([[2.5]]).item()
        2.5
        """
        if count(self.data) != 1:
            raise ValueError(f"item: only a one-element tensor has an item; shape is "
                             f"{self.shape}")
        return B.to_numpy(self.data).item()

    def numpy(self) -> np.ndarray:
        """The data as an ``np.ndarray`` (shared, not copied, when it is one; read from its
        library, and its device, otherwise).

        >>> Tensor([1.0, 2.0]).numpy()
        array([1., 2.])
        """
        return B.to_numpy(self.data)

    def detach(self) -> Tensor:
        """The same data as a new leaf that records nothing (a comparison's stays a mask).

        >>> Tensor([1.0], requires_grad=True).detach().requires_grad
        False
        """
        t = Tensor._new(self.data)
        if getattr(self, "_is_mask", False):
            t._is_mask = True
        return t

    def __array__(self, dtype=None, copy=None):
        data = B.to_numpy(self.data)
        if copy:
            return np.array(data, dtype=dtype)
        return data if dtype is None else data.astype(dtype, copy=False)

    __array_function__ = F.array_function

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if count(self.data) != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is "
                             f"ambiguous; use .any() or .all() on .data")
        return bool(self.item())

    def __float__(self) -> float:
        return float(self.item())

    def __format__(self, spec: str) -> str:
        """A one-element tensor formats as its number (``f"{loss:.3f}"``); any tensor
        formats as its repr with no format spec.

        >>> f"{Tensor([[0.12345]]):.3f}"
        '0.123'
        """
        if not spec:
            return str(self)
        if count(self.data) != 1:
            raise TypeError(f"format: only a one-element tensor formats with a spec "
                            f"({spec!r}); this one has shape {self.shape}")
        return format(self.item(), spec)

    def __round__(self, ndigits: int | None = None) -> float | int:
        """A one-element tensor rounded as its number by Python's ``round``.

        >>> round(Tensor(2.71828), 2), round(Tensor([3.5]))
        (2.72, 4)
        """
        return round(self.item(), ndigits)

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(B.to_numpy(self.data), separator=", ", prefix="Tensor(")
        if type(self.data) is np.ndarray:
            extras = [] if self.data.dtype == np.float64 else [f"dtype={self.data.dtype}"]
        else:
            extras = [f"dtype={self.data.dtype}", f"xp={B.library_name(self.data)}"]
        if self.prim is not None:
            extras.append(f"op={self.prim.name!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return f"Tensor({', '.join([body] + extras)})"

    def backward(self, grad: Any = None, *, create_graph: bool = False,
                 undefined: str = "zero", retain_graph: bool = True) -> None:
        """Accumulate d self / d leaf into ``leaf.grad`` for every leaf that requires grad.

        ``retain_graph=False`` lets backward release the values no later VJP reads.

        >>> w = Tensor([1.0, -2.0], requires_grad=True)
        >>> (w * w).backward(np.array([1.0, 1.0]))
        >>> w.grad
        array([ 2., -4.])
        """
        if not self.requires_grad:
            why = ("it was computed under tg.no_grad() (active here), which records nothing"
                   if not is_grad_enabled() else "it was computed under tg.no_grad(), which "
                   "records nothing, or none of its inputs requires grad")
            raise ValueError(f"backward: this tensor does not require grad, so no graph was "
                             f"recorded for it: {why}; make the leaves with requires_grad=True "
                             f"and compute outside tg.no_grad()")
        seed = A.seed(grad, self.data, create_graph)
        if create_graph and not isinstance(seed, Tensor):
            seed = Tensor._new(seed)
        backprop(self, seed, create_graph=create_graph, undefined=undefined,
                 retain_graph=retain_graph)

    # Methods with parameters: the mixins above; the operators and elementwise methods are
    # installed below; sum is here, on its fast path.

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False, *,
            dim=None, keepdim=None) -> Tensor:
        """The sum over ``axis`` (all axes by default); ``dim`` and ``keepdim`` are PyTorch's
        names for ``axis`` and ``keepdims``.

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0)
        Tensor([4., 6.])
        """
        if dim is not None or keepdim is not None or self.data.ndim == 0:
            axis = A.reduce_axes(axis, self.ndim, "sum", dim)
            keepdims = A.keep(keepdims, keepdim, "sum")
        data, params = self.data, {"axis": A.axes(axis, self.ndim, "sum"), "keepdims": keepdims}
        out = P.sum.forward(data, **params)
        if self.requires_grad and (not threads_without_grad or is_grad_enabled()):
            return Tensor._new(out, P.sum, (self,), (data,), params)
        return Tensor._new(out)

    def __getitem__(self, index) -> Tensor:
        steps = A.index_steps(A.index(index))
        out = P.getitem(self, index=steps[0])
        return out if len(steps) == 1 else P.getitem(out, index=steps[1])


def _binary(prim: Primitive, reflected: bool, comparison: bool, equality: bool) -> Callable:
    """The operator method ``self (op) other`` (``other (op) self`` when ``reflected``),
    recorded as ``engine.apply`` would record it, in one Python frame."""
    forward, name, new = prim.forward, prim.name, Tensor._new
    takes_numbers = prim.scalar is not None  # matmul takes no Python number

    def method(self: Tensor, other) -> Tensor:
        if other.__class__ is float or other.__class__ is int:  # as A.operand keeps them
            other_data, other_node = other, None
        elif other.__class__ is not Tensor and not isinstance(other, Tensor):
            try:
                other = A.operand(other, name, takes_numbers)
            except TypeError:
                if equality and not isinstance(other, Node):
                    return NotImplemented  # Python then compares identities, as for objects
                raise
            other_data, other_node = other, None
        else:
            other_data, other_node = other.data, other
        if reflected:
            args, inputs = (other_data, self.data), (other_node, self)
        else:
            args, inputs = (self.data, other_data), (self, other_node)
        try:
            out = forward(args[0], args[1])
        except (ValueError, TypeError, IndexError) as e:
            raise forward_error(prim, args, e) from e
        if (not threads_without_grad or is_grad_enabled()) and (self.requires_grad or (
                other_node is not None and other_node.requires_grad)):
            t = new(out, prim, inputs, args)
        else:
            t = new(out)
        if comparison:
            t._is_mask = True
        return t

    return method


def _unary(prim: Primitive) -> Callable:
    """The method ``prim(self)``: this front-end's lean path to ``engine.apply``'s contract."""
    forward, new = prim.forward, Tensor._new

    def method(self: Tensor) -> Tensor:
        data = self.data
        out = forward(data)
        if self.requires_grad and (not threads_without_grad or is_grad_enabled()):
            return new(out, prim, (self,), (data,))
        return new(out)

    return method


def _install() -> None:
    install(Tensor, _binary, _unary, "{cls}({x}).{name}().item()")


_install()
B.on_switch(_install)  # the fast paths copied each forward: copy the dispatching ones
