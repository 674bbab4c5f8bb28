"""A character RNN with backprop through time, written as a learner writes it, checked."""

import numpy as np
import pytest

import tinygrad_lm as tg
from tinygrad_lm.cli import commands as cli
from tinygrad_lm.testing import assert_gradients_match, identify_loss

T, B, V, H = 4, 3, 5, 6         # time steps, sequences, vocabulary, hidden units
rng = np.random.default_rng(21)
CHARS = rng.integers(0, V, size=(T + 1, B))
XS, YS = np.eye(V)[CHARS[:-1]], CHARS[1:]        # one-hot inputs; next characters as labels
PARAMS = {"Wxh": rng.normal(size=(V, H)) * 0.5, "Whh": rng.normal(size=(H, H)) * 0.5,
          "bh": rng.normal(size=H) * 0.1, "Why": rng.normal(size=(H, V)) * 0.5,
          "by": rng.normal(size=V) * 0.1}


def predict(p):
    """The logits of every step, stacked: (T * B, V) rows."""
    h, steps = tg.zeros((B, H)), []
    for t in range(T):
        h = (tg.Tensor(XS[t]) @ p["Wxh"] + h @ p["Whh"] + p["bh"]).tanh()
        steps.append(h @ p["Why"] + p["by"])
    return tg.cat(steps, axis=0)


def loss(p):
    return tg.losses.cross_entropy(predict(p), YS.reshape(-1))


def bptt(p, tanh_prime=True, divide=True):
    """Forward through time, then backward through time: the mean cross-entropy over T*B."""
    hs, probs = [np.zeros((B, H))], []
    for t in range(T):
        hs.append(np.tanh(XS[t] @ p["Wxh"] + hs[-1] @ p["Whh"] + p["bh"]))
        z = hs[-1] @ p["Why"] + p["by"]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        probs.append(e / e.sum(axis=1, keepdims=True))
    grads = {k: np.zeros_like(v) for k, v in p.items()}
    dh_next = np.zeros((B, H))
    for t in reversed(range(T)):
        dz_out = probs[t] - np.eye(V)[YS[t]]
        if divide:
            dz_out = dz_out / (T * B)
        grads["Why"] += hs[t + 1].T @ dz_out
        grads["by"] += dz_out.sum(axis=0)
        dh = dz_out @ p["Why"].T + dh_next
        dz = dh * (1 - hs[t + 1] ** 2) if tanh_prime else dh
        grads["Wxh"] += XS[t].T @ dz
        grads["Whh"] += hs[t].T @ dz
        grads["bh"] += dz.sum(axis=0)
        dh_next = dz @ p["Whh"].T
    return grads


def test_correct_bptt_passes_and_is_the_mean_cross_entropy():
    assert_gradients_match(loss, PARAMS, bptt(PARAMS))
    match = identify_loss(predict, PARAMS, YS.reshape(-1), bptt(PARAMS))
    assert (match.name, match.scale, match.n, match.c) == ("cross_entropy", 1.0, T * B, V)


def test_a_tanh_derivative_missing_at_every_step_is_one_shared_mistake():
    with pytest.raises(AssertionError) as info:
        assert_gradients_match(loss, PARAMS, bptt(PARAMS, tanh_prime=False))
    report = " ".join(str(info.value).split())
    assert "3 of 5 parameters" in report          # Why and by sit above every tanh
    assert report.count(f"left out at every tanh (all {T} of them)") == 3


def test_gradients_summed_over_time_while_the_printed_loss_is_the_mean(tmp_path, capsys):
    text = "\n".join([
        "import numpy as np",
        "import sys",
        f"sys.path.insert(0, {str(tmp_path)!r})",
        "from rnn_parts import PARAMS as params, predict, bptt, YS",
        "target = YS.reshape(-1)",
        "grads = bptt(params, divide=False)",
        "import tinygrad_lm as tg",
        "print(f'loss {tg.losses.cross_entropy(predict(params), target).item():.6f}')",
    ])
    (tmp_path / "rnn_parts.py").write_text(open(__file__).read())
    (tmp_path / "rnn.py").write_text(text)
    code = cli.main(["check", str(tmp_path / "rnn.py")])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 1
    assert "against cross_entropy, the loss your file prints" in out
    assert f"a constant factor N (= {T * B})" in out
