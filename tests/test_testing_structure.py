"""tg.testing with params and grads as dicts and nested lists: entries named by path."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.testing import assert_gradients_match, identify_loss


@pytest.fixture
def dict_net():
    """A dict of weights, softmax loss plus reg * sum(W**2), gradients in a dict."""
    rng = np.random.default_rng(2)
    X, labels = rng.normal(size=(5, 3)), rng.integers(0, 2, size=5)
    Y, reg = np.eye(2)[labels], 0.1
    params = {"W1": rng.normal(size=(3, 4)), "W2": rng.normal(size=(4, 2))}

    def predict(p):
        return (tg.Tensor(X) @ p["W1"]).tanh() @ p["W2"]

    def loss(p):
        return tg.losses.cross_entropy(predict(p), Y) + reg * ((p["W1"] ** 2).sum()
                                                               + (p["W2"] ** 2).sum())

    hidden = np.tanh(X @ params["W1"])
    scores = hidden @ params["W2"]
    probs = np.exp(scores) / np.exp(scores).sum(1, keepdims=True)
    dscores = (probs - Y) / len(X)
    dhidden = dscores @ params["W2"].T * (1 - hidden ** 2)
    grads = {"W1": X.T @ dhidden + 2 * reg * params["W1"],
             "W2": hidden.T @ dscores + 2 * reg * params["W2"]}
    return params, predict, loss, grads, Y


def test_dicts_pass_and_are_identified(dict_net):
    params, predict, loss, grads, Y = dict_net
    assert_gradients_match(loss, params, grads)
    match = identify_loss(predict, params, Y, grads)
    assert match.name == "cross_entropy" and match.decayed == ["W1", "W2"]


def test_dict_entries_are_named_by_key(dict_net):
    params, _, loss, grads, _ = dict_net
    wrong = dict(grads, W2=grads["W2"] * 2)
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(loss, params, wrong)
    assert "params['W2'], shape (4, 2)" in str(info.value)
    assert "params['W1']" not in str(info.value)


def test_a_dict_of_grads_with_other_keys_is_a_clear_error(dict_net):
    params, _, loss, grads, _ = dict_net
    with pytest.raises(ValueError, match="grads must have the structure of params"):
        assert_gradients_match(loss, params, {"W1": grads["W1"], "b": grads["W2"]})
    with pytest.raises(ValueError, match="grads must have the structure of params"):
        assert_gradients_match(loss, params, [grads["W1"], grads["W2"]])


def test_nested_lists_of_biases_and_weights():
    """Two lists (biases, weights) of per-layer column-vector arrays, as the function takes."""
    rng = np.random.default_rng(4)
    X, Y = rng.normal(size=(3, 6)), rng.uniform(size=(2, 6))
    biases = [rng.normal(size=(4, 1)), rng.normal(size=(2, 1))]
    weights = [rng.normal(size=(4, 3)), rng.normal(size=(2, 4))]

    def cost(biases, weights):
        a = tg.Tensor(X)
        for b, w in zip(biases, weights):
            a = (w @ a + b).sigmoid()
        return ((a - Y) ** 2).sum() / 2

    a1 = 1 / (1 + np.exp(-(weights[0] @ X + biases[0])))
    a2 = 1 / (1 + np.exp(-(weights[1] @ a1 + biases[1])))
    d2 = (a2 - Y) * a2 * (1 - a2)
    d1 = weights[1].T @ d2 * a1 * (1 - a1)
    nabla_b = [d1.sum(1, keepdims=True), d2.sum(1, keepdims=True)]
    nabla_w = [d1 @ X.T, d2 @ a1.T]
    assert_gradients_match(cost, (biases, weights), (nabla_b, nabla_w))
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(cost, (biases, weights), (nabla_b, [nabla_w[0], nabla_w[1].T.T
                                                                   * 0.5]))
    report = str(info.value)
    assert "params[1][1] (weights[1]), shape (2, 4)" in report
    assert "<U" not in report and "sequence" not in report


def test_mismatched_structures_are_named_never_a_raw_numpy_error():
    """Ragged (nabla_b, nabla_w) lists and dicts: a sentence about the structure, not numpy's
    "setting an array element with a sequence" nor a dict read as strings ("<U2")."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 5))
    biases = [rng.normal(size=(4, 1)), rng.normal(size=(2, 1))]
    weights = [rng.normal(size=(4, 3)), rng.normal(size=(2, 4))]

    def cost(biases, weights):
        a = tg.Tensor(x)
        for b, w in zip(biases, weights):
            a = (w @ a + b).sigmoid()
        return (a ** 2).sum()

    zeros = ([np.zeros_like(b) for b in biases], [np.zeros_like(w) for w in weights])
    for grads in ((zeros[0], zeros[1][:1]), {"b": zeros[0], "w": zeros[1]}, "grads"):
        for check in (lambda g: assert_gradients_match(cost, (biases, weights), g),
                      lambda g: identify_loss(lambda b, w: cost(b, w).reshape(1), (biases,
                                                                                   weights),
                                              np.zeros(1), g)):
            try:
                check(grads)
            except (ValueError, AssertionError) as e:
                text = str(e)
            else:
                raise AssertionError(f"no complaint about grads {type(grads).__name__}")
            assert "setting an array element" not in text and "<U" not in text, text
            assert "structure of params" in text or "differ" in text, text
