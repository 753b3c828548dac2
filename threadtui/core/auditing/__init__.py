"""Looking at and deleting threads: metadata, run history, deletion, prune, migrate."""
