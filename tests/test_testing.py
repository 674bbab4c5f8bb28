"""tg.testing: hand-written gradients checked against the engine, and the loss they minimise."""

import re
import runpy
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given

import tinygrad_lm as tg
from tinygrad_lm import reference
from tinygrad_lm.cli import commands as cli
from tinygrad_lm.testing import assert_gradients_match, identify_loss

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "check_your_backprop.py"
N, D, H, C = 8, 4, 5, 3


@pytest.fixture
def net():
    """The origin story's data and weights: a bias-free 4-5-3 sigmoid MLP on 8 rows."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, D))
    Y = np.eye(C)[rng.integers(0, C, size=N)]
    W1 = rng.uniform(-0.5, 0.5, size=(D, H))
    W2 = rng.uniform(-0.5, 0.5, size=(H, C))

    def predict(W1, W2):
        return ((tg.Tensor(X) @ W1).sigmoid() @ W2).sigmoid()

    def half_sse(W1, W2):
        return ((predict(W1, W2) - Y) ** 2).sum() / (2 * N)

    return X, Y, W1, W2, predict, half_sse


def hand_backprop(X, Y, W1, W2, mistake=None):
    """Textbook backprop of sum((A2 - Y)**2) / 2N, with one classic mistake on request."""
    A1 = 1 / (1 + np.exp(-(X @ W1)))
    A2 = 1 / (1 + np.exp(-(A1 @ W2)))
    error = Y - A2 if mistake == "sign" else A2 - Y
    if mistake == "twice_n":
        error = error / len(X)
    if mistake == "over_c":
        error = error / Y.shape[1]
    delta2 = error if mistake == "output_derivative" else error * A2 * (1 - A2)
    if mistake == "output_derivative_at_z":  # the slope from Z2 itself, not from A2
        delta2 = error * (A1 @ W2) * (1 - A1 @ W2)
    delta1 = delta2 @ W2.T if mistake == "hidden_derivative" else (delta2 @ W2.T) * A1 * (1 - A1)
    if mistake == "hidden_derivative_at_z":
        delta1 = (delta2 @ W2.T) * (X @ W1) * (1 - X @ W1)
    return [X.T @ delta1 / len(X), A1.T @ delta2 / len(X)]


def report(loss_fn, params, grads, **tolerances) -> str:
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(loss_fn, params, grads, **tolerances)
    return " ".join(str(info.value).split())   # the report is folded at 100 columns


# The origin story and the losses of the catalogue --------------------------------------------

def test_origin_story_backprop_is_half_sse_at_scale_one(net):
    X, Y, W1, W2, predict, half_sse = net
    dW1, dW2, _ = reference.gradients(X, Y, W1, W2)
    assert assert_gradients_match(half_sse, [W1, W2], [dW1, dW2]) is None
    match = identify_loss(predict, [W1, W2], Y, [dW1, dW2])
    assert (match.name, match.scale) == ("half_sse", 1.0)
    assert match.max_rel_error < 1e-12
    text = " ".join(str(match).split())
    assert "exactly the gradient of half_sse" in text
    assert "C/2 = 1.5 times those of mse" in text
    assert "so mse would give gradients C/2 = 1.5 times smaller" in text


def test_plain_mean_mse_gradients_are_mse():
    rng = np.random.default_rng(1)
    X, Y, W = rng.normal(size=(6, 4)), rng.normal(size=(6, 3)), rng.normal(size=(4, 3))
    dW = X.T @ (2 * (X @ W - Y) / Y.size)
    match = identify_loss(lambda W: tg.Tensor(X) @ W, [W], Y, [dW])
    assert (match.name, match.scale) == ("mse", 1.0)
    summed = identify_loss(lambda W: tg.Tensor(X) @ W, [W], Y, [dW * Y.size])
    assert (summed.name, summed.scale) == ("mse(sum)", 1.0)


@pytest.mark.parametrize("one_hot", [True, False])
def test_softmax_cross_entropy_gradients_are_cross_entropy(one_hot):
    rng = np.random.default_rng(2)
    X, W = rng.normal(size=(7, 4)), rng.normal(size=(4, 3))
    labels = rng.integers(0, 3, size=7)
    logits = X @ W
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dW = X.T @ (p - np.eye(3)[labels]) / 7
    target = np.eye(3)[labels] if one_hot else labels
    match = identify_loss(lambda W: tg.Tensor(X) @ W, [W], target, [dW])
    assert (match.name, match.scale) == ("cross_entropy", 1.0)
    if not one_hot:
        assert "mse" in match.skipped     # integer labels do not fit a squared error


def test_sigmoid_outputs_without_their_derivative_are_cross_entropy_times_c(net):
    # The bare error (A2 - Y) / N as the output delta: the binary cross-entropy summed over the
    # C classes and averaged over the N rows, which is C times the mean over all N*C entries.
    X, Y, W1, W2, predict, _ = net
    dW1, dW2, _ = reference.gradients(X, Y, W1, W2, loss="binary_cross_entropy")
    match = identify_loss(predict, [W1, W2], Y, [dW1, dW2])
    assert (match.name, match.scale) == ("binary_cross_entropy", 1.0)
    match = identify_loss(predict, [W1, W2], Y, [C * dW1, C * dW2])
    assert match.name == "binary_cross_entropy" and match.scale == pytest.approx(C, rel=1e-12)


def test_a_learning_rate_folded_in_is_a_scale_with_no_usual_cause(net):
    X, Y, W1, W2, predict, _ = net
    match = identify_loss(predict, [W1, W2], Y, [0.1 * g for g in hand_backprop(X, Y, W1, W2)])
    assert match.name == "half_sse" and match.scale == pytest.approx(0.1, rel=1e-9)
    assert "learning rate" in str(match)


def test_nothing_fits_names_the_closest(net):
    X, Y, W1, W2, predict, _ = net
    rng = np.random.default_rng(3)
    match = identify_loss(predict, [W1, W2], Y, [rng.normal(size=W1.shape),
                                                 rng.normal(size=W2.shape)])
    assert match.name is None and match.closest is not None and match.max_rel_error > 0.1
    assert str(match).startswith(f"No loss of the catalogue fits your gradients. The closest is "
                                 f"{match.closest}")


# Each broken variant gets its diagnosis ------------------------------------------------------

@pytest.mark.parametrize("mistake, diagnosis", [
    ("output_derivative", "a missing activation derivative: yours equal the engine's with the "
                          "derivative s*(1-s) of sigmoid 2 of 2 (output shape (8, 3)"),
    ("hidden_derivative", "a missing activation derivative: yours equal the engine's with the "
                          "derivative s*(1-s) of sigmoid 1 of 2 (output shape (8, 5)"),
    ("output_derivative_at_z", "an activation derivative taken at its input: yours equal the "
                               "engine's with the derivative of sigmoid 2 of 2 (output shape "
                               "(8, 3), the last one, nearest the loss) computed from its input "
                               "z, as z*(1-z), where s*(1-s) of its output belongs"),
    ("hidden_derivative_at_z", "an activation derivative taken at its input: yours equal the "
                               "engine's with the derivative of sigmoid 1 of 2 (output shape "
                               "(8, 5), counted from the input) computed from its input z"),
    ("twice_n", "a constant factor 1/N (= 1/8), likely the 1/N of a mean once too often"),
    ("over_c", "a constant factor 1/C (= 1/3), likely an extra 1/C"),
    ("sign", "a flipped sign: yours point uphill"),
])
def test_each_broken_backprop_gets_its_diagnosis(net, mistake, diagnosis):
    X, Y, W1, W2, _, half_sse = net
    text = report(half_sse, [W1, W2], hand_backprop(X, Y, W1, W2, mistake))
    if mistake.startswith("hidden_derivative"):  # W2's gradient does not cross the hidden layer
        assert "for 1 of 2 parameters" in text and "params[1]" not in text
    assert f"diagnosis: {diagnosis}" in text
    assert re.search(r"params\[0\] \(W1\), shape \(4, 5\): \d+ of 20 entries differ", text)


def test_worst_entry_gives_index_both_values_and_errors(net):
    X, Y, W1, W2, _, half_sse = net
    dW1, dW2 = hand_backprop(X, Y, W1, W2)
    wrong = dW2.copy()
    wrong[3, 1] += 0.5
    text = report(half_sse, [W1, W2], [dW1, wrong])
    assert "params[1] (W2), shape (5, 3): 1 of 15 entries differ" in text
    assert (f"worst entry (3, 1): yours {wrong[3, 1]:.6g}, engine's {dW2[3, 1]:.6g}, abs error "
            f"0.5, rel error {0.5 / abs(dW2[3, 1]):.6g}") in text
    assert "no usual mistake explains it" in text


def test_the_two_of_a_square():
    w = np.array([0.5, -2.0, 3.0])
    loss = lambda w: ((w - 1) ** 2).sum()          # noqa: E731
    assert "a constant factor 1/2, likely the 2 of a square" in report(loss, [w], [w - 1])
    half = lambda w: ((w - 1) ** 2).sum() / 2      # noqa: E731
    assert "a constant factor 2, likely the 2 of a square" in report(half, [w], [2 * (w - 1)])


def test_shape_mismatch_is_named_and_a_transpose_recognised(net):
    X, Y, W1, W2, _, half_sse = net
    dW1, dW2 = hand_backprop(X, Y, W1, W2)
    text = report(half_sse, [W1, W2], [dW1, dW2.T])
    assert ("params[1] (W2): shape mismatch: yours have shape (3, 5), the parameter and the "
            "engine's gradient have shape (5, 3)") in text
    assert "a transposed gradient" in text
    text = report(half_sse, [W1, W2], [dW1, dW2.sum(axis=0)])
    assert "yours have shape (3,), the parameter and the engine's gradient have shape (5, 3)" \
        in text


def test_square_parameter_transposed():
    rng = np.random.default_rng(4)
    X, W = rng.normal(size=(6, 3)), rng.normal(size=(3, 3))
    dW = X.T @ (X @ W) / 6
    text = report(lambda W: ((tg.Tensor(X) @ W) ** 2).sum() / 12, [W], [dW.T])
    assert "a transposed gradient: yours equal the engine's transposed (.T)" in text


def test_zeros_where_the_engine_has_signal(net):
    X, Y, W1, W2, _, half_sse = net
    dW1, dW2 = hand_backprop(X, Y, W1, W2)
    holes = dW2.copy()
    holes[:, 2] = 0
    text = report(half_sse, [W1, W2], [dW1, holes])
    assert "zeros where the engine has signal: 5 of 15 entries (the first at (0, 2))" in text
    assert "all zeros where the engine has signal" in report(half_sse, [W1, W2],
                                                             [np.zeros_like(dW1), dW2])


def test_missing_and_non_finite_gradients(net):
    X, Y, W1, W2, _, half_sse = net
    dW1, dW2 = hand_backprop(X, Y, W1, W2)
    assert "no gradient given (None)" in report(half_sse, [W1, W2], [dW1, None])
    broken = dW1.copy()
    broken[1, 1] = np.nan
    assert "not finite: 1 of yours are nan or inf (the first at (1, 1))" in report(
        half_sse, [W1, W2], [broken, dW2])


# float32, names and bad input ----------------------------------------------------------------

def test_float32_is_checked_in_float64_with_a_note(net):
    X, Y, W1, W2, predict, half_sse = net
    W1_32, W2_32 = W1.astype(np.float32), W2.astype(np.float32)
    grads = [g.astype(np.float32) for g in hand_backprop(X, Y, W1_32, W2_32)]
    assert grads[0].dtype == np.float32
    assert assert_gradients_match(half_sse, [W1_32, W2_32], grads) is None
    text = report(half_sse, [W1_32, W2_32], [grads[0], -grads[1]])
    assert ("note: params[0] (W1), params[1] (W2), grads[0], grads[1] are float32 or narrower; "
            "the engine computed its gradients in float64") in text
    assert "params[1] (W2)" in text and "a flipped sign" in text
    match = identify_loss(predict, [W1_32, W2_32], Y, grads)
    assert (match.name, match.scale) == ("half_sse", 1.0)
    assert "float32 or narrower: the engine's were computed in float64" in " ".join(
        str(match).split())


def test_parameters_without_an_argument_name_are_numbered():
    w = np.array([1.0, 2.0])
    text = report(lambda *ps: (ps[0] * ps[1]).sum(), [w, w], [w, -w])
    assert "params[1], shape (2,)" in text and "params[1] (" not in text


def test_bad_input_is_a_clear_error():
    w = np.array([1.0, 2.0])
    loss = lambda w: (w ** 2).sum()                # noqa: E731
    with pytest.raises(ValueError, match="got 2 gradients for 1 params"):
        assert_gradients_match(loss, [w], [w, w])
    with pytest.raises(TypeError, match="wrap a single array in a list"):
        assert_gradients_match(loss, w, [w])
    with pytest.raises(ValueError, match=r"one-element Tensor \(the loss\), got shape \(2,\)"):
        assert_gradients_match(lambda w: w * 2, [w], [w])
    with pytest.raises(TypeError, match="loss_fn must return a Tensor"):
        assert_gradients_match(lambda w: float((w.data ** 2).sum()), [w], [w])
    with pytest.raises(TypeError, match="params\\[0\\] must be a numeric array"):
        assert_gradients_match(loss, [np.array(["a"])], [w])
    with pytest.raises(ValueError, match=r"grads\[0\] has shape \(3,\) but params\[0\]"):
        identify_loss(lambda w: w * 1, [w], w, [np.ones(3)])


# Strategies ---------------------------------------------------------------------------------

def test_strategies_load_on_use_and_tinygrad_lm_does_not_import_hypothesis():
    code = ("import sys, tinygrad_lm as tg; assert 'hypothesis' not in sys.modules; "
            "tg.testing.strategies.arrays; assert 'hypothesis' in sys.modules")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
    code = ("import sys; sys.modules['hypothesis'] = None; import tinygrad_lm as tg\n"
            "try:\n    tg.testing.strategies\nexcept ModuleNotFoundError as e:\n    print(e)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    assert "needs hypothesis: pip install hypothesis" in out
    code = ("import sys; sys.modules['hypothesis'] = None\n"
            "try:\n    import tinygrad_lm.testing.strategies\n"
            "except ModuleNotFoundError as e:\n    print(e)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    assert "needs hypothesis: pip install hypothesis" in out  # imported directly, too


@given(tg.testing.strategies.broadcastable_shapes().flatmap(
    lambda pair: tg.testing.strategies.arrays(pair[0]).map(lambda x: (x, pair[1]))))
def test_correct_gradients_of_a_broadcast_pass(case):
    x, other_shape = case
    y = np.linspace(-1.0, 1.0, int(np.prod(other_shape))).reshape(other_shape)
    out_shape = np.broadcast_shapes(x.shape, y.shape)
    grad = np.broadcast_to(y, out_shape)
    axes = tuple(range(len(out_shape) - x.ndim))
    grad = grad.sum(axis=axes) if axes else grad
    grad = grad.sum(axis=tuple(i for i, n in enumerate(x.shape) if n == 1 and grad.shape[i] != 1),
                    keepdims=True) if grad.shape != x.shape else grad
    assert_gradients_match(lambda x: (x * y).sum(), [x], [grad])


# The example and the command line ------------------------------------------------------------

def test_example_shows_the_three_broken_variants(capsys, monkeypatch):
    monkeypatch.setattr(sys, "argv", [str(EXAMPLE)])
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = " ".join(capsys.readouterr().out.split())
    assert "exactly the gradient of half_sse" in out
    assert "every gradient matches the engine's" in out
    for diagnosis in ("a missing activation derivative", "a constant factor 1/N (= 1/12)",
                      "a flipped sign"):
        assert out.count(f"diagnosis: {diagnosis}") == 2
    assert out.count("diagnosis: an activation derivative taken at its input") == 1  # Wh only


def test_check_command_round_trips_on_the_example():
    result = subprocess.run([sys.executable, "-m", "tinygrad_lm", "check",
                             "examples/check_your_backprop.py"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "which loss: Your gradients are exactly the gradient of half_sse" in out
    assert "against half_sse (scale 1): every gradient matches the engine's" in out


LEARNER_FILE = """
import numpy as np
import tinygrad_lm as tg
rng = np.random.default_rng(5)
X, target = rng.normal(size=(6, 2)), rng.normal(size=(6, 1))
params = [rng.normal(size=(2, 1))]
def predict(w):
    return tg.Tensor(X) @ w
