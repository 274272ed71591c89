"""The lowest layer: the tokenizer and vocabulary, thread settings, the project's folders, Markdown escaping.

Nothing here knows about models, checkpoints or datasets."""
