"""Data-parallel training on a Dask cluster started in this process equals the in-process run."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.distributed import shard_gradient, train_data_parallel

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed: "
                                  "pip install 'dask[distributed]'")


@pytest.fixture(scope="module")
def client():
    # Threads, not processes: the cluster starts in well under a second; the test below with
    # processes=True checks that everything also crosses a pickle boundary.
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as client:
            yield client


def _data(n=23, seed=1):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    y = (X[:, 0] + X[:, 1] ** 2 > 0.5).astype(np.int64) + (X[:, 2] > 0)
    return X, y


def make_model():
    return tg.nn.MLP([4, 6, 3], activation="tanh", seed=0)


class Affine(tg.nn.Module):
    """``x @ w + b``: its parameters are its whole state, in the same layout whatever the
    state's convention (PyTorch's transposes Linear's weight), so a test can step it by hand."""

    def __init__(self):
        rng = np.random.default_rng(2)
        self.w = tg.Tensor(rng.normal(size=(4, 3)), requires_grad=True)
        self.b = tg.Tensor(rng.normal(size=3), requires_grad=True)

    def forward(self, x):
        return tg.Tensor(x) @ self.w + self.b


def _initial(make):
    """The state training starts from, in the layout train_data_parallel returns."""
    return train_data_parallel(None, make, *_data(n=1), lr=0.0, epochs=0, batch_size=1)


def _max_difference(a, b):
    assert list(a) == list(b)
    return max(float(np.max(np.abs(a[name] - b[name]))) for name in a)


def test_dask_run_equals_the_in_process_run(client):
    X, y = _data()
    # 23 rows in batches of 5: shards of 3 and 2 rows, and a last batch of 3 split 2 and 1.
    kwargs = dict(lr=0.2, epochs=4, batch_size=5, seed=3)
    on_dask = train_data_parallel(client, make_model, X, y, **kwargs)
    local = train_data_parallel(None, make_model, X, y, **kwargs)
    assert _max_difference(on_dask, local) <= 1e-10
    assert _max_difference(on_dask, _initial(make_model)) > 1e-2, "training did not move"
    assert all(type(v) is np.ndarray and v.dtype == np.float64 for v in on_dask.values())


def test_regression_with_mse_on_dask_equals_in_process(client):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(11, 3))
    y = X @ np.array([[1.0, -1.0], [2.0, 0.5], [0.0, 1.0]])

    def make_linear():
        return tg.nn.Linear(3, 2, seed=5)

    kwargs = dict(loss="mse", lr=0.05, epochs=3, batch_size=4)
    on_dask = train_data_parallel(client, make_linear, X, y, **kwargs)
    assert _max_difference(on_dask, train_data_parallel(None, make_linear, X, y, **kwargs)) \
        <= 1e-10


def test_training_is_deterministic_under_its_seed(client):
    X, y = _data()
    kwargs = dict(lr=0.2, epochs=2, batch_size=6)
    first = train_data_parallel(client, make_model, X, y, seed=7, **kwargs)
    again = train_data_parallel(client, make_model, X, y, seed=7, **kwargs)
    assert all(np.array_equal(first[name], again[name]) for name in first)
    other = train_data_parallel(client, make_model, X, y, seed=8, **kwargs)
    assert _max_difference(first, other) > 1e-6, "the seed did not change the batch order"


def test_an_uneven_split_is_weighted_by_rows(client):
    X, y = _data(n=7)
    lr = 0.5
    # One batch of 7 rows: the two workers get 4 and 3 of them.
    state = train_data_parallel(client, Affine, X, y, lr=lr, epochs=1, batch_size=7)
    model = Affine()
    tg.losses.cross_entropy(model(X), y).backward()
    expected = {name: p.data - lr * p.grad for name, p in model.named_parameters()}
    assert _max_difference(state, expected) <= 1e-12
    # The plain mean of the two shards' gradients is a different step: the test can tell.
    start = _initial(Affine)
    order = np.random.default_rng(0).permutation(7)
    halves = [shard_gradient(Affine, start, X, y, rows, "cross_entropy")
              for rows in np.array_split(order, 2)]
    unweighted = {name: start[name] - lr * (halves[0][name] + halves[1][name]) / 2
                  for name in start}
    assert _max_difference(unweighted, expected) > 1e-4


def test_a_batch_smaller_than_the_cluster_leaves_workers_idle(client):
    X, y = _data(n=5)
    kwargs = dict(lr=0.1, epochs=2, batch_size=1)
    assert _max_difference(train_data_parallel(client, make_model, X, y, **kwargs),
                           train_data_parallel(None, make_model, X, y, **kwargs)) <= 1e-10


