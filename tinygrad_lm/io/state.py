"""Saving and loading state dicts as plain ``.npz`` files: arrays only, never pickle.

A model file must not run code when it is opened, so ``save`` refuses anything that is not a
numeric array (numpy would pickle an object array) and ``load`` opens the file with
``allow_pickle=False``. The file is an ordinary ``np.savez`` archive: ``np.load`` reads it too.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from .files import write_bytes

__all__ = ["load", "save"]


def _as_array(key: str, value: Any) -> np.ndarray:
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch.Tensor
        value = value.detach().cpu().numpy()
    elif hasattr(value, "data") and isinstance(value.data, np.ndarray):
        value = value.data  # a tinygrad_lm Tensor
    if not isinstance(value, (np.ndarray, np.generic, int, float, bool)):
        raise TypeError(f"save: the value of {key!r} is a {type(value).__name__}, not an "
                        f"array; a state dict maps names to numeric arrays")
    array = np.asarray(value)
    if array.dtype.kind not in "biufc":
        raise TypeError(f"save: the value of {key!r} has dtype {array.dtype}; only numeric "
                        f"arrays are saved (never pickled objects)")
    return array


def save(state_dict: Mapping[str, Any], path: str | os.PathLike) -> str:
    """Write ``state_dict`` (names -> numeric arrays) to ``path`` as an ``.npz``; return it.

    >>> import tempfile, tinygrad_lm as tg
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = save({"0.weight": np.eye(2)}, f"{d}/model.npz")
    ...     load(path)["0.weight"].tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"save: state_dict must be a mapping of names to arrays, got a "
                        f"{type(state_dict).__name__}")
    arrays = {}
    for key, value in state_dict.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"save: every key must be a non-empty str, got {key!r}")
        arrays[key] = _as_array(key, value)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return write_bytes(path, buffer.getvalue())


def load(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a state dict written by ``save`` (any ``.npz`` of plain arrays), never unpickling.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     sorted(load(save({"b": np.zeros(1), "a": np.ones(2)}, f"{d}/m.npz")))
    ['a', 'b']
    """
    try:
        archive = np.load(path, allow_pickle=False)
    except ValueError as e:  # numpy takes anything that is not .npy/.npz for a pickle
        raise ValueError(f"load: {os.fspath(path)} is not an .npz archive of arrays; refusing "
                         f"to unpickle it (a model file must not run code)") from e
    if not isinstance(archive, np.lib.npyio.NpzFile):
        raise ValueError(f"load: {os.fspath(path)} holds a single array, not a state dict "
                         f"(.npz archive of named arrays)")
    with archive:
        try:
            return {key: archive[key] for key in archive.files}
        except ValueError as e:  # an object array inside the archive
            raise ValueError(f"load: {os.fspath(path)} holds pickled objects; refusing to "
                             f"unpickle them (a model file must not run code)") from e
