"""The shipped data sets: checksums, shapes, dtypes; make_moons and the seeded split."""

import hashlib
from importlib import resources

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import datasets

SHA256 = {
    "iris.csv": "f13ffa8fdd56fd8e6c8d16d4081a3fbd3114bcd0aae4256c43205169cd9d1449",
    "digits.csv.gz": "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22",
}


@pytest.mark.parametrize("filename", sorted(SHA256))
def test_shipped_file_checksum(filename):
    raw = resources.files("tinygrad_lm.datasets").joinpath(filename).read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SHA256[filename]


def test_iris_shapes_dtypes_and_classes():
    X, y = tg.datasets.load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float64
    assert y.shape == (150,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 50, 50]
    np.testing.assert_array_equal(X[0], [5.1, 3.5, 1.4, 0.2])
    assert X.flags.c_contiguous


def test_digits_shapes_dtypes_and_range():
    X, y = datasets.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64
    assert y.shape == (1797,) and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16
    assert set(y.tolist()) == set(range(10))
    assert np.all(X == np.round(X))


def test_make_moons_is_seeded_and_noise_free_points_lie_on_the_arcs():
    X1, y1 = datasets.make_moons(50, noise=0.2, seed=3)
    X2, y2 = datasets.make_moons(50, noise=0.2, seed=3)
    X3, _ = datasets.make_moons(50, noise=0.2, seed=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)
    X, y = datasets.make_moons(51, noise=0.0)
    assert X.shape == (51, 2) and y.dtype == np.int64 and int(y.sum()) == 26
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1.0, X[y == 1, 1] - 0.5), 1.0)


def test_make_moons_bad_input():
    with pytest.raises(ValueError, match="n >= 2"):
        datasets.make_moons(1)
    with pytest.raises(ValueError, match="noise"):
        datasets.make_moons(10, noise=-1.0)


def test_train_test_split_partitions_the_rows():
    X, y = datasets.load_iris()
    X_train, X_test, y_train, y_test = datasets.train_test_split(X, y, test_size=0.25, seed=0)
    assert len(X_test) == 38 and len(X_train) == 112
    rows = np.concatenate([X_train, X_test])
    assert sorted(map(tuple, rows)) == sorted(map(tuple, X))
    again = datasets.train_test_split(X, y, test_size=0.25, seed=0)
    np.testing.assert_array_equal(again[1], X_test)
    np.testing.assert_array_equal(again[3], y_test)


def test_train_test_split_bad_input():
    X, y = datasets.load_iris()
    with pytest.raises(ValueError, match="150 rows but y has 10"):
        datasets.train_test_split(X, y[:10])
    with pytest.raises(ValueError, match="test_size"):
        datasets.train_test_split(X, y, test_size=1.5)
