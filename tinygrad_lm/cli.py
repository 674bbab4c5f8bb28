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


GRAPHS_PRED = (0.9, 0.4, 0.6, 0.5)   # the last one sits on accuracy's threshold
GRAPHS_TARGET = (1, 0, 0, 1)


def objectives(pred, target) -> list:
    """(title, 0-d Tensor) for accuracy, MSE and binary cross-entropy of the same predictions.

    >>> import tinygrad_lm as tg
    >>> pred = tg.Tensor([0.9, 0.4, 0.6], requires_grad=True)
    >>> [(title, round(loss.item(), 4)) for title, loss in objectives(pred, tg.Tensor([1, 0, 0]))]
    [('accuracy', 0.6667), ('MSE', 0.1767), ('binary cross-entropy', 0.5108)]
    """
    import tinygrad_lm as tg

    return [("accuracy", tg.metrics.accuracy(pred, target.data)),
            ("MSE", tg.losses.mse(pred, target)),
            ("binary cross-entropy", tg.losses.binary_cross_entropy(pred, target))]


def _graphs(args: argparse.Namespace) -> int:
    """Draw accuracy, MSE and BCE side by side for a default batch and for --pred/--target."""
    import graphviz
    import numpy as np

    import tinygrad_lm as tg

    batches = {"graphs_default": (GRAPHS_PRED, GRAPHS_TARGET)}
    if (args.pred is None) != (args.target is None):
        raise ValueError("graphs: give --pred and --target together, e.g. --pred 0.9,0.4,0.6 "
                         "--target 1,0,0")
    if args.pred is not None:
        batches["graphs_custom"] = (_numbers(args.pred, "--pred"),
                                    _numbers(args.target, "--target"))
    args.out.mkdir(parents=True, exist_ok=True)
    for stem, (pred_values, target_values) in batches.items():
        if len(pred_values) != len(target_values):
            raise ValueError(f"graphs: --pred has {len(pred_values)} numbers but --target has "
                             f"{len(target_values)}")
        pred = tg.Tensor(np.array(pred_values, dtype=np.float64), requires_grad=True)
        pred.name = "pred"
        target = tg.Tensor(np.array(target_values, dtype=np.float64))
        target.name = "target"
        titles, roots = zip(*objectives(pred, target))
        dot = tg.draw_graph(list(roots), titles=list(titles), rankdir="TB")
        source = args.out / f"{stem}.gv"
        source.write_text(dot.source, encoding="utf-8")
        try:
            figure = dot.render(outfile=args.out / f"{stem}.{args.format}", cleanup=False)
        except graphviz.ExecutableNotFound as e:
            raise OSError(f"graphs: wrote {source}, but {e}") from e
        print(f"{', '.join(f'{t} = {r.item():.4g}' for t, r in zip(titles, roots))}")
        print(f"  figure: {figure}\n  source: {source}")
    return 0


def _numbers(text: str, flag: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",")]
    except ValueError:
        raise ValueError(f"graphs: {flag} must be comma-separated numbers, got {text!r}") from None


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
