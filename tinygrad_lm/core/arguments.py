"""Argument normalisation shared by the front-ends: axes, shapes, indices, operands, data."""

from __future__ import annotations

import math
import numbers
import operator
import warnings
from typing import Any

import numpy as np

from . import backend
from .node import Node

GRADABLE = "f"       # dtype kinds that may require grad
STORABLE = "fiub"    # dtype kinds a Tensor may hold


def axes(axis: Any, ndim: int, op: str) -> tuple[int, ...] | None:
    """``axis`` (None, an int or a tuple of ints) as a tuple of distinct non-negative axes.

    >>> axes(-1, 3, "sum"), axes((0, -1), 2, "sum"), axes(None, 2, "sum")
    ((2,), (0, 1), None)
    """
    if axis is None:
        return None
    return positions(axis, ndim, op, noun="axis", within="a tensor with {} dimension")


def alias(axis: Any, dim: Any, op: str, default: Any = None) -> Any:
    """``axis``, or ``dim`` (PyTorch's name for it) given in its place; never both.

    >>> alias(None, 1, "sum"), alias(0, None, "sum")
    (1, 0)
    """
    if dim is None:
        return axis
    if axis is not default:
        raise TypeError(f"{op}: got both axis={axis!r} and dim={dim!r}; dim is PyTorch's name "
                        f"for axis, give one of them")
    return dim


def keep(keepdims: Any, keepdim: Any, op: str) -> Any:
    """``keepdims``, or ``keepdim`` (PyTorch's name for it) given in its place; never both.

    >>> keep(False, True, "sum"), keep(True, None, "sum")
    (True, True)
    """
    if keepdim is None:
        return keepdims
    if keepdims is not False:
        raise TypeError(f"{op}: got both keepdims={keepdims!r} and keepdim={keepdim!r}; keepdim "
                        f"is PyTorch's name for keepdims, give one of them")
    return keepdim


def reduce_axes(axis: Any, ndim: int, op: str, dim: Any = None) -> tuple[int, ...] | None:
    """The axes a reduction runs over, as ``axes``; ``dim`` may name them (as in PyTorch), and a
    0-d tensor takes axis 0 or -1 as PyTorch does: a reduction over no axis at all.

    >>> reduce_axes(None, 2, "sum", dim=-1), reduce_axes(0, 0, "sum"), reduce_axes(None, 0, "sum")
    ((1,), (), None)
    """
    axis = alias(axis, dim, op)
    if ndim == 0 and not isinstance(axis, bool) and axis in (0, -1, (0,), (-1,)):
        return ()
    return axes(axis, ndim, op)


def index_steps(key: Any) -> tuple[Any, ...]:
    """A ``[]`` key (after ``index``) as the keys to apply one after the other, so that the
    answer is PyTorch's.

    numpy and PyTorch differ where an integer and an index array meet in one key with a slice
    between them (``x[1, :, idx]``): numpy counts the integer as an index array and puts the
    broadcast axes first, PyTorch selects with the integer first. Taking the integers (and the
    slices) in a first step and the index arrays in a second gives PyTorch's order.

    >>> x = np.arange(24).reshape(2, 3, 4)
    >>> steps = index_steps((1, slice(None), np.array([0, 2, 3, 1, 1])))
    >>> len(steps), x[steps[0]][steps[1]].shape, x[1, :, np.array([0, 2, 3, 1, 1])].shape
    (2, (3, 5), (5, 3))
    """
    parts = key if isinstance(key, tuple) else (key,)
    is_int = [isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in parts]
    is_array = [isinstance(p, np.ndarray) and p.ndim > 0 for p in parts]
    if not any(is_int) or not any(is_array):
        return (key,)
    first, second = [], []
    for p, integer, array in zip(parts, is_int, is_array):
        if integer:
            first.append(p)
        elif array:
            first.extend([slice(None)] * (p.ndim if p.dtype == bool else 1))
            second.append(p)
        elif p is None or isinstance(p, slice):
            first.append(p)
            second.append(slice(None))
        else:  # Ellipsis covers the same axes in both steps
            first.append(p)
            second.append(p)
    return tuple(first), tuple(second)


