"""`tinygrad-lm check` on a layer file: fn, inputs, dout and grads instead of a loss."""

import re

import pytest

from tinygrad_lm.cli import commands as cli
from tinygrad_lm.testing._cli import LAYER_TEMPLATE

POOL = '''
import numpy as np
import tinygrad_lm as tg

x = np.arange(16.0).reshape(1, 1, 4, 4)[:, :, ::-1] * 0.5
inputs = [x]


def fn(x):
    return tg.functional.max_pool2d(x, 2)


dout = np.array([[[[1.0, -2.0], [3.0, 0.5]]]])
dx = np.zeros_like(x)
for i in range(2):
    for j in range(2):
        window = x[0, 0, 2 * i:2 * i + 2, 2 * j:2 * j + 2]
        r, c = np.unravel_index(window.argmax(), (2, 2))
        dx[0, 0, 2 * i + r, 2 * j + c] = dout[0, 0, i, j]
'''


def run(tmp_path, capsys, text):
    path = tmp_path / "layer.py"
    path.write_text(text)
    code = cli.main(["check", str(path)])
    out = capsys.readouterr()
    return code, out.out + out.err


def test_the_layer_template_passes(tmp_path, capsys):
    assert cli.main(["check", "--template", "layer"]) == 0
    assert capsys.readouterr().out.strip() == LAYER_TEMPLATE.strip()
    code, out = run(tmp_path, capsys, LAYER_TEMPLATE)
    assert code == 0, out
    assert "every gradient matches (3 of 3 checked)" in out


def test_a_correct_pool_backward_passes(tmp_path, capsys):
    code, out = run(tmp_path, capsys, POOL + "grads = [dx]\n")
    assert code == 0, out


def test_a_pool_gradient_to_the_whole_window_is_named(tmp_path, capsys):
    code, out = run(tmp_path, capsys, POOL + "grads = [np.kron(dout, np.ones((2, 2)))]\n")
    assert code == 1
    assert "a pooling gradient sent to every entry of each 2x2 window" in out


def test_a_missing_relu_derivative_in_the_template_is_named(tmp_path, capsys):
    code, out = run(tmp_path, capsys, LAYER_TEMPLATE.replace("dz = dout * (z > 0)", "dz = dout"))
    assert code == 1
    assert out.count("a missing activation derivative") == 3


BROKEN = {
    "fn is not a function": (POOL.replace("def fn(x):", "def forward(x):") + "fn = 3\n"
                             "grads = [dx]\n", "fn in .* must be the layer's forward"),
    "no dout": (POOL.replace("dout", "upstream").replace("def fn", "def fn") + "fn = fn\n"
                "grads = [dx]\n", "does not define dout"),
    "grads of another length": (POOL + "grads = [dx, None]\n", "1 inputs but 2 grads"),
}


@pytest.mark.parametrize("case", list(BROKEN))
def test_a_broken_layer_file_says_what_is_wrong(tmp_path, capsys, case):
    text, words = BROKEN[case]
    code, out = run(tmp_path, capsys, text)
    assert code == 2
    assert re.search(words, out), out


def test_help_documents_the_layer_format(capsys):
    assert cli.main(["check", "--help"]) == 0
    out = capsys.readouterr().out
    assert "A layer's backward is checked from a file" in out
    assert "--template layer" in out
