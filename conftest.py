"""pytest setup shared by tests/, the package's doctests and docs/: seeds and a CI profile."""

import os

import matplotlib
import numpy as np
from hypothesis import settings

matplotlib.use("Agg")

collect_ignore = ["tinygrad_lm/__main__.py", "build", "site"]

settings.register_profile("ci", deadline=None, max_examples=40, derandomize=True)
settings.register_profile("dev", deadline=None, max_examples=100)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

np.set_printoptions(legacy=False)
