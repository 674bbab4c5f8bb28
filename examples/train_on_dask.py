"""Train the digits MLP data-parallel on a Dask cluster, and check it equals the in-process run.

Run: python examples/train_on_dask.py [--epochs 10] [--workers 2] [--scheduler ADDRESS]

Without --scheduler it starts a LocalCluster of worker processes on this machine; with
--scheduler tcp://scheduler:8786 it uses a running cluster whose workers have tinygrad_lm
installed. Every minibatch of 64 digits is split across the workers, each computes its
shard's gradient with the engine, and this process sums them by rows and takes the SGD step.
The same training then runs in this process alone; the two must agree within 1e-10.
"""

import argparse
import time

import numpy as np

import tinygrad_lm as tg

TOLERANCE = 1e-10


def make_model() -> tg.nn.Module:
    """The model every worker rebuilds: seeded, so each call gives the same network."""
    return tg.nn.MLP([64, 32, 10], activation="relu", seed=0)


def evaluate(state: dict, X: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Cross-entropy and accuracy of the trained parameters on (X, y)."""
    model = make_model()
    model.load_state_dict(state)
    with tg.no_grad():
        logits = model(X)
        return tg.losses.cross_entropy(logits, y).item(), tg.metrics.accuracy(logits, y).item()


def run(client, epochs: int, log=print) -> float:
    """Train on the cluster and in-process; log a summary and return their largest difference."""
    X, y = tg.datasets.load_digits()
    X_train, X_test, y_train, y_test = tg.datasets.train_test_split(X / 16.0, y, seed=0)
    settings = dict(loss="cross_entropy", lr=0.5, epochs=epochs, batch_size=64, seed=0)
    workers = len(client.scheduler_info()["workers"])
    start = time.perf_counter()
    on_dask = tg.distributed.train_data_parallel(client, make_model, X_train, y_train,
                                                 **settings)
    dask_seconds = time.perf_counter() - start
    start = time.perf_counter()
    local = tg.distributed.train_data_parallel(None, make_model, X_train, y_train, **settings)
    local_seconds = time.perf_counter() - start
    difference = max(float(np.max(np.abs(on_dask[k] - local[k]))) for k in local)
    steps = epochs * -(-len(X_train) // settings["batch_size"])
    loss, accuracy = evaluate(on_dask, X_train, y_train)
    _, test_accuracy = evaluate(on_dask, X_test, y_test)
    log(f"{workers} workers, {epochs} epoch{'s' * (epochs != 1)}, {steps} SGD steps on "
        f"{len(X_train)} digits")
    log(f"on dask:    {dask_seconds:.2f} s   in-process: {local_seconds:.2f} s")
    log(f"training loss {loss:.4f}, training accuracy {accuracy:.1%}, "
        f"held-out accuracy {test_accuracy:.1%}")
    log(f"largest |dask - in-process| over all parameters: {difference:.1e} "
        f"({'equal' if difference <= TOLERANCE else 'DIFFERENT'} within {TOLERANCE:.0e})")
    return difference


def main() -> None:
    from dask.distributed import Client, LocalCluster

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--scheduler", help="address of a running scheduler, e.g. "
                        "tcp://scheduler:8786 (default: start a LocalCluster)")
    args = parser.parse_args()
    if args.scheduler:
        with Client(args.scheduler) as client:
            difference = run(client, args.epochs)
    else:
        with LocalCluster(n_workers=args.workers, threads_per_worker=1,
                          dashboard_address=":0") as cluster, Client(cluster) as client:
            difference = run(client, args.epochs)
    if difference > TOLERANCE:
        raise SystemExit(f"the Dask run differs from the in-process run by {difference:.1e}")


if __name__ == "__main__":
    main()
