"""Checkpoints as portable files: ONNX graphs and a standalone predict.py."""
