"""Fused elementwise kernels for large arrays: the sigmoid and its VJP, blocked and threaded.

A chain of numpy ufuncs over a large array makes one pass through memory per operation and
writes a temporary each time, on one core. These kernels run the same ufuncs, in the same
order, on cache-sized blocks (each block is read from memory once and finished while it sits
in cache), on several threads that take the blocks one at a time (numpy releases the GIL
inside a ufunc). Every element goes through exactly the operations of the plain expression,
so the results are the same to the last bit. Small arrays, other dtypes, strided views,
Python floats and graph nodes (``create_graph``) take the plain expression: below
``min_size`` elements a kernel's extra calls cost more than they save.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))
# One thread by default: a second one gained nothing at step level on the 2-core machine the
# benchmarks ran on (docs/performance.md); configure(threads=...) shares the blocks out.
_settings = {"min_size": 1 << 16, "block": 1 << 15, "threads": 1}
_pool: ThreadPoolExecutor | None = None
_pool_owner = (0, 0)  # (pid, workers) of the pool: a forked child must not reuse its threads


def configure(*, min_size: int | None = None, block: int | None = None,
              threads: int | None = None) -> dict:
    """Set when and how the kernels run; returns the previous settings (to restore them).

    ``min_size``: fewest elements for the fused path (plain numpy below it); ``block``:
    elements per block; ``threads``: how many threads share an array (1 for none).

    >>> previous = configure(threads=1)
    >>> configure(**previous)["threads"]
    1
    """
    new = {"min_size": min_size, "block": block, "threads": threads}
    for name, value in new.items():
        if value is not None and (not isinstance(value, int) or value < 1):
            raise ValueError(f"kernels.configure: {name} must be a positive int, got {value!r}")
    previous = dict(_settings)
    _settings.update({k: v for k, v in new.items() if v is not None})
    return previous


def _fusable(*arrays: Any) -> bool:
    first = arrays[0]
    for a in arrays:
        if (type(a) is not np.ndarray or a.dtype not in _FLOATS or a.dtype != first.dtype
                or a.shape != first.shape or not a.flags.c_contiguous):
            return False
    return first.size >= _settings["min_size"]


def _executor(workers: int) -> ThreadPoolExecutor:
    global _pool, _pool_owner
    if _pool_owner != (os.getpid(), workers):
        _pool = ThreadPoolExecutor(workers, thread_name_prefix="tinygrad_lm-kernel")
        _pool_owner = (os.getpid(), workers)
    return _pool


def _parallel(kernel, *arrays: np.ndarray) -> None:
    """Run ``kernel(*flat_arrays, starts, block)`` on the calling thread and on helpers, all
    taking block offsets from one shared iterator: a thread that gets no core takes fewer
    blocks instead of holding the others up (a static split waits for its slowest part)."""
    flat = [a.reshape(-1) for a in arrays]
    n, block = flat[0].size, _settings["block"]
    starts = iter(range(0, n, block))  # next() on it is atomic under the GIL
    helpers = min(_settings["threads"], -(-n // block)) - 1
    if helpers < 1:
        kernel(*flat, starts, block)
        return
    # Each helper runs in a copy of the caller's context, so np.errstate applies there too.
    pool = _executor(helpers)
    futures = [pool.submit(contextvars.copy_context().run, kernel, *flat, starts, block)
               for _ in range(helpers)]
    try:
        kernel(*flat, starts, block)
    finally:
        for future in futures:
            future.result()


def _sigmoid_blocks(x: np.ndarray, out: np.ndarray, starts: Iterator[int], block: int) -> None:
    for i in starts:
        o = out[i:i + block]
        np.negative(x[i:i + block], out=o)
        np.exp(o, out=o)
        np.add(o, 1, out=o)
        np.divide(1, o, out=o)


def sigmoid(x: Any, *, into: np.ndarray | None = None) -> Any:
    """``1 / (1 + exp(-x))``, as the textbook writes it and hand-written numpy computes it.

    Large float arrays are computed blockwise (on several threads if configured); the bits
    are the same. ``into``: an array of ``x``'s shape and dtype to write the result into.

    >>> sigmoid(np.array([0.0, 2.0]))
    array([0.5       , 0.88079708])
    """
    if type(x) is np.ndarray and x.size >= _settings["min_size"] and _fusable(x):
        out = np.empty_like(x) if into is None or not _fusable(x, into) else into
        _parallel(_sigmoid_blocks, x, out)
        return out
    # For very negative x, e^-x overflows to inf (numpy warns, as for any overflow) and the
    # result is the correct limit 0.
    out = np.exp(np.negative(x)) if into is None else np.exp(np.negative(x, out=into), out=into)
    if type(out) is not np.ndarray:
        return 1 / (1 + out)
    np.add(out, 1, out=out)
    return np.divide(1, out, out=out)


def _sigmoid_vjp_blocks(grad: np.ndarray, out: np.ndarray, result: np.ndarray,
                        starts: Iterator[int], block: int) -> None:
    # The slope is built in the result's block, then multiplied by grad's (IEEE products
    # commute, so grad * slope and slope * grad have the same bits); only when the result
    # overwrites grad does the slope need a block of its own.
    in_place = np.may_share_memory(grad, result)
    scratch = np.empty(min(block, grad.size), grad.dtype) if in_place else None
    for i in starts:
        o = out[i:i + block]
        s = scratch[:o.size] if in_place else result[i:i + block]
        np.subtract(1, o, out=s)
        np.multiply(o, s, out=s)
        np.multiply(grad[i:i + block], s, out=result[i:i + block])


def sigmoid_vjp(grad: Any, out: Any, x: Any = None, *, into: np.ndarray | None = None) -> Any:
    """The sigmoid's VJP ``grad * (out * (1 - out))``; ``x`` (the input) is not read.

    On graph nodes (``create_graph``) it records the same expression as a graph. ``into``: an
    array of the result's shape and dtype to write the result into (it may be ``grad``).

    >>> sigmoid_vjp(np.array([1.0, 2.0]), np.array([0.5, 0.75]))
    array([0.25 , 0.375])
    """
    if type(grad) is np.ndarray and grad.size >= _settings["min_size"] and _fusable(grad, out):
        result = np.empty_like(grad) if into is None or not _fusable(grad, into) else into
        _parallel(_sigmoid_vjp_blocks, grad, out, result)
        return result
    if into is not None and type(into) is np.ndarray:
        result = out * (1 - out)
        if np.result_type(grad, result) == into.dtype and into.shape == np.broadcast_shapes(
                np.shape(grad), result.shape):
            return np.multiply(grad, result, out=into)
        return grad * result
    return grad * (out * (1 - out))
