"""Benchmark: one training step of the two-layer sigmoid MLP, engine against hand-derived numpy.

Workload (issue "autodiff core"): forward, the loss sum((A2 - Y)**2) / 2N, backward and an SGD
update of a bias-free 2-layer sigmoid MLP, against the hand-derived numpy step in
``tinygrad_lm.reference`` (the limit for an engine built on numpy). Both run in one process,
interleaved step by step, from the same weights; the benchmark first asserts that they produce
the same weights. Reported: median step times, their ratio, and peak traced memory of a step.
"""

from __future__ import annotations

import time
import tracemalloc

import numpy as np

import tinygrad_lm as tg
from tinygrad_lm import reference

SIZES = {"tiny": (150, (4, 8, 3)), "medium": (10_000, (64, 128, 10)),
         "large": (60_000, (784, 128, 10))}
LR = 0.1


def problem(n: int, sizes: tuple[int, int, int], dtype, seed: int = 0):
    """Seeded inputs, one-hot targets and initial weights for a size."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, sizes[0])).astype(dtype)
    y = np.eye(sizes[2], dtype=dtype)[rng.integers(0, sizes[2], n)]
    w1 = rng.uniform(-0.5, 0.5, (sizes[0], sizes[1])).astype(dtype)
    w2 = rng.uniform(-0.5, 0.5, (sizes[1], sizes[2])).astype(dtype)
    return x, y, w1, w2


class EngineStep:
    """The same step written as a user of the engine writes it."""

    def __init__(self, x, y, w1, w2):
        self.x, self.y, self.n = tg.Tensor(x), tg.Tensor(y), len(x)
        self.w1 = tg.Tensor(w1, requires_grad=True)
        self.w2 = tg.Tensor(w2, requires_grad=True)
        self.opt = tg.optim.SGD([self.w1, self.w2], lr=LR)

    def __call__(self) -> float:
        a2 = ((self.x @ self.w1).sigmoid() @ self.w2).sigmoid()
        loss = ((a2 - self.y) ** 2).sum() / (2 * self.n)
        self.opt.zero_grad()
        loss.backward()
        self.opt.step()
        return loss


class NumpyStep:
    """The hand-derived step, state held the same way."""

    def __init__(self, x, y, w1, w2):
        self.x, self.y, self.w1, self.w2 = x, y, w1.copy(), w2.copy()

    def __call__(self):
        self.w1, self.w2, loss = reference.step(self.x, self.y, self.w1, self.w2, LR)
        return loss


def _peak_bytes(step) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def measure(name: str, dtype, repeats: int) -> dict:
    n, sizes = SIZES[name]
    data = problem(n, sizes, dtype)
    engine, hand = EngineStep(*data), NumpyStep(*data)
    for _ in range(3):
        engine()
        hand()
    tol = 1e-12 if dtype == np.float64 else 1e-5
    diff = max(np.abs(engine.w1.data - hand.w1).max(), np.abs(engine.w2.data - hand.w2).max())
    assert diff <= tol, f"engine and hand-derived weights differ by {diff:.3g} at {name}"
    times = {"engine": [], "numpy": []}
    for _ in range(repeats):
        for label, step in (("numpy", hand), ("engine", engine)):
            start = time.perf_counter()
            step()
            times[label].append(time.perf_counter() - start)
    engine_s, numpy_s = np.median(times["engine"]), np.median(times["numpy"])
    engine_mem, numpy_mem = _peak_bytes(engine), _peak_bytes(hand)
    return {"size": f"{name} N={n} {'-'.join(map(str, sizes))}", "dtype": np.dtype(dtype).name,
            "numpy_ms": numpy_s * 1e3, "engine_ms": engine_s * 1e3,
            "time_ratio": engine_s / numpy_s,
            "numpy_peak_MB": numpy_mem / 2**20, "engine_peak_MB": engine_mem / 2**20,
            "memory_ratio": engine_mem / numpy_mem, "max_weight_diff": float(diff)}


def run(quick: bool = False) -> list[dict]:
    """Every size in float64 and float32; ``quick`` skips the large size and repeats less."""
    repeats = {"tiny": 300 if quick else 3000, "medium": 10 if quick else 100,
               "large": 3 if quick else 20}
    names = ("tiny", "medium") if quick else ("tiny", "medium", "large")
    return [measure(name, dtype, repeats[name])
            for name in names for dtype in (np.float64, np.float32)]


if __name__ == "__main__":
    import sys

    from benchmarks import format_table

    print(format_table(run(quick="--quick" in sys.argv)))
