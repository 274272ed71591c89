"""Drawing and writing results: charts, the self-contained HTML report."""
