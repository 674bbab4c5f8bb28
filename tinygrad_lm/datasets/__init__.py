"""Small data sets shipped inside the package (Iris, UCI digits), two moons, a seeded split: a
bottom layer that imports nothing else of the package.

The files are read with ``importlib.resources``, so nothing is fetched from the network:
``iris.csv`` is Fisher's Iris (1936, UCI Machine Learning Repository) and ``digits.csv.gz`` the
UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin & Kaynak, 1998), both in the
layout scikit-learn ships them.
"""

from __future__ import annotations

import gzip
import io
from importlib import resources

import numpy as np

__all__ = ["load_digits", "load_iris", "make_moons", "train_test_split"]


def _read_csv(filename: str, skip_header: int) -> np.ndarray:
    raw = resources.files(__name__).joinpath(filename).read_bytes()
    if filename.endswith(".gz"):
        raw = gzip.decompress(raw)
    return np.loadtxt(io.BytesIO(raw), delimiter=",", skiprows=skip_header, dtype=np.float64)


def _split_last_column(table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.ascontiguousarray(table[:, :-1]), table[:, -1].astype(np.int64)


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's Iris: 150 flowers, 4 measurements (cm), classes 0-2 (setosa, versicolor, virginica).

    >>> X, y = load_iris()
    >>> X.shape, X.dtype, y.shape, y.dtype, sorted(set(y.tolist()))
    ((150, 4), dtype('float64'), (150,), dtype('int64'), [0, 1, 2])
    """
    return _split_last_column(_read_csv("iris.csv", skip_header=1))


def load_digits(as_images: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """UCI handwritten digits: 1797 images of 8x8 pixels (0-16), row-major, labels 0-9.

    ``as_images=True`` gives X as (N, 1, 8, 8) images, one channel, ready for ``conv2d``.

    >>> X, y = load_digits()
    >>> X.shape, X.dtype, y.shape, y.dtype, int(X.max()), sorted(set(y.tolist())) == list(range(10))
    ((1797, 64), dtype('float64'), (1797,), dtype('int64'), 16, True)
    >>> load_digits(as_images=True)[0].shape
    (1797, 1, 8, 8)
    """
    X, y = _split_last_column(_read_csv("digits.csv.gz", skip_header=0))
    return (X.reshape(-1, 1, 8, 8), y) if as_images else (X, y)


def make_moons(n: int = 100, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D (as scikit-learn's), with Gaussian noise, shuffled.

    The upper moon (label 0) gets ``n // 2`` points, the lower one (label 1) the rest.

    >>> X, y = make_moons(10, noise=0.0)
    >>> X.shape, y.shape, int(y.sum())
    ((10, 2), (10,), 5)
    >>> bool(np.allclose(np.hypot(*X[y == 0].T), 1.0))
    True
    """
    if n < 2:
        raise ValueError(f"make_moons: need n >= 2 points, got n={n}")
    if noise < 0:
        raise ValueError(f"make_moons: noise is a standard deviation, got {noise}")
    n_upper = n // 2
    n_lower = n - n_upper
    rng = np.random.default_rng(seed)
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n_lower)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n_upper, np.int64), np.ones(n_lower, np.int64)])
    order = rng.permutation(n)
    return X[order], y[order]


def train_test_split(X: np.ndarray, y: np.ndarray, test_size: float = 0.25,
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle with a seed and split into ``X_train, X_test, y_train, y_test``.

    ``test_size`` is a fraction in (0, 1); the test part gets ``ceil(test_size * n)`` rows, as
    in scikit-learn.

    >>> X, y = load_iris()
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, seed=1)
    >>> X_train.shape, X_test.shape, y_train.shape, y_test.shape
    ((120, 4), (30, 4), (120,), (30,))
    """
    X, y = np.asarray(X), np.asarray(y)
    if len(X) != len(y):
        raise ValueError(f"train_test_split: X has {len(X)} rows but y has {len(y)}")
    if not 0.0 < test_size < 1.0:
        raise ValueError(f"train_test_split: test_size must be in (0, 1), got {test_size}")
    n_test = int(np.ceil(test_size * len(X)))
    if n_test >= len(X):
        raise ValueError(f"train_test_split: test_size={test_size} leaves no training rows "
                         f"out of {len(X)}")
    order = np.random.default_rng(seed).permutation(len(X))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]
