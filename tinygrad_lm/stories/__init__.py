"""The stories: each runs its experiment, writes its figures and returns the evidence."""
