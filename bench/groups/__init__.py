"""The measurement groups `python -m bench` runs (its GROUPS table): each module measures one thing."""
