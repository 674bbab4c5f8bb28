"""The command line, ``python -m tinygrad_lm`` (also ``tinygrad-lm``): the top layer, which may
import every other one."""

from .commands import main

__all__ = ["main"]
