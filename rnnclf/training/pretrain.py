"""Word vectors from the training texts alone (no outside corpus): PPMI of co-occurrence, then SVD.

A word seen a handful of times gets a vector from the words around it instead of from its few
labels, which is what the embedding learned from scratch lacks.
"""

from __future__ import annotations

import numpy as np
import torch
from scipy import sparse
from sklearn.utils.extmath import randomized_svd


def cooccurrence(ids: torch.Tensor, lengths: torch.Tensor, vocab_size: int, window: int) -> sparse.csr_matrix:
    """Symmetric counts of word pairs at most `window` tokens apart, each weighted 1/distance."""
    ids_np, lengths_np = ids.numpy(), lengths.numpy()
    rows, cols, weights = [], [], []
    for distance in range(1, window + 1):
        real = np.arange(ids_np.shape[1] - distance)[None, :] + distance < lengths_np[:, None]
        left, right = ids_np[:, :-distance][real], ids_np[:, distance:][real]
        rows += [left, right]
        cols += [right, left]
        weights.append(np.full(2 * len(left), 1.0 / distance))
    counts = sparse.coo_matrix(
        (np.concatenate(weights), (np.concatenate(rows), np.concatenate(cols))), shape=(vocab_size, vocab_size)
    )
    return counts.tocsr()


def ppmi_svd(
    ids: torch.Tensor, lengths: torch.Tensor, vocab_size: int, dim: int, window: int = 5, seed: int = 0
) -> torch.Tensor:
    """(vocab_size, dim) vectors: truncated SVD of the positive PMI matrix, U * sqrt(S), scaled to unit std.

    Context counts are smoothed with the power 0.75 (as word2vec's negative sampling does), which keeps
    rare contexts from dominating PMI. Deterministic for a given seed.
    """
    counts = cooccurrence(ids, lengths, vocab_size, window)
    word = np.asarray(counts.sum(axis=1)).ravel()
    context = word**0.75
    context /= context.sum()
    coo = counts.tocoo()
    pmi = np.log(coo.data / (word[coo.row] * context[coo.col]))
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (coo.row[keep], coo.col[keep])), shape=counts.shape)
    u, s, _ = randomized_svd(ppmi, min(dim, vocab_size), random_state=seed)
    vectors = u * np.sqrt(s)
    vectors /= vectors.std()
    # A vocabulary smaller than `dim` (a small dataset's) has fewer components: the rest start at zero.
    vectors = np.pad(vectors, ((0, 0), (0, dim - vectors.shape[1])))
    return torch.from_numpy(vectors.astype(np.float32))
