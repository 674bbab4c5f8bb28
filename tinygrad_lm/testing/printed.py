"""The loss a checked file prints: which loss of the catalogue has the value it printed."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..frontends.tensor import Tensor
from .identify import CATALOGUE, LossMatch
from .structure import Structure

# A printed decimal number: 0.6417, -1.5e-03, 12.0 (integers are too often counts).
_NUMBER = re.compile(r"-?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?|-?\d+[eE][-+]?\d+")


def printed_numbers(text: str) -> list[tuple[float, float]]:
    """Each decimal number in ``text`` with half a unit of its last printed digit.

    >>> printed_numbers("epoch 3  loss 0.6417  acc 83.3%")
    [(0.6417, 5e-05), (83.3, 0.05)]
    >>> printed_numbers("loss 1.25e-03")
    [(0.00125, 5e-06)]
    """
    found = []
    for token in _NUMBER.findall(text):
        mantissa, _, exponent = token.lower().partition("e")
        digits = len(mantissa.partition(".")[2])
        found.append((float(token), 0.5 * 10.0 ** (int(exponent or 0) - digits)))
    return found


def loss_values(predict: Any, params: Any, target: Any, match: LossMatch) -> dict[str, float]:
    """The value of every catalogue loss (with the match's decay, if any) at the params.

    >>> import tinygrad_lm as tg
    >>> from tinygrad_lm.testing import identify_loss
    >>> w, x, y = np.array([[2.0]]), np.array([[1.0], [3.0]]), np.array([[1.0], [4.0]])
    >>> match = identify_loss(lambda w: tg.Tensor(x) @ w, [w], y, [x.T @ (x @ w - y) / 2])
    >>> values = loss_values(lambda w: tg.Tensor(x) @ w, [w], y, match)
    >>> values["mse"], values["mse(sum)"], values["half_sse"]
    (2.5, 5.0, 1.25)
    """
    structure = Structure(params, "check")
    tensors = [Tensor(np.asarray(a, np.float64)) for a in structure.leaves]
    names = structure.short_names(predict)
    pred = structure.call(predict, tensors)
    target = np.asarray(target.data if isinstance(target, Tensor) else target)
    if match.batch_axis == 1:
        pred, target = pred.T, target.T if target.ndim == 2 else target
    penalty = sum(float((t.data ** 2).sum()) for t, name in zip(tensors, names)
                  if name in match.decayed) * match.weight_decay / 2
    values = {}
    for name, _, loss in CATALOGUE:
        try:
            values[name] = float(loss(pred, target).item()) + penalty
        except (ValueError, TypeError):
            continue
    return values


def printed_loss(text: str, values: dict[str, float], prefer: str | None) -> tuple[str, float]:
    """The catalogue loss whose value the file printed, and that value. When several losses
    have that value, ``prefer`` (the identified loss) wins, then its mean, then the first.

    >>> values = {"half_sse": 2.5, "mse": 2.5, "mse(sum)": 5.0}
    >>> printed_loss("loss 2.500", values, "mse(sum)")
    ('mse', 2.5)
    >>> printed_loss("accuracy 0.5, loss 2.500", {"mse": 0.47, "mse(sum)": 2.5}, None)
    ('mse(sum)', 2.5)
    >>> printed_loss("nothing here", {"mse": 2.5}, None)
    ('', 0.0)
    """
    for number, half_unit in printed_numbers(text):
        if half_unit > 5e-4 * abs(number):
            continue  # under 3 significant digits ("acc 0.5"): too coarse to name a loss
        hits = [name for name, value in values.items()
                if abs(value - number) <= max(half_unit, 1e-12 * abs(value))]
        if hits:
            ranked = [name for name in (prefer, (prefer or "").removesuffix("(sum)"))
                      if name in hits] + hits
            return ranked[0], number
    return "", 0.0
