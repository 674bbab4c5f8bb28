"""The Dask example trains the digits MLP on a LocalCluster of worker processes and equals the
in-process run."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_train_on_dask_example_equals_the_in_process_run():
    pytest.importorskip("distributed", reason="dask.distributed is not installed: "
                        "pip install 'dask[distributed]'")
    # A subprocess, as a user runs it: the workers are separate processes that import the
    # package from this checkout and receive make_model and the digits by pickle.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    result = subprocess.run([sys.executable, str(ROOT / "examples" / "train_on_dask.py"),
                             "--epochs", "2"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2 workers, 2 epochs, 44 SGD steps on 1347 digits"
    assert lines[-1].startswith("largest |dask - in-process| over all parameters: ")
    assert lines[-1].endswith("(equal within 1e-10)")
    difference = float(lines[-1].split(": ")[1].split()[0])
    assert difference <= 1e-10
    accuracy = float(lines[2].split("held-out accuracy ")[1].rstrip("%"))
    assert accuracy > 40.0, "two epochs of SGD should lift the digits well above chance (10%)"


def test_train_on_dask_example_connects_to_a_running_scheduler(monkeypatch, capsys):
    import runpy

    distributed = pytest.importorskip("distributed")
    # The path a user takes with --scheduler tcp://scheduler:8786, here to a cluster of this
    # process, whose address a Client in this process can reach.
    with distributed.LocalCluster(n_workers=3, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster:
        monkeypatch.setattr(sys, "argv", ["train_on_dask.py", "--epochs", "1",
                                          "--scheduler", cluster.scheduler_address])
        runpy.run_path(str(ROOT / "examples" / "train_on_dask.py"), run_name="__main__")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "3 workers, 1 epoch, 22 SGD steps on 1347 digits"
    assert lines[-1].endswith("(equal within 1e-10)")
