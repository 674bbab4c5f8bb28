"""The command line: ``python -m tinygrad_lm {demo,graphs,train,bench}``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tinygrad-lm",
        description="Why accuracy is the metric but not the loss: autodiff you can see.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser("demo", help="the whole story, written into an output folder")
    demo.add_argument("--out", type=Path, default=Path("tinygrad_lm_demo"),
                      help="output folder (default: ./tinygrad_lm_demo)")
    demo.set_defaults(handler=_demo)

    graphs = commands.add_parser(
        "graphs", help="accuracy, MSE and cross-entropy graphs side by side, with gradients")
    graphs.add_argument("--out", type=Path, default=Path("tinygrad_lm_graphs"))
    graphs.add_argument("--format", choices=("svg", "png", "pdf"), default="svg")
    graphs.add_argument("--pred", help="predicted probabilities, e.g. 0.9,0.4,0.6")
    graphs.add_argument("--target", help="0/1 targets, e.g. 1,0,0")
    graphs.set_defaults(handler=_graphs)

    train = commands.add_parser(
        "train", help="train the MLP by autodiff and by hand-derived backprop, side by side")
    train.add_argument("--dataset", default="iris", help="iris or digits")
    train.add_argument("--loss", default="mse", help="mse or cross_entropy")
    train.add_argument("--hidden", type=int, default=16)
    train.add_argument("--lr", type=float, default=0.1)
    train.add_argument("--epochs", type=int, default=2000)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--out", type=Path, default=Path("tinygrad_lm_train"))
    train.set_defaults(handler=_train)

    bench = commands.add_parser("bench", help="speed and memory against hand-written numpy")
    bench.add_argument("--quick", action="store_true", help="fewer repeats, smaller sizes")
    bench.add_argument("--only", choices=("mlp", "scalar", "draw"), action="append",
                       help="run only these benchmarks (repeatable)")
    bench.set_defaults(handler=_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except (ValueError, TypeError, OSError) as e:
        print(f"tinygrad-lm {args.command}: error: {e}", file=sys.stderr)
        return 2


def _demo(args: argparse.Namespace) -> int:
    raise NotImplementedError("demo lands with the nn/optim/demo issue")


def _graphs(args: argparse.Namespace) -> int:
    raise NotImplementedError("graphs lands with the drawing issue")


def _train(args: argparse.Namespace) -> int:
    raise NotImplementedError("train lands with the nn/optim/demo issue")


def _bench(args: argparse.Namespace) -> int:
    """Run the benchmarks in ``benchmarks/`` of a source checkout and print their tables."""
    root = Path(__file__).resolve().parent.parent
    if not (root / "benchmarks" / "__init__.py").exists():
        raise OSError(f"bench needs the benchmarks/ folder of a source checkout beside the "
                      f"package; none at {root / 'benchmarks'} (clone the repository and "
                      f"pip install -e . there)")
    sys.path.insert(0, str(root))
    import importlib

    from benchmarks import format_table

    for name in args.only or ("mlp", "scalar", "draw"):
        module = importlib.import_module(f"benchmarks.bench_{name}")
        print(f"== {name} ==", flush=True)
        print(format_table(module.run(quick=args.quick)), flush=True)
    return 0
