"""Why accuracy is not a loss: one model, three objectives, their gradients, 100 SGD steps each."""

import argparse
from pathlib import Path

from tinygrad_lm.stories import why_accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path,
                        default=Path("examples_output/why_accuracy_is_not_a_loss"),
                        help="folder for the figures "
                             "(default: examples_output/why_accuracy_is_not_a_loss)")
    evidence = why_accuracy.run(parser.parse_args().out)

    print(f"A logistic model on {evidence['n_samples']} points, weights (w1, w2, b) = "
          f"{evidence['initial_weights']}, accuracy {evidence['initial_accuracy']:.3f}.\n")
    print("Gradient of each objective at these weights:")
    for name, g in evidence["gradients"].items():
        note = "  <- ZeroGradientWarning" if g["warned"] else ""
        print(f"  {name:20s} dw = [{g['w'][0]: .6f}, {g['w'][1]: .6f}]  db = {g['b']: .6f}{note}")

    print(f"\n{evidence['steps']} steps of gradient descent (lr {evidence['lr']}) on each:")
    for name, t in evidence["training"].items():
        print(f"  {name:20s} loss {t['loss_before']:.4f} -> {t['loss_after']:.4f}   "
              f"accuracy -> {t['accuracy_after']:.3f}   weights unchanged to the bit: "
              f"{t['weights_bit_identical']}   warnings: {t['zero_gradient_warnings']}")

    s = evidence["surrogate"]
    print("\nSurrogate sigmoid((q - 0.5) / T) for the step:")
    print("  T        peak slope   slope at q=0.4   max gap to the step (|q-0.5|>0.05)   "
          "accuracy after 100 steps on it")
    for row in zip(s["temperatures"], s["peak_slope"], s["slope_at_0.4"],
                   s["max_gap_to_step_away_from_0.5"], s["accuracy_after_training_on_surrogate"]):
        print("  {:<8} {:<12.4g} {:<16.3g} {:<37.3g} {:.3f}".format(*row))
    print(f"\nThe step's derivative is undefined at q = {evidence['curves']['undefined_at']}.")
    print("Figures:", *evidence["figures"], sep="\n  ")


if __name__ == "__main__":
    main()
