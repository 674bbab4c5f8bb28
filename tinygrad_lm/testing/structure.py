"""Params and grads as nested lists, tuples or dicts of arrays: flattened, named by path."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from ..frontends.tensor import Tensor
from ._shared import as_array


def _container(x: Any) -> bool:
    """A dict, or a list/tuple holding arrays or containers (a list of numbers is one array)."""
    if isinstance(x, dict):
        return True
    return isinstance(x, (list, tuple)) and any(
        isinstance(k, (np.ndarray, Tensor)) or _container(k) for k in x)


def _walk(x: Any, path: str, out: list[tuple[str, Any]]) -> None:
    if isinstance(x, dict):
        for key, value in x.items():
            _walk(value, f"{path}[{key!r}]", out)
    elif _container(x):
        for i, value in enumerate(x):
            _walk(value, f"{path}[{i}]", out)
    else:
        out.append((path, x))


def _shape_of(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _shape_of(v) for k, v in x.items()}
    if _container(x):
        return [_shape_of(v) for v in x]
    return None


def _rebuild(x: Any, leaves: list[Any]) -> Any:
    if isinstance(x, dict):
        return {k: _rebuild(v, leaves) for k, v in x.items()}
    if _container(x):
        return type(x)(_rebuild(v, leaves) for v in x) if isinstance(x, tuple) else [
            _rebuild(v, leaves) for v in x]
    return leaves.pop(0)


class Structure:
    """The layout of ``params``: its leaves' paths, and how to call a function with Tensors.

    A flat list is passed as positional arguments (``fn(*params)``); a dict as keywords, or as
    one dict when ``fn`` takes a single argument; a nested list or tuple as its top-level
    entries (Nielsen's ``fn(biases, weights)``).

    >>> s = Structure({"W1": np.ones(2), "b1": np.zeros(2)}, "demo")
    >>> s.paths
    ["['W1']", "['b1']"]
    """

    def __init__(self, params: Any, op: str) -> None:
        if isinstance(params, (np.ndarray, Tensor)) or not isinstance(params,
                                                                      (list, tuple, dict)):
            raise TypeError(f"{op}: params and grads must be sequences of arrays, one gradient "
                            f"per parameter (wrap a single array in a list: [W]), or dicts or "
                            f"nested lists of arrays; got {type(params).__name__}")
        self.params, self.op = params, op
        self.flat = isinstance(params, (list, tuple)) and not any(
            isinstance(k, dict) or _container(k) for k in params)
        pairs: list[tuple[str, Any]] = []
        if self.flat:
            pairs = [(f"[{i}]", p) for i, p in enumerate(params)]
        else:
            _walk(params, "", pairs)
        self.paths = [path for path, _ in pairs]
        self.leaves = [leaf for _, leaf in pairs]

    def grads(self, grads: Any, missing: bool) -> list[Any]:
        """``grads`` flattened in the order of the params, or a ValueError naming the path."""
        if self.flat:
            if isinstance(grads, (np.ndarray, Tensor)) or isinstance(grads, dict):
                raise TypeError(f"{self.op}: params is a list, so grads must be a list too, "
                                f"one gradient per parameter (got {type(grads).__name__})")
            return list(grads)
        if _shape_of(grads) != _shape_of(self.params) and not (
                missing and isinstance(grads, (list, tuple, dict))):
            raise ValueError(f"{self.op}: grads must have the structure of params "
                             f"(params {_describe(self.params)}, grads {_describe(grads)}); "
                             f"pass one gradient per parameter, in the same nesting")
        pairs: list[tuple[str, Any]] = []
        _walk(grads, "", pairs)
        found = dict(pairs)
        wrong = [p for p in found if p not in self.paths]
        if wrong or (len(found) != len(self.paths) and not missing):
            absent = [p for p in self.paths if p not in found]
            raise ValueError(f"{self.op}: grads must have the structure of params: "
                             f"grads{wrong[0] if wrong else ''} has no parameter"
                             if wrong else f"{self.op}: no gradient for params{absent[0]}")
        return [found.get(p) for p in self.paths]

    def call(self, fn: Callable, tensors: list[Tensor]) -> Any:
        """``fn`` called with ``tensors`` arranged as the params are."""
        if self.flat:
            return fn(*tensors)
        rebuilt = _rebuild(self.params, list(tensors))
        if isinstance(rebuilt, dict):
            return fn(rebuilt) if _positional(fn) == 1 else fn(**rebuilt)
        return fn(*rebuilt)

    def names(self, fn: Callable, word: str = "params") -> list[str]:
        """Each leaf as ``params[...]`` plus the argument it reaches ``fn`` by, where known."""
        args = _argument_names(fn)
        out = []
        for i, path in enumerate(self.paths):
            label = f"{word}{path}"
            if self.flat:
                out.append(f"{label} ({args[i]})" if i < len(args) else label)
            elif isinstance(self.params, dict) or not args:
                out.append(label)
            else:
                top = int(path[1:path.index("]")])
                rest = path[path.index("]") + 1:]
                out.append(f"{label} ({args[top]}{rest})" if top < len(args) else label)
        return out


    def short_names(self, fn: Callable) -> list[str]:
        """Each leaf as a learner names it: the argument (``W1``, ``weights[1]``) or the key."""
        out = []
        for path, label in zip(self.paths, self.names(fn)):
            if " (" in label:
                out.append(label.split(" (", 1)[1][:-1])
            elif isinstance(self.params, dict) and path.count("[") == 1:
                out.append(str(next(k for k in self.params if f"[{k!r}]" == path)))
            else:
                out.append(label)
        return out


def _describe(x: Any) -> str:
    if isinstance(x, dict):
        return f"a dict with keys {sorted(map(str, x))}"
    if isinstance(x, (list, tuple)):
        return f"a {type(x).__name__} of {len(x)}"
    return type(x).__name__


def _argument_names(fn: Callable) -> list[str]:
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return []
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


def _positional(fn: Callable) -> int:
    return len(_argument_names(fn))


def flatten(params: Any, grads: Any, op: str, *,
            missing: bool = False) -> tuple[Structure, list[np.ndarray], list[Any]]:
    """The params' structure, their leaves as arrays, and the grads in the same order.

    >>> s, arrays, raw = flatten(([np.ones(2)], [np.ones((2, 2))]),
    ...                          ([np.zeros(2)], [np.zeros((2, 2))]), "demo")
    >>> s.names(lambda biases, weights: None)
    ['params[0][0] (biases[0])', 'params[1][0] (weights[0])']
    """
    structure = Structure(params, op)
    if not structure.leaves:
        raise ValueError(f"{op}: params is empty; pass the arrays the loss depends on")
    flat_grads = structure.grads(grads, missing)
    if len(flat_grads) != len(structure.leaves):
        raise ValueError(f"{op}: got {len(flat_grads)} gradients for {len(structure.leaves)} "
                         f"params; pass one gradient per parameter, in the same order")
    arrays = [as_array(p, op, f"params{path}") for path, p in zip(structure.paths,
                                                                   structure.leaves)]
    raw = [None if g is None and missing else as_array(g, op, f"grads{path}")
           for path, g in zip(structure.paths, flat_grads)]
    return structure, arrays, raw
