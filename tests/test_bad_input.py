"""Bad input: a clear TypeError or ValueError naming the op, shapes, dtypes; NaN and inf flow."""

import math
import re

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm import Tensor


def _leaf(*shape):
    return Tensor(np.ones(shape), requires_grad=True)


@pytest.mark.parametrize("op, symbol", [
    (lambda a, b: a + b, "add"), (lambda a, b: a - b, "sub"), (lambda a, b: a * b, "mul"),
    (lambda a, b: a / b, "div"), (lambda a, b: a ** b, "pow"), (lambda a, b: a > b, "gt"),
    (lambda a, b: a == b, "eq"),
])
def test_broadcast_mismatch_names_op_shapes_and_dtypes(op, symbol):
    for other in (_leaf(4), np.ones(4, dtype=np.float32)):
        with pytest.raises(ValueError) as info:
            op(_leaf(2, 3), other)
        message = str(info.value)
        assert message.startswith(symbol)
        assert "(2, 3) float64" in message
        assert f"(4,) {np.asarray(other).dtype}" in message


@pytest.mark.parametrize("x_shape, y_shape", [((2, 3), (4, 2)), ((3,), (4,)), ((2, 3), (2,)),
                                              ((5, 2, 3), (4, 3, 2))])
def test_matmul_mismatch(x_shape, y_shape):
    with pytest.raises(ValueError) as info:
        _leaf(*x_shape) @ _leaf(*y_shape)
    message = str(info.value)
    assert message.startswith("matmul")
    assert f"{x_shape} float64" in message and f"{y_shape} float64" in message


def test_matmul_of_a_0d_tensor():
    with pytest.raises(ValueError, match="matmul"):
        _leaf() @ _leaf(3)


def test_backward_on_a_non_scalar_without_grad_names_the_shape():
    with pytest.raises(ValueError, match=r"backward.*\(2, 3\)"):
        (_leaf(2, 3) * 2).backward()


@pytest.mark.parametrize("grad", [np.ones((3, 2)), np.ones(6), Tensor(np.ones(3)), np.ones(())])
def test_backward_with_a_grad_of_the_wrong_shape(grad):
    with pytest.raises(ValueError) as info:
        (_leaf(2, 3) * 2).backward(grad)
    message = str(info.value)
    assert message.startswith("backward")
    assert str(np.shape(grad)) in message and "(2, 3)" in message


def test_backward_on_a_tensor_without_a_graph():
    with pytest.raises(ValueError, match="backward.*requires_grad"):
        Tensor([1.0]).backward()


@pytest.mark.parametrize("data", [np.array([1, 2]), np.array([True, False]),
                                  np.array([1, 2], dtype=np.uint8)])
def test_requires_grad_on_integer_data(data):
    with pytest.raises(TypeError) as info:
        Tensor(data, requires_grad=True)
    assert str(info.value).startswith("Tensor") and str(data.dtype) in str(info.value)


def test_unsupported_data():
    with pytest.raises(TypeError, match="Tensor.*<U3"):
        Tensor("abc")
    with pytest.raises(TypeError, match="Tensor.*complex"):
        Tensor(np.array([1j]))
    with pytest.raises(TypeError, match=r"add.*complex"):
        Tensor([1.0]) + 1j


@pytest.mark.parametrize("undefined", ["skip", "NaN", None])
def test_unknown_undefined_mode(undefined):
    x = _leaf(2)
    with pytest.raises(ValueError, match=f"backward.*undefined.*{undefined!r}"):
        x.sum().backward(undefined=undefined)
    with pytest.raises(ValueError, match="undefined"):
        tg.Value(1.0).backward(undefined=undefined)
    assert x.grad is None


def test_reshape_to_an_incompatible_size():
    with pytest.raises(ValueError) as info:
        _leaf(6).reshape(4, 2)
    message = str(info.value)
    assert message.startswith("reshape") and "(6,) float64" in message
    assert re.search(r"\(4, ?2\)", message)


