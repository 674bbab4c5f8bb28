"""PyTorch habits: tg.tensor and the creation functions, one_hot, dim=, format and round, tg.cat,
x.size(), and the message of backward on a result with no graph."""

import numpy as np
import pytest

import tinygrad_lm as tg

torch = pytest.importorskip("torch")


def test_tensor_is_a_function_like_torch_tensor():
    x = tg.tensor([[1.0, 2.0]], requires_grad=True)
    assert isinstance(x, tg.Tensor) and x.requires_grad and x.dtype == np.float64
    assert tg.tensor([1, 2], dtype=np.float32).dtype == np.float32


def test_creation_functions_match_torch_in_float64():
    pairs = [
        (tg.zeros(2, 3), torch.zeros(2, 3, dtype=torch.float64)),
        (tg.ones((4,)), torch.ones(4, dtype=torch.float64)),
        (tg.full((2, 2), 1.5), torch.full((2, 2), 1.5, dtype=torch.float64)),
        (tg.zeros_like(tg.ones(3)), torch.zeros(3, dtype=torch.float64)),
        (tg.ones_like(np.zeros((2, 1))), torch.ones(2, 1, dtype=torch.float64)),
        (tg.arange(5), torch.arange(5)),
        (tg.arange(1, 7, 2), torch.arange(1, 7, 2)),
        (tg.arange(0.0, 1.0, 0.1), torch.arange(0.0, 1.0, 0.1, dtype=torch.float64)),
        (tg.linspace(-1, 1, 7), torch.linspace(-1, 1, 7, dtype=torch.float64)),
        (tg.eye(3), torch.eye(3, dtype=torch.float64)),
        (tg.eye(2, 4), torch.eye(2, 4, dtype=torch.float64)),
    ]
    for ours, theirs in pairs:
        assert ours.shape == tuple(theirs.shape)
        assert ours.dtype == theirs.numpy().dtype
        np.testing.assert_allclose(ours.data, theirs.numpy(), atol=1e-15)


def test_random_creation_is_seedable_with_an_int_or_a_generator():
    np.testing.assert_array_equal(tg.randn(2, 3, seed=1).data, tg.randn(2, 3, seed=1).data)
    assert not np.array_equal(tg.randn(4, seed=1).data, tg.randn(4, seed=2).data)
    rng = np.random.default_rng(5)
    expected = np.random.default_rng(5).random((3,))
    np.testing.assert_array_equal(tg.rand(3, seed=rng).data, expected)
    w = tg.randn(3, seed=0, requires_grad=True, dtype=np.float32)
    assert w.requires_grad and w.dtype == np.float32


def test_creation_bad_input():
    for call, kind, words in [
        (lambda: tg.zeros(2, -1), ValueError, "zeros: sizes must be >= 0"),
        (lambda: tg.ones(2.5), TypeError, "ones: shape entries must be integers"),
        (lambda: tg.arange(0, 3, 0), ValueError, "arange: step must not be 0"),
        (lambda: tg.arange(3, requires_grad=True), TypeError, "only floating-point data"),
        (lambda: tg.linspace(0, 1, -2), ValueError, "linspace"),
    ]:
        with pytest.raises(kind, match=words):
            call()


def test_one_hot_is_torchs_as_float64():
    labels = np.array([[0, 3], [2, 1]])
    out = tg.one_hot(labels, 4)
    expected = torch.nn.functional.one_hot(torch.from_numpy(labels), 4).numpy()
    assert out.dtype == np.float64 and out.shape == (2, 2, 4)
    np.testing.assert_array_equal(out.data, expected)
    np.testing.assert_array_equal(tg.one_hot(tg.Tensor(np.array([1])), 2).data, [[0.0, 1.0]])
    for labels, n, kind, words in [
        (np.array([0, 4]), 4, ValueError, r"labels must lie in \[0, 4\), got values from 0 to 4"),
        (np.array([-1, 0]), 3, ValueError, "got values from -1 to 0"),
        (np.array([1.0, 2.0]), 3, TypeError, "cast them with"),
        (np.array([1.5]), 3, TypeError, "labels must be integers, got float64"),
        (np.array([1]), 0, ValueError, "num_classes must be a positive int"),
    ]:
        with pytest.raises(kind, match=words):
            tg.one_hot(labels, n)


