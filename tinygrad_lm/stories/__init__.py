"""The stories: each runs its experiment, writes its figures and returns the evidence; they may
import every layer except the command line, which runs them."""