def positions(given: Any, count: int, op: str, *, noun: str, within: str) -> tuple[int, ...]:
    """``given`` (an int or a tuple of ints, negative ones counted from the end) as distinct
    positions in ``range(count)``; errors name ``op``, the ``noun`` and, from ``within``, what
    is counted.

    >>> positions((0, -1), 3, "grad", noun="argnums", within="fn called with {} argument")
    (0, 2)
    >>> positions(3, 2, "sum", noun="axis", within="a tensor with {} dimension")
    Traceback (most recent call last):
      ...
    ValueError: sum: axis 3 is out of range for a tensor with 2 dimensions
    """
    entries = given if isinstance(given, (tuple, list)) else (given,)
    normalized = []
    for k in entries:
        if not isinstance(k, (int, np.integer)) or isinstance(k, bool):
            raise TypeError(f"{op}: {noun} must be an int or a tuple of ints, got {given!r}")
        if not -count <= k < count:
            raise ValueError(f"{op}: {noun} {k} is out of range for {within.format(count)}"
                             f"{'s' * (count != 1)}")
        normalized.append(int(k) % count)
    if len(set(normalized)) != len(normalized):
        raise ValueError(f"{op}: {noun} {given!r} repeats an entry")
    return tuple(normalized)


def permutation(given: tuple, shape: tuple[int, ...], op: str) -> tuple[int, ...]:
    """Axes given as ``*axes`` or one tuple, a permutation of all of them (none: reversed).

    >>> permutation((), (2, 3, 4), "transpose"), permutation(((0, -1, 1),), (2, 3, 4), "t")
    ((2, 1, 0), (0, 2, 1))
    """
    if len(given) == 1 and isinstance(given[0], (tuple, list)):
        given = tuple(given[0])
    ndim = len(shape)
    normalized = axes(given or tuple(range(ndim))[::-1], ndim, op)
    if len(normalized) != ndim:
        raise ValueError(f"{op}: axes {given} are not a permutation of the {ndim} axes of a "
                         f"tensor of shape {shape}")
    return normalized


def seed(grad: Any, out: np.ndarray, create_graph: bool) -> Any:
    """The gradient backward starts from: ones for a one-element output, else ``grad``, which
    must have the output's shape (a Tensor ``grad`` stays one under ``create_graph``).

    >>> seed(None, np.zeros((1, 1)), False), seed([2.0], np.zeros(1), False)
    (array([[1.]]), array([2.]))
    """
    if not isinstance(out, np.ndarray):
        return _standard_seed(grad, out, create_graph)
    dtype = out.dtype if out.dtype.kind == "f" else np.float64
    if grad is None:
        if out.size != 1:
            raise ValueError(f"backward: grad can be omitted only for a one-element output, "
                             f"but this output has shape {out.shape}; pass grad= an array "
                             f"of shape {out.shape}")
        return np.array(1, dtype).reshape(out.shape)  # twice as fast as np.ones
    if isinstance(grad, Node):
        grad = grad if create_graph else grad.data
    else:
        grad = np.asarray(grad, dtype=dtype)
    if grad.shape != out.shape:
        raise ValueError(f"backward: grad has shape {tuple(grad.shape)}, but the output "
                         f"has shape {out.shape}")
    return grad


def _standard_seed(grad: Any, out: Any, create_graph: bool) -> Any:
    """``seed`` for an output of another array-API library: ones in its library, or ``grad``
    (which must be of that library, or a Tensor of it)."""
    xp = backend.namespace(out)
    if grad is None:
        if math.prod(out.shape) != 1:
            raise ValueError(f"backward: grad can be omitted only for a one-element output, "
                             f"but this output has shape {tuple(out.shape)}; pass grad= an "
                             f"array of shape {tuple(out.shape)}")
        return xp.ones_like(out)
    if isinstance(grad, Node):
        grad = grad if create_graph else grad.data
    elif not backend.is_foreign(grad):
        raise TypeError(f"backward: grad is a {type(grad).__name__}, but the output is a "
                        f"{backend.library_name(out)} array; pass grad in the same library")
    if tuple(grad.shape) != tuple(out.shape):
        raise ValueError(f"backward: grad has shape {tuple(grad.shape)}, but the output "
                         f"has shape {tuple(out.shape)}")
    return grad


