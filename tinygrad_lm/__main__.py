"""``python -m tinygrad_lm``: the command line."""

from .cli import main

if __name__ == "__main__":  # importing the module (as API docs do) runs nothing
    raise SystemExit(main())
