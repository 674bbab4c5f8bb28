"""The command line's argument types and its progress display, checked before any output.

Each type function raises ``argparse.ArgumentTypeError``, so argparse itself reports
``argument --lr: ...`` and exits with status 2 before a command prints or creates anything.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

__all__ = ["Progress", "at_least", "binary_targets", "folder_path", "positive_float",
           "probabilities", "require_matplotlib"]


def positive_float(text: str) -> float:
    """A finite number above 0, such as a learning rate.

    >>> positive_float("0.5")
    0.5
    >>> positive_float("-0.1")
    Traceback (most recent call last):
      ...
    argparse.ArgumentTypeError: must be a number above 0, got '-0.1'
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text!r}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text!r}")
    return value


def at_least(least: int) -> Callable[[str], int]:
    """The argparse type of an integer of at least ``least`` (epochs and hidden units: 1; a
    random seed: 0); argparse names the flag in front of its error.

    >>> at_least(1)("3")
    3
    >>> at_least(0)("-1")
    Traceback (most recent call last):
      ...
    argparse.ArgumentTypeError: must be an integer >= 0, got '-1'
    """
    def integer(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be an integer >= {least}, got {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"must be an integer >= {least}, got {text!r}")
        return value
    return integer


def _numbers(text: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be comma-separated numbers such as 0.9,0.4,0.6, got {text!r}") from None
    return values


def probabilities(text: str) -> tuple[float, ...]:
    """Comma-separated probabilities, each in [0, 1].

    >>> probabilities("0.9,0.4")
    (0.9, 0.4)
    >>> probabilities("0.5,2")
    Traceback (most recent call last):
      ...
    argparse.ArgumentTypeError: each number must be a probability in [0, 1] (binary_cross_entropy
    takes probabilities), got 2.0 in '0.5,2'
    """
    values = _numbers(text)
    for value in values:
        if not 0 <= value <= 1:
            raise argparse.ArgumentTypeError(
                f"each number must be a probability in [0, 1] (binary_cross_entropy takes "
                f"probabilities), got {value} in {text!r}")
    return tuple(values)


def binary_targets(text: str) -> tuple[float, ...]:
    """Comma-separated 0/1 targets.

    >>> binary_targets("1,0,0")
    (1.0, 0.0, 0.0)
    >>> binary_targets("1,2")
    Traceback (most recent call last):
      ...
    argparse.ArgumentTypeError: each target must be 0 or 1, got 2.0 in '1,2'
    """
    values = _numbers(text)
    for value in values:
        if value not in (0.0, 1.0):
            raise argparse.ArgumentTypeError(f"each target must be 0 or 1, got {value} in {text!r}")
    return tuple(values)


def folder_path(text: str) -> Path:
    """A folder to write into: it may not exist yet, but must not be an existing file.

    >>> folder_path("results")
    PosixPath('results')
    """
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} exists and is not a folder")
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise argparse.ArgumentTypeError(f"{str(parent)!r} is a file, not a folder")
            break
    return path


def require_matplotlib(parser: argparse.ArgumentParser) -> None:
    """Stop with a usage error (status 2) when matplotlib, the ``plots`` extra, is missing.

    >>> require_matplotlib(argparse.ArgumentParser())
    """
    if importlib.util.find_spec("matplotlib") is None:
        parser.error("the figures need matplotlib, which is not installed: "
                     "pip install 'tinygrad_lm[plots]' (or pip install matplotlib)")


class Progress:
    """How far a long command has got: a tqdm bar on a terminal, otherwise a few plain lines.

    ``update(n)`` advances by ``n`` steps; ``close()`` ends the display. Without tqdm
    installed, or when ``stream`` is not a terminal, at most about ten lines are written.

    >>> import io
    >>> out = io.StringIO()
    >>> bar = Progress(4, "train", stream=out)
    >>> for _ in range(4):
    ...     bar.update()
    >>> bar.close()
    >>> out.getvalue().splitlines()[-1]
    'train: 4/4 (100%)'
    """

    def __init__(self, total: int, description: str, stream: TextIO | None = None):
        self.total, self.description = total, description
        self.stream = stream if stream is not None else sys.stderr
        self.done = 0
        self._next_line = 0
        self._bar: Any = None
        if _is_terminal(self.stream) and importlib.util.find_spec("tqdm") is not None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=description, file=self.stream, leave=False)

    def update(self, n: int = 1) -> None:
        """Advance by ``n`` steps."""
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
        elif self.done >= self._next_line or self.done == self.total:
            print(f"{self.description}: {self.done}/{self.total} "
                  f"({100 * self.done // max(self.total, 1)}%)", file=self.stream, flush=True)
            self._next_line = self.done + max(1, self.total // 10)

    def write(self, line: str) -> None:
        """Print a line of results to stdout, above the bar when there is one."""
        if self._bar is not None:
            self._bar.write(line, file=sys.stdout)
        else:
            print(line, flush=True)

    def close(self) -> None:
        """End the display (the bar is removed; plain lines stay)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
