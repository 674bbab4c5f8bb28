"""Benchmarks: speed and memory against hand-written numpy and peers (``tinygrad-lm bench``).

Each ``bench_*.py`` module has ``run(quick: bool) -> list[dict]``: one dict a row, medians and
ratios against a baseline measured in the same run, never a lone absolute time.
"""

import statistics
import timeit
from collections.abc import Callable


def median(fn: Callable[[], object], repeats: int) -> float:
    """The median of ``repeats`` timings of one call of ``fn``, in seconds."""
    return statistics.median(timeit.repeat(fn, number=1, repeat=repeats))


def format_table(rows: list[dict]) -> str:
    """Rows of dicts as an aligned text table (floats to 4 significant digits)."""
    if not rows:
        return "(no rows)"
    keys = list(rows[0])
    cells = [[f"{r.get(k, ''):.4g}" if isinstance(r.get(k), float) else str(r.get(k, ''))
              for k in keys] for r in rows]
    widths = [max(len(k), *(len(c[i]) for c in cells)) for i, k in enumerate(keys)]
    lines = ["  ".join(k.ljust(w) for k, w in zip(keys, widths))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths)) for row in cells]
    return "\n".join(lines)
