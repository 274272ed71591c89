"""Numbers about predictions: metrics, bootstrap intervals and McNemar's test, calibration, slices."""
