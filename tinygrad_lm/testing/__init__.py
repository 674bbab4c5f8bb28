"""Check your own backprop: hand-written gradients against the engine's, and the loss they
minimise. This layer imports the core, the front-ends and ``losses``.

``strategies`` (hypothesis strategies for property tests) is loaded on first use, so this
package imports without hypothesis installed.
"""

from __future__ import annotations

import importlib
from typing import Any

from .identify import CATALOGUE, LossMatch, half_sse, identify_loss
from .match import assert_gradients_match
from .vjp import LAYER_MISTAKES, assert_vjp_match

__all__ = ["CATALOGUE", "LAYER_MISTAKES", "LossMatch", "assert_gradients_match",
           "assert_vjp_match", "half_sse", "identify_loss", "strategies"]


def __getattr__(name: str) -> Any:
    if name != "strategies":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return importlib.import_module(f"{__name__}.strategies")  # says how to get hypothesis
