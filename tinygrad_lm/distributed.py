"""Data-parallel minibatch SGD: each batch's gradient is computed in shards on Dask workers.

The driver keeps the model and the optimiser. For every batch it sends the current parameters
and each worker's share of the batch's row indices; each worker rebuilds the model with
``make_model()``, loads the parameters, and returns its shard's gradient from the engine. The
driver weights each shard's gradient by its share of the rows, sums them in shard order and
takes one SGD step. The training rows travel to each worker once (``client.scatter``), the
parameters once per step; nothing is read from the driver's files.

Because every shard's loss is a mean over its rows, the batch gradient is the row-weighted sum
``sum_i (n_i / n) g_i``: exactly what one process computes on the whole batch, up to the
rounding of the sum (well below 1e-10 over a training run).
"""

from __future__ import annotations

from collections.abc import Callable
from numbers import Real
from typing import Any

import numpy as np

from . import losses
from .nn.module import Module
from .optim import SGD

__all__ = ["train_data_parallel"]

_OP = "train_data_parallel"


def train_data_parallel(client: Any, make_model: Callable[[], Module], X: Any, y: Any, *,
                        loss: str = "cross_entropy", lr: float, epochs: int, batch_size: int,
                        seed: int = 0) -> dict[str, np.ndarray]:
    """Train ``make_model()`` by minibatch SGD, each batch split across the workers of ``client``.

    Each epoch draws the batch order from ``np.random.default_rng(seed).permutation``. A batch
    is cut into one contiguous shard per worker (``np.array_split``); ``client=None`` computes
    every batch in-process as one shard, which is the same schedule on one worker. ``loss`` is
    the name of a loss in ``tg.losses``, applied with its default ``reduction="mean"``.
    ``make_model`` must build the same model on every call (seed its initialisation) and be
    picklable by cloudpickle (a lambda or a local function is). Returns the trained model's
    ``state_dict()``: PyTorch's keys and layouts, as numpy arrays, for ``load_state_dict``.

    >>> import numpy as np
    >>> import tinygrad_lm as tg
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = 2 * X + 1
    >>> state = tg.distributed.train_data_parallel(
    ...     None, lambda: tg.nn.Linear(1, 1, seed=0), X, y, loss="mse", lr=0.1, epochs=200,
    ...     batch_size=2)
    >>> {name: np.round(value, 6) for name, value in state.items()}
    {'weight': array([[2.]]), 'bias': array([1.])}
    """
    if client is not None:
        _check_client(client)
        _check_picklable(make_model)
    X, y = _check_data(X, y)
    _check_count("batch_size", batch_size, lowest=1)
    _check_count("epochs", epochs, lowest=0)
    _check_loss(loss)
    _check_rate(lr)
    model = _build(make_model, "on the driver")
    optimizer = SGD(model.parameters(), lr=lr)
    shards = _DaskShards(client, make_model, X, y, loss) if client is not None \
        else _LocalShards(make_model, X, y, loss)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(order), batch_size):
            grads = shards.gradient(_state(model), order[start:start + batch_size])
            for name, p in model.named_parameters():
                p.grad = grads[name]
            optimizer.step()
    return model.state_dict()


def shard_gradient(make_model: Callable[[], Module], state: dict[str, np.ndarray], X: Any,
                   y: Any, rows: np.ndarray, loss: str) -> dict[str, np.ndarray]:
    """The gradient of the mean ``loss`` over ``X[rows]`` at the parameters ``state``.

    This is what each worker runs; it needs only its arguments and the installed package.

    >>> import numpy as np
    >>> import tinygrad_lm as tg
    >>> make = lambda: tg.nn.Linear(1, 1, bias=False, seed=0)
    >>> X = np.array([[1.0], [2.0]]); y = np.zeros((2, 1))
    >>> shard_gradient(make, {"weight": np.array([[3.0]])}, X, y, np.array([1]), "mse")
    {'weight': array([[24.]])}
    """
    model = _build(make_model, "on a worker")
    _load(model, state)
    getattr(losses, loss)(model(X[rows]), y[rows]).backward()
    # A parameter the loss does not reach gets a zero gradient, so shards always line up.
    return {name: np.zeros_like(p.data) if p.grad is None else p.grad
            for name, p in model.named_parameters()}


