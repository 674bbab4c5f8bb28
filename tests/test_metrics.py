"""accuracy: values, all-zero gradients with a warning, NaN exactly on thresholds and ties."""

import warnings

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.metrics import accuracy


def _backward(out, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out.backward(**kwargs)
    return [w for w in caught if issubclass(w.category, tg.ZeroGradientWarning)]


def test_binary_values():
    pred = tg.Tensor([0.9, 0.4, 0.6, 0.5])
    assert accuracy(pred, [1, 0, 0, 0]).item() == 0.75
    assert accuracy(pred, np.array([[1], [0], [0], [0]])).item() == 0.75
    assert accuracy(pred.reshape(4, 1), [1, 0, 0, 0]).item() == 0.75
    assert accuracy(pred, [True, False, False, True]).item() == 0.5
    assert accuracy(pred, tg.Tensor([1.0, 1.0, 1.0, 1.0]), threshold=0.45).item() == 0.75
    assert accuracy(tg.Tensor([-1.0, 2.0]), [0, 1], threshold=0.0).item() == 1.0


def test_multiclass_values_with_labels_and_one_hot():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(20, 5))
    labels = rng.integers(0, 5, size=20)
    expected = np.mean(logits.argmax(axis=1) == labels)
    assert accuracy(tg.Tensor(logits), labels).item() == expected
    assert accuracy(tg.Tensor(logits), np.eye(5)[labels]).item() == expected
    assert accuracy(tg.Tensor(logits), tg.Tensor(labels)).item() == expected


def test_result_is_a_zero_d_tensor_in_the_graph():
    w = tg.Tensor([[1.0, -1.0]], requires_grad=True)
    acc = accuracy(np.array([[1.0], [2.0]]) @ w, np.array([0, 1]))
    assert isinstance(acc, tg.Tensor) and acc.shape == () and acc.requires_grad
    assert acc.op != ""


@pytest.mark.parametrize("binary", [True, False])
def test_backward_gives_all_zero_gradients_and_warns(binary):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(12, 3))
    w = tg.Tensor(rng.normal(size=(3, 1 if binary else 4)), requires_grad=True)
    b = tg.Tensor(rng.normal(size=(1 if binary else 4,)), requires_grad=True)
    scores = x @ w + b
    if binary:
        acc = accuracy(scores.sigmoid(), rng.integers(0, 2, size=12))
    else:
        acc = accuracy(scores, rng.integers(0, 4, size=12))
    caught = _backward(acc)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert ("gt" if binary else "argmax") in message and "surrogate" in message
    for p in (w, b):
        assert p.grad is not None and p.grad.shape == p.shape
        np.testing.assert_array_equal(p.grad, np.zeros(p.shape))


def test_strict_mode_marks_exactly_the_predictions_on_the_threshold():
    pred = tg.Tensor([0.5, 0.7, 0.2, 0.5, 0.49999999], requires_grad=True)
    _backward(accuracy(pred, [1, 1, 0, 0, 0]), undefined="nan")
    np.testing.assert_array_equal(np.isnan(pred.grad), [True, False, False, True, False])
    assert (pred.grad[~np.isnan(pred.grad)] == 0).all()
    pred.grad = None
    _backward(accuracy(pred, [1, 1, 0, 0, 0]))
    np.testing.assert_array_equal(pred.grad, np.zeros(5))


def test_strict_mode_marks_exactly_the_argmax_ties():
    logits = tg.Tensor([[1.0, 1.0, 0.0], [3.0, 1.0, 2.0], [2.0, 0.0, 2.0]], requires_grad=True)
    _backward(accuracy(logits, np.array([0, 0, 2])), undefined="nan")
    expected = np.array([[True, True, False], [False, False, False], [True, False, True]])
    np.testing.assert_array_equal(np.isnan(logits.grad), expected)
    assert (logits.grad[~expected] == 0).all()


def test_a_correct_label_is_not_a_jump():
    # Every prediction equals its label, yet `argmax(p) == y` is locally constant: its
    # derivative exists (it is 0). Only ties of the argmax itself are undefined.
    logits = tg.Tensor([[2.0, 1.0], [0.0, 3.0], [5.0, -1.0]], requires_grad=True)
    acc = accuracy(logits, np.array([0, 1, 0]))
    assert acc.item() == 1.0
    _backward(acc, undefined="nan")
    np.testing.assert_array_equal(logits.grad, np.zeros((3, 2)))


def test_undefined_entries_reach_the_parameters_that_feed_them():
    x = np.array([[1.0, 1.0], [0.1, 0.1]])
    w = tg.Tensor([[2.0], [3.0]], requires_grad=True)
    b = tg.Tensor([0.0], requires_grad=True)
    # The second sample scores exactly 0.5: its prediction sits on the threshold, and every
    # parameter moves that score.
    _backward(accuracy(x @ w + b, [1, 0]), undefined="nan")
    assert np.isnan(w.grad).all() and np.isnan(b.grad).all()


def test_bad_input():
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        accuracy(tg.Tensor([0.1, 0.2, 0.3]), [0, 1])
    with pytest.raises(ValueError, match="0 or 1"):
        accuracy(tg.Tensor([0.1, 0.2]), [0, 2])
    with pytest.raises(TypeError, match="integer dtype"):
        accuracy(tg.Tensor(np.zeros((2, 3))), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        accuracy(tg.Tensor(np.zeros((2, 3))), np.array([0, 3]))
    with pytest.raises(ValueError, match="one-hot"):
        accuracy(tg.Tensor(np.zeros((2, 3))), np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"\(N,\), \(N, 1\) or \(N, C\)"):
        accuracy(tg.Tensor(np.zeros((2, 3, 4))), np.array([0, 1]))
