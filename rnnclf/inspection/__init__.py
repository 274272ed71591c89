"""What the data says: labels that are probably wrong (confident learning) and 2-D maps of the test split."""