@pytest.mark.parametrize("name, call", [
    ("sum", lambda t: t.sum(axis=2)),
    ("sum", lambda t: t.sum(axis=(0, -3))),
    ("max", lambda t: t.max(axis=-3)),
    ("mean", lambda t: t.mean(axis=2)),
    ("min", lambda t: t.min(axis=(1, 5))),
    ("logsumexp", lambda t: t.logsumexp(axis=2)),
    ("softmax", lambda t: t.softmax(axis=2)),
    ("log_softmax", lambda t: t.log_softmax(axis=-3)),
    ("argmax", lambda t: t.argmax(axis=2)),
    ("transpose", lambda t: t.transpose(0, 2)),
    ("concatenate", lambda t: tg.concatenate([t, t], axis=2)),
])
def test_axis_out_of_range_names_the_op(name, call):
    with pytest.raises(ValueError) as info:
        call(_leaf(2, 3))
    message = str(info.value)
    assert message.startswith(name), message
    assert "axis" in message and "out of range" in message and "2 dimensions" in message


def test_stack_axis_out_of_range_counts_the_new_axis():
    with pytest.raises(ValueError, match="stack: axis 3 is out of range.*3 dimensions"):
        tg.stack([_leaf(2, 3), _leaf(2, 3)], axis=3)


@pytest.mark.parametrize("name, call", [
    ("sum", lambda t: t.sum(axis=(0, 0))),
    ("mean", lambda t: t.mean(axis=(1, -1))),
    ("max", lambda t: t.max(axis=1.0)),
])
def test_bad_axis_values(name, call):
    with pytest.raises((TypeError, ValueError)) as info:
        call(_leaf(2, 3))
    assert str(info.value).startswith(name), str(info.value)


@pytest.mark.parametrize("axes", [(0, 0, 1), (0, 1), (2, 1, 0, 3), (0, 1, 3)])
def test_transpose_with_a_non_permutation(axes):
    with pytest.raises(ValueError) as info:
        _leaf(2, 3, 4).transpose(*axes)
    assert str(info.value).startswith("transpose")


def test_concatenate_and_stack_shape_mismatches():
    with pytest.raises(ValueError) as info:
        tg.concatenate([_leaf(2, 3), _leaf(3, 2)], axis=1)
    assert str(info.value).startswith("concatenate") and "(3, 2)" in str(info.value)
    with pytest.raises(ValueError, match=r"stack.*\(2, 3\).*\(3, 2\)"):
        tg.stack([_leaf(2, 3), _leaf(3, 2)])
    with pytest.raises(ValueError, match="concatenate.*dimensions"):
        tg.concatenate([_leaf(2, 3), _leaf(3)])
    with pytest.raises(TypeError, match="concatenate"):
        tg.concatenate([])


def test_index_out_of_bounds_names_getitem():
    with pytest.raises(IndexError, match=r"getitem.*\(2, 3\)"):
        _leaf(2, 3)[5]


def test_item_of_many_entries_and_ambiguous_truth():
    with pytest.raises(ValueError, match=r"item.*\(2, 3\)"):
        _leaf(2, 3).item()
    with pytest.raises(ValueError, match=r"\(2, 3\)"):
        bool(_leaf(2, 3))


def test_clip_without_bounds():
    with pytest.raises(ValueError, match="clip"):
        _leaf(2).clip()


@pytest.mark.parametrize("data", ["a", b"1", None, [1.0], 1j])
def test_value_of_a_non_number(data):
    with pytest.raises(TypeError, match="Value"):
        tg.Value(data)


def test_mixing_value_and_tensor():
    cases = [lambda: tg.Value(1.0) + Tensor(1.0), lambda: Tensor(1.0) + tg.Value(1.0),
             lambda: Tensor([1.0]) * tg.Value(2.0), lambda: tg.Value(2.0) ** Tensor(1.0),
             lambda: Tensor(tg.Value(1.0))]
    for case in cases:
        with pytest.raises(TypeError) as info:
            case()
        message = str(info.value)
        assert "Value" in message and "Tensor" in message


def test_value_with_a_string_operand():
    with pytest.raises(TypeError, match=r"mul.*str"):
        tg.Value(1.0) * "a"


