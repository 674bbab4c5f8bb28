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

__all__ = ["check_same_library", "library_name", "namespace"]

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
    """The one library of ``arrays`` (Python numbers and ``None`` skipped; ``"numpy"`` if none).

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
        if x is None or isinstance(x, _SCALARS):
            continue
        name = library_name(x)
        if first is None:
            first = name
        elif name != first:
            raise TypeError(f"{op}: cannot mix {first} and {name} arrays in one op; "
                            f"convert one with the other library's asarray first")
    return first or "numpy"


def namespace(*arrays: Any, op: str = "namespace") -> ModuleType:
    """The array-API namespace to compute on ``arrays`` with: ``numpy`` itself for numpy.

    >>> import numpy as np
    >>> namespace(np.ones(2), 3.0) is np
    True
    >>> import array_api_strict as xps
    >>> namespace(xps.ones(2)) is xps
    True
    """
    if all(x is None or isinstance(x, _NUMPY) or isinstance(x, _SCALARS) for x in arrays):
        return np
    check_same_library(*arrays, op=op)
    return compat.array_namespace(*(x for x in arrays
                                    if x is not None and not isinstance(x, _SCALARS)))
