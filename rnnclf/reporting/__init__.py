"""Drawing and writing results: the shared style (palette, number formats), the command line's tables, charts,
the self-contained HTML report."""