def test_a_float_tensor_that_is_not_a_mask_cannot_index():
    with pytest.raises(TypeError, match="mask"):
        _leaf(3)[Tensor([0.0, 2.0, 1.0])]


# NaN and inf flow through as IEEE arithmetic says ---------------------------------------------

def _grads(fn, *xs):
    ts = [Tensor(np.array(x, dtype=np.float64), requires_grad=True) for x in xs]
    out = fn(*ts)
    out.sum().backward()
    return out.data, [t.grad for t in ts]


@pytest.fixture
def quiet_numpy():
    with np.errstate(all="ignore"):
        yield


@pytest.mark.usefixtures("quiet_numpy")
def test_log_of_zero_and_of_a_negative():
    out, (g,) = _grads(lambda x: x.log(), [0.0, -1.0, 1.0])
    np.testing.assert_array_equal(out, [-np.inf, np.nan, 0.0])
    np.testing.assert_array_equal(g, [np.inf, -1.0, 1.0])


@pytest.mark.usefixtures("quiet_numpy")
def test_zero_over_zero():
    out, (gx, gy) = _grads(lambda x, y: x / y, [0.0, 1.0, -1.0], [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(out, [np.nan, np.inf, -np.inf])
    np.testing.assert_array_equal(gx, [np.inf, np.inf, np.inf])
    np.testing.assert_array_equal(gy, [np.nan, -np.inf, np.inf])


@pytest.mark.usefixtures("quiet_numpy")
def test_sqrt_at_zero_overflowing_exp_and_nan_data():
    _, (g,) = _grads(lambda x: x.sqrt(), [0.0, 4.0])
    np.testing.assert_array_equal(g, [np.inf, 0.25])
    out, (g,) = _grads(lambda x: x.exp(), [1000.0, np.nan])
    np.testing.assert_array_equal(out, [np.inf, np.nan])
    np.testing.assert_array_equal(g, [np.inf, np.nan])
    out, (g,) = _grads(lambda x: x.sigmoid(), [-1000.0, 1000.0, np.nan])
    np.testing.assert_array_equal(out, [0.0, 1.0, np.nan])
    np.testing.assert_array_equal(g, [0.0, 0.0, np.nan])
    out, (g,) = _grads(lambda x: x * np.inf, [0.0, 2.0])
    np.testing.assert_array_equal(out, [np.nan, np.inf])
    np.testing.assert_array_equal(g, [np.inf, np.inf])


@pytest.mark.usefixtures("quiet_numpy")
def test_nan_through_reductions_and_piecewise_ops():
    out, (g,) = _grads(lambda x: x.sum(), [1.0, np.nan])
    assert np.isnan(out) and np.array_equal(g, [1.0, 1.0])
    out, (g,) = _grads(lambda x: x.max(), [1.0, np.nan])
    assert np.isnan(out) and g.shape == (2,)
    with pytest.warns(tg.ZeroGradientWarning):
        out, (g,) = _grads(lambda x: (x > 0.0) + x.round() * 0.0, [np.nan, np.inf])
    np.testing.assert_array_equal(g, [0.0, 0.0])
    out, (g,) = _grads(lambda x: x.logsumexp(), [-np.inf, 0.0])
    assert out == 0.0
    np.testing.assert_array_equal(g, [0.0, 1.0])


@pytest.mark.usefixtures("quiet_numpy")
def test_value_forward_follows_ieee():
    assert tg.Value(0.0).log().data == -math.inf
    assert math.isnan((tg.Value(0.0) / 0.0).data)
    assert (tg.Value(1.0) / 0.0).data == math.inf
    assert tg.Value(1000.0).exp().data == math.inf
    v = tg.Value(0.0)
    (v ** 0.5).backward()
    assert v.grad == math.inf


def test_value_backward_through_a_division_by_zero_follows_ieee():
    v = tg.Value(0.0)
    v.log().backward()
    assert v.grad == math.inf
    a, b = tg.Value(1.0), tg.Value(0.0)
    (a / b).backward()
    assert a.grad == math.inf and b.grad == -math.inf
    s = tg.Value(0.0)
    (s ** 0.5).backward()
    assert s.grad == math.inf
