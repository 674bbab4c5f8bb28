"""Fixtures of the array-API tests: ``xp``, a non-numpy array namespace."""

import pytest


def _cupy():
    try:
        import cupy
        if cupy.cuda.runtime.getDeviceCount() > 0:
            return cupy
    except Exception:  # no CuPy, or no GPU: either way, nothing to run on
        return None
    return None


@pytest.fixture(params=["array_api_strict", "torch", "cupy"])
def xp(request):
    """A non-numpy array namespace; torch and CuPy are skipped where they are missing."""
    if request.param == "cupy":
        module = _cupy()
        if module is None:
            pytest.skip("CuPy with a GPU is not available on this machine")
        return module
    return pytest.importorskip(request.param)
