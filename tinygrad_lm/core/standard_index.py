"""Indexing and its adjoint on any array-API library: what ``getitem`` and ``scatter`` run
when their arrays are not numpy's.

The standard indexes with slices, integers, ``None`` and ``...``, and gathers with ``take``
along one axis. An index with integer arrays (or a mask) on adjacent axes is one gather along
those axes merged: the arrays become flat positions (``np.ravel_multi_index``, on the host,
where the indices came from). The adjoint adds the gradient back at those positions, summing
repeated ones: with torch's ``index_add_`` where the library has it, else as a product with a
one-hot matrix, which the standard can write (exact: each entry is a sum of the gradients sent
to it). Index arrays of another library are read to the host first.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .backend import library_name, to_numpy

__all__ = ["gather", "scatter_add"]


def _is_array(part: Any) -> bool:
    return not (part is None or part is Ellipsis or isinstance(part, (slice, int, np.integer)))


def _plan(index: Any, shape: tuple[int, ...], op: str) -> tuple[int, np.ndarray, int] | None:
    """None for a basic index; else (first axis k, flat positions, how many axes merged)."""
    parts = index if isinstance(index, tuple) else (index,)
    if not any(_is_array(p) for p in parts):
        return None
    if any(p is Ellipsis for p in parts):
        at = parts.index(Ellipsis)
        used = sum(np.asarray(to_numpy(p)).ndim if _is_array(p) and to_numpy(p).dtype == bool
                   else 1 for p in parts if p is not Ellipsis and p is not None)
        parts = parts[:at] + (slice(None),) * (len(shape) - used) + parts[at + 1:]
    arrays, where = [], []
    axis = 0
    for part in parts:
        if part is None:
            raise TypeError(f"{op}: None beside index arrays is supported on numpy arrays only")
        if _is_array(part):
            host = np.asarray(to_numpy(part))
            if host.dtype == bool:
                arrays.extend(np.nonzero(host))
                where.extend(range(axis, axis + host.ndim))
                axis += host.ndim
                continue
            arrays.append(host)
            where.append(axis)
        elif isinstance(part, (int, np.integer)):
            arrays.append(np.asarray(part))
            where.append(axis)
        elif part != slice(None):
            raise TypeError(f"{op}: a slice beside index arrays is supported on numpy arrays "
                            f"only; index in two steps (x[a:b][idx])")
        axis += 1
    if where != list(range(where[0], where[0] + len(where))):
        raise TypeError(f"{op}: index arrays on axes that are not adjacent are supported on "
                        f"numpy arrays only")
    k, dims = where[0], shape[where[0]:where[0] + len(where)]
    wrapped = [a % d for a, d in zip(np.broadcast_arrays(*arrays), dims)]
    return k, np.ravel_multi_index(wrapped, dims), len(where)


def gather(xp: Any, x: Any, index: Any) -> Any:
    """``x[index]`` as numpy answers it, for index arrays on adjacent axes.

    >>> import array_api_strict as xps
    >>> x = xps.reshape(xps.arange(6.0), (2, 3))
    >>> gather(xps, x, (np.arange(2), np.array([2, 0])))
    Array([2., 3.], dtype=array_api_strict.float64)
    """
    plan = _plan(index, tuple(x.shape), "getitem")
    if plan is None:
        flipped, index = _forward_steps(index, tuple(x.shape))
        return (xp.flip(x, axis=flipped) if flipped else x)[index]
    k, flat, m = plan
    merged = xp.reshape(x, (*x.shape[:k], math.prod(x.shape[k:k + m]), *x.shape[k + m:]))
    taken = xp.take(merged, xp.asarray(flat.ravel(), device=_device(x)), axis=k)
    return xp.reshape(taken, (*x.shape[:k], *flat.shape, *x.shape[k + m:]))


def scatter_add(xp: Any, g: Any, index: Any, shape: tuple[int, ...]) -> Any:
    """Zeros of ``shape`` with ``g`` added at ``index`` (repeated positions summed).

    >>> import array_api_strict as xps
    >>> scatter_add(xps, xps.asarray([1.0, 2.0, 4.0]), (np.array([0, 2, 0]),), (3,))
    Array([5., 0., 2.], dtype=array_api_strict.float64)
    """
    plan = _plan(index, tuple(shape), "scatter")
    if plan is None:
        flipped, index = _forward_steps(index, tuple(shape))
        out = xp.zeros(shape, dtype=g.dtype, device=_device(g))
        out[index] = g
        return xp.flip(out, axis=flipped) if flipped else out
    k, flat, m = plan
    size = math.prod(shape[k:k + m])
    rows = xp.reshape(g, (*shape[:k], flat.size, *shape[k + m:]))
    positions = xp.asarray(flat.ravel(), device=_device(g))
    if library_name(g) == "torch":  # torch adds repeated positions itself, in place
        out = xp.zeros((*shape[:k], size, *shape[k + m:]), dtype=g.dtype, device=_device(g))
        out.index_add_(k, positions, rows)
    else:
        one_hot = xp.astype(positions[:, None] == xp.arange(size, device=_device(g))[None, :],
                            g.dtype)
        summed = xp.tensordot(rows, one_hot, axes=([k], [0]))     # the new axis comes last
        order = (*range(k), summed.ndim - 1, *range(k, summed.ndim - 1))
        out = xp.permute_dims(summed, order)
    return xp.reshape(out, shape)


def _forward_steps(index: Any, shape: tuple[int, ...]) -> tuple[tuple[int, ...], tuple]:
    """A basic index with its negative-step slices (which the standard does not take) made
    positive on the axes flipped: (those axes, the new index, ending in ``...``).

    >>> _forward_steps((0, slice(None, None, -1)), (2, 5))
    ((1,), (0, slice(0, 5, 1), Ellipsis))
    """
    parts = index if isinstance(index, tuple) else (index,)
    if Ellipsis not in parts:
        parts = (*parts, Ellipsis)  # the standard wants every axis indexed, or an ellipsis
    at = parts.index(Ellipsis)
    used = sum(p is not None for p in parts) - 1
    full = parts[:at] + (slice(None),) * (len(shape) - used) + parts[at + 1:]
    flipped, out, axis = [], [], 0
    for part in full:
        if isinstance(part, slice) and part.step is not None and part.step < 0:
            picked = range(*part.indices(shape[axis]))
            n = shape[axis]
            flipped.append(axis)
            part = (slice(n - 1 - picked[0], n - picked[-1], -part.step) if len(picked)
                    else slice(0, 0))
        out.append(part)
        axis += part is not None
    if not flipped:
        return (), parts
    return tuple(flipped), (*out, Ellipsis)


def _device(x: Any) -> Any:
    import array_api_compat

    return array_api_compat.device(x)
