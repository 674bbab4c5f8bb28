"""Sentences about a curve, computed from its numbers, for the demo's captions."""

from __future__ import annotations

import numpy as np

__all__ = ["accuracy_after"]


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def accuracy_after(accuracy: list[float], epoch: int) -> str:
    """What an accuracy curve (entry k is epoch k + 1) does after ``epoch``: its largest dip
    below an earlier peak, and how long it stays at its last value.

    >>> accuracy_after([0.5, 0.6, 0.7, 0.65, 0.7, 0.8, 0.8, 0.8], 2).split(", ")
    ['rises to 70.0% at epoch 3', 'dips to 65.0% at epoch 4', 'then reaches 80.0% and stays \
there for the last 3 epochs']
    >>> accuracy_after([0.5, 0.6, 0.7], 1)
    'rises to 70.0% by epoch 3'
    """
    tail = np.asarray(accuracy[epoch - 1:], dtype=float)
    final = tail[-1]
    plateau = int(np.argmax(tail[::-1] != final)) if np.any(tail != final) else len(tail)
    peak_so_far = np.maximum.accumulate(tail)
    drops = peak_so_far - tail
    if drops.max() <= 0:
        return f"rises to {_pct(final)} by epoch {len(accuracy)}"
    at_dip = int(drops.argmax())
    at_peak = int(np.argmax(tail[:at_dip] == peak_so_far[at_dip]))
    text = (f"rises to {_pct(tail[at_peak])} at epoch {epoch + at_peak}, dips to "
            f"{_pct(tail[at_dip])} at epoch {epoch + at_dip}, then reaches {_pct(final)}")
    if plateau > 1:
        text += f" and stays there for the last {plateau} epochs"
    return text
