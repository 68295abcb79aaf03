"""The shared kernel every capability builds on: what no one capability owns."""
