"""A predict that returns probabilities where the catalogue's losses take logits."""

import numpy as np

import tinygrad_lm as tg
from tinygrad_lm.cli import commands as cli
from tinygrad_lm.testing import identify_loss

rng = np.random.default_rng(3)
X = rng.normal(size=(8, 4))
LABELS = rng.integers(0, 3, size=8)
W = rng.normal(size=(4, 3))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


P = softmax(X @ W)
GRAD = X.T @ (P - np.eye(3)[LABELS]) / len(X)


def probabilities(W):
    return (tg.Tensor(X) @ W).softmax(axis=1)


def test_softmax_probabilities_are_recognised_and_the_fix_named():
    match = identify_loss(probabilities, [W], LABELS, [GRAD])
    assert (match.name, match.scale, match.probabilities) == ("cross_entropy", 1.0, True)
    text = " ".join(str(match).split())
    assert "Your predict returns softmax probabilities" in text
    assert "return the scores before the softmax from predict" in text


def test_logits_are_not_called_probabilities():
    match = identify_loss(lambda W: tg.Tensor(X) @ W, [W], LABELS, [GRAD])
    assert (match.name, match.probabilities) == ("cross_entropy", False)


def test_a_wrong_gradient_of_probabilities_is_not_a_match():
    match = identify_loss(probabilities, [W], LABELS, [GRAD + 0.01])
    assert match.name is None and not match.probabilities


def test_summed_cross_entropy_of_probabilities():
    match = identify_loss(probabilities, [W], LABELS, [GRAD * len(X)])
    assert (match.name, match.probabilities) == ("cross_entropy(sum)", True)


FILE = """
import numpy as np
import tinygrad_lm as tg
rng = np.random.default_rng(5)
X = rng.normal(size=(10, 3))
target = (rng.uniform(size=(10, 1)) > 0.5) * 1.0
W = rng.normal(size=(3, 1))
params = [W]
def predict(W):
    return {predict}
a = 1 / (1 + np.exp(-(X @ W)))
grads = [X.T @ (a - target) / len(X)]
{loss}
"""


def run(tmp_path, capsys, text):
    path = tmp_path / "learner.py"
    path.write_text(text)
    code = cli.main(["check", str(path)])
    return code, " ".join(capsys.readouterr().out.split())


def test_check_passes_softmax_probabilities_and_says_what_to_return(tmp_path, capsys):
    text = f"""
import numpy as np
import tinygrad_lm as tg
X = np.array({X.tolist()})
target = np.array({LABELS.tolist()})
params = [np.array({W.tolist()})]
def predict(W):
    return (tg.Tensor(X) @ W).softmax(axis=1)
grads = [np.array({GRAD.tolist()})]
"""
    code, out = run(tmp_path, capsys, text)
    assert code == 0, out
    assert "return the scores before the softmax" in out
    assert "every gradient matches" in out


def test_sigmoid_outputs_with_a_logits_loss_get_the_hint(tmp_path, capsys):
    text = FILE.format(predict="(tg.Tensor(X) @ W).sigmoid()",
                       loss="loss = tg.losses.binary_cross_entropy_with_logits")
    code, out = run(tmp_path, capsys, text)
    assert code == 1
    assert "Your predict returns sigmoid outputs" in out
    assert "return the scores before the sigmoid" in out


def test_sigmoid_logits_with_the_logits_loss_pass(tmp_path, capsys):
    text = FILE.format(predict="tg.Tensor(X) @ W",
                       loss="loss = tg.losses.binary_cross_entropy_with_logits")
    code, out = run(tmp_path, capsys, text)
    assert code == 0, out
