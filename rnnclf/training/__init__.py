"""Training: the recurrent loop, the TF-IDF baseline, the ablation, torchrun's data parallelism, pre-trained vectors."""
