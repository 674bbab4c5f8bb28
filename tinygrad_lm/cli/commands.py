"""The command line: ``python -m tinygrad_lm {demo,graphs,train,bench,check}``."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from ..io.files import output_folder
from . import args as types


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command.

    >>> build_parser().parse_args(["train", "--epochs", "5"]).epochs
    5
    """
    from ..stories.training import LOSS_HELP

    parser = argparse.ArgumentParser(
        prog="tinygrad-lm",
        description="Why accuracy is the metric but not the loss: autodiff you can see.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND",
                                     help="run `tinygrad-lm COMMAND -h` for its flags")

    demo = commands.add_parser("demo", help="the whole story, written into an output folder")
    demo.add_argument("--out", type=types.folder_path, default=Path("tinygrad_lm_demo"),
                      help="output folder (default: ./tinygrad_lm_demo)")
    demo.set_defaults(handler=_demo, parser=demo, check=_check_matplotlib)

    graphs = commands.add_parser(
        "graphs", help="accuracy, MSE and cross-entropy graphs side by side, with gradients")
    graphs.add_argument("--out", type=types.folder_path, default=Path("tinygrad_lm_graphs"),
                        help="output folder (default: ./tinygrad_lm_graphs)")
    graphs.add_argument("--format", choices=("svg", "png", "pdf"), default="svg",
                        help="file format of the drawings (default: svg)")
    graphs.add_argument("--pred", type=types.probabilities,
                        help="predicted probabilities in [0, 1], e.g. 0.9,0.4,0.6")
    graphs.add_argument("--target", type=types.binary_targets, help="0/1 targets, e.g. 1,0,0")
    graphs.set_defaults(handler=_graphs, parser=graphs, check=_check_graphs)

    train = commands.add_parser(
        "train", help="train the MLP by autodiff and by hand-derived backprop, side by side",
        epilog=TRAIN_EPILOG)
    train.add_argument("--dataset", default="iris", choices=("iris", "digits"),
                       help="shipped data set to train on (default: iris)")
    train.add_argument("--loss", default="half_sse", choices=tuple(LOSS_HELP),
                       help="; ".join(f"{name}: {text}" for name, text in LOSS_HELP.items())
                       + " (default: half_sse)")
    train.add_argument("--hidden", type=types.at_least(1), default=16,
                       help="hidden units (default: 16)")
    train.add_argument("--lr", type=types.positive_float, default=0.1,
                       help="learning rate, above 0 (default: 0.1)")
    train.add_argument("--epochs", type=types.at_least(1), default=2000,
                       help="full-batch epochs, at least 1 (default: 2000)")
    train.add_argument("--seed", type=types.at_least(0), default=0,
                       help="seed of the split and the weights, >= 0 (default: 0)")
    train.add_argument("--out", type=types.folder_path, default=Path("tinygrad_lm_train"),
                       help="output folder (default: ./tinygrad_lm_train)")
    train.set_defaults(handler=_train, parser=train, check=_check_matplotlib)

    bench = commands.add_parser("bench", help="speed and memory against hand-written numpy")
    bench.add_argument("--quick", action="store_true", help="fewer repeats, smaller sizes")
    bench.add_argument("--only", choices=("mlp", "scalar", "draw", "kernels", "explorer", "conv",
                                          "backends"),
                       action="append",
                       help="run only these benchmarks (repeatable)")
    bench.set_defaults(handler=_bench, parser=bench)

    from ..testing._cli import FORMAT
    check = commands.add_parser(
        "check", help="check hand-written gradients: which loss they minimise, and are they right",
        epilog=FORMAT, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("file", type=Path, metavar="FILE.py", nargs="?",
                       help="defines predict, params, target and grads (optionally loss), "
                            "or, for a layer, fn, inputs, dout and grads")
    check.add_argument("--template", nargs="?", const="loss", choices=("loss", "layer"),
                       help="print a template of a checked file (a loss, or a layer's "
                            "backward) and exit")
    check.set_defaults(handler=_check, parser=check)
    return parser


TRAIN_EPILOG = (
    "The defaults train one loss with a small step. The demo's training figure "
    "(train_curves) trains two runs on Iris with --hidden 16 --lr 0.5 --epochs 1000, one "
    "with --loss half_sse and one with --loss binary_cross_entropy; those flags reproduce "
    "each of its curves.")


def main(argv: list[str] | None = None) -> int:
    """Run one command (``argv`` defaults to ``sys.argv``); 0 on success, 2 on failure.

    Every argument is checked before any output: bad input exits with status 2 and argparse's
    message naming the flag, and no output folder is created.

    >>> main(["graphs", "--pred", "0.5,2"])
    2
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:  # bare `tinygrad-lm`: say what there is, as a usage error
            parser.print_help()
            return 2
        if "check" in args:  # what argparse cannot check alone, still before any output
            args.check(args)
    except SystemExit as e:      # argparse has printed its usage error (status 2) or --help (0)
        return 0 if e.code is None else e.code if isinstance(e.code, int) else 2
    try:
        # The output folder is made here, once every argument is known to be good, and is
        # removed again if the command fails before writing anything into it.
        with output_folder(args.out) if "out" in args else contextlib.nullcontext():
            return args.handler(args) or 0
    except (ValueError, TypeError, OSError) as e:
        print(f"tinygrad-lm {args.command}: error: {e}", file=sys.stderr)
        return 2


def _check_matplotlib(args: argparse.Namespace) -> None:
    types.require_matplotlib(args.parser)


def _demo(args: argparse.Namespace) -> int:
    """Write every story's figures, the graphs and an index.html into --out."""
    import time

    from ..stories import _demo as demo

    start = time.perf_counter()
    out = args.out
    print(f"demo: writing the whole story into {out}/", flush=True)
    result = demo.build(out, progress=lambda message: print(f"  {message}", flush=True))
    handprop = result["evidence"]["handprop"]
    print(f"autodiff vs hand-derived backprop, {handprop['steps']} Iris steps: largest weight "
          f"difference {handprop['half_sse']['max_weight_diff']:.3g}")
    print(f"{len(result['figures'])} figures and {len(result['explorers'])} backward explorer "
          f"pages in {time.perf_counter() - start:.0f} s. Open "
          f"{Path(result['index']).resolve()} in a browser: every figure, with a sentence each.")
    return 0


def _check_graphs(args: argparse.Namespace) -> None:
    if (args.pred is None) != (args.target is None):
        args.parser.error("give --pred and --target together, e.g. --pred 0.9,0.4,0.6 "
                          "--target 1,0,0")
    if args.pred is not None and len(args.pred) != len(args.target):
        args.parser.error(f"--pred has {len(args.pred)} numbers but --target has "
                          f"{len(args.target)}")


def _graphs(args: argparse.Namespace) -> int:
    """Draw accuracy, MSE and BCE side by side for the demo's batch and for --pred/--target,
    by the demo's own drawing (strict mode: the undefined entry is marked)."""
    import graphviz

    from ..stories import _demo as demo

    batches = {"graphs_default": (demo.COMPARISON_PRED, demo.COMPARISON_TARGET)}
    if args.pred is not None:
        batches["graphs_custom"] = (args.pred, args.target)
    for stem, (pred, target) in batches.items():
        roots = demo.comparison_roots(pred, target)
        try:
            source, figure = demo.draw_comparison_graph(args.out, roots, stem=stem,
                                                        fmt=args.format, need_dot=True)
        except graphviz.ExecutableNotFound as e:
            raise OSError(f"graphs: wrote {args.out / f'{stem}.gv'}, but {e}") from e
        print(", ".join(f"{title} = {root.item():.4g}" for title, root in roots))
        print(f"  figure: {figure}\n  source: {source}")
    return 0


def _train(args: argparse.Namespace) -> int:
    """Train the sigmoid MLP by autodiff and by hand-derived backprop; print and plot both."""
    from ..stories import training

    print(f"train: {args.dataset}, loss {args.loss}, a bias-free sigmoid MLP with "
          f"{args.hidden} hidden units, lr {args.lr}, {args.epochs} full-batch epochs, "
          f"seed {args.seed}", flush=True)
    every = max(1, args.epochs // 10)
    rows: list[str] = []
    bar = types.Progress(args.epochs, "train: epoch")

    def progress(epoch: int, record: dict) -> None:
        bar.update()
        if epoch == 1 or epoch % every == 0 or epoch == args.epochs:
            rows.append(f"{epoch:>7} {record['loss']:>14.6g} {record['hand_loss']:>14.6g} "
                        f"{record['weight_diff']:>9.2g} {record['train_accuracy']:>9.1%} "
                        f"{record['test_accuracy']:>9.1%}")

    try:
        result = training.train(args.dataset, args.loss, hidden=args.hidden, lr=args.lr,
                                epochs=args.epochs, seed=args.seed, progress=progress)
    finally:
        bar.close()
    # The table follows the finished progress display (stderr), so the two never interleave.
    print(f"{'epoch':>7} {'loss autodiff':>14} {'loss by hand':>14} {'max |dW|':>9} "
          f"{'train acc':>9} {'test acc':>9}", *rows, sep="\n", flush=True)
    diff = result["max_weight_diff"]
    print(f"max weight difference, autodiff vs hand-derived, over all epochs: {diff:.3g}"
          f"{' (bit for bit identical)' if diff == 0 else ''}")
    print(f"final loss {result['final_loss']:.6g}; accuracy {result['final_train_accuracy']:.1%}"
          f" on {result['n_train']} training and {result['final_test_accuracy']:.1%} on "
          f"{result['n_test']} test examples")
    if result["diverged"]:
        print(f"the run diverged: the loss went from {result['loss'][0]:.6g} to "
              f"{result['final_loss']:.6g}; try a smaller --lr than {args.lr}")
    figures = training.plot_curves([result], args.out)
    print("loss and accuracy curves:", *figures, sep="\n  ")
    return 0


def _bench(args: argparse.Namespace) -> int:
    """Run the benchmarks in ``benchmarks/`` of a source checkout and print their tables."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "benchmarks" / "__init__.py").exists():
        raise OSError(f"bench needs the benchmarks/ folder of a source checkout beside the "
                      f"package; none at {root / 'benchmarks'} (clone the repository and "
                      f"pip install -e . there)")
    sys.path.insert(0, str(root))
    import importlib

    from benchmarks import format_table

    names = args.only or ("mlp", "scalar", "draw")
    bar = types.Progress(len(names), "bench: benchmarks done")
    try:
        for name in names:
            module = importlib.import_module(f"benchmarks.bench_{name}")
            bar.write(f"== {name} ==")
            if hasattr(module, "tables"):  # several tables (mlp: time and memory)
                for title, table in module.tables(quick=args.quick).items():
                    bar.write(f"-- {title}\n{format_table(table)}")
            else:
                bar.write(format_table(module.run(quick=args.quick)))
            bar.update()
    finally:
        bar.close()
    return 0


def _check(args: argparse.Namespace) -> int:
    """Identify the loss of FILE's gradients and match them: exit 0 if right, 1 if not."""
    from ..testing._cli import TEMPLATES, check_file

    if args.template or args.file is None:
        print(TEMPLATES[args.template] if args.template else
              "give FILE.py, or --template (or --template layer) for an example")
        return 0 if args.template else 2
    report, code = check_file(args.file)
    print(report)
    return code
