"""``tinygrad-lm check FILE.py``: run a learner's file, identify its loss, match its gradients."""

from __future__ import annotations

import runpy
from pathlib import Path

import numpy as np

from .identify import CATALOGUE, identify_loss
from .match import assert_gradients_match

REQUIRED = ("predict", "params", "target", "grads")


def check_file(path: Path) -> tuple[str, int]:
    """The report on the file at ``path`` and the exit code: 0 match, 1 mismatch.

    The file defines ``predict`` (params -> prediction Tensor), ``params`` (a list of numpy
    arrays), ``target`` and ``grads`` (your gradients, one per param), and optionally
    ``loss(pred, target)``, the loss you meant. Without ``loss`` the gradients are matched
    against the identified loss (or the closest one) at scale 1. Raises OSError for a file
    that cannot be read and ValueError for a missing name or a file that fails to run.

    >>> check_file(Path("no_such_file.py"))
    Traceback (most recent call last):
    ...
    FileNotFoundError: no file no_such_file.py
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no file {path}")
    try:
        names = runpy.run_path(str(path), run_name="tinygrad_lm_check")
    except Exception as e:  # the learner's code may raise anything
        raise ValueError(f"running {path} raised {type(e).__name__}: {e}") from e
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise ValueError(f"{path} does not define {', '.join(missing)}; a checked file "
                         f"defines predict (params -> prediction Tensor), params (a list of "
                         f"arrays), target and grads (one per param), and optionally "
                         f"loss(pred, target)")
    predict, params, target, grads = (names[name] for name in REQUIRED)
    if not callable(predict):
        raise ValueError(f"predict in {path} must be a function of the params, got "
                         f"{type(predict).__name__}")
    try:
        return _report(predict, params, target, grads, names.get("loss"))
    except (ValueError, TypeError):
        raise
    except Exception as e:  # the learner's predict or loss may raise anything
        raise ValueError(f"checking {path} raised {type(e).__name__}: {e}") from e


def _report(predict, params, target, grads, loss) -> tuple[str, int]:
    """The identification, then the match against ``loss`` or the identified loss."""
    shapes = [f"grads[{i}] has shape {np.shape(g)} but params[{i}] has shape {np.shape(p)}"
              for i, (p, g) in enumerate(zip(params, grads)) if np.shape(p) != np.shape(g)]
    if shapes:
        lines = ["which loss: not identified, " + "; ".join(shapes), ""]
    else:
        match = identify_loss(predict, params, target, grads)
        lines = ["which loss:", str(match), ""]
    if callable(loss):
        meant = "the file's loss(pred, target)"
    else:
        name = None if shapes else match.name or match.closest
        if name is None:
            return "\n".join(lines + ["no loss to match against: define loss(pred, target) "
                                       "in the file"]), 1
        loss = next(fn for key, _, fn in CATALOGUE if key == name)
        meant = f"{name} (scale 1)"
    try:
        assert_gradients_match(lambda *ps: loss(predict(*ps), target), params, grads)
    except AssertionError as e:
        lines += [f"against {meant}:", str(e)]
        return "\n".join(lines), 1
    lines.append(f"against {meant}: every gradient matches the engine's")
    return "\n".join(lines), 0