def test_worker_processes_get_everything_by_pickle():
    X, y = _data(n=9)
    hidden = 5

    def make_local():          # a closure: cloudpickle sends it by value
        return tg.nn.MLP([4, hidden, 3], activation="relu", seed=1)

    kwargs = dict(lr=0.3, epochs=2, batch_size=4)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        with distributed.Client(cluster) as client:
            on_dask = train_data_parallel(client, make_local, X, y, **kwargs)
    assert _max_difference(on_dask, train_data_parallel(None, make_local, X, y, **kwargs)) \
        <= 1e-10


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(batch_size=0), ValueError, "batch_size must be >= 1, got 0"),
    (dict(batch_size=2.0), TypeError, "batch_size must be an integer, got 2.0"),
    (dict(epochs=-1), ValueError, "epochs must be >= 0, got -1"),
    (dict(lr=float("nan")), ValueError, "lr must be a finite number >= 0, got nan"),
    (dict(loss="cross_entropi"), ValueError,
     "unknown loss 'cross_entropi'; pass the name of one of tg.losses: binary_cross_entropy, "),
    (dict(loss=tg.losses.mse), ValueError, "unknown loss <function mse"),
])
def test_bad_arguments_are_named(kwargs, error, message):
    X, y = _data(n=6)
    arguments = dict(lr=0.1, epochs=1, batch_size=2) | kwargs
    with pytest.raises(error, match="train_data_parallel: ") as info:
        train_data_parallel(None, make_model, X, y, **arguments)
    assert message in str(info.value)


def test_unknown_loss_lists_every_valid_name():
    X, y = _data(n=6)
    with pytest.raises(ValueError) as info:
        train_data_parallel(None, make_model, X, y, loss="l2", lr=0.1, epochs=1, batch_size=2)
    assert all(name in str(info.value) for name in tg.losses.__all__)


def test_mismatched_or_empty_data_is_refused():
    X, y = _data(n=6)
    with pytest.raises(ValueError, match=r"X has 6 rows but y has 5 \(X shape \(6, 4\), "
                                         r"y shape \(5,\)\)"):
        train_data_parallel(None, make_model, X, y[:5], lr=0.1, epochs=1, batch_size=2)
    with pytest.raises(ValueError, match="X and y are empty"):
        train_data_parallel(None, make_model, X[:0], y[:0], lr=0.1, epochs=1, batch_size=2)


def test_a_client_of_the_wrong_type_is_refused():
    X, y = _data(n=6)
    with pytest.raises(TypeError, match=r"client must be a dask.distributed.Client or None, got "
                                        r"a str; connect with Client\('tcp://scheduler:8786'\)"):
        train_data_parallel("tcp://scheduler:8786", make_model, X, y, lr=0.1, epochs=1,
                            batch_size=2)


def test_make_model_must_build_a_module_with_parameters():
    X, y = _data(n=6)
    with pytest.raises(TypeError, match="make_model must be a function that builds the model, "
                                        "got a MLP"):
        train_data_parallel(None, make_model(), X, y, lr=0.1, epochs=1, batch_size=2)
    with pytest.raises(TypeError, match="make_model\\(\\) returned a dict on the driver"):
        train_data_parallel(None, dict, X, y, lr=0.1, epochs=1, batch_size=2)
    with pytest.raises(ValueError, match="built a ReLU with no parameters"):
        train_data_parallel(None, tg.nn.ReLU, X, y, lr=0.1, epochs=1, batch_size=2)


def test_a_model_that_changes_between_calls_is_refused():
    X, y = _data(n=6)
    sizes = iter([6, 7])

    def make_changing():
        return tg.nn.MLP([4, next(sizes), 3], seed=0)

    with pytest.raises(ValueError, match="parameter '0.weight' has shape \\(4, 7\\) here but "
                                         "\\(4, 6\\) on the driver"):
        train_data_parallel(None, make_changing, X, y, lr=0.1, epochs=1, batch_size=2)


def test_a_make_model_that_cannot_be_pickled_is_refused_before_any_work(client):
    import threading

    X, y = _data(n=6)
    lock = threading.Lock()

    def make_locked():
        with lock:
            return make_model()

    with pytest.raises(TypeError, match="make_model cannot be sent to the workers: cloudpickle "
                                        "failed with TypeError: cannot pickle '_thread.lock'"):
        train_data_parallel(client, make_locked, X, y, lr=0.1, epochs=1, batch_size=2)


def test_an_error_on_a_worker_reaches_the_driver_as_itself(client):
    X, y = _data(n=6)
    for where in (client, None):
        # mse of (N, 3) predictions against (N,) class labels: the loss refuses the shapes.
        with pytest.raises(ValueError, match="mse"):
            train_data_parallel(where, make_model, X, y, loss="mse", lr=0.1, epochs=1,
                                batch_size=4)


def test_a_cluster_without_workers_is_refused():
    X, y = _data(n=6)
    with distributed.LocalCluster(n_workers=0, processes=False, dashboard_address=":0") as empty:
        with distributed.Client(empty) as client:
            with pytest.raises(ValueError, match="the Dask cluster at inproc://.* has no "
                                                 "workers; start some"):
                train_data_parallel(client, make_model, X, y, lr=0.1, epochs=1, batch_size=2)


class WithUnused(Affine):
    def __init__(self):
        super().__init__()
        self.unused = tg.Tensor(np.ones(2), requires_grad=True)


def test_a_parameter_the_loss_does_not_reach_stays_where_it_was(client):
    X, y = _data(n=8)
    kwargs = dict(lr=0.2, epochs=2, batch_size=4)
    on_dask = train_data_parallel(client, WithUnused, X, y, **kwargs)
    assert np.array_equal(on_dask["unused"], np.ones(2))
    assert _max_difference(on_dask, train_data_parallel(None, WithUnused, X, y, **kwargs)) \
        <= 1e-10
