"""Drawings of a graph computed on another array library read its values through numpy: the
same picture as the numpy graph's."""

import re

import numpy as np

import tinygrad_lm as tg


def _graph(to):
    x = tg.Tensor(to(np.array([[0.5, -1.0]])), requires_grad=True)
    w = tg.Tensor(to(np.array([[1.0], [2.0]])), requires_grad=True)
    return ((x @ w).sigmoid() - 1.0).sum()


def _numbered_away(text):
    return re.sub(r"\d{3,}", "N", text)  # node ids come from sequence numbers


def test_draw_graph_and_the_explorer_show_the_numpy_picture(xp):
    want, got = _graph(np.asarray), _graph(xp.asarray)
    assert _numbered_away(tg.draw_graph(got).source) == _numbered_away(tg.draw_graph(want).source)
    frames, reference = tg.draw_backward(got), tg.draw_backward(want)
    assert len(frames) == len(reference)
