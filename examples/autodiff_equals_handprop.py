"""Autodiff of sum((A2 - Y)**2) / 2N reproduces hand-derived backprop on Iris, step for step.

Run: python examples/autodiff_equals_handprop.py [OUT_DIR]   (figures go to OUT_DIR,
default ./handprop_figures). The experiment lives in tinygrad_lm.stories.handprop.
"""

import sys
from pathlib import Path

from tinygrad_lm.stories import handprop


def main() -> None:
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "handprop_figures")
    evidence = handprop.run(out_dir)
    hidden, ce = evidence["hidden"], evidence["cross_entropy"]
    sizes = "-".join(map(str, evidence["sizes"]))
    print(f"Iris, {sizes} sigmoid MLP without biases, lr {evidence['lr']}, "
          f"{evidence['steps']} full-batch steps, by autodiff and by the hand-derived deltas:")
    print(f"  largest weight difference over all steps: {hidden['max_weight_diff']:.3g}")
    print(f"  largest loss difference over all steps:   {hidden['max_loss_diff']:.3g}"
          f"  ({'bit for bit identical' if hidden['bit_identical'] else 'rounding only'})")
    print(f"  hidden loss sum((A2-Y)^2)/2N: {hidden['first_loss']:.4f} -> "
          f"{hidden['final_loss']:.4f}, training accuracy {hidden['final_accuracy']:.1%}")
    print(f"The printed 'MSE' (mean over all N*C entries) has gradients {evidence['mse_ratio']:.6f}"
          f" times the hidden loss's, i.e. 2/C with C = 3 (largest deviation "
          f"{evidence['mse_ratio_max_deviation']:.2g}).")
    print(f"Cross-entropy of the sigmoid outputs (output delta A2 - Y, the A2(1-A2) factor "
          f"cancels): autodiff vs hand, largest weight difference {ce['max_weight_diff']:.3g};")
    print(f"  loss {ce['first_loss']:.4f} -> {ce['final_loss']:.4f}, training accuracy "
          f"{ce['final_accuracy']:.1%}")
    for start, curves in evidence["learning"].items():
        steps = {name: curve["steps_to_90_percent"] for name, curve in curves.items()}
        print(f"  steps to 90% accuracy from the {start.replace('_', ' ')}: squared error "
              f"{steps['hidden'] or 'not reached'}, cross-entropy {steps['cross_entropy']}")
    print(f"  ({evidence['saturated_fraction_at_start']:.0%} of the output units start saturated "
          f"in the saturated start)")
    print("Figures:", *evidence["figures"], sep="\n  ")


if __name__ == "__main__":
    main()
