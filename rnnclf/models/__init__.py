"""What predicts: the `Classifier` interface with its declared capabilities, the approaches as data, the
networks, and each family's classifier (recurrent, TF-IDF). No file formats: loading lives in `checkpoints`."""
