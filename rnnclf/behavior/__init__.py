"""Behavioral tests in the CheckList manner: the suite (JSON in `suites/`), its cases, its report."""
