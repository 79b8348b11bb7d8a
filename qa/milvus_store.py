"""Vectors in Milvus (a server, a cluster, or a milvus-lite ``.db`` file) behind the store seam.

Each index generation has its own pair of collections (``<prefix>_gNNNNNN_passages`` and
``_articles``): a write copies the live generation's vectors into the next pair, changes them,
and the manifest names the new pair only once it is complete. So a crash leaves the old
collections serving the old catalog, as with FAISS files; collections two generations old and
leftovers of crashed writes are dropped by the next successful write.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from urllib.parse import urlparse

import numpy as np

from .errors import IndexCorruptError, InputError
from .store import concat

_CLIENTS: dict[str, object] = {}
_BATCH = 2000
HNSW_M, HNSW_EF_CONSTRUCTION = 16, 200
HNSW_EFS = (16, 32, 64, 128, 256, 512)  # tried in turn until recall@10 reaches the target


def parse_store(spec: str) -> tuple[str, str]:
    """``milvus://HOST:PORT/NAME`` or ``PATH.db[#NAME]`` -> (client uri, collection prefix)."""
    if spec.startswith("milvus://"):
        u = urlparse(spec)
        prefix = u.path.strip("/") or "qa"
        if not u.hostname:
            raise InputError(f"store {spec!r}: give milvus://HOST:PORT/NAME")
        uri = f"http://{u.hostname}:{u.port or 19530}"
    elif spec.split("#")[0].endswith(".db"):
        uri, _, prefix = spec.partition("#")
        uri = os.path.abspath(uri)  # the manifest must name it from any working directory
        prefix = prefix or "qa"
    else:
        raise InputError(f"unknown store {spec!r}: use faiss, milvus://HOST:PORT/NAME or a "
                         "milvus-lite file PATH.db")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,200}", prefix):
        raise InputError(f"Milvus collection name {prefix!r}: letters, digits and _ only")
    return uri, prefix


def client(uri: str):
    """One client per uri and process (milvus-lite allows one per file)."""
    if uri not in _CLIENTS:
        try:
            import logging

            from pymilvus import MilvusClient

            # The query iterator asks for a timestamp milvus-lite does not serve; it falls back
            # and works, but both sides log the miss (the lite server runs in this process).
            logging.getLogger("pymilvus").setLevel(logging.ERROR)
            logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
        except ImportError as exc:
            raise InputError("the Milvus store needs pymilvus (and milvus-lite for .db files): "
                             "pip install 'article-qa[scale]'") from exc
        try:
            _CLIENTS[uri] = MilvusClient(uri)
        except Exception as exc:
            raise InputError(f"cannot connect to Milvus at {uri}: {exc}") from exc
    return _CLIENTS[uri]


def _id_filter(ids) -> str:
    return "id in [" + ",".join(str(int(x)) for x in ids) + "]"


def collection_names(prefix: str, generation: int) -> tuple[str, str]:
    return f"{prefix}_g{generation:06d}_passages", f"{prefix}_g{generation:06d}_articles"


