"""Which array library an array belongs to, and its array-API namespace (numpy itself for numpy).

The core asks ``namespace(*arrays, op=...)`` once per op and writes the op with the namespace
it gets, ``xp``: ``xp.exp(x)``, ``xp.sum(x, axis=..., keepdims=...)``. numpy arrays (and numpy
scalars) get the ``numpy`` module itself, without calling ``array_api_compat``, so the numpy path
keeps its speed and its bits; any other library gets ``array_api_compat.array_namespace``'s
answer (``array_api_compat.torch`` for torch tensors, ``array_api_strict`` for its arrays).
Python numbers and ``None`` belong to no library and are skipped, as the standard lets a Python
scalar meet an array of any library. Arrays of two libraries in one op are a ``TypeError``
naming both: the engine never converts behind the user's back.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import array_api_compat as compat
import numpy as np

__all__ = ["as_data", "check_same_library", "is_foreign", "kind", "library_name", "namespace",
           "numpy_dtype", "to_namespace", "to_numpy", "use_namespaces", "switched",
           "dispatching", "on_switch", "like"]

_NUMPY = (np.ndarray, np.generic)
_SCALARS = (bool, int, float, complex)

# array_api_compat's own tests, first match wins; each looks only at modules already imported,
# so asking never imports torch or dask.
_LIBRARIES = (("numpy", compat.is_numpy_array), ("torch", compat.is_torch_array),
              ("cupy", compat.is_cupy_array), ("dask", compat.is_dask_array),
              ("jax", compat.is_jax_array), ("dpnp", compat.is_dpnp_array),
              ("ndonnx", compat.is_ndonnx_array), ("sparse", compat.is_pydata_sparse_array))


def library_name(x: Any) -> str:
    """The name of the library whose array ``x`` is: ``"numpy"``, ``"torch"``, ...

    Libraries that array_api_compat does not know by name but that implement the standard
    (``array_api_strict``) are named by the package their array type lives in.

    >>> import numpy as np
    >>> library_name(np.zeros(3)), library_name(np.float32(1.0))
    ('numpy', 'numpy')
    >>> import array_api_strict
    >>> library_name(array_api_strict.asarray([1.0]))
    'array_api_strict'
    >>> library_name([1.0])
    Traceback (most recent call last):
    TypeError: library_name: a list is not an array of an array-API library (numpy, torch, ...)
    """
    if isinstance(x, _NUMPY):
        return "numpy"
    for name, is_array in _LIBRARIES:
        if is_array(x):
            return name
    if compat.is_array_api_obj(x):
        return type(x).__module__.partition(".")[0]
    raise TypeError(f"library_name: a {type(x).__name__} is not an array of an array-API "
                    f"library (numpy, torch, cupy, dask, jax, array_api_strict, ...)")


def check_same_library(*arrays: Any, op: str = "check_same_library") -> str:
    """The one library of ``arrays`` (numbers, numpy's scalars and ``None`` skipped; ``"numpy"``
    if none).

    Arrays of two libraries raise a ``TypeError`` that names ``op`` and both libraries.

    >>> import numpy as np, array_api_strict as xps
    >>> check_same_library(np.ones(2), 2.0, np.zeros(2), op="add")
    'numpy'
    >>> check_same_library(np.ones(2), xps.ones(2), op="add")
    Traceback (most recent call last):
    TypeError: add: cannot mix numpy and array_api_strict arrays in one op; convert one ...
    """
    first = None
    for x in arrays:
        if x is None or isinstance(x, (*_SCALARS, np.generic)):
            continue  # numbers, numpy's scalars too, meet an array of any library
        name = library_name(x)
        if first is None:
            first = name
        elif name != first:
            raise TypeError(f"{op}: cannot mix {first} and {name} arrays in one op; "
                            f"convert one with the other library's asarray first")
    return first or "numpy"


def is_foreign(x: Any) -> bool:
    """Whether ``x`` is an array of an array-API library other than numpy.

    >>> import array_api_strict as xps
    >>> is_foreign(np.ones(2)), is_foreign([1.0]), is_foreign(xps.ones(2))
    (False, False, True)
    """
    return (not isinstance(x, (*_NUMPY, *_SCALARS, list, tuple)) and x is not None
            and compat.is_array_api_obj(x))


def as_data(x: Any) -> Any:
    """What a Tensor holds for a forward's result: a foreign array as it is, anything else
    (a numpy scalar, a Python number) as an ndarray.

    >>> as_data(np.float64(2.0)), as_data(3.0)
    (array(2.), array(3.))
    """
    return x if _switched and is_foreign(x) else np.asarray(x)


def numpy_dtype(dtype: Any) -> np.dtype:
    """numpy's dtype of the same name as a dtype of any library.

    >>> import array_api_strict as xps
    >>> numpy_dtype(xps.float32)
    dtype('float32')
    """
    if isinstance(dtype, np.dtype):
        return dtype
    try:
        return np.dtype(dtype)  # np.float32, "float32"
    except TypeError:
        return np.dtype(str(dtype).rpartition(".")[2])  # torch.float32, array_api_strict's


def kind(dtype: Any) -> str:
    """numpy's one-letter kind of a dtype of any library: ``"f"`` floating, ``"i"``, ``"u"``,
    ``"b"`` bool, ``"c"`` complex.

    >>> import array_api_strict as xps
    >>> kind(np.dtype(np.float32)), kind(xps.int64), kind(xps.bool)
    ('f', 'i', 'b')
    """
    found = getattr(dtype, "kind", None)
    return found if isinstance(found, str) else numpy_dtype(dtype).kind


def to_numpy(x: Any) -> np.ndarray:
    """``x`` as a numpy array, from any library (a device array is copied to the host).

    >>> import array_api_strict as xps
    >>> to_numpy(xps.asarray([1.0, 2.0]))
    array([1., 2.])
    """
    if isinstance(x, np.ndarray):
        return x
    if compat.is_torch_array(x):
        return x.detach().cpu().numpy()
    if compat.is_dask_array(x):
        return np.asarray(x.compute())
    if compat.is_cupy_array(x):
        return x.get()
    if compat.is_array_api_obj(x):
        return np.from_dlpack(x)
    return np.asarray(x)


def to_namespace(x: Any, xp: ModuleType) -> Any:
    """``x`` converted to an array of the namespace ``xp`` (``numpy``, ``torch``,
    ``array_api_strict``, ``cupy``, or array_api_compat's wrapper of one); ``x`` itself when it
    is one already. The engine converts only when asked, through this.

    >>> import array_api_strict as xps
    >>> to_namespace(np.array([1.0]), xps)
    Array([1.], dtype=array_api_strict.float64)
    >>> to_namespace(xps.asarray([1.0]), np)
    array([1.])
    """
    name = getattr(xp, "__name__", "")
    if name in ("numpy", "array_api_compat.numpy"):
        return to_numpy(x)
    target = name.rpartition(".")[2] if name.startswith("array_api_compat.") else name
    if not isinstance(x, _NUMPY) and library_name(x) == target:
        return x
    if not name:
        raise TypeError(f"to: expected an array namespace (a module such as numpy, torch or "
                        f"array_api_strict), got {type(xp).__name__}")
    use_namespaces()
    data = to_numpy(x)
    if target == "torch":
        import torch
        return torch.from_numpy(np.array(data, copy=True))
    return compat.array_namespace(xp.asarray(0.0)).asarray(np.array(data, copy=True))


def like(host: Any, ref: Any) -> Any:
    """The numpy array ``host`` in the library and on the device of the array ``ref`` (itself
    when ``ref`` is numpy's): how a constant the engine makes (a dropout mask, a pooling
    kernel) joins the data it meets.

    >>> import array_api_strict as xps
    >>> like(np.array([1.0]), xps.zeros(2)), like(np.array([1.0]), np.zeros(2))
    (Array([1.], dtype=array_api_strict.float64), array([1.]))
    """
    if isinstance(ref, np.ndarray) or not is_foreign(ref):
        return host
    return namespace(ref).asarray(np.asarray(host), device=compat.device(ref))


# Primitives run numpy's forward directly until an array of another library reaches a Tensor;
# from then on each forward first asks the namespace of its arguments (use_namespaces). A
# numpy-only program never pays for the question.
_switched = False
_on_switch: list = []


def use_namespaces() -> None:
    """Make every primitive's forward dispatch on its arguments' library (once, for good).

    Called when the first non-numpy array enters a Tensor. numpy arguments still run the
    numpy forward, with its bits; other libraries run the primitive's ``standard`` forward;
    a primitive without one raises a TypeError naming the op and the library. The node module
    wraps the primitives (see ``on_switch``); this module knows none of them.

    >>> use_namespaces(); use_namespaces(); switched()  # idempotent
    True
    """
    global _switched
    if _switched:
        return
    _switched = True
    for callback in _on_switch:
        callback()


def switched() -> bool:
    """Whether primitives dispatch on their arguments' library now (see ``use_namespaces``).

    >>> use_namespaces(); switched()
    True
    """
    return _switched


def on_switch(callback) -> None:
    """Run ``callback`` when the primitives switch to dispatching (front-ends that copied a
    forward into a fast path re-read it); at once if they have switched already.

    >>> seen = []
    >>> use_namespaces(); on_switch(lambda: seen.append("switched")); seen
    ['switched']
    """
    _on_switch.append(callback)
    if _switched:
        callback()


def dispatching(prim: Any):
    """``prim``'s forward, asking its arguments' namespace first: numpy's forward for numpy
    arrays (``prim.numpy_forward``), ``prim.standard`` for another library's.

    >>> from tinygrad_lm.core import primitives as P
    >>> import array_api_strict as xps
    >>> dispatching(P.exp)(xps.asarray([0.0])), dispatching(P.exp)(np.zeros(1))
    (Array([1.], dtype=array_api_strict.float64), array([1.]))
    """
    numpy_forward, name = prim.numpy_forward, prim.name

    def forward(*args: Any, **params: Any) -> Any:
        xp = namespace(*args, op=name)
        if xp is np:
            return numpy_forward(*args, **params)
        if prim.standard is None:
            raise TypeError(f"{name}: runs on numpy arrays only; got {_libraries(args)} "
                            f"arrays (convert with .numpy(), or model.to(numpy))")
        return prim.standard(xp, *(a.item() if isinstance(a, np.generic) else a
                                   for a in args), **params)

    forward.__name__ = getattr(numpy_forward, "__name__", name)
    return forward


def _libraries(args: Any) -> str:
    return " and ".join(sorted({library_name(a) for a in args
                                if a is not None and not isinstance(a, _SCALARS)}))


def namespace(*arrays: Any, op: str = "namespace") -> ModuleType:
    """The array-API namespace to compute on ``arrays`` with: ``numpy`` itself for numpy.

    >>> import numpy as np
    >>> namespace(np.ones(2), 3.0) is np
    True
    >>> import array_api_strict as xps
    >>> namespace(xps.ones(2)) is xps
    True
    """
    kind = first = None
    for x in arrays:
        if x is None or isinstance(x, _SKIP):
            continue
        if kind is None:
            kind, first = type(x), x
        elif type(x) is not kind:  # two array types: one library's two, or a mix (an error)
            return _namespace_of_mixed(arrays, op)
    if kind is None or issubclass(kind, np.ndarray):
        return np
    found = _BY_TYPE.get(kind)
    if found is None:  # asked once per array type: each op asks, so the answer is kept
        found = _BY_TYPE[kind] = np if library_name(first) == "numpy" else (
            compat.array_namespace(first))
    return found


def _namespace_of_mixed(arrays: Any, op: str) -> ModuleType:
    if check_same_library(*arrays, op=op) == "numpy":
        return np
    return compat.array_namespace(*(x for x in arrays if x is not None
                                    and not isinstance(x, _SKIP)))


_SKIP = (*_SCALARS, np.generic)  # numbers meet an array of any library
_BY_TYPE: dict[type, ModuleType] = {}
