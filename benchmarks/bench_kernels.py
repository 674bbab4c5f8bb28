"""Benchmark: ways to run the sigmoid and its VJP on the MLP's hidden layer (N x 128).

The approaches weighed for the fused kernels, each timed interleaved with the others:

- ``numpy``: the plain chain of ufuncs (one pass through memory and one temporary per
  operation, on one core), what the engine ran before the kernels;
- ``blocked``: ``tinygrad_lm.core.kernels`` on one thread (the same ufuncs on cache-sized blocks);
- ``threaded``: ``tinygrad_lm.core.kernels`` with one thread per core this process may run on
  (``os.sched_getaffinity``; ``os.cpu_count()`` where that is missing) taking blocks;
- ``numexpr``: ``numexpr.evaluate`` of the same expression, when numexpr is installed.

``*_mismatch`` is the fraction of entries whose bits differ from the plain chain's and
``*_max_ulp`` the largest difference in units of the plain result's last place
(``np.spacing``).
"""

from __future__ import annotations

import os
import time

import numpy as np

from tinygrad_lm import reference
from tinygrad_lm.core import kernels

SHAPES = {"medium": (10_000, 128), "large": (60_000, 128)}


def _plain_vjp(grad, out):
    return grad * (out * (1 - out))


def _threads(fn, threads: int):
    def run(*args):
        previous = kernels.configure(threads=threads)
        try:
            return fn(*args)
        finally:
            kernels.configure(**previous)
    return run


def _cores() -> int:
    """The cores this process may run on (Linux); the machine's count elsewhere."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _max_ulp(result, expected) -> float:
    """The largest distance from ``expected`` in units of its last place."""
    return float(np.max(np.abs(result.astype(np.float64) - expected)
                        / np.spacing(np.abs(expected))))


def _approaches() -> dict:
    cores = _cores()
    found = {"numpy": (reference.sigmoid, _plain_vjp),
             "blocked": (_threads(kernels.sigmoid, 1), _threads(kernels.sigmoid_vjp, 1)),
             "threaded": (_threads(kernels.sigmoid, cores), _threads(kernels.sigmoid_vjp, cores))}
    try:
        import numexpr
    except ImportError:
        return found
    found["numexpr"] = (lambda x: numexpr.evaluate("1 / (1 + exp(-x))"),
                        lambda grad, out: numexpr.evaluate("grad * (out * (1 - out))"))
    return found


def measure(name: str, dtype, repeats: int) -> list[dict]:
    """One row per kernel (forward, VJP) with every approach's median and bit mismatches."""
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(SHAPES[name]) * 3).astype(dtype)
    grad = rng.standard_normal(SHAPES[name]).astype(dtype)
    out = reference.sigmoid(x)
    approaches = _approaches()
    rows = []
    for kernel, args, expected in (("sigmoid", (x,), out),
                                   ("sigmoid_vjp", (grad, out), _plain_vjp(grad, out))):
        times = {label: [] for label in approaches}
        for _ in range(repeats):
            for label, fns in approaches.items():
                fn = fns[kernel == "sigmoid_vjp"]
                start = time.perf_counter()
                fn(*args)
                times[label].append(time.perf_counter() - start)
        row = {"kernel": kernel, "shape": f"{name} {SHAPES[name][0]}x{SHAPES[name][1]}",
               "dtype": np.dtype(dtype).name}
        base = float(np.median(times["numpy"]))
        for label, fns in approaches.items():
            median = float(np.median(times[label]))
            row[f"{label}_ms"] = median * 1e3
            if label != "numpy":
                row[f"numpy/{label}"] = base / median
                result = fns[kernel == "sigmoid_vjp"](*args)
                row[f"{label}_mismatch"] = float(np.mean(result != expected))
                row[f"{label}_max_ulp"] = _max_ulp(result, expected)
        rows.append(row)
    return rows


def run(quick: bool = False) -> list[dict]:
    """Both sizes (medium only with ``quick``), float64 and float32."""
    repeats = {"medium": 15 if quick else 60, "large": 15}
    names = ("medium",) if quick else ("medium", "large")
    return [row for name in names for dtype in (np.float64, np.float32)
            for row in measure(name, dtype, repeats[name])]


if __name__ == "__main__":
    import sys

    from benchmarks import format_table

    print(format_table(run(quick="--quick" in sys.argv)))
