"""The two front-ends of the one graph core: ``Tensor`` (arrays) and ``Value`` (Python floats,
micrograd-compatible). They import the core and ``functional``; nn, losses and the rest build
on them."""
