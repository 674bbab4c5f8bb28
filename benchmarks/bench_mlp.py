"""Benchmark: one training step of the two-layer sigmoid MLP, against its matmuls and its peers.

Workload: forward, the loss sum((A2 - Y)**2) / 2N, backward and an SGD update of a bias-free
2-layer sigmoid MLP. Measured in one process, interleaved step by step from the same weights:

- ``matmul``: the step's five matrix products alone, on arrays of the right shapes: no engine
  over numpy can take less (the limit);
- ``numpy``: the hand-derived step in ``tinygrad_lm.reference``;
- ``engine``: the step written as a user of the engine writes it;
- ``unfused``: the same, with the fused kernels of ``tinygrad_lm.core.kernels`` switched off (the
  engine before them);
- ``buffered``: the hand-derived step at its fastest in numpy, every array allocated once and
  the sigmoids fused: the floor for an engine over numpy that keeps the hand-derived bits (it
  has no graph, no Python beyond the calls, no allocation);
- ``jax``: the step under ``jax.jit`` (``jax.grad`` of the same loss), when JAX is installed.

The benchmark first asserts that the engine's (fused and unfused) and the buffered step's
weights equal the hand-derived ones bit for bit. Memory: the peak traced by tracemalloc over one
step, for the hand-derived step and for the engine's backward with the graph kept (the default)
and released (``retain_graph=False``); and the median minor page faults a step
(``getrusage``, the whole process) of the hand-derived, engine and buffered steps in the timed
interleaved rounds.
"""

from __future__ import annotations

import time
import tracemalloc

try:
    import resource
except ImportError:  # Windows has no getrusage
    resource = None

import numpy as np

import tinygrad_lm as tg
from tinygrad_lm import reference
from tinygrad_lm.core import kernels

SIZES = {"tiny": (150, (4, 8, 3)), "medium": (10_000, (64, 128, 10)),
         "large": (60_000, (784, 128, 10))}
LR = 0.1
_UNFUSED = {"min_size": 2**62}


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

    def __init__(self, x, y, w1, w2, fused: bool = True, retain_graph: bool = True):
        self.x, self.y, self.n = tg.Tensor(x), tg.Tensor(y), len(x)
        self.w1 = tg.Tensor(w1, requires_grad=True)
        self.w2 = tg.Tensor(w2, requires_grad=True)
        self.opt = tg.optim.SGD([self.w1, self.w2], lr=LR)
        self.fused = fused
        self.backward_kwargs = {} if retain_graph else {"retain_graph": False}

    def __call__(self):
        previous = None if self.fused else kernels.configure(**_UNFUSED)
        try:
            a2 = ((self.x @ self.w1).sigmoid() @ self.w2).sigmoid()
            loss = ((a2 - self.y) ** 2).sum() / (2 * self.n)
            self.opt.zero_grad()
            loss.backward(**self.backward_kwargs)
            self.opt.step()
        finally:
            if previous is not None:
                kernels.configure(**previous)
        return loss

    def weights(self):
        return self.w1.data, self.w2.data


class NumpyStep:
    """The hand-derived step, state held the same way."""

    def __init__(self, x, y, w1, w2):
        self.x, self.y, self.w1, self.w2 = x, y, w1.copy(), w2.copy()

    def __call__(self):
        self.w1, self.w2, loss = reference.step(self.x, self.y, self.w1, self.w2, LR)
        return loss

    def weights(self):
        return self.w1, self.w2


class MatmulStep:
    """The step's five matrix products alone: forward X W1 and A1 W2; backward G2 W2^T,
    A1^T G2 and X^T G1 (X itself needs no gradient)."""

    def __init__(self, x, y, w1, w2):
        rng = np.random.default_rng(1)
        self.x, self.w1, self.w2 = x, w1, w2
        self.a1 = rng.uniform(0, 1, (len(x), w1.shape[1])).astype(x.dtype)
        self.g1 = (rng.standard_normal(self.a1.shape) * 1e-4).astype(x.dtype)
        self.g2 = (rng.standard_normal((len(x), w2.shape[1])) * 1e-4).astype(x.dtype)

    def __call__(self):
        self.x @ self.w1
        self.a1 @ self.w2
        self.g2 @ self.w2.T
        self.a1.T @ self.g2
        return self.x.T @ self.g1


