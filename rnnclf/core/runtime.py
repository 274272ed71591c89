"""Thread settings, chosen on purpose.

On a small machine under load, PyTorch with as many intra-op threads as cores runs an RNN step many
times slower than with 1 (OpenMP threads spinning against each other and against other processes;
bench/RESULTS.md has the figures). Small recurrent models gain little from a second thread even when
the machine is idle, so the default is 1 thread; RNNCLF_THREADS overrides it.
"""

from __future__ import annotations

import os
import platform

import numpy as np
import safetensors
import torch

DEFAULT_THREADS = 1


def configure_threads(threads: int | None = None) -> int:
    """Set PyTorch's intra-op threads (and inter-op to 1, once); return the count in force."""
    if threads is None:
        threads = int(os.environ.get("RNNCLF_THREADS", DEFAULT_THREADS))
    threads = max(1, threads)
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set, or parallel work has started: it can be set once per process
    return threads


def library_versions() -> dict[str, str]:
    """The versions a checkpoint records beside its weights."""
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "safetensors": safetensors.__version__,
    }