grads = [{sign}X.T @ (X @ params[0] - target) / len(X)]
"""


def test_check_command_reports_a_mismatch_and_bad_files(tmp_path, capsys):
    flipped = tmp_path / "flipped.py"
    flipped.write_text(LEARNER_FILE.format(sign="-"))
    assert cli.main(["check", str(flipped)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "exactly minus the gradient of half_sse" in out
    assert "against half_sse (scale 1): gradients differ" in out and "a flipped sign" in out
    meant = tmp_path / "meant.py"
    meant.write_text(LEARNER_FILE.format(sign="") + "loss = tg.losses.mse\n")
    assert cli.main(["check", str(meant)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "against the file's loss(pred, target)" in out
    assert "a constant factor 1/2, likely the 2 of a square" in out
    missing = tmp_path / "missing.py"
    missing.write_text(LEARNER_FILE.format(sign="").replace("grads =", "my_grads ="))
    assert cli.main(["check", str(missing)]) == 2
    assert "does not define grads; a checked file defines predict" in capsys.readouterr().err
    assert cli.main(["check", str(tmp_path / "nowhere.py")]) == 2
    assert "no file" in capsys.readouterr().err
    crashing = tmp_path / "crashing.py"
    crashing.write_text("1 / 0\n")
    assert cli.main(["check", str(crashing)]) == 2
    assert "raised ZeroDivisionError" in capsys.readouterr().err


def test_a_parameter_the_loss_ignores():
    w, unused = np.array([1.0, 2.0]), np.array([3.0])
    text = report(lambda w, unused: (w ** 2).sum(), [w, unused], [2 * w, np.array([0.5])])
    assert "params[1] (unused), shape (1,): 1 of 1 entries differ" in text
    assert "the engine's gradient is zero here: this parameter does not change the loss" in text
    assert_gradients_match(lambda w, unused: (w ** 2).sum(), [w, unused], [2 * w, np.zeros(1)])


def test_zero_gradients_fit_no_loss(net):
    X, Y, W1, W2, predict, _ = net
    match = identify_loss(predict, [W1, W2], Y, [np.zeros_like(W1), np.zeros_like(W2)])
    assert match.name is None and match.scale == 0


def test_two_classes_make_mse_and_half_sse_the_same_loss():
    rng = np.random.default_rng(6)
    X, Y, W = rng.normal(size=(5, 3)), rng.normal(size=(5, 2)), rng.normal(size=(3, 2))
    match = identify_loss(lambda W: tg.Tensor(X) @ W, [W], Y, [X.T @ (X @ W - Y) / 5])
    assert (match.name, match.scale) == ("half_sse", 1.0)
    assert "exactly those of mse" in " ".join(str(match).split())
    assert "so mse would give gradients the same size" in " ".join(str(match).split())


def test_missing_tanh_derivative_under_cross_entropy_and_its_counts():
    rng = np.random.default_rng(8)
    X, labels = rng.normal(size=(10, 3)), rng.integers(0, 4, size=10)
    W1, W2 = rng.normal(size=(3, 6)), rng.normal(size=(6, 4))

    def loss(W1, W2):
        return tg.losses.cross_entropy((tg.Tensor(X) @ W1).tanh() @ W2, labels)

    H = np.tanh(X @ W1)
    Z = H @ W2
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    delta = (P - np.eye(4)[labels]) / 10
    assert_gradients_match(loss, [W1, W2], [X.T @ ((delta @ W2.T) * (1 - H ** 2)), H.T @ delta])
    text = report(loss, [W1, W2], [X.T @ (delta @ W2.T), H.T @ delta])
    assert "N = 10 rows by C = 4 columns" in text
    assert "with the derivative 1-t**2 of tanh 1 of 1 (output shape (10, 6)" in text
    text = report(loss, [W1, W2], [X.T @ ((delta @ W2.T) * (1 - (X @ W1) ** 2)), H.T @ delta])
    assert ("an activation derivative taken at its input: yours equal the engine's with the "
            "derivative of tanh 1 of 1 (output shape (10, 6), the last one, nearest the loss) "
            "computed from its input z, as 1-z**2, where 1-t**2 of its output belongs") in text


def test_check_command_on_a_transposed_gradient(tmp_path, capsys):
    transposed = tmp_path / "transposed.py"
    transposed.write_text(LEARNER_FILE.format(sign="") + "grads = [grads[0].T]\n"
                          "loss = tg.testing.half_sse\n")
    assert cli.main(["check", str(transposed)]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert "which loss: not identified, grads[0] has shape (1, 2) but params[0] has shape (2, 1)" \
        in out
    assert "a transposed gradient" in out
