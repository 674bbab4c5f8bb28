"""Error vector, loss and metric, told apart on two candidate predictions and a classifier."""

import argparse
from pathlib import Path

from tinygrad_lm.stories import error_loss_metric


def _fmt(values) -> str:
    return "[" + ", ".join(f"{v + 0.0:g}" for v in values) + "]"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("examples_output/error_loss_metric"),
                        help="folder for the figures (default: examples_output/error_loss_metric)")
    evidence = error_loss_metric.run(parser.parse_args().out)

    print(f"truth {_fmt(evidence['truth'])}")
    for name, r in evidence["regression"].items():
        print(f"\ncandidate {name}: prediction {_fmt(r['pred'])}")
        print(f"  error vector (prediction - truth): {_fmt(r['error'])}")
        rows = (("MSE", r["mse"], r["grad_mse"], "the error vector times 2/N"),
                ("MAE", r["mae"], r["grad_mae"], ""),
                ("quantile", r["quantile"], r["grad_quantile"], f"q = {evidence['q']}"),
                ("metric", r["share_not_below_truth"], r["grad_share_not_below_truth"],
                 "share of predictions not below the truth"))
        for label, value, grad, note in rows:
            print(f"  {label:9s} {value:<7.4g} gradient {_fmt(round(g, 6) for g in grad):33s}"
                  f"{note}".rstrip())
    print("\nWhich candidate each loss prefers:",
          ", ".join(f"{loss} -> {name}" for loss, name in evidence["preferred"].items()))

    print("\nA 10-class classifier, the true class given probability p:")
    for c in evidence["classification"]:
        print(f"  p = {c['p_true']}: cross-entropy {c['cross_entropy']:.4f} "
              f"(d/d true logit {c['cross_entropy_grad_true_logit']:.2f}), accuracy "
              f"{c['accuracy']:g} (largest |gradient| {c['accuracy_grad_abs_max']:g})")
    print("Figures:", *evidence["figures"], sep="\n  ")


if __name__ == "__main__":
    main()
