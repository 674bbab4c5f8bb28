"""``python -m tinygrad_lm``: the command line."""

from .cli import main

raise SystemExit(main())