def test_dim_is_accepted_wherever_axis_is():
    x = np.arange(6.0).reshape(2, 3)
    t = tg.Tensor(x)
    for op in ("sum", "mean", "max", "min", "logsumexp", "var", "std", "argmax"):
        np.testing.assert_array_equal(getattr(t, op)(dim=1).data, getattr(t, op)(axis=1).data)
        with pytest.raises(TypeError, match=f"{op}: got both axis=0 and dim=1"):
            getattr(t, op)(0, dim=1)
    tt = torch.from_numpy(x)
    for op in ("sum", "mean", "logsumexp", "var", "std", "argmax"):
        theirs = getattr(tt, op)(dim=1, keepdim=True)
        np.testing.assert_allclose(getattr(t, op)(dim=1, keepdim=True).data, theirs.numpy())
        with pytest.raises(TypeError, match=f"{op}: got both keepdims=True and keepdim=True"):
            getattr(t, op)(1, True, keepdim=True)
    for op in ("max", "min"):
        theirs = getattr(tt, op)(dim=0, keepdim=True).values
        np.testing.assert_array_equal(getattr(t, op)(dim=0, keepdim=True).data, theirs.numpy())
    for op in ("softmax", "log_softmax", "cumsum", "flip", "squeeze"):
        np.testing.assert_array_equal(getattr(t, op)(dim=0).data, getattr(t, op)(0).data)
    assert t.unsqueeze(dim=0).shape == (1, 2, 3)
    assert tg.cat([t, t], dim=1).shape == (2, 6) and tg.stack([t, t], dim=2).shape == (2, 3, 2)
    with pytest.raises(TypeError, match="dim is PyTorch's name for axis"):
        tg.concatenate([t, t], axis=1, dim=1)


def test_cat_is_concatenate():
    assert tg.cat is tg.concatenate


def test_format_and_round_on_one_element_tensors_and_values():
    loss = tg.Tensor(0.123456, requires_grad=True) * 2
    assert f"{loss:.3f}" == "0.247" and round(loss, 2) == 0.25 and round(loss) == 0
    assert f"{tg.Tensor([[2.5]]):>6.1f}" == "   2.5"
    assert f"{tg.Tensor([1.0, 2.0])}" == str(tg.Tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"format: only a one-element tensor .* shape \(2,\)"):
        f"{tg.Tensor([1.0, 2.0]):.2f}"
    with pytest.raises(ValueError, match="only a one-element tensor"):
        round(tg.Tensor([1.0, 2.0]))
    v = tg.Value(1.23456) * 1
    assert f"{v:.2f}" == "1.23" and round(v, 3) == 1.235 and f"{v}" == repr(v)


def test_size_is_an_int_and_callable_as_in_torch():
    x = tg.Tensor(np.zeros((2, 3, 4)))
    assert x.size == 24 and isinstance(x.size, int) and x.size + 1 == 25
    assert x.size() == (2, 3, 4) == tuple(torch.zeros(2, 3, 4).size())
    assert x.size(1) == 3 and x.size(-1) == 4 and x.size(dim=0) == 2
    with pytest.raises(ValueError, match="size: axis 3 is out of range"):
        x.size(3)


def test_backward_without_a_graph_says_why():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    with tg.no_grad():
        y = (x * x).sum()
        with pytest.raises(ValueError, match=r"no graph was recorded .* under tg.no_grad\(\) "
                                             r"\(active here\)"):
            y.backward()
    with pytest.raises(ValueError, match=r"no graph was recorded .* tg.no_grad\(\).* or none "
                                         r"of its inputs requires grad"):
        y.backward()
    with pytest.raises(ValueError, match="no graph was recorded"):
        (tg.Tensor([1.0]) * 2).sum().backward()