class BufferedStep:
    """The hand-derived step at its fastest in numpy: the same operations in the same order,
    every array allocated once and written in place (``out=``), both sigmoids and their
    slopes fused (``tinygrad_lm.core.kernels``). Its weights equal the hand-derived ones bit for
    bit; no engine over numpy that keeps those bits does less work."""

    def __init__(self, x, y, w1, w2):
        (n, hidden), classes = (len(x), w1.shape[1]), w2.shape[1]
        self.x, self.y, self.w1, self.w2 = x, y, w1.copy(), w2.copy()
        self.a1, self.delta1 = np.empty((n, hidden), x.dtype), np.empty((n, hidden), x.dtype)
        self.a2, self.error = np.empty((n, classes), x.dtype), np.empty((n, classes), x.dtype)
        self.square = np.empty((n, classes), x.dtype)
        self.dw1, self.dw2 = np.empty_like(w1), np.empty_like(w2)

    def __call__(self):
        x, w1, w2, a1, a2, error = self.x, self.w1, self.w2, self.a1, self.a2, self.error
        kernels.sigmoid(np.matmul(x, w1, out=a1), into=a1)
        kernels.sigmoid(np.matmul(a1, w2, out=a2), into=a2)
        np.subtract(a2, self.y, out=error)
        loss = np.square(error, out=self.square).sum() / (2 * len(x))
        delta2 = kernels.sigmoid_vjp(np.multiply(error, 1 / len(x), out=error), a2, into=error)
        np.matmul(a1.T, delta2, out=self.dw2)
        delta1 = kernels.sigmoid_vjp(np.matmul(delta2, w2.T, out=self.delta1), a1, into=self.delta1)
        np.matmul(x.T, delta1, out=self.dw1)
        for w, dw in ((w1, self.dw1), (w2, self.dw2)):
            np.subtract(w, np.multiply(dw, LR, out=dw), out=w)
        return loss

    def weights(self):
        return self.w1, self.w2


class JaxStep:
    """The step under ``jax.jit``: ``jax.grad`` of the same loss, then the same update."""

    def __init__(self, x, y, w1, w2):
        import jax
        import jax.numpy as jnp

        def loss(w1, w2, x, y):
            a2 = jax.nn.sigmoid(jax.nn.sigmoid(x @ w1) @ w2)
            return jnp.sum((a2 - y) ** 2) / (2 * x.shape[0])

        def step(w1, w2, x, y):
            g1, g2 = jax.grad(loss, argnums=(0, 1))(w1, w2, x, y)
            return w1 - LR * g1, w2 - LR * g2

        self.step = jax.jit(step)
        self.x, self.y = jnp.asarray(x), jnp.asarray(y)
        self.w1, self.w2 = jnp.asarray(w1), jnp.asarray(w2)

    def __call__(self):
        self.w1, self.w2 = self.step(self.w1, self.w2, self.x, self.y)
        self.w2.block_until_ready()

    def weights(self):
        return np.asarray(self.w1), np.asarray(self.w2)


def _jax_available() -> bool:
    try:
        import jax
    except ImportError:
        return False
    jax.config.update("jax_enable_x64", True)  # float64 stays float64, as in numpy
    return True