def sizes(entries: tuple, op: str) -> tuple[int, ...]:
    """A shape given as ``*sizes`` or as one tuple or list, each entry an integer.

    A float entry is refused rather than truncated: ``reshape(2.9, 3)`` is a bug, not a 2.

    >>> sizes((2, -1), "reshape"), sizes(([3, 4],), "reshape")
    ((2, -1), (3, 4))
    """
    if len(entries) == 1 and isinstance(entries[0], (tuple, list)):
        entries = tuple(entries[0])
    shape = []
    for n in entries:
        if isinstance(n, bool):
            raise TypeError(f"{op}: shape entries must be integers, got {n!r} in {entries}")
        try:
            shape.append(operator.index(n))
        except TypeError:
            raise TypeError(f"{op}: shape entries must be integers, got {n!r} "
                            f"({type(n).__name__}) in {entries}") from None
    return tuple(shape)


def index(key: Any) -> Any:
    """A ``[]`` key with tensors replaced by their arrays.

    An integer or boolean tensor indexes as its array does. A float tensor indexes only as a
    mask, and only when a comparison made it (comparisons return 0.0/1.0 floats): any other
    float tensor is refused, as PyTorch refuses float indices, rather than read as a mask.

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([1.0, -2.0, 3.0])
    >>> index(x > 0), index(tg.Tensor(np.array([2, 0])))
    (array([ True, False,  True]), array([2, 0]))
    """
    if isinstance(key, tuple):
        return tuple(index(k) for k in key)
    if isinstance(key, Node):
        data = key.data
        if backend.kind(data.dtype) != "f":
            return data
        if not getattr(key, "_is_mask", False):
            raise TypeError(f"getitem: tensors used as indices must be integer or boolean "
                            f"(or a comparison's result, a mask), got a {data.dtype} tensor; "
                            f"cast it with .astype(np.int64) for indices or compare it "
                            f"(t != 0) for a mask")
        return backend.to_numpy(data).astype(bool)
    if isinstance(key, list):
        return np.asarray([index(k) if isinstance(k, (Node, list)) else k for k in key])
    return key


def holds_node(data: Any) -> bool:
    """Whether a (nested) list or tuple holds a graph node, whose graph numpy would drop.

    >>> import tinygrad_lm as tg
    >>> holds_node([1.0, [2.0, tg.Tensor(3.0)]]), holds_node([[1.0, 2.0]])
    (True, False)
    """
    stack = [data]
    while stack:
        items = stack.pop()
        for item in items:
            if isinstance(item, Node):
                return True
            if isinstance(item, (list, tuple)):
                stack.append(item)
    return False


def real(other: Any, op: str, owner: str) -> float:
    """A real number as a float (a Fraction or a Decimal too); anything else a TypeError.

    >>> from fractions import Fraction
    >>> real(Fraction(1, 4), "mul", "Value")
    0.25
    """
    if isinstance(other, Node):
        raise TypeError(f"{op}: cannot combine a {owner} with a {type(other).__name__}")
    if not isinstance(other, bool) and (isinstance(other, numbers.Real) or isinstance(
            other, numbers.Number) and not isinstance(other, numbers.Complex)):
        try:
            return float(other)
        except (TypeError, ValueError, OverflowError):
            pass
    raise TypeError(f"{op}: a {owner} combines with {owner}s and real numbers, got "
                    f"{type(other).__name__}")


