"""Checkpoints on disk: verified storage, the config and metrics records, the model families' loaders and
writers, and the registry that lists and loads them."""
