"""Tensor: the numpy-array front-end of the graph core."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from . import functional as F
from . import primitives as P
from .engine import backprop
from .node import _NO_PARAMS, Node, Primitive, forward_error, grad_mode, next_seq

_GRADABLE = "f"          # dtype kinds that may require grad
_STORABLE = "fiub"       # dtype kinds a Tensor may hold


def _binary_op(prim: Primitive, *, reflected: bool = False) -> Callable:
    """The operator method ``self (op) other`` (``other (op) self`` when ``reflected``) for
    ``prim``, recorded as ``engine.apply`` would record it, in one Python frame."""
    forward, symbol, takes_numbers = prim.forward, prim.symbol, prim is not P.matmul

    def method(self: Tensor, other) -> Tensor:
        if other.__class__ is not Tensor:
            other = _operand(other, symbol, takes_numbers)
        if isinstance(other, Tensor):
            other_data, other_node = other.data, other
        else:
            other_data, other_node = other, None
        if reflected:
            args, inputs = (other_data, self.data), (other_node, self)
        else:
            args, inputs = (self.data, other_data), (self, other_node)
        try:
            out = forward(args[0], args[1])
        except (ValueError, TypeError, IndexError) as e:
            raise forward_error(prim, args, e) from e
        if grad_mode.enabled and (self.requires_grad or (
                other_node is not None and other_node.requires_grad)):
            return Tensor._new(out, prim, inputs, args)
        return Tensor._new(out)

    method.__name__ = f"__{'r' if reflected else ''}{prim.name}__"
    return method


class Tensor(Node):
    """An n-dimensional array that records the operations applied to it.

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    array([2., 4., 6.])
    """

    __slots__ = ("data", "grad", "requires_grad", "name", "prim", "inputs", "args",
                 "params", "_seq")
    __array_ufunc__ = None  # ndarray (op) Tensor defers to Tensor's reflected operator

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None):
        if isinstance(data, Node):
            if not isinstance(data, Tensor):
                raise TypeError(f"Tensor: cannot build a Tensor from a {type(data).__name__}")
            data = data.data
        from_array = isinstance(data, (np.ndarray, np.generic))
        try:
            array = np.array(data, dtype=dtype)
        except (ValueError, TypeError) as e:
            raise TypeError(f"Tensor: cannot make an array of {type(data).__name__}: {e}") from e
        if array.dtype.kind not in _STORABLE:
            raise TypeError(f"Tensor: unsupported dtype {array.dtype}; use a float, int or "
                            f"bool dtype")
        if dtype is None and not from_array and array.dtype.kind != "f":
            array = array.astype(np.float64)
        if requires_grad and array.dtype.kind not in _GRADABLE:
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
        t.data = data if type(data) is np.ndarray else np.asarray(data)
        t.grad = None
        t.requires_grad = prim is not None
        t.name = ""
        t.prim = prim
        t.inputs = inputs
        t.args = args
        t.params = params
        t._seq = next_seq()
        return t

    # The node contract's front-end half --------------------------------------------------

    def _fit(self, g, prim, i):
        """A gradient whose shape differs from this node's, un-broadcast, or a clear error."""
        if g.ndim < self.data.ndim or not _reduces_to(g.shape, self.data.shape):
            raise ValueError(f"backward: the VJP of {prim.name} for input {i} has shape "
                             f"{tuple(g.shape)}, but that input has shape {self.shape}")
        return P.sum_to_shape(g, shape=self.data.shape)

    def _accumulate(self, g) -> None:
        if isinstance(g, Tensor) or isinstance(self.grad, Tensor):
            if isinstance(g, Tensor) and g.dtype != self.data.dtype:
                g = g.astype(self.data.dtype)
            self.grad = g if self.grad is None else self.grad + g
        elif self.grad is None:
            self.grad = np.array(g, dtype=self.data.dtype)
        else:
            self.grad += g

    def _release(self) -> None:
        super()._release()
        self.args = ()

    def _zeros_like(self, mask, create_graph: bool):
        dtype = self.data.dtype if self.data.dtype.kind == "f" else np.float64
        if mask is None:
            zeros = np.zeros(self.data.shape, dtype)
        else:
            zeros = np.zeros(np.broadcast_shapes(self.data.shape, np.shape(mask)), dtype)
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
    def size(self) -> int:
        """The number of entries.

        >>> Tensor([[1.0, 2.0, 3.0]]).size
        3
        """
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        """The numpy dtype of the data.

        >>> Tensor([1, 2]).dtype, Tensor(np.ones(2, np.float32)).dtype
        (dtype('float64'), dtype('float32'))
        """
        return self.data.dtype

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
        dtype = np.dtype(dtype)
        if self.requires_grad and dtype.kind not in _GRADABLE:
            raise TypeError(f"astype: a tensor that requires grad can only be cast to a "
                            f"floating dtype, got {dtype}")
        return P.astype(self, dtype=dtype)

    def item(self) -> float:
        """The value of a one-element tensor as a Python number.

        >>> Tensor([[2.5]]).item()
        2.5
        """
        if self.data.size != 1:
            raise ValueError(f"item: only a one-element tensor has an item; shape is "
                             f"{self.shape}")
        return self.data.item()

    def numpy(self) -> np.ndarray:
        """The data as an ``np.ndarray`` (shared, not copied).

        >>> Tensor([1.0, 2.0]).numpy()
        array([1., 2.])
        """
        return self.data

    def detach(self) -> Tensor:
        """The same data as a new leaf that records nothing.

        >>> Tensor([1.0], requires_grad=True).detach().requires_grad
        False
        """
        return Tensor._new(self.data)

    def __array__(self, dtype=None, copy=None):
        if copy:
            return np.array(self.data, dtype=dtype)
        return self.data if dtype is None else self.data.astype(dtype, copy=False)

    def __len__(self) -> int:
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ValueError(f"the truth value of a tensor of shape {self.shape} is "
                             f"ambiguous; use .any() or .all() on .data")
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    __hash__ = object.__hash__

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extras = [] if self.data.dtype == np.float64 else [f"dtype={self.data.dtype}"]
        if self.prim is not None:
            extras.append(f"op={self.prim.name!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        return f"Tensor({', '.join([body] + extras)})"

    # Backward -----------------------------------------------------------------------------

    def backward(self, grad: Any = None, *, create_graph: bool = False,
                 undefined: str = "zero", retain_graph: bool = True) -> None:
        """Accumulate d self / d leaf into ``leaf.grad`` for every leaf that requires grad.

        >>> w = Tensor([1.0, -2.0], requires_grad=True)
        >>> (w * w).backward(np.array([1.0, 1.0]))
        >>> w.grad
        array([ 2., -4.])
        """
        if not self.requires_grad:
            raise ValueError("backward: this tensor does not require grad, so it has no graph; "
                             "make the leaves with requires_grad=True")
        dtype = self.data.dtype if self.data.dtype.kind == "f" else np.float64
        if grad is None:
            if self.data.size != 1:
                raise ValueError(f"backward: grad can be omitted only for a one-element output, "
                                 f"but this output has shape {self.shape}; pass grad= an array "
                                 f"of shape {self.shape}")
            seed = np.array(1, dtype).reshape(self.data.shape)  # twice as fast as np.ones
        else:
            if isinstance(grad, Tensor):
                seed = grad if create_graph else grad.data
            else:
                seed = np.asarray(grad, dtype=dtype)
            if seed.shape != self.data.shape:
                raise ValueError(f"backward: grad has shape {tuple(seed.shape)}, but the output "
                                 f"has shape {self.shape}")
        if create_graph and not isinstance(seed, Tensor):
            seed = Tensor._new(seed)
        backprop(self, seed, create_graph=create_graph, undefined=undefined,
                 retain_graph=retain_graph)

    # Operators ----------------------------------------------------------------------------

    # The arithmetic and comparison operators are built by _binary_op below.
    __add__, __radd__ = _binary_op(P.add), _binary_op(P.add, reflected=True)
    __sub__, __rsub__ = _binary_op(P.sub), _binary_op(P.sub, reflected=True)
    __mul__, __rmul__ = _binary_op(P.mul), _binary_op(P.mul, reflected=True)
    __truediv__, __rtruediv__ = _binary_op(P.div), _binary_op(P.div, reflected=True)
    __pow__, __rpow__ = _binary_op(P.power), _binary_op(P.power, reflected=True)
    __matmul__, __rmatmul__ = _binary_op(P.matmul), _binary_op(P.matmul, reflected=True)
    def __neg__(self): return _unary(P.neg, self)
    def __abs__(self): return _unary(P.absolute, self)
    __gt__, __ge__ = _binary_op(P.greater), _binary_op(P.greater_equal)
    __lt__, __le__ = _binary_op(P.less), _binary_op(P.less_equal)
    __eq__, __ne__ = _binary_op(P.equal), _binary_op(P.not_equal)  # type: ignore[assignment]

    def matmul(self, other) -> Tensor:
        """``self @ other``.

        >>> (Tensor([[1.0, 2.0]]).matmul(Tensor([[3.0], [4.0]]))).item()
        11.0
        """
        return self @ other

    # Elementwise --------------------------------------------------------------------------

    def abs(self) -> Tensor:
        """|x|, with the subgradient 0 at 0 (as PyTorch).

        >>> Tensor([-2.0, 3.0]).abs()
        Tensor([2., 3.])
        """
        return _unary(P.absolute, self)

    def exp(self) -> Tensor:
        """e**x.

        >>> Tensor([0.0]).exp()
        Tensor([1.])
        """
        return _unary(P.exp, self)

    def log(self) -> Tensor:
        """The natural logarithm.

        >>> Tensor([1.0]).log()
        Tensor([0.])
        """
        return _unary(P.log, self)

    def sqrt(self) -> Tensor:
        """The square root.

        >>> Tensor([4.0]).sqrt()
        Tensor([2.])
        """
        return _unary(P.sqrt, self)

    def sigmoid(self) -> Tensor:
        """1 / (1 + e**-x).

        >>> Tensor([0.0]).sigmoid()
        Tensor([0.5])
        """
        return _unary(P.sigmoid, self)

    def tanh(self) -> Tensor:
        """The hyperbolic tangent.

        >>> Tensor([0.0]).tanh()
        Tensor([0.])
        """
        return _unary(P.tanh, self)

    def relu(self) -> Tensor:
        """max(x, 0), with the subgradient 0 at 0 (as PyTorch).

        >>> Tensor([-1.0, 2.0]).relu()
        Tensor([0., 2.])
        """
        return _unary(P.relu, self)

    def clip(self, lo: float | None = None, hi: float | None = None) -> Tensor:
        """x limited to [lo, hi]; the gradient passes where lo <= x <= hi (as torch.clamp).

        >>> Tensor([-2.0, 0.5, 2.0]).clip(-1, 1)
        Tensor([-1. ,  0.5,  1. ])
        """
        if lo is None and hi is None:
            raise ValueError("clip: give lo, hi or both")
        return P.clip(self, lo=lo, hi=hi)

    # Piecewise constant -------------------------------------------------------------------

    def round(self) -> Tensor:
        """Round half to even; zero gradient, undefined at the halves.

        >>> Tensor([0.5, 1.5, 2.7]).round()
        Tensor([0., 2., 3.])
        """
        return _unary(P.round_, self)

    def floor(self) -> Tensor:
        """The largest integer <= x; zero gradient, undefined at the integers.

        >>> Tensor([1.5, -1.5]).floor()
        Tensor([ 1., -2.])
        """
        return _unary(P.floor, self)

    def sign(self) -> Tensor:
        """-1, 0 or 1; zero gradient, undefined at 0.

        >>> Tensor([-3.0, 0.0, 2.0]).sign()
        Tensor([-1.,  0.,  1.])
        """
        return _unary(P.sign, self)

    def argmax(self, axis: int | None = None, keepdims: bool = False) -> Tensor:
        """The index of the largest entry; zero gradient, undefined at a tie.

        >>> Tensor([[1.0, 3.0], [4.0, 2.0]]).argmax(axis=1)
        Tensor([1, 0], dtype=int64)
        """
        if axis is not None:
            (axis,) = _axes(axis, self.ndim, "argmax")
        return P.argmax(self, axis=axis, keepdims=keepdims)

    # Reductions ---------------------------------------------------------------------------

    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """The sum over ``axis`` (all axes by default).

        >>> Tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0)
        Tensor([4., 6.])
        """
        return _unary(P.reduce_sum, self, axis=_axes(axis, self.ndim, "sum"), keepdims=keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """The maximum over ``axis``; tied entries share the gradient evenly.

        >>> Tensor([[1.0, 5.0], [3.0, 4.0]]).max(axis=1)
        Tensor([5., 4.])
        """
        return P.reduce_max(self, axis=_axes(axis, self.ndim, "max"), keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """The mean over ``axis``.

        >>> Tensor([1.0, 2.0, 6.0]).mean()
        Tensor(3.)
        """
        return F.mean(self, axis, keepdims)

    def min(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        """The minimum over ``axis``; tied entries share the gradient evenly.

        >>> Tensor([3.0, 1.0, 2.0]).min()
        Tensor(1.)
        """
        return F.min(self, axis, keepdims)

    def logsumexp(self, axis: int | tuple[int, ...] | None = None,
                  keepdims: bool = False) -> Tensor:
        """log(sum(exp(x))) over ``axis``, computed without overflow.

        >>> round(Tensor([1e4, 1e4]).logsumexp().item() - 1e4, 6)
        0.693147
        """
        return F.logsumexp(self, axis, keepdims)

    def softmax(self, axis: int = -1) -> Tensor:
        """exp(x) normalised to sum to 1 along ``axis``.

        >>> Tensor([0.0, 0.0]).softmax()
        Tensor([0.5, 0.5])
        """
        return F.softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """log(softmax(x)), stable for logits of any magnitude.

        >>> Tensor([0.0, 0.0]).log_softmax().exp()
        Tensor([0.5, 0.5])
        """
        return F.log_softmax(self, axis)

    # Shape --------------------------------------------------------------------------------

    def reshape(self, *shape) -> Tensor:
        """The same entries in a new shape (one entry may be -1).

        >>> Tensor([1.0, 2.0, 3.0, 4.0]).reshape(2, 2)
        Tensor([[1., 2.],
                [3., 4.]])
        """
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return P.reshape(self, shape=tuple(int(n) for n in shape))

    def flatten(self) -> Tensor:
        """The entries as one axis.

        >>> Tensor([[1.0], [2.0]]).flatten()
        Tensor([1., 2.])
        """
        return self.reshape(-1)

    def transpose(self, *axes) -> Tensor:
        """The axes permuted as numpy's ``transpose``; with no axes, reversed (``.T``).

        >>> Tensor([[1.0, 2.0]]).transpose().shape
        (2, 1)
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if not axes:
            axes = tuple(range(self.ndim))[::-1]
        normalized = _axes(axes, self.ndim, "transpose")
        if len(normalized) != self.ndim:
            raise ValueError(f"transpose: axes {axes} are not a permutation of the "
                             f"{self.ndim} axes of a tensor of shape {self.shape}")
        return P.transpose(self, axes=normalized)

    def __getitem__(self, index) -> Tensor:
        return P.getitem(self, index=_index(index))


def _unary(prim, x: Tensor, **params) -> Tensor:
    """``prim`` on one Tensor: this front-end's lean path to ``engine.apply``'s contract."""
    data = x.data
    out = prim.forward(data, **params)
    if x.requires_grad and grad_mode.enabled:
        return Tensor._new(out, prim, (x,), (data,), params or _NO_PARAMS)
    return Tensor._new(out)


def _operand(other: Any, op: str, scalar: bool = True) -> Any:
    """The other side of an operator: a Tensor, a Python number, or an ndarray."""
    kind = type(other)
    if kind is float or kind is int:
        return other
    if isinstance(other, Tensor):
        return other
    if isinstance(other, Node):
        raise TypeError(f"{op}: cannot combine a Tensor with a {type(other).__name__}")
    if scalar and isinstance(other, numbers.Number) and not isinstance(other, np.generic):
        if isinstance(other, complex):
            raise TypeError(f"{op}: complex numbers are not supported")
        return other
    try:
        array = np.asarray(other)
    except (ValueError, TypeError) as e:
        raise TypeError(f"{op}: cannot use a {type(other).__name__} as an operand: {e}") from e
    if array.dtype.kind not in _STORABLE:
        raise TypeError(f"{op}: unsupported operand of dtype {array.dtype}")
    return array


def _axes(axis, ndim: int, op: str) -> tuple[int, ...] | None:
    """``axis`` (None, an int or a tuple) as a tuple of distinct non-negative axes."""
    if axis is None:
        return None
    given = axis if isinstance(axis, (tuple, list)) else (axis,)
    normalized = []
    for a in given:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -ndim <= a < ndim:
            raise ValueError(f"{op}: axis {a} is out of range for a tensor with {ndim} "
                             f"dimension{'s' * (ndim != 1)}")
        normalized.append(int(a) % ndim)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: repeated axis in {axis!r}")
    return tuple(normalized)


def _index(index):
    """An index with Tensors replaced by arrays (a comparison's 0/1 result becomes a mask)."""
    if isinstance(index, tuple):
        return tuple(_index(i) for i in index)
    if isinstance(index, Tensor):
        if index.dtype.kind == "f":
            if not np.isin(index.data, (0.0, 1.0)).all():
                raise TypeError(f"[]: a {index.dtype} tensor can index only as a 0/1 mask "
                                f"(the result of a comparison)")
            return index.data.astype(bool)
        return index.data
    if isinstance(index, list):
        return np.asarray(index)
    return index


def _reduces_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether summing broadcast axes of ``shape`` gives ``target``."""
    tail = shape[len(shape) - len(target):]
    return all(t == s or t == 1 for s, t in zip(tail, target))
