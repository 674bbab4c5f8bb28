"""Validation loss and accuracy disagree: an MLP on 100 handwritten digits, trained too long."""

import argparse
from pathlib import Path

from tinygrad_lm.stories import loss_vs_accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("examples_output/loss_vs_accuracy"),
                        help="folder for the figures (default: examples_output/loss_vs_accuracy)")
    evidence = loss_vs_accuracy.run(parser.parse_args().out)

    print(f"{evidence['n_train']} training digits, {evidence['n_val']} validation digits, "
          f"{evidence['epochs']} epochs.\n")
    print("epoch  train loss  val loss  val accuracy  confidence of wrong answers")
    curves = evidence["curves"]
    best = evidence["best_loss_epoch"]          # epochs count from 1; curves[k] is epoch k + 1
    for epoch in sorted({1, 10, best, 50, 100, 200, evidence["epochs"]}):
        e = epoch - 1
        mark = "  <- lowest validation loss" if epoch == best else ""
        print(f"{epoch:5d}  {curves['train_loss'][e]:10.4f}  {curves['val_loss'][e]:8.4f}  "
              f"{curves['val_accuracy'][e]:12.4f}  {curves['wrong_confidence'][e]:27.3f}{mark}")
    b, f = evidence["at_best_loss"], evidence["final"]
    print(f"\nFrom epoch {b['epoch']} to {f['epoch']} the validation loss rose "
          f"{b['val_loss']:.4f} -> {f['val_loss']:.4f} while the accuracy rose "
          f"{b['val_accuracy']:.4f} -> {f['val_accuracy']:.4f}:")
    print(f"  the wrong answers grew more confident ({b['wrong_confidence']:.3f} -> "
          f"{f['wrong_confidence']:.3f}) and now carry {f['wrong_loss_share']:.0%} of the loss.")
    print(f"  {len(evidence['disagree_epochs'])} of the epochs after the lowest loss have a worse "
          f"loss and a better accuracy than it.")
    print("Figures:", *evidence["figures"], sep="\n  ")


if __name__ == "__main__":
    main()
