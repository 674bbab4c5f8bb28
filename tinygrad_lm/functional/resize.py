"""Resizing images as PyTorch's ``interpolate`` does (nearest, bilinear): gathers and weighted
sums of primitives, so the gradient comes for free."""

from __future__ import annotations

import numpy as np

from ..core.scopes import composite


def _out_size(op, in_hw, size, scale_factor):
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size and scale_factor, got size={size!r}, "
                         f"scale_factor={scale_factor!r}")
    if size is not None:
        out = (size, size) if isinstance(size, (int, np.integer)) else tuple(size)
        scales = (None, None)
    else:
        scales = ((scale_factor,) * 2 if isinstance(scale_factor, (int, float))
                  else tuple(scale_factor))
        if len(scales) != 2 or any(s <= 0 for s in scales):
            raise ValueError(f"{op}: scale_factor must be positive, one or two of them, "
                             f"got {scale_factor!r}")
        out = tuple(int(np.floor(n * s)) for n, s in zip(in_hw, scales))
    if len(out) != 2 or any(int(n) < 1 for n in out):
        raise ValueError(f"{op}: the output size must be two positive ints, got {out} "
                         f"(input spatial shape {tuple(in_hw)})")
    return tuple(int(n) for n in out), scales


def _nearest(n_in, n_out, scale):
    """PyTorch's nearest source index: floor(dst * scale) in float32, clamped."""
    ratio = np.float32(n_in / n_out if scale is None else 1.0 / scale)
    return np.minimum(np.floor(np.arange(n_out, dtype=np.float32) * ratio).astype(np.intp),
                      n_in - 1)


def _linear(n_in, n_out, scale, align_corners, dtype):
    """Both source indices and the weight of the second, as PyTorch's bilinear kernel."""
    dst = np.arange(n_out, dtype=dtype)
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out, dtype)
    else:
        ratio = n_in / n_out if scale is None else 1.0 / scale
        src = np.maximum((dst + 0.5) * ratio - 0.5, 0.0)
    low = np.minimum(np.floor(src).astype(np.intp), n_in - 1)
    high = np.minimum(low + 1, n_in - 1)
    return low, high, (src - low).astype(dtype)


@composite("interpolate")
def interpolate(x, size=None, scale_factor=None, mode: str = "nearest",
                align_corners: bool | None = None):
    """Resize (N, C, H, W) images to ``size`` or by ``scale_factor``, as
    ``torch.nn.functional.interpolate`` with mode ``"nearest"`` or ``"bilinear"``.

    >>> import tinygrad_lm as tg
    >>> x = tg.Tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
    >>> tg.functional.interpolate(x, scale_factor=2)[0, 0, 0]
    Tensor([1., 1., 2., 2.])
    >>> tg.functional.interpolate(x, size=3, mode="bilinear", align_corners=True)[0, 0, 0]
    Tensor([1. , 1.5, 2. ])
    """
    op = "interpolate"
    if np.ndim(x) != 4:
        raise ValueError(f"{op}: input must be 4-d (N, C, H, W), got shape {np.shape(x)}")
    out_hw, scales = _out_size(op, x.shape[2:], size, scale_factor)
    if mode == "nearest":
        if align_corners is not None:
            raise ValueError(f"{op}: align_corners only applies to mode='bilinear'")
        rows, cols = (_nearest(n, m, s) for n, m, s in zip(x.shape[2:], out_hw, scales))
        return x[:, :, rows][:, :, :, cols]
    if mode != "bilinear":
        raise ValueError(f"{op}: mode must be 'nearest' or 'bilinear', got {mode!r}")
    corners = bool(align_corners)
    top, bottom, wy = _linear(x.shape[2], out_hw[0], scales[0], corners, x.dtype)
    left, right, wx = _linear(x.shape[3], out_hw[1], scales[1], corners, x.dtype)
    wy = wy.reshape(-1, 1)
    rows = x[:, :, top] * (1 - wy) + x[:, :, bottom] * wy
    return rows[:, :, :, left] * (1 - wx) + rows[:, :, :, right] * wx
