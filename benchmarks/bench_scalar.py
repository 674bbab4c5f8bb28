"""Benchmark: one step of micrograd's demo, tinygrad_lm's Value against micrograd's way.

Workload (issue "the scalar engine"): 100 moons points, the MLP 2-16-16-1, the max-margin loss
plus 1e-4 L2, forward, backward and an SGD update, as micrograd's demo notebook writes it (the
inputs wrapped in fresh Values each step). The same step function runs on three scalar
engines built from the same weights (``random.seed`` before each ``MLP``): tinygrad_lm's
``Value``, micrograd (when installed) and ``micrograd_reference`` (a fixed copy written
micrograd's way, always present). The first step's losses must agree to the bit.

Each setting runs in a fresh Python process (started by ``run``), with the engines' steps
interleaved inside it, so that no setting inherits the heap another left behind: collecting
micrograd's cyclic garbage under the default gc leaves the heap fragmented, which slows
whatever runs next and spares later allocations the page faults of fresh memory. The settings:
- ``gc on, clean heap``: Python's default collector, and an untimed ``gc.collect()`` before
  each step, so a step pays only for the collections its own allocations trigger;
- ``gc on, loop``: each engine runs blocks of back-to-back steps, as a training loop does,
  so a step also pays for collecting the cycles the previous step left (the blocks'
  first steps are not counted);
- ``gc off``: the collector disabled (each engine's garbage collected, untimed, between steps).
``ratio`` is the engine's median step time over tinygrad_lm's in the same setting: how many
times faster tinygrad_lm is.
"""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import tinygrad_lm as tg
from benchmarks import micrograd_reference
from tinygrad_lm.nn import scalar as nn_scalar

ALPHA = 1e-4
SEED = 1337


def engines() -> dict[str, tuple[type, Callable]]:
    """Name -> (Value class, MLP class) of every engine present, tinygrad_lm first."""
    found = {"tinygrad_lm": (tg.Value, nn_scalar.MLP)}
    try:
        from micrograd.engine import Value as MicrogradValue
        from micrograd.nn import MLP as MicrogradMLP
    except ImportError:
        pass
    else:
        found["micrograd"] = (MicrogradValue, MicrogradMLP)
    found["micrograd_reference"] = (micrograd_reference.Value, micrograd_reference.MLP)
    return found


def moons() -> tuple[list[list[float]], list[float]]:
    """The demo's data as Python floats, labels in {-1, +1}."""
    X, y = tg.datasets.make_moons(100, noise=0.1)
    return X.tolist(), (2.0 * y - 1.0).tolist()


def step(model, value_cls: type, X: list[list[float]], y: list[float], k: int) -> float:
    """One training step of micrograd's demo; returns the loss before the update."""
    inputs = [[value_cls(a) for a in row] for row in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    model.zero_grad()
    total.backward()
    learning_rate = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return total.data


def _models(found: dict) -> dict:
    models = {}
    for name, (_, mlp) in found.items():
        random.seed(SEED)
        models[name] = mlp(2, [16, 16, 1])
    return models


def _measure(found, models, data, steps: list, *, gc_on: bool, reps: int, block: int) -> dict:
    """Median step time per engine; blocks of ``block`` back-to-back steps, interleaved."""
    times: dict[str, list[float]] = {name: [] for name in found}
    was_enabled = gc.isenabled()
    try:
        for _ in range(reps):
            for name, (value_cls, _) in found.items():
                gc.collect()
                if gc_on:
                    gc.enable()
                else:
                    gc.disable()
                for i in range(block):
                    start = time.perf_counter()
                    step(models[name], value_cls, *data, steps[name] % 100)
                    elapsed = time.perf_counter() - start
                    steps[name] += 1
                    if block == 1 or i > 0:
                        times[name].append(elapsed)
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()
        gc.collect()
    return {name: statistics.median(t) for name, t in times.items()}


SETTINGS = {"gc on, clean heap": (True, 1), "gc on, loop": (True, 4), "gc off": (False, 1)}


def measure(setting: str, quick: bool = False) -> list[dict]:
    """One setting's median step times, in this process, and their ratio to tinygrad_lm's."""
    found = engines()
    data = moons()
    models = _models(found)
    first = {name: step(models[name], found[name][0], *data, 0) for name in found}
    if len(set(first.values())) != 1:
        raise AssertionError(f"engines disagree on the first step's loss: {first}")
    gc_on, block = SETTINGS[setting]
    if quick and block > 1:
        block = 2
    steps = dict.fromkeys(found, 1)
    medians = _measure(found, models, data, steps, gc_on=gc_on, reps=3 if quick else 9,
                       block=block)
    ours = medians["tinygrad_lm"]
    return [{"engine": name, "setting": setting, "median_s": seconds, "ratio": seconds / ours}
            for name, seconds in medians.items()]


def run(quick: bool = False) -> list[dict]:
    """Every setting, each in a fresh process; the rows of ``measure``."""
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(root)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    rows = []
    for setting in SETTINGS:
        command = [sys.executable, "-m", "benchmarks.bench_scalar", "--json", setting]
        if quick:
            command.append("--quick")
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=root)
        if done.returncode != 0:
            raise RuntimeError(f"bench_scalar {setting!r} failed:\n{done.stderr}")
        rows.extend(json.loads(done.stdout))
    return rows


if __name__ == "__main__":
    from benchmarks import format_table

    quick = "--quick" in sys.argv
    if "--json" in sys.argv:
        print(json.dumps(measure(sys.argv[sys.argv.index("--json") + 1], quick)))
    else:
        print(format_table(run(quick)))
