"""Imports run one way, from the core up: each layer imports only the layers docs/architecture.md
lists beside it."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tinygrad_lm"
TOP = {"losses", "metrics", "optim", "reference", "creation"}
ALLOWED = {  # layer -> the layers it may import (the table of docs/architecture.md)
    "core": set(), "io": set(), "datasets": set(),
    "functional": {"core"},
    "frontends": {"core", "functional"},
    "top": {"core", "frontends", "functional"},
    "nn": {"frontends", "functional", "top"},
    "distributed": {"nn", "top"},
    "transforms": {"core", "frontends", "functional"},
    "draw": {"core", "io"},
    "testing": {"core", "frontends", "top"},
    "stories": {"core", "io", "datasets", "functional", "frontends", "top", "nn", "transforms",
                "draw", "testing"},
}


def _layer(parts: list[str]) -> str | None:
    """The layer of a module path below the package (``["core", "node"]`` -> ``core``)."""
    if not parts:
        return None  # the package's own __init__, which gathers the public names
    return "top" if parts[0] in TOP else parts[0]


def _imports(path: Path) -> set[str]:
    here = list(path.relative_to(PACKAGE).with_suffix("").parts)
    package = here if here[-1] == "__init__" else here[:-1]
    package = [p for p in package if p != "__init__"]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[:len(package) - (node.level - 1)]
            targets = [base + (node.module.split(".") if node.module else [])]
            if not node.module:  # from .. import losses, metrics
                targets = [base + [alias.name] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tinygrad_lm."):
            targets = [node.module.split(".")[1:]]
        else:
            continue
        found |= {layer for t in targets if (layer := _layer(t)) is not None}
    return found


def test_each_layer_imports_only_the_layers_below_it():
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE).with_suffix("").parts)
        layer = _layer([p for p in parts if p != "__init__"])
        if layer in (None, "__main__", "cli"):
            continue  # the package root and the command line may import every layer
        extra = _imports(path) - ALLOWED[layer] - {layer}
        if extra:
            wrong.append(f"{path.relative_to(PACKAGE)} ({layer}) imports {sorted(extra)}")
    assert not wrong, wrong


def test_every_layer_opens_by_saying_what_it_may_import():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        first = ast.get_docstring(ast.parse(init.read_text())) or ""
        assert "import" in first.split("\n\n")[0].lower(), init
