"""The chain-rule step of one backward node, in words and symbols, for the explorer's captions.

Each rule restates a primitive's VJP (``primitives.py``) with the names the drawing shows:
``{g}`` is d root / d output, ``{out}`` the output, ``{x}`` and ``{y}`` the inputs. The numbers
are not recomputed here: captions say which formula the engine applied, frames show its result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core.node import Node

# One formula per input of the two-input primitives, ...
BINARY: dict[str, tuple[str, str]] = {
    "add": ("{g}", "{g}"), "sub": ("{g}", "-{g}"), "mul": ("{g} * {y}", "{g} * {x}"),
    "div": ("{g} / {y}", "-{g} * {out} / {y}"), "matmul": ("{g} @ {y}.T", "{x}.T @ {g}"),
    "pow": ("{g} * {y} * {x}^({y} - 1)", "{g} * {out} * log({x})"),
}
# ... and one for the others.
UNARY: dict[str, str] = {
    "neg": "-{g}",
    "exp": "{g} * {out}",
    "log": "{g} / {x}",
    "sqrt": "{g} / (2 * {out})",
    "tanh": "{g} * (1 - {out}^2)",
    "sigmoid": "{g} * {out} * (1 - {out})",
    "relu": "{g} * ({x} > 0)",
    "abs": "{g} * sign({x})",
    "clip": "{g} where {x} lies inside the clip range, else 0",
    "sum": "{g} copied back over the summed axes of {x}",
    "max": "{g} sent to the maxima of {x} (tied maxima share it)",
    "reshape": "{g} reshaped to the shape of {x}",
    "transpose": "{g} transposed back",
    "getitem": "{g} put back into zeros shaped like {x}",
    "scatter": "the entries of {g} that {x} filled",
    "broadcast_to": "{g} summed back to the shape of {x}",
    "sum_to_shape": "{g} copied back over the summed axes of {x}",
    "astype": "{g} cast back to the dtype of {x}",
}
# Elementwise primitives: an input of another shape was broadcast, so its gradient is summed.
BROADCASTING = {"add", "sub", "mul", "div", "pow"}


def d(root: str, name: str) -> str:
    """The derivative's notation: ``d loss/d W``.

    >>> d("loss", "W")
    'd loss/d W'
    """
    return f"d {root}/d {name}"


def entries(n: int) -> str:
    """``"1 entry"``, ``"3 entries"``.

    >>> entries(1), entries(3)
    ('1 entry', '3 entries')
    """
    return f"{n} entr{'y' if n == 1 else 'ies'}"


def step_text(node: Node, name: Callable[[Node], str], root: str, consumers: dict,
              undefined: dict, strict: bool) -> str:
    """What backward does at ``node``: one formula per input that receives a gradient.

    ``name(node)`` is the name a box shows; ``consumers[input]`` counts the edges into an
    input (more than one: this step adds to its gradient, ``+=``); ``undefined[node]`` the
    per-input counts of entries on a jump.

    >>> import tinygrad_lm as tg
    >>> a, b = tg.Value(2.0, label="a"), tg.Value(3.0, label="b")
    >>> c = a * b
    >>> step_text(c, lambda n: n.label or "c", "c", {a: 1, b: 1}, {}, False)
    'd c/d a = d c/d c * b;  d c/d b = d c/d c * a'
    """
    prim = node.prim
    names = [operand_name(inp, arg, name) for inp, arg in zip(node.inputs, node.args)]
    fields = {"g": d(root, name(node)), "out": name(node),
              "x": names[0], "y": names[1] if len(names) > 1 else ""}
    parts = []
    for i, inp in enumerate(node.inputs):
        if inp is None or not inp.requires_grad:
            continue
        target = d(root, name(inp))
        sign = "+=" if consumers.get(inp, 0) > 1 else "="
        if prim.jumps is not None:
            counts = undefined.get(node)
            if counts and counts[i]:
                value = _undefined_value(counts[i], np.size(inp.data), strict,
                                         f"{name(inp)} sits on the jump of {prim.symbol}")
            else:
                value = f"0 ({prim.symbol} is piecewise constant: flat wherever it is defined)"
        elif prim.name == "concatenate":
            value = f"the slice of {fields['g']} that {names[i]} filled"
        else:
            rule = BINARY[prim.name][i] if prim.name in BINARY else UNARY.get(
                prim.name, f"VJP of {prim.name} at {{g}}")
            value = rule.format(**fields)
            shape = np.shape(inp.data)
            if prim.name in BROADCASTING and shape != np.shape(node.data):
                value += f", summed to shape {shape}"
        parts.append(f"{target} {sign} {value}")
    return ";  ".join(parts)


def _undefined_value(undefined: int, size: int, strict: bool, why: str) -> str:
    """What a step sends to an input with ``undefined`` of its ``size`` entries on a jump, in
    the terms of the box that shows it: NaN there in strict mode, 0 elsewhere.

    >>> _undefined_value(1, 4, True, "x sits on a jump")
    '0 except NaN at 1 entry (x sits on a jump)'
    >>> _undefined_value(2, 2, True, "x sits on a jump"), _undefined_value(1, 1, True, "why")
    ('NaN at every entry (x sits on a jump)', 'NaN (why)')
    >>> _undefined_value(1, 4, False, "x sits on a jump")
    '0 (undefined at 1 entry: x sits on a jump)'
    """
    if not strict:
        return f"0 (undefined at {entries(undefined)}: {why})"
    head = ("NaN" if size == 1 else "NaN at every entry" if undefined == size
            else f"0 except NaN at {entries(undefined)}")
    return f"{head} ({why})"


def operand_name(inp: Node | None, arg: Any, name: Callable[[Node], str]) -> str:
    """An input's name (in parentheses if it has spaces); a constant without one by its value
    when short.

    >>> operand_name(None, 2.0, str), operand_name(1, None, lambda n: "1 - t")
    ('2', '(1 - t)')
    """
    if inp is not None and name(inp):
        # A name such as '1 - target' (a constant named by what it is) reads as one operand.
        return f"({name(inp)})" if " " in name(inp) else name(inp)
    value = arg if inp is None else inp.data
    if np.size(value) == 1:
        return f"{float(np.asarray(value).reshape(-1)[0]):.4g}"
    return "const"
