"""The code base stays ruff-clean (PEP 8, 100 columns, sorted imports), checked with the tests."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_ruff_finds_nothing():
    if shutil.which("ruff") is None:
        pytest.skip("ruff is not installed (it comes with the 'test' extra)")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _public_objects():
    """Every public class and function of the package's modules, and Tensor's and Value's
    public methods and properties."""
    import importlib
    import inspect
    import pkgutil

    import tinygrad_lm
    from tinygrad_lm import Tensor, Value

    names = ["tinygrad_lm"] + [m.name for m in pkgutil.walk_packages(
        tinygrad_lm.__path__, "tinygrad_lm.") if m.name != "tinygrad_lm.__main__"]
    for name in names:
        module = importlib.import_module(name)
        for attr, obj in vars(module).items():
            if (not attr.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
                    and obj.__module__ == name):
                yield f"{name}.{attr}", obj
    for cls in (Tensor, Value):
        for attr, obj in vars(cls).items():
            if attr.startswith("_"):
                continue
            func = obj.fget if isinstance(obj, property) else obj
            if inspect.isfunction(func):
                yield f"{cls.__name__}.{attr}", func


def test_every_public_name_has_a_doctest_example():
    missing = [name for name, obj in _public_objects() if ">>>" not in (obj.__doc__ or "")]
    assert not missing, f"public names without a doctest example: {missing}"
