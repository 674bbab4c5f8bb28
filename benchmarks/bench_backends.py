"""Benchmark: one MLP training step through the engine on torch CPU tensors, against the same
engine on numpy arrays and against PyTorch's own autograd, interleaved in one process.

Workload: the hand-derived reference network (sigmoid MLP, no biases, the half summed squared
error), at the MLP benchmark's two sizes, in float64: forward, backward and an SGD update. The
three start from the same weights; the engine's weights on torch must equal its weights on
numpy within 1e-12 after the timed steps, and PyTorch's autograd within 1e-12 too. Rows give
the median seconds a step and the ratios engine-on-torch / engine-on-numpy and
engine-on-torch / torch autograd.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import tinygrad_lm as tg

SIZES = (("tiny N=150 4-8-3", 150, (4, 8, 3)), ("medium N=10000 64-128-10", 10000, (64, 128, 10)))
LR = 0.1


def _data(n: int, sizes: tuple[int, int, int], seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, sizes[0]))
    y = np.eye(sizes[2])[rng.integers(0, sizes[2], n)]
    w1 = rng.normal(scale=0.5, size=sizes[:2])
    w2 = rng.normal(scale=0.5, size=sizes[1:])
    return x, y, w1, w2


def _engine_step(x, y, params):
    """One SGD step through the engine, on whatever library the arrays are in."""
    w1, w2 = params
    out = (x @ w1).sigmoid() @ w2
    loss = (((out.sigmoid() - y) ** 2).sum()) / (2 * y.shape[0])
    w1.grad = w2.grad = None
    loss.backward()
    for w in params:
        w.data -= LR * w.grad
    return loss


def _torch_step(torch, x, y, params):
    w1, w2 = params
    loss = ((torch.sigmoid(torch.sigmoid(x @ w1) @ w2) - y) ** 2).sum() / (2 * y.shape[0])
    w1.grad = w2.grad = None
    loss.backward()
    with torch.no_grad():
        for w in params:
            w -= LR * w.grad
    return loss


def run(quick: bool = False) -> list[dict]:
    """Median seconds a step on each path, and the ratios."""
    try:
        import torch
    except ImportError:
        return [{"note": "PyTorch is not installed: nothing to run the engine on"}]
    torch.set_num_threads(1)  # one thread: the stable baseline on a shared machine
    rows = []
    for label, n, sizes in SIZES:
        x, y, w1, w2 = _data(n, sizes)
        on_numpy = (tg.Tensor(x), tg.Tensor(y),
                    [tg.Tensor(w1.copy(), requires_grad=True),
                     tg.Tensor(w2.copy(), requires_grad=True)])
        on_torch = (tg.Tensor(x).to(torch), tg.Tensor(y).to(torch),
                    [tg.Tensor(w1.copy(), requires_grad=True).to(torch),
                     tg.Tensor(w2.copy(), requires_grad=True).to(torch)])
        for w in on_torch[2]:
            w.requires_grad = True
        native = (torch.from_numpy(x), torch.from_numpy(y),
                  [torch.tensor(w1, requires_grad=True), torch.tensor(w2, requires_grad=True)])
        paths = {"engine_numpy": (_engine_step, on_numpy),
                 "engine_torch": (_engine_step, on_torch),
                 "torch_autograd": (lambda *a: _torch_step(torch, *a), native)}
        times = {name: [] for name in paths}
        for _ in range(5 if quick else 20):
            for name, (step, args) in paths.items():
                start = time.perf_counter()
                step(*args)
                times[name].append(time.perf_counter() - start)
        diff = max(float(np.max(np.abs(a.numpy() - b.numpy())))
                   for a, b in zip(on_torch[2], on_numpy[2]))
        diff_torch = max(float(np.max(np.abs(a.numpy() - b.detach().numpy())))
                         for a, b in zip(on_torch[2], native[2]))
        if diff > 1e-12 or diff_torch > 1e-12:
            raise AssertionError(f"bench_backends: the weights differ after the steps: engine "
                                 f"on torch vs numpy {diff:.3g}, vs torch autograd "
                                 f"{diff_torch:.3g}")
        medians = {k: statistics.median(v) for k, v in times.items()}
        rows.append({"size": label, **{f"{k}_ms": v * 1e3 for k, v in medians.items()},
                     "torch/numpy": medians["engine_torch"] / medians["engine_numpy"],
                     "engine_torch/autograd": medians["engine_torch"] / medians["torch_autograd"],
                     "max_weight_diff": max(diff, diff_torch)})
    return rows


if __name__ == "__main__":
    from benchmarks import format_table

    print(format_table(run(quick=True)))
