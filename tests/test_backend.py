"""core.backend: each array's library and namespace on numpy, torch, array_api_strict and dask."""

import subprocess
import sys
from pathlib import Path

import array_api_compat
import numpy as np
import pytest

from tinygrad_lm.core import backend
from tinygrad_lm.core.backend import check_same_library, library_name, namespace

xps = pytest.importorskip("array_api_strict")


def test_numpy_arrays_and_scalars_get_numpy_itself_without_array_api_compat(monkeypatch):
    def refuse(*arrays):
        raise AssertionError("the numpy path asked array_api_compat")

    monkeypatch.setattr(backend.compat, "array_namespace", refuse)
    assert namespace(np.ones((2, 3)), np.float32(2.0), 3, 1.5, True, None) is np
    assert namespace(np.ones(2, dtype=np.float32)) is np
    assert namespace() is np
    assert library_name(np.zeros(())) == library_name(np.int64(3)) == "numpy"


def test_array_api_strict_arrays_get_their_own_namespace_and_it_computes():
    x = xps.asarray([[1.0, 2.0], [3.0, 4.0]], dtype=xps.float64)
    xp = namespace(x, 2.0, op="mul")
    assert xp is xps
    assert library_name(x) == check_same_library(x, 1, x) == "array_api_strict"
    total = xp.sum(xp.exp(x), axis=1, keepdims=True)
    assert total.shape == (2, 1)
    np.testing.assert_allclose(np.asarray(total), np.exp([[1, 2], [3, 4]]).sum(1, keepdims=True),
                               rtol=1e-15)


def test_torch_tensors_get_the_compat_torch_namespace_and_it_computes():
    torch = pytest.importorskip("torch")
    t = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)
    xp = namespace(t, torch.zeros(3, dtype=torch.float64))
    assert xp is array_api_compat.torch
    assert library_name(t) == "torch"
    # The standard's spelling on a torch tensor: axis and keepdims, not dim and keepdim.
    out = xp.sum(xp.abs(t), axis=0, keepdims=True)
    assert isinstance(out, torch.Tensor) and out.dtype == torch.float64
    assert out.tolist() == [6.0]


def test_dask_arrays_are_named_dask():
    da = pytest.importorskip("dask.array")
    x = da.ones((4,), chunks=2)
    assert library_name(x) == "dask"
    assert namespace(x) is array_api_compat.array_namespace(x)


@pytest.mark.parametrize("other", ["torch", "array_api_strict"])
def test_mixing_two_libraries_in_one_op_names_both(other):
    if other == "torch":
        torch = pytest.importorskip("torch")
        foreign = torch.ones(2, dtype=torch.float64)
    else:
        foreign = xps.ones(2)
    with pytest.raises(TypeError, match=f"^add: cannot mix numpy and {other} arrays in one op; "
                                        f"convert one with the other library's asarray first$"):
        namespace(np.ones(2), 1.0, foreign, op="add")
    with pytest.raises(TypeError, match=f"^matmul: cannot mix {other} and numpy arrays"):
        check_same_library(foreign, None, np.ones(2), op="matmul")


def test_torch_and_array_api_strict_do_not_mix_either():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match="where: cannot mix torch and array_api_strict arrays"):
        namespace(torch.ones(1), xps.ones(1), op="where")


@pytest.mark.parametrize("thing", [[1.0, 2.0], "abc", object()])
def test_what_is_not_an_array_is_named(thing):
    with pytest.raises(TypeError, match=f"library_name: a {type(thing).__name__} is not an "
                                        f"array of an array-API library"):
        namespace(np.ones(1), thing)


def test_asking_imports_neither_torch_nor_dask():
    code = ("import sys, numpy as np\n"
            "from tinygrad_lm.core.backend import library_name, namespace\n"
            "assert namespace(np.ones(1)) is np and library_name(np.ones(1)) == 'numpy'\n"
            "library_name(__import__('array_api_strict').ones(1))\n"
            "print(sorted(m for m in ('torch', 'dask', 'cupy', 'jax') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=Path(__file__).resolve().parent.parent)
    assert result.stdout.strip() == "[]"