def _peak_bytes(step) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    step()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def _minor_faults() -> int:
    """The process's minor page faults so far (0 where ``resource`` is missing: Windows)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt if resource else 0


def _max_diff(a, b) -> float:
    return float(max(np.abs(p - q).max() for p, q in zip(a.weights(), b.weights())))


def measure(name: str, dtype, repeats: int, jax: bool = False) -> tuple[dict, dict]:
    """Time and memory rows for one size and dtype."""
    n, sizes = SIZES[name]
    data = problem(n, sizes, dtype)
    steps = {"matmul": MatmulStep(*data), "numpy": NumpyStep(*data),
             "engine": EngineStep(*data), "unfused": EngineStep(*data, fused=False),
             "buffered": BufferedStep(*data)}
    if jax:
        steps["jax"] = JaxStep(*data)
    for _ in range(3):
        for step in steps.values():
            step()
    diffs = {label: _max_diff(steps[label], steps["numpy"])
             for label in ("engine", "unfused", "buffered")}
    for label, diff in diffs.items():
        assert diff == 0, (f"{label} and hand-derived weights differ by {diff:.3g} at {name} "
                           f"{np.dtype(dtype).name}")
    times = {label: [] for label in steps}
    faults = {label: [] for label in steps}
    labels = list(steps)
    for r in range(repeats):
        # Each repeat starts the round at the next step, so no step always follows the same
        # one (the step after another pays for its cache misses and its allocator's state).
        for label in labels[r % len(labels):] + labels[:r % len(labels)]:
            before = _minor_faults()
            start = time.perf_counter()
            steps[label]()
            times[label].append(time.perf_counter() - start)
            faults[label].append(_minor_faults() - before)
    ms = {label: float(np.median(t)) * 1e3 for label, t in times.items()}
    size = f"{name} N={n} {'-'.join(map(str, sizes))}"
    row = {"size": size, "dtype": np.dtype(dtype).name, **{f"{k}_ms": v for k, v in ms.items()},
           "engine/matmul": ms["engine"] / ms["matmul"],
           "unfused/matmul": ms["unfused"] / ms["matmul"],
           "numpy/matmul": ms["numpy"] / ms["matmul"],
           "engine/numpy": ms["engine"] / ms["numpy"],
           "buffered/matmul": ms["buffered"] / ms["matmul"], "max_weight_diff": max(diffs.values())}
    if jax:
        row["jax_weight_diff"] = _max_diff(steps["jax"], steps["numpy"])
    mb = {"numpy": _peak_bytes(steps["numpy"]), "engine": _peak_bytes(steps["engine"]),
          "unfused": _peak_bytes(steps["unfused"])}
    released = EngineStep(*data, retain_graph=False)
    released()
    mb["released"] = _peak_bytes(released)
    memory = {"size": size, "dtype": np.dtype(dtype).name,
              **{f"{k}_peak_MB": v / 2**20 for k, v in mb.items()},
              "engine/numpy": mb["engine"] / mb["numpy"],
              "released/numpy": mb["released"] / mb["numpy"],
              **{f"{k}_faults": float(np.median(faults[k])) for k in ("numpy", "engine",
                                                                      "buffered")}}
    return row, memory


def tables(quick: bool = False) -> dict[str, list[dict]]:
    """The time table and the memory table, every size in float64 and float32; ``quick``
    skips the large size and repeats less."""
    repeats = {"tiny": 300 if quick else 3000, "medium": 10 if quick else 60,
               "large": 3 if quick else 15}
    names = ("tiny", "medium") if quick else ("tiny", "medium", "large")
    jax = _jax_available()
    rows = [measure(name, dtype, repeats[name], jax)
            for name in names for dtype in (np.float64, np.float32)]
    return {"time (median ms a step)": [r[0] for r in rows],
            "memory (peak MB a step, tracemalloc)": [r[1] for r in rows]}


def run(quick: bool = False) -> list[dict]:
    """The time table (see ``tables`` for both)."""
    return tables(quick)["time (median ms a step)"]


if __name__ == "__main__":
    import sys

    from benchmarks import format_table

    for title, table in tables(quick="--quick" in sys.argv).items():
        print(f"-- {title}\n{format_table(table)}")