def _row_weighted_sum(shards: list[np.ndarray],
                      gradients: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """sum_i (n_i / n) g_i: the batch mean's gradient from the shards' means' gradients."""
    total = sum(len(rows) for rows in shards)
    weights = [len(rows) / total for rows in shards]
    return {name: sum(w * g[name] for w, g in zip(weights, gradients))
            for name in gradients[0]}


class _LocalShards:
    """The whole batch as one shard, computed in this process."""

    def __init__(self, make_model: Callable[[], Module], X: np.ndarray, y: np.ndarray,
                 loss: str):
        self.args = make_model, X, y, loss

    def gradient(self, state: dict[str, np.ndarray], batch: np.ndarray) -> dict[str, np.ndarray]:
        make_model, X, y, loss = self.args
        return _row_weighted_sum([batch], [shard_gradient(make_model, state, X, y, batch, loss)])


class _DaskShards:
    """One shard of each batch per worker of a Dask client; the data scattered once."""

    def __init__(self, client: Any, make_model: Callable[[], Module], X: np.ndarray,
                 y: np.ndarray, loss: str):
        self.workers = sorted(client.scheduler_info()["workers"])
        if not self.workers:
            raise ValueError(f"{_OP}: the Dask cluster at {client.scheduler.address} has no "
                             f"workers; start some (dask worker ADDRESS) or wait for them")
        self.client, self.loss = client, loss
        # Unique keys (hash=False): a later run on the same data must not share, and then
        # lose, the keys this run releases when it ends.
        self.make_model = client.scatter(make_model, broadcast=True, hash=False)
        self.X, self.y = client.scatter([X, y], broadcast=True, hash=False)

    def gradient(self, state: dict[str, np.ndarray], batch: np.ndarray) -> dict[str, np.ndarray]:
        shards = [rows for rows in np.array_split(batch, len(self.workers)) if len(rows)]
        # A shard may run on another worker if its own is gone: the result does not depend on
        # where it runs, only the order of the sum does, and gather keeps that order.
        futures = [self.client.submit(shard_gradient, self.make_model, state, self.X, self.y,
                                      rows, self.loss, workers=[worker],
                                      allow_other_workers=True, pure=False)
                   for rows, worker in zip(shards, self.workers)]
        return _row_weighted_sum(shards, self.client.gather(futures))


def _state(model: Module) -> dict[str, np.ndarray]:
    return {name: p.data.copy() for name, p in model.named_parameters()}


def _load(model: Module, state: dict[str, np.ndarray]) -> None:
    params = dict(model.named_parameters())
    if list(params) != list(state):
        raise ValueError(f"{_OP}: make_model() built a model with parameters {list(params)}, "
                         f"but the driver's model has {list(state)}; make_model must build "
                         f"the same model on every call")
    for name, p in params.items():
        if p.shape != state[name].shape:
            raise ValueError(f"{_OP}: parameter {name!r} has shape {p.shape} here but "
                             f"{state[name].shape} on the driver; make_model must build the "
                             f"same model on every call")
        p.data = np.array(state[name], dtype=p.dtype)


def _build(make_model: Callable[[], Module], where: str) -> Module:
    if isinstance(make_model, Module):
        raise TypeError(f"{_OP}: make_model must be a function that builds the model, got a "
                        f"{type(make_model).__name__} instance; pass a function such as "
                        f"lambda: tg.nn.MLP([...], seed=0), which each worker calls")
    if not callable(make_model):
        raise TypeError(f"{_OP}: make_model must be a function that builds the model, got a "
                        f"{type(make_model).__name__}")
    model = make_model()
    if not isinstance(model, Module):
        raise TypeError(f"{_OP}: make_model() returned a {type(model).__name__} {where}, "
                        f"not a tg.nn.Module")
    if not model.parameters():
        raise ValueError(f"{_OP}: make_model() built a {type(model).__name__} with no "
                         f"parameters; there is nothing to train")
    return model


def _check_data(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"{_OP}: X and y must have one row per example, got X of shape "
                         f"{X.shape} and y of shape {y.shape}")
    if len(X) != len(y):
        raise ValueError(f"{_OP}: X has {len(X)} rows but y has {len(y)} (X shape {X.shape}, "
                         f"y shape {y.shape}); they must have one row per example")
    if len(X) == 0:
        raise ValueError(f"{_OP}: X and y are empty (shape {X.shape}); nothing to train on")
    return X, y


def _check_count(label: str, value: Any, lowest: int) -> None:
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(f"{_OP}: {label} must be an integer, got {value!r} "
                        f"({type(value).__name__})")
    if value < lowest:
        raise ValueError(f"{_OP}: {label} must be >= {lowest}, got {value}")


def _check_rate(lr: Any) -> None:
    if not isinstance(lr, Real) or isinstance(lr, bool) or not 0.0 <= lr < float("inf"):
        raise ValueError(f"{_OP}: lr must be a finite number >= 0, got {lr!r}")


def _check_loss(loss: Any) -> None:
    valid = sorted(losses.__all__)
    if not isinstance(loss, str) or loss not in valid:
        raise ValueError(f"{_OP}: unknown loss {loss!r}; pass the name of one of tg.losses: "
                         f"{', '.join(valid)}")


def _check_client(client: Any) -> None:
    try:
        from distributed import Client
    except ImportError as e:
        raise TypeError(f"{_OP}: client must be a dask.distributed.Client or None, got a "
                        f"{type(client).__name__}, and dask.distributed is not installed "
                        f"(pip install 'dask[distributed]')") from e
    if not isinstance(client, Client):
        hint = (f"; connect with Client({client!r}) first" if isinstance(client, str) else "")
        raise TypeError(f"{_OP}: client must be a dask.distributed.Client or None, got a "
                        f"{type(client).__name__}{hint}")


def _check_picklable(make_model: Callable[[], Module]) -> None:
    import cloudpickle

    try:
        cloudpickle.dumps(make_model)
    except Exception as e:
        raise TypeError(f"{_OP}: make_model cannot be sent to the workers: cloudpickle "
                        f"failed with {type(e).__name__}: {e}") from e