def operand(other: Any, op: str, takes_numbers: bool = True) -> Any:
    """The other side of a Tensor operator, not a Tensor: a Python number or an ndarray.

    Python ints and floats stay as they are (numpy's promotion keeps a float32 tensor float32);
    other real numbers become floats, so a Fraction cannot make an object array.

    >>> from fractions import Fraction
    >>> operand(2, "mul"), operand(Fraction(1, 2), "mul"), operand([1, 2], "mul")
    (2, 0.5, array([1, 2]))
    """
    kind = type(other)
    if kind is float or kind is int:
        return other
    if backend.is_foreign(other):
        return other  # an array of another library: the op says if it can meet this one
    if isinstance(other, Node):
        raise TypeError(f"{op}: cannot combine a Tensor with a {type(other).__name__}")
    if takes_numbers and isinstance(other, numbers.Number) and not isinstance(other, np.generic):
        if isinstance(other, numbers.Integral):
            return other
        if isinstance(other, numbers.Complex) and not isinstance(other, numbers.Real):
            raise TypeError(f"{op}: complex numbers are not supported")
        return real(other, op, "Tensor")
    if isinstance(other, (list, tuple)) and holds_node(other):
        raise TypeError(f"{op}: a list operand holds a tensor, whose graph a list would lose; "
                        f"make one tensor of them with tg.stack")
    try:
        array = np.asarray(other)
    except (ValueError, TypeError) as e:
        raise TypeError(f"{op}: cannot use a {type(other).__name__} as an operand: {e}") from e
    if array.dtype.kind not in STORABLE:
        raise TypeError(f"{op}: unsupported operand of dtype {array.dtype} "
                        f"({type(other).__name__})")
    return array


def check_undefined(undefined: Any, op: str) -> None:
    """``undefined=``, the value a derivative takes on a jump: ``"zero"`` (PyTorch's
    convention) or ``"nan"`` (the strict mode); anything else is refused, naming ``op``.

    >>> check_undefined("nan", "backward")
    """
    if undefined not in ("zero", "nan"):
        raise ValueError(f"{op}: undefined must be 'zero' or 'nan', got {undefined!r}")


def node_data(data: Any, op: str) -> Any:
    """What ``Tensor(t)`` copies from a tensor ``t``: its data, leaving its graph behind. As
    ``torch.tensor(t)`` does, that warns when ``t`` records a graph; a ``Value`` is refused.

    >>> import tinygrad_lm as tg
    >>> node_data(tg.Tensor([1.0]), "Tensor"), node_data([2.0], "Tensor")
    (array([1.]), [2.0])
    """
    if not isinstance(data, Node):
        return data
    if data.uses_floats:
        raise TypeError(f"{op}: cannot build a Tensor from a {type(data).__name__}")
    if data.requires_grad:
        warnings.warn(f"{op}(t) copies the values of t, which requires grad, and leaves its "
                      f"graph behind (as torch.tensor(t) does): write t.detach() to say so, "
                      f"or use t itself to keep the graph", UserWarning, stacklevel=3)
    return data.data


def array(data: Any, op: str, dtype: Any = None) -> np.ndarray:
    """Data as a Tensor holds it: an array keeps its dtype, Python numbers (a Fraction too) and
    lists become float64, other dtypes (strings, objects, complex) are refused.

    >>> array([1, 2], "Tensor").dtype, array(np.array([1, 2]), "Tensor").dtype
    (dtype('float64'), dtype('int64'))
    """
    if isinstance(data, (list, tuple)) and holds_node(data):
        raise TypeError(f"{op}: the data holds a tensor, whose graph would be lost; join "
                        f"tensors with tg.stack or tg.concatenate")
    if isinstance(data, numbers.Number) and not isinstance(
            data, (np.generic, bool, int, float, complex)):
        data = real(data, op, "Tensor")  # a Fraction or a Decimal, not an object array
    from_array = isinstance(data, (np.ndarray, np.generic))
    try:
        result = np.array(data, dtype=dtype)
    except (ValueError, TypeError) as e:
        raise TypeError(f"{op}: cannot make an array of {type(data).__name__}: {e}") from e
    if result.dtype.kind not in STORABLE:
        raise TypeError(f"{op}: unsupported dtype {result.dtype}; use a float, int or "
                        f"bool dtype")
    if dtype is None and not from_array and result.dtype.kind != "f":
        result = result.astype(np.float64)
    return result


def reduces_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    """Whether summing broadcast axes of ``shape`` gives ``target``.

    >>> reduces_to((4, 2, 3), (2, 1)), reduces_to((2, 3), (3, 3))
    (True, False)
    """
    tail = shape[len(shape) - len(target):]
    return all(t == s or t == 1 for s, t in zip(tail, target))
