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
# # Why is accuracy a metric but not a loss?
#
# Accuracy is what we report; a loss is what gradient descent can follow. This notebook
# answers the question with the engine's own numbers: the gradient of accuracy is zero
# everywhere it exists (and undefined on the threshold), while MSE and binary cross-entropy
# give every prediction a push.

# %%
import warnings

import numpy as np
from IPython.display import display

import tinygrad_lm as tg
from tinygrad_lm.stories import landscape
from tinygrad_lm.stories._landscape_page import widget as landscape_widget

pred = tg.Tensor([0.9, 0.4, 0.6, 0.5], requires_grad=True)  # the last sits on 0.5
pred.name = "pred"
target = tg.Tensor([1.0, 0.0, 0.0, 1.0])
target.name = "target"

# %% [markdown]
# Three ways to score the same four predictions, each a 0-d Tensor in the graph:

# %%
objectives = {"accuracy": tg.metrics.accuracy(pred, target),
              "MSE": tg.losses.mse(pred, target),
              "binary cross-entropy": tg.losses.binary_cross_entropy(pred, target)}
for name, value in objectives.items():
    print(f"{name:>22}: {value.item():.4f}")

# %% [markdown]
# Their gradients with respect to the predictions, in the strict mode (`undefined="nan"`),
# where a derivative that does not exist shows as NaN instead of a silent 0:

# %%
gradients = {}
for name, value in objectives.items():
    pred.grad = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tg.ZeroGradientWarning)
        value.backward(undefined="nan")
    gradients[name] = pred.grad.copy()
    print(f"{name:>22}: {gradients[name]}")

assert np.all(gradients["accuracy"][:3] == 0) and np.isnan(gradients["accuracy"][3])
assert np.all(gradients["MSE"] != 0) and np.all(gradients["binary cross-entropy"] != 0)

# %% [markdown]
# The same story as a picture: accuracy's edges carry zeros (dashed), its comparison on the
# threshold is red; binary cross-entropy is one box (`expand=True` shows its clips and logs).

# %%
tg.draw_graph(list(objectives.values()), titles=list(objectives), undefined="nan")

# %% [markdown]
# Gradient descent on each objective, 100 steps of a logistic model on two blobs: training on
# accuracy does not move the weights at all.

# %%
rng = np.random.default_rng(0)
X = np.r_[rng.normal(-1, 1, (60, 2)), rng.normal(1, 1, (60, 2))]
y = np.r_[np.zeros(60), np.ones(60)]
losses = {"accuracy": lambda p: 1 - tg.metrics.accuracy(p, y),
          "MSE": lambda p: tg.losses.mse(p, y),
          "binary cross-entropy": lambda p: tg.losses.binary_cross_entropy(p, y)}
for name, loss_fn in losses.items():
    w = tg.Tensor([0.4, -0.9], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", tg.ZeroGradientWarning)
        for _ in range(100):
            w.grad = None
            loss_fn((tg.Tensor(X) @ w).sigmoid()).backward()
            w.data -= 0.5 * w.grad
    accuracy = tg.metrics.accuracy((tg.Tensor(X) @ w).sigmoid(), y).item()
    print(f"{name:>22}: weights {np.round(w.data, 3)}, accuracy {accuracy:.1%}")

# %% [markdown]
# The same three objectives over a grid of two weights: accuracy is flat terraces with cliffs,
# the losses are smooth valleys. With anywidget installed this is the interactive page (move
# the mouse for the value and the engine's gradient, click for the graph at that point);
# without it, the static figure.

# %%
evidence = landscape.compute()
print(landscape.caption(evidence))
try:
    display(landscape_widget(evidence))
except ImportError:  # no anywidget: the figure instead
    landscape.plot(evidence)
