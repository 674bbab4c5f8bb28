# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # What does backward do, node by node, in a small MLP?
#
# `tg.draw_backward(loss)` records one backward pass as frames: frame 0 is the graph before
# backward (every gradient pending, which is not the same as zero), frame k the graph after
# the chain-rule step of the k-th node. With anywidget installed the frames display as a
# widget that steps through them (buttons, slider, arrow keys, play); `.save_html(path)` writes
# the same page for any browser.

# %%
import tempfile
from pathlib import Path

import numpy as np
from IPython.display import display

import tinygrad_lm as tg

rng = np.random.default_rng(0)
X = tg.Tensor(rng.normal(size=(4, 3)))
W1 = tg.Tensor(rng.uniform(-0.5, 0.5, (3, 2)), requires_grad=True)
W2 = tg.Tensor(rng.uniform(-0.5, 0.5, (2, 1)), requires_grad=True)
Z1 = X @ W1
A1 = Z1.sigmoid()
Z2 = A1 @ W2
A2 = Z2.sigmoid()
for tensor, name in ((X, "X"), (W1, "W1"), (W2, "W2"), (Z1, "Z1"), (A1, "A1"), (Z2, "Z2"),
                     (A2, "A2")):
    tensor.name = name
loss = ((A2 - np.array([[1.0], [0.0], [1.0], [0.0]])) ** 2).sum() / 8

frames = tg.draw_backward(loss)
len(frames), [node.name or node.op for node in frames.order]

# %% [markdown]
# Each frame states its chain-rule step, with the names in the drawing:

# %%
for k in range(len(frames)):
    print(frames.caption(k))

# %% [markdown]
# The frames as a widget (or, without anywidget, the last frame and how to get the widget):

# %%
display(frames)

# %% [markdown]
# `frames.widget()` gives the widget itself, its `frame` synced with the page both ways: set it
# here and the page moves; step in the page and `widget.frame` follows. (In marimo:
# `mo.ui.anywidget(frames.widget())`.)

# %%
try:
    widget = frames.widget(frame=3)
except ImportError:  # no anywidget: the static frames above are all there is
    widget = None
else:
    display(widget)
    widget.frame = len(frames) - 1
    print(widget.frame, "of", widget.count - 1, "|", frames.caption(widget.frame))

# %% [markdown]
# The numbers in the frames are the engine's: the last frame's weight gradients are exactly
# what `loss.backward()` accumulates.

# %%
loss.backward()
for W in (W1, W2):
    print(W.name, W.grad.ravel())
    assert np.array_equal(frames.grads[W], W.grad)

# %%
page = frames.save_html(Path(tempfile.mkdtemp()) / "backward_mlp.html")
print(page.name, f"{page.stat().st_size / 1024:.0f} KB, self-contained")

# %% [markdown]
# ## A node read twice: the gradient is a sum
#
# Here `a` feeds the product and the sum. Backward reaches it twice, once per consumer, and
# adds (`+=`, as the captions write). Between the two visits `a` is *partial*: a dashed teal
# box whose `sum` row holds the contributions so far. Writing `=` where `+=` belongs keeps
# only the last contribution: the classic bug of a hand-written backward pass.

# %%
a, b = tg.Value(2.0, label="a"), tg.Value(-3.0, label="b")
e = (a * b + a).tanh()
twice = tg.draw_backward(e)
box = twice.view.data_id[a]
for k in range(len(twice)):
    print(k, twice.state(k)[box], twice.partial_at(box, k), "|", twice.caption(k))
display(twice)

# %%
e.backward()
frame, so_far, parts = twice.partial_at(box, 2)
print("sum after the first consumer:", so_far, " complete gradient:", a.grad)
assert a.grad == twice.grads[a] and so_far != a.grad
