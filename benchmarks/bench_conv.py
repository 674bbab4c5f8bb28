"""Benchmark: one training step of a small convnet, against PyTorch eager on the CPU.

Workload: a batch of 64 images 3x32x32, two blocks conv 3x3 (padding 1) + ReLU + max pool 2,
a linear layer to 10 classes, cross-entropy, backward and an SGD update. Both libraries start
from the same weights and data and are timed interleaved in one process, in float32 and
float64; rows give the median seconds a step and the ratio tinygrad_lm / PyTorch.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import tinygrad_lm as tg

BATCH, CHANNELS, SIDE, CLASSES = 64, (3, 16, 32), 32, 10
LR = 0.01


def _weights(dtype, seed: int = 0) -> dict:
    """PyTorch-layout weights: conv (out, in, 3, 3), linear (out, in)."""
    rng = np.random.default_rng(seed)
    shapes = {"c1.weight": (CHANNELS[1], CHANNELS[0], 3, 3), "c1.bias": (CHANNELS[1],),
              "c2.weight": (CHANNELS[2], CHANNELS[1], 3, 3), "c2.bias": (CHANNELS[2],),
              "fc.weight": (CLASSES, CHANNELS[2] * (SIDE // 4) ** 2), "fc.bias": (CLASSES,)}
    return {k: rng.uniform(-0.1, 0.1, s).astype(dtype) for k, s in shapes.items()}


def _model(weights: dict) -> tg.nn.Sequential:
    nn = tg.nn
    model = nn.Sequential(nn.Conv2d(CHANNELS[0], CHANNELS[1], 3, padding=1), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Conv2d(CHANNELS[1], CHANNELS[2], 3, padding=1),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(CHANNELS[2] * (SIDE // 4) ** 2, CLASSES))
    for layer, key in ((model[0], "c1"), (model[3], "c2"), (model[7], "fc")):
        w = weights[f"{key}.weight"]
        layer.weight = tg.Tensor(w.T.copy() if key == "fc" else w, requires_grad=True)
        layer.bias = tg.Tensor(weights[f"{key}.bias"], requires_grad=True)
    return model


def _torch_model(torch, weights: dict, dtype):
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(CHANNELS[0], CHANNELS[1], 3, padding=1), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Conv2d(CHANNELS[1], CHANNELS[2], 3, padding=1),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(CHANNELS[2] * (SIDE // 4) ** 2, CLASSES)).to(dtype)
    with torch.no_grad():
        for layer, key in ((model[0], "c1"), (model[3], "c2"), (model[7], "fc")):
            layer.weight.copy_(torch.from_numpy(weights[f"{key}.weight"]))
            layer.bias.copy_(torch.from_numpy(weights[f"{key}.bias"]))
    return model


def steps(dtype, seed: int = 0):
    """The two training steps (ours, PyTorch's) as zero-argument callables returning the loss."""
    import torch

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, CHANNELS[0], SIDE, SIDE)).astype(dtype)
    y = rng.integers(0, CLASSES, BATCH)
    weights = _weights(dtype, seed)
    ours = _model(weights)
    optimizer = tg.optim.SGD(ours.parameters(), lr=LR)
    theirs = _torch_model(torch, weights, torch.float32 if dtype == np.float32 else torch.float64)
    torch_optimizer = torch.optim.SGD(theirs.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def ours_step():
        loss = tg.losses.cross_entropy(ours(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    def torch_step():
        loss = torch.nn.functional.cross_entropy(theirs(xt), yt)
        torch_optimizer.zero_grad()
        loss.backward()
        torch_optimizer.step()
        return loss.item()

    return ours_step, torch_step


def run(quick: bool = False) -> list[dict]:
    """Median seconds a step and the ratio to PyTorch, float32 and float64."""
    try:
        import torch
    except ImportError:
        return [{"note": "PyTorch is not installed: nothing to compare with"}]
    # PyTorch on one thread: its intra-op threads oversubscribe a shared machine and its
    # medians then swing tenfold; one thread is the stable (and the harder) baseline.
    torch.set_num_threads(1)
    rows = []
    for dtype in (np.float32, np.float64):
        ours, theirs = steps(dtype)
        first = ours(), theirs()
        if abs(first[0] - first[1]) > (1e-4 if dtype == np.float32 else 1e-10):
            raise AssertionError(f"bench_conv: the first losses differ: {first}")
        times = {"tinygrad_lm": [], "torch": []}
        for _ in range(3 if quick else 10):
            for name, fn in (("tinygrad_lm", ours), ("torch", theirs)):
                start = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - start)
        medians = {k: statistics.median(v) for k, v in times.items()}
        rows.append({"dtype": np.dtype(dtype).name, "tinygrad_lm_s": medians["tinygrad_lm"],
                     "torch_s": medians["torch"],
                     "ratio": medians["tinygrad_lm"] / medians["torch"]})
    return rows


if __name__ == "__main__":
    from benchmarks import format_table

    print(format_table(run(quick=True)))
