"""L2 weight decay: the part of a hand-written gradient that is a multiple of its parameter."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._shared import best_scale, nice_factor, relative_error


def fit_decay(user: Sequence[np.ndarray], engine: Sequence[np.ndarray],
              params: Sequence[np.ndarray]) -> tuple[float, list[float]]:
    """Least squares of ``user[i] ~ a * engine[i] + d[i] * params[i]``: ``(a, [d_i])``.

    One scale ``a`` for the data loss, one decay coefficient per parameter.

    >>> w = np.array([1.0, 2.0]); e = np.array([3.0, -1.0])
    >>> a, d = fit_decay([2 * e + 0.1 * w], [e], [w])
    >>> round(a, 9), [round(x, 9) for x in d]
    (2.0, [0.1])
    """
    rows = sum(u.size for u in user)
    design = np.zeros((rows, 1 + len(params)))
    start = 0
    for i, (e, p) in enumerate(zip(engine, params)):
        stop = start + e.size
        design[start:stop, 0] = e.ravel()
        design[start:stop, 1 + i] = p.ravel()
        start = stop
    target = np.concatenate([u.ravel() for u in user])
    solution = np.linalg.lstsq(design, target, rcond=None)[0]
    return float(solution[0]), [float(d) for d in solution[1:]]


def common_decay(decays: Sequence[float], params: Sequence[np.ndarray],
                 user: Sequence[np.ndarray]) -> tuple[float, list[int]] | None:
    """The one coefficient shared by every parameter with a visible decay term, and which.

    A term counts when ``|d * p|`` exceeds 1e-9 of the gradient's size; the coefficients of the
    counted ones must agree within 1e-6 relative (one ``reg`` for every weight matrix), else
    None. ``(0.0, [])`` when no parameter has a decay term.

    >>> common_decay([0.1, 0.0, 0.1], [np.ones(2)] * 3, [np.ones(2)] * 3)
    (0.1, [0, 2])
    """
    top = max(float(np.max(np.abs(u), initial=0.0)) for u in user) or 1.0
    counted = [i for i, (d, p) in enumerate(zip(decays, params))
               if abs(d) * float(np.max(np.abs(p), initial=0.0)) > 1e-9 * top]
    if not counted:
        return 0.0, []
    value = float(np.median([decays[i] for i in counted]))
    if any(abs(decays[i] - value) > 1e-6 * abs(value) for i in counted):
        return None
    return round(value, 12), counted


def decayed_fit(user: Sequence[np.ndarray], engine: Sequence[np.ndarray],
                params: Sequence[np.ndarray], n: int,
                c: int) -> tuple[float, str | None, float, float, list[int]] | None:
    """``user`` as a data loss's gradients times a scale plus one L2 decay term, or None.

    Returns ``(scale, factor label or None, relative error, decay coefficient, decayed
    indices)``; None when no parameter shows a decay term or they disagree on it.

    >>> w = np.array([1.0, 2.0]); e = np.array([3.0, -1.0])
    >>> decayed_fit([e + 0.5 * w], [e], [w], 4, 1)[:2] + decayed_fit([e + 0.5 * w], [e], [w],
    ...                                                              4, 1)[3:]
    (1.0, '1', 0.5, [0])
    """
    _, decays = fit_decay(user, engine, params)
    shared = common_decay(decays, params, user)
    if shared is None or not shared[1]:
        return None
    coefficient, decayed = shared
    rest = [u - coefficient * p if i in decayed else u
            for i, (u, p) in enumerate(zip(user, params))]
    scale = best_scale(rest, engine)
    found = nice_factor(scale, n, c, tol=1e-3)
    if found is not None and relative_error(rest, engine, found[0]) <= 1e-6:
        scale, label = found
    else:
        label = None
    return float(scale), label, relative_error(rest, engine, scale), coefficient, decayed
