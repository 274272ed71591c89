"""Labelled texts: the `Dataset` record (class names in order, its splits pinned by sha256) and reading splits."""
