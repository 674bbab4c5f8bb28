"""Autodiff of half_sse = sum((A2 - Y)**2) / 2N reproduces hand-derived backprop, step for step.

Run: python examples/autodiff_equals_handprop.py [OUT_DIR]   (figures go to OUT_DIR,
default ./examples_output/handprop). The experiment lives in tinygrad_lm.stories.handprop.
"""

import sys
from pathlib import Path

from tinygrad_lm.stories import handprop


def main() -> None:
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "examples_output/handprop")
    evidence = handprop.run(out_dir)
    half, ce = evidence["half_sse"], evidence["binary_cross_entropy"]
    print(f"{evidence['setup']}, by autodiff and by the hand-derived deltas:")
    print(f"  largest weight difference over all steps: {half['max_weight_diff']:.3g}")
    print(f"  largest loss difference over all steps:   {half['max_loss_diff']:.3g}"
          f"  ({'bit for bit identical' if half['bit_identical'] else 'rounding only'})")
    print(f"  half_sse = sum((A2-Y)^2)/2N: {half['first_loss']:.4f} -> "
          f"{half['final_loss']:.4f}, training accuracy {half['final_accuracy']:.1%}")
    print(f"tg.losses.mse (the mean over all N*C entries) has gradients "
          f"{evidence['mse_ratio']:.6f} times half_sse's, i.e. 2/C with C = 3 (largest deviation "
          f"{evidence['mse_ratio_max_deviation']:.2g}).")
    print(f"tg.losses.binary_cross_entropy of the sigmoid outputs (output delta A2 - Y, the "
          f"A2(1-A2) factor cancels): autodiff vs hand, largest weight difference "
          f"{ce['max_weight_diff']:.3g};")
    print(f"  loss {ce['first_loss']:.4f} -> {ce['final_loss']:.4f}, training accuracy "
          f"{ce['final_accuracy']:.1%}")
    wrong = evidence["wrong_start"]
    print(f"The confidently wrong start: the trained output weights negated and scaled, "
          f"{wrong['confidently_wrong']:.1%} of the outputs saturated on the wrong side.")
    for start, curves in evidence["learning"].items():
        print(f"  from the {start.replace('_', ' ')}: 90% training accuracy "
              f"{handprop.reached(curves['half_sse']['steps_to_90_percent'])} with half_sse, "
              f"{handprop.reached(curves['binary_cross_entropy']['steps_to_90_percent'])} with "
              "cross-entropy")
    print("Figures:", *evidence["figures"], sep="\n  ")


if __name__ == "__main__":
    main()
