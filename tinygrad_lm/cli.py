"""The command line: ``python -m tinygrad_lm {demo,graphs,train,bench}``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command.

    >>> build_parser().parse_args(["train", "--epochs", "5"]).epochs
    5
    """
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
    train.add_argument("--dataset", default="iris", choices=("iris", "digits"))
    train.add_argument("--loss", default="mse", choices=("mse", "cross_entropy"),
                       help="mse: sum((A2-Y)^2)/2N, the loss the hand-derived update "
                            "minimises; cross_entropy: of the sigmoid outputs")
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

    check = commands.add_parser(
        "check", help="check hand-written gradients: which loss they minimise, and are they right")
    check.add_argument("file", type=Path, metavar="FILE.py",
                       help="defines predict, params, target and grads (optionally loss)")
    check.set_defaults(handler=_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command (``argv`` defaults to ``sys.argv``); 0 on success, 2 on bad input.

    >>> main(["graphs", "--pred", "0.5,2"])
    2
    """
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args) or 0
    except (ValueError, TypeError, OSError) as e:
        print(f"tinygrad-lm {args.command}: error: {e}", file=sys.stderr)
        return 2


def _demo(args: argparse.Namespace) -> int:
    """Write every story's figures, the graphs and an index.html into --out."""
    import time

    from .stories import _demo as demo

    start = time.perf_counter()
    out = _output_dir(args.out)
    print(f"demo: writing the whole story into {out}/", flush=True)
    try:
        _graphs(argparse.Namespace(out=out, format="svg", pred=None, target=None))
    except OSError as e:
        print(f"  the side-by-side graph was not rendered: {e}", flush=True)
    result = demo.build(out, progress=lambda message: print(f"  {message}", flush=True))
    handprop = result["evidence"]["handprop"]
    print(f"autodiff vs hand-derived backprop, {handprop['steps']} Iris steps: largest weight "
          f"difference {handprop['hidden']['max_weight_diff']:.3g}")
    print(f"{len(result['figures'])} files in {time.perf_counter() - start:.0f} s. Open "
          f"{Path(result['index']).resolve()} in a browser: every figure, with a sentence each.")
    return 0


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


def _output_dir(path: Path) -> Path:
    """Create the output folder and make sure a file can be written into it."""
    if path.exists() and not path.is_dir():
        raise OSError(f"the output folder {path} exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".tinygrad_lm_write_check"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise OSError(f"cannot write to the output folder {path}: {e.strerror or e}") from None
    return path


def _train(args: argparse.Namespace) -> int:
    """Train the sigmoid MLP by autodiff and by hand-derived backprop; print and plot both."""
    from .stories import training

    if args.epochs < 1:
        raise ValueError(f"--epochs must be at least 1, got {args.epochs}")
    if args.hidden < 1:
        raise ValueError(f"--hidden must be at least 1, got {args.hidden}")
    out = _output_dir(args.out)
    print(f"train: {args.dataset}, loss {args.loss}, a bias-free sigmoid MLP with "
          f"{args.hidden} hidden units, lr {args.lr}, {args.epochs} full-batch epochs, "
          f"seed {args.seed}", flush=True)
    print(f"{'epoch':>7} {'loss autodiff':>14} {'loss by hand':>14} {'max |dW|':>9} "
          f"{'train acc':>9} {'test acc':>9}", flush=True)
    every = max(1, args.epochs // 10)

    def progress(epoch: int, record: dict) -> None:
        if epoch == 1 or epoch % every == 0 or epoch == args.epochs:
            print(f"{epoch:>7} {record['loss']:>14.6g} {record['hand_loss']:>14.6g} "
                  f"{record['weight_diff']:>9.2g} {record['train_accuracy']:>9.1%} "
                  f"{record['test_accuracy']:>9.1%}", flush=True)

    result = training.train(args.dataset, args.loss, hidden=args.hidden, lr=args.lr,
                            epochs=args.epochs, seed=args.seed, progress=progress)
    diff = result["max_weight_diff"]
    print(f"max weight difference, autodiff vs hand-derived, over all epochs: {diff:.3g}"
          f"{' (bit for bit identical)' if diff == 0 else ''}")
    print(f"final loss {result['final_loss']:.6g}; accuracy {result['final_train_accuracy']:.1%}"
          f" on {result['n_train']} training and {result['final_test_accuracy']:.1%} on "
          f"{result['n_test']} test examples")
    figures = training.plot_curves([result], out)
    print("loss and accuracy curves:", *figures, sep="\n  ")
    return 0


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


def _check(args: argparse.Namespace) -> int:
    """Identify the loss of FILE's gradients and match them: exit 0 if right, 1 if not."""
    from .testing._cli import check_file

    report, code = check_file(args.file)
    print(report)
    return code
