"""A checkpoint's test split in 2-D, from its own representation (`Capability.REPRESENTATION`): PCA for a
quick first look, UMAP (umap-learn) for the map that keeps neighbourhoods. Seeded: the same checkpoint
always gives the same picture (`tests/unit/inspection/test_projection.py`).

Only coordinates are stored (safetensors, `reports/maps/`), keyed by the sha256 of the checkpoint's
manifest, so a retrained checkpoint never shows an old map. A fitted UMAP cannot be stored without pickle,
so a new text is placed as UMAP's own `transform` starts it: at the similarity-weighted mean of the
coordinates of its nearest test rows in the representation space (`place`). The same method serves PCA, so
a text lands by one rule on either map.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from rnnclf.checkpoints.registry import Checkpoint
from rnnclf.checkpoints.storage import MANIFEST
from rnnclf.core.files import sha256_file
from rnnclf.core.paths import REPORT_DIR
from rnnclf.models.classifier import Capability

MAP_DIR = REPORT_DIR / "maps"
METHODS = ("pca", "umap")  # the first is the quick look, drawn where no UMAP map is stored
SEED = 0
REDUCED = 50  # dimensions kept before projecting: UMAP on 50 is minutes faster than on the raw width
NEIGHBOURS = 15  # UMAP's n_neighbors, and the test rows a new text is placed among
BATCH = 512  # texts per representation call, so the recurrent models never hold the split's activations at once


@dataclass(frozen=True)
class Projection:
    """The 2-D coordinates of a checkpoint's test rows, in row order."""

    method: str
    manifest: str  # sha256 of the checkpoint's manifest.json: which weights the map is of
    coordinates: np.ndarray  # (rows, 2) float32


def manifest_sha(checkpoint: Checkpoint) -> str:
    return sha256_file(checkpoint.folder / MANIFEST)


def map_path(manifest: str, method: str, root: Path = MAP_DIR) -> Path:
    return root / f"{manifest[:16]}-{method}.safetensors"


def features(checkpoint: Checkpoint, texts: list[str], progress: Callable[[float], None] | None = None):
    """The checkpoint's representation of `texts`, dense or sparse as the model gives it, in batches."""
    if Capability.REPRESENTATION not in checkpoint.classifier.capabilities:
        raise ValueError(f"{checkpoint.name} gives no representation of its texts, so it has no map")
    parts = []
    for start in range(0, len(texts), BATCH):
        parts.append(checkpoint.classifier.representation(texts[start : start + BATCH]).features)
        if progress:
            progress(min(1.0, (start + BATCH) / len(texts)))
    if sparse.issparse(parts[0]):
        return sparse.vstack(parts).tocsr()
    return np.concatenate(parts).astype(np.float64)


def _reduced(rows) -> np.ndarray:
    """At most REDUCED dimensions: truncated SVD for sparse rows (PCA would densify them), PCA for dense."""
    from sklearn.decomposition import PCA, TruncatedSVD

    width = min(REDUCED, rows.shape[1] - 1, rows.shape[0] - 1)
    if sparse.issparse(rows):
        return TruncatedSVD(width, algorithm="arpack", random_state=SEED).fit_transform(rows)
    return PCA(width, random_state=SEED).fit_transform(rows) if rows.shape[1] > REDUCED else np.asarray(rows)


def project(rows, method: str) -> np.ndarray:
    """2-D coordinates of `rows` (float32), by `method` (one of METHODS)."""
    from sklearn.decomposition import PCA

    reduced = _reduced(rows)
    if method == "pca":
        return PCA(2, random_state=SEED).fit_transform(reduced).astype(np.float32)
    if method == "umap":
        from umap import UMAP

        # One job and a fixed seed: umap-learn is deterministic only so.
        model = UMAP(n_neighbors=NEIGHBOURS, min_dist=0.1, metric="cosine", random_state=SEED, n_jobs=1)
        return model.fit_transform(reduced).astype(np.float32)
    raise ValueError(f"unknown projection {method!r}; one of {', '.join(METHODS)}")


def compute(checkpoint: Checkpoint, method: str, progress: Callable[[float], None] | None = None) -> Projection:
    texts = checkpoint.dataset.read_test().texts
    return Projection(method, manifest_sha(checkpoint), project(features(checkpoint, texts, progress), method))


def write(projection: Projection, root: Path = MAP_DIR) -> Path:
    from safetensors.numpy import save_file

    root.mkdir(parents=True, exist_ok=True)
    path = map_path(projection.manifest, projection.method, root)
    tmp = path.with_name(f".{path.name}.tmp")
    save_file(
        {"coordinates": np.ascontiguousarray(projection.coordinates)},
        str(tmp),
        metadata={"method": projection.method, "manifest": projection.manifest},
    )
    tmp.replace(path)
    return path


def read(manifest: str, method: str, root: Path = MAP_DIR) -> Projection | None:
    """The stored map of the checkpoint with this manifest, or None when there is none for it."""
    from safetensors import safe_open

    path = map_path(manifest, method, root)
    if not path.is_file():
        return None
    with safe_open(str(path), "np") as handle:
        metadata = handle.metadata() or {}
        if metadata.get("manifest") != manifest or metadata.get("method") != method:
            return None
        return Projection(method, manifest, handle.get_tensor("coordinates"))


def _unit(rows) -> np.ndarray | sparse.csr_array:
    norms = np.sqrt(np.asarray(rows.multiply(rows).sum(axis=1)).ravel()) if sparse.issparse(rows) else None
    if norms is None:
        norms = np.linalg.norm(rows, axis=1)
    norms = np.where(norms > 0, norms, 1.0)
    return sparse.csr_array(rows.multiply(1.0 / norms[:, None])) if sparse.issparse(rows) else rows / norms[:, None]


def place(reference, coordinates: np.ndarray, new, neighbours: int = NEIGHBOURS) -> np.ndarray:
    """Where each `new` row lands: the cosine-similarity-weighted mean of the coordinates of its
    `neighbours` most similar `reference` rows (UMAP's `transform` starts a new point there too).
    A text equal to a reference row lands on it (`test_a_test_text_lands_on_its_own_point`)."""
    similarity = _unit(new) @ _unit(reference).T
    similarity = similarity.toarray() if sparse.issparse(similarity) else np.asarray(similarity)
    k = min(neighbours, similarity.shape[1])
    nearest = np.argsort(-similarity, axis=1, kind="stable")[:, :k]
    weights = np.clip(np.take_along_axis(similarity, nearest, axis=1), 0.0, None)
    # An exact match takes the whole weight, so a test text lands on its own point.
    exact = weights >= 1.0 - 1e-9
    weights = np.where(exact.any(axis=1, keepdims=True), exact.astype(float), weights + 1e-12)
    weights /= weights.sum(axis=1, keepdims=True)
    return np.einsum("nk,nkd->nd", weights, coordinates[nearest]).astype(np.float32)