class MilvusStore:
    """One Milvus collection of (id, vector): exact inner-product search (FLAT index), or HNSW
    once :meth:`approximate` finds the collection big enough."""

    kind = "milvus"
    nprobe = None

    def __init__(self, uri: str, collection: str, dim: int, ef: int | None = None) -> None:
        self.uri, self.collection, self.dim = uri, collection, dim
        self.ef = ef  # HNSW search breadth; None: the collection is searched exactly
        self._client = client(uri)
        self._count: int | None = None

    @classmethod
    def create(cls, uri: str, collection: str, dim: int, source: MilvusStore | None = None) -> MilvusStore:
        """A new empty collection, or a copy of ``source``'s vectors."""
        from pymilvus import DataType

        c = client(uri)
        if c.has_collection(collection):  # left by a crashed write
            c.drop_collection(collection)
        schema = c.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        index = c.prepare_index_params()
        index.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
        c.create_collection(collection, schema=schema, index_params=index)
        store = cls(uri, collection, dim)
        if source is not None:  # batch by batch: the collection may not fit in memory
            for ids, vectors in source.batches():
                store.add(ids, vectors)
        return store

    @classmethod
    def open(cls, uri: str, collection: str, dim: int, ef: int | None = None) -> MilvusStore:
        c = client(uri)
        if not c.has_collection(collection):
            raise IndexCorruptError(f"Milvus at {uri} has no collection {collection}; the index "
                                    "names it. Rebuild with `qa index --rebuild`.")
        c.load_collection(collection)  # a new process finds it released; loading is idempotent
        return cls(uri, collection, dim, ef)

    def approximate(self, threshold: int) -> dict:
        """From ``threshold`` vectors on, replace the exact index with HNSW and choose the
        smallest ``ef`` whose recall@10 against exact search (streamed over the collection)
        reaches the target, as the FAISS IVF does with ``nprobe``. Returns the manifest's
        ``ann`` entry ({} when exact)."""
        from .store import RECALL_TARGET, measure_recall, streamed_recall_queries

        total = self.count()
        if total < threshold:
            return {}
        c = self._client
        c.flush(self.collection)
        c.release_collection(self.collection)
        c.drop_index(self.collection, "vector")
        index = c.prepare_index_params()
        index.add_index(field_name="vector", index_type="HNSW", metric_type="IP",
                        params={"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION})
        c.create_index(self.collection, index)
        c.load_collection(self.collection)
        q, truth = streamed_recall_queries(self)
        recall = 0.0
        for ef in HNSW_EFS:
            self.ef = ef
            recall = measure_recall(self, q, truth)
            if recall >= RECALL_TARGET + 0.01:
                break
        return {"kind": "hnsw", "M": HNSW_M, "ef": self.ef, "recall_at_10": round(recall, 4),
                "passages": total}

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        for i in range(0, len(ids), _BATCH):
            self._client.insert(self.collection, [
                {"id": int(pid), "vector": vec.tolist()}
                for pid, vec in zip(ids[i:i + _BATCH], vectors[i:i + _BATCH], strict=True)])
        self._count = None

    def remove(self, ids: Sequence[int]) -> int:
        if len(ids) == 0:
            return 0
        before = self.count()
        for i in range(0, len(ids), _BATCH):
            self._client.delete(self.collection, ids=[int(x) for x in ids[i:i + _BATCH]])
        self._count = None
        return before - self.count()

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        n = len(queries)
        k = max(1, k)
        kwargs = {}
        if allowed is not None:
            kwargs = {"filter": _id_filter(allowed)}
        params = {"metric_type": "IP"}
        if self.ef:
            params["params"] = {"ef": max(self.ef, min(k, 16384))}  # HNSW needs ef >= k
        res = self._client.search(self.collection, data=np.asarray(queries, np.float32).tolist(),
                                  limit=min(k, 16384), output_fields=[], search_params=params, **kwargs)
        scores = np.zeros((n, k), np.float32)
        ids = np.full((n, k), -1, np.int64)
        for row, hits in enumerate(res):
            for col, hit in enumerate(hits):
                scores[row, col], ids[row, col] = hit["distance"], hit["id"]
        return scores, ids

    def reconstruct(self, ids: Sequence[int]) -> np.ndarray:
        if len(ids) == 0:
            return np.zeros((0, self.dim), np.float32)
        got = {}
        for i in range(0, len(ids), _BATCH):
            for r in self._client.query(self.collection, filter=_id_filter(ids[i:i + _BATCH]),
                                        output_fields=["id", "vector"]):
                got[int(r["id"])] = r["vector"]
        missing = [i for i in ids if int(i) not in got]
        if missing:
            raise KeyError(f"no vectors for ids {missing[:5]}")
        return np.asarray([got[int(i)] for i in ids], dtype=np.float32)

    def vectors(self) -> tuple[np.ndarray, np.ndarray]:
        return concat(self.batches(), self.dim)

    def batches(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for rows in self._rows(["id", "vector"]):
            yield (np.fromiter((r["id"] for r in rows), np.int64, len(rows)),
                   np.asarray([r["vector"] for r in rows], np.float32))

    def ids(self) -> np.ndarray:
        parts = [np.fromiter((r["id"] for r in rows), np.int64, len(rows)) for rows in self._rows(["id"])]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def _rows(self, fields: list[str]) -> Iterator[list[dict]]:
        it = self._client.query_iterator(self.collection, batch_size=_BATCH, filter="", output_fields=fields)
        try:
            while rows := it.next():
                yield rows
        finally:
            it.close()

    def count(self) -> int:
        if self._count is None:
            rows = self._client.query(self.collection, filter="", output_fields=["count(*)"])
            self._count = int(rows[0]["count(*)"])
        return self._count

    def save(self, path: str) -> None:
        self._client.flush(self.collection)


def drop_stale(uri: str, prefix: str, keep: Sequence[str]) -> None:
    """Drop this index's collections except ``keep`` (the live and the previous generation)."""
    c = client(uri)
    pattern = re.compile(re.escape(prefix) + r"_g\d{6}_(passages|articles)$")
    for name in c.list_collections():
        if pattern.fullmatch(name) and name not in keep:
            c.drop_collection(name)
