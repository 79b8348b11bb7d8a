"""The vector store seam: a small interface with a FAISS implementation behind it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from .errors import IndexCorruptError


class VectorStore(Protocol):
    """Vectors keyed by int64 ids; inner-product search over L2-normalised vectors."""

    dim: int
    kind: str

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None: ...

    def remove(self, ids: Sequence[int]) -> int: ...

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]: ...

    def reconstruct(self, ids: Sequence[int]) -> np.ndarray: ...

    def ids(self) -> np.ndarray: ...

    def count(self) -> int: ...

    def save(self, path: str) -> None: ...


class FaissStore:
    """Exact search: ``IndexFlatIP`` behind an ``IndexIDMap2`` so ids are the catalog's."""

    kind = "flat"

    def __init__(self, dim: int, index=None) -> None:
        import faiss

        self.dim = dim
        self._faiss = faiss
        self._index = index if index is not None else faiss.IndexIDMap2(faiss.IndexFlatIP(dim))

    @classmethod
    def load(cls, path: str, dim: int) -> FaissStore:
        import faiss

        try:
            index = faiss.read_index(path)
        except (RuntimeError, OSError) as exc:
            raise IndexCorruptError(
                f"cannot read vector file {path}: {exc}. Rebuild the index with `qa index`."
            ) from exc
        if index.d != dim:
            raise IndexCorruptError(
                f"vector file {path} has dimension {index.d}, the manifest says {dim}; "
                "rebuild the index with `qa index`."
            )
        return cls(dim, index)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64)
            )

    def remove(self, ids: Sequence[int]) -> int:
        if len(ids) == 0:
            return 0
        selector = self._faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64))
        return int(self._index.remove_ids(selector))

    def search(
        self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query; ids are -1 where fewer than ``k`` exist."""
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        k = max(1, min(k, self.count())) if self.count() else 1
        if self.count() == 0:
            n = len(queries)
            return np.zeros((n, 1), np.float32), np.full((n, 1), -1, np.int64)
        if allowed is None:
            return self._index.search(queries, k)
        selector = self._faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
        params = self._faiss.SearchParameters(sel=selector)
        return self._index.search(queries, k, params=params)

    def reconstruct(self, ids: Sequence[int]) -> np.ndarray:
        if len(ids) == 0:
            return np.zeros((0, self.dim), np.float32)
        return np.vstack([self._index.reconstruct(int(i)) for i in ids]).astype(np.float32)

    def ids(self) -> np.ndarray:
        return self._faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def count(self) -> int:
        return int(self._index.ntotal)

    def save(self, path: str) -> None:
        self._faiss.write_index(self._index, path)
