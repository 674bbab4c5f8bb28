"""tinygrad-lm check on learners' files: no silent pass, regularisers, natural mistakes."""

import numpy as np  # noqa: F401  (the files written below import it themselves)
import pytest

from tinygrad_lm.cli import commands as cli
from tinygrad_lm.testing._cli import TEMPLATE

TWO_LAYER = """
import numpy as np
import tinygrad_lm as tg
rng = np.random.default_rng(7)
X = rng.normal(size=(6, 3))
target = rng.uniform(size=(6, 2))
W1, W2 = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
params = [W1, W2]
def predict(W1, W2):
    return (tg.Tensor(X) @ W1).sigmoid() @ W2
H = 1 / (1 + np.exp(-(X @ W1)))
out = H @ W2
print("loss", np.mean((out - target) ** 2))
d_out = 2 * (out - target){scale}
grads = [X.T @ (d_out @ W2.T * H * (1 - H)), H.T @ d_out]
"""


def run(tmp_path, capsys, text):
    path = tmp_path / "learner.py"
    path.write_text(text)
    code = cli.main(["check", str(path)])
    captured = capsys.readouterr()
    return code, " ".join(captured.out.split()), " ".join(captured.err.split())


def test_printed_mean_with_forgotten_divide_no_longer_passes(tmp_path, capsys):
    code, out, _ = run(tmp_path, capsys, TWO_LAYER.format(scale=""))
    assert code == 1
    assert "exactly the gradient of mse(sum)" in out
    assert "against mse, the loss your file prints (0.641725 is its value here)" in out
    assert "a constant factor N*C (= 12), likely the 1/(N*C) of a mean" in out


def test_an_unprinted_summed_loss_is_ambiguous_with_the_factor_of_its_mean(tmp_path, capsys):
    text = TWO_LAYER.format(scale="").replace('print("loss", np.mean((out - target) ** 2))', "")
    code, out, _ = run(tmp_path, capsys, text)
    assert code == 1
    assert ("mse, the mean, would give gradients N*C = 12 times smaller. If your code means the "
            "mean (the one it prints, say), you forgot to divide by N*C = 12") in out


def test_a_printed_sum_with_summed_gradients_passes(tmp_path, capsys):
    text = TWO_LAYER.format(scale="").replace('print("loss", np.mean((out - target) ** 2))',
                                              'print(f"loss {np.sum((out - target) ** 2):.4f}")')
    code, out, _ = run(tmp_path, capsys, text)
    assert code == 0, out
    assert "against mse(sum), the loss your file prints" in out and "ambiguous" not in out


def test_the_mean_it_prints_passes(tmp_path, capsys):
    code, out, _ = run(tmp_path, capsys, TWO_LAYER.format(scale=" / out.size"))
    assert code == 0, out
    assert "every gradient matches" in out and "ambiguous" not in out


def test_the_template_passes(tmp_path, capsys):
    assert cli.main(["check", "--template"]) == 0
    assert capsys.readouterr().out.strip() == TEMPLATE.strip()
    code, out, _ = run(tmp_path, capsys, TEMPLATE)
    assert code == 0, out
    assert "against the file's loss(pred, target, params): every gradient matches" in out


def test_regulariser_in_loss_with_a_forgotten_l2_gradient(tmp_path, capsys):
    text = TEMPLATE.replace('grads = {"W1": X.T @ dH + 2 * reg * params["W1"]',
                            'grads = {"W1": X.T @ dH')
    code, out, _ = run(tmp_path, capsys, text)
    assert code == 1
    assert "params['W1'], shape (4, 5)" in out
    assert "the L2 weight decay gradient is missing" in out


def test_decay_without_loss_is_checked_against_the_identified_penalty(tmp_path, capsys):
    text = TEMPLATE[:TEMPLATE.index("def loss")] + TEMPLATE[TEMPLATE.index("# Your backprop"):]
    code, out, _ = run(tmp_path, capsys, text)
    assert code == 0, out
    assert "plus L2 weight decay 0.02·w on W1, W2" in out
    assert "against cross_entropy (scale 1) with its weight decay: every gradient matches" in out


@pytest.mark.parametrize("change, words", [
    (("def predict(W1, W2):", "def predict(params):"),
     "predict takes one argument (params) but params is a list of 2 arrays"),
    (("(tg.Tensor(X) @ W1).sigmoid()", "1 / (1 + np.exp(-(tg.Tensor(X) @ W1)))"),
     "applies a numpy function to a Tensor"),
])
def test_natural_mistakes_name_the_fix(tmp_path, capsys, change, words):
    code, _, err = run(tmp_path, capsys, TWO_LAYER.format(scale="").replace(*change))
    assert code == 2
    assert words in err
