"""Vectors in Milvus (a server, a cluster, or a milvus-lite ``.db`` file) behind the store seam.

Rows are versioned so that a write changes only what changed, in place, while readers keep
their view: each row records the index generation that ``added`` it and the one that
``removed`` it (``ALIVE`` until then), and a reader of generation G sees
``added <= G and removed > G``. A write of generation W inserts rows with ``added = W``
(invisible to readers of W-1) and marks removed rows ``removed = W`` (still visible to them);
the manifest naming W is what makes the change visible, as with FAISS files. The next write
first undoes what a crashed write left (rows added or removed after the live generation) and
deletes the rows readers of the live generation no longer see.

A pair of collections (``<prefix>_gNNNNNN_passages`` and ``_articles``, numbered by the
generation that created them) is copied only when it must be: the first write, a move between
stores, and the switch between the exact (FLAT) and the HNSW index. Collections neither the live
nor the previous manifest names are dropped after each successful write. Collections written
before rows were versioned are read as they are and copied by their next write.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np

from .errors import IndexCorruptError, IndexMismatchError
from .milvus_client import OWNER, client, collection_names, drop_stale, parse_store, refuse_foreign
from .store import concat

__all__ = ["MilvusStore", "client", "collection_names", "drop_stale", "parse_store"]

_BATCH = 2000
# One more search result costs about as much as this many more ids in a filter expression
# (pymilvus decodes results one by one; Milvus parses the expression per search): measured on
# milvus-lite here, 200,000 vectors: 100,000 ids 1.7 s, 20,000 ids 0.36 s; 2,000 results 0.6 s,
# 8,000 results 1.9 s.
RESULT_COST = 12
MAX_LIMIT = 16384  # Milvus's largest top-k
HNSW_M, HNSW_EF_CONSTRUCTION = 16, 200
HNSW_EFS = (16, 32, 64, 128, 256, 512)  # tried in turn until recall@10 reaches the target
ALIVE = 2**62  # ``removed`` of a row no generation has removed yet
RETUNE = 1.25  # HNSW ef is measured again once the collection grew or shrank by this factor
_PUBLISHED = "qa.published_generation"  # collection property: the last generation published


def _id_filter(ids) -> str:
    return "id in [" + ",".join(str(int(x)) for x in ids) + "]"


class MilvusStore:
    """One Milvus collection of (id, vector[, added, removed]) as seen at one generation: exact
    inner-product search (FLAT index), or HNSW once :meth:`approximate` finds it big enough."""

    kind = "milvus"
    nprobe = None

    def __init__(self, uri: str, collection: str, dim: int, ef: int | None = None,
                 generation: int | None = None, writer: bool = False, owner: str | None = None) -> None:
        self.uri, self.collection, self.dim = uri, collection, dim
        self.owner = owner  # writers: the index folder's id, given to the collections they create
        self.ef = ef  # HNSW search breadth; None: the collection is searched exactly
        # None: a collection written before rows were versioned, only ever read (writes copy it).
        self.generation = generation
        # A writer must read its own writes at once; readers take Milvus's default (bounded
        # staleness) and the writer waits, before publishing, until that default sees them.
        self._read = {"consistency_level": "Strong"} if writer else {}
        self._client = client(uri)
        self._count: int | None = None

    @classmethod
    def create(cls, uri: str, collection: str, dim: int, generation: int, owner: str,
               source: MilvusStore | None = None, hnsw: bool = False) -> MilvusStore:
        """A new empty collection owned by index ``owner``, or a copy of ``source``'s vectors,
        written as ``generation``."""
        from pymilvus import DataType

        c = client(uri)
        if c.has_collection(collection):  # left by a crashed write of this index, or not ours
            refuse_foreign(c, uri, collection, owner, empty_ok=True)
            c.drop_collection(collection)
        schema = c.create_schema(auto_id=False, enable_dynamic_field=False)
        schema.add_field("id", DataType.INT64, is_primary=True)
        schema.add_field("vector", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_field("added", DataType.INT64)
        schema.add_field("removed", DataType.INT64)
        c.create_collection(collection, schema=schema, index_params=_index_params(c, hnsw))
        c.alter_collection_properties(collection, properties={OWNER: owner})
        store = cls(uri, collection, dim, HNSW_EFS[-1] if hnsw else None, generation, True, owner)
        if source is not None:  # batch by batch: the collection may not fit in memory
            for ids, vectors in source.batches():
                store.add(ids, vectors)
        return store

    @classmethod
    def open(cls, uri: str, collection: str, dim: int, ef: int | None = None,
             generation: int | None = None, writer: bool = False, owner: str | None = None
             ) -> MilvusStore:
        """An existing collection; a writer (``owner`` given) claims it if no index has."""
        c = client(uri)
        if not c.has_collection(collection):
            raise IndexCorruptError(f"Milvus at {uri} has no collection {collection}; the index "
                                    "names it. Rebuild with `qa index --rebuild`.")
        if owner is not None and refuse_foreign(c, uri, collection, owner) is None:
            c.alter_collection_properties(collection, properties={OWNER: owner})
        c.load_collection(collection)  # a new process finds it released; loading is idempotent
        store = cls(uri, collection, dim, ef, generation, writer, owner)
        # Rows only generation G sees are deleted by the write of G + 2: a reader further
        # behind is a copy of the index folder whose original moved on.
        if generation is not None and not writer and store.published() > generation + 1:
            raise IndexMismatchError(
                f"Milvus collection {collection} at {uri} has moved on to generation "
                f"{store.published()}, written by another copy of this index folder (this one "
                f"is at {generation}), so rows it needs may be gone. Use that copy, or rebuild "
                "this one into its own collections: `qa index PATHS --rebuild --store URI/NEW_NAME`.")
        return store

    def published(self) -> int:
        """The last generation an index published with this collection (0: not recorded)."""
        props = self._client.describe_collection(self.collection).get("properties") or {}
        return int(props.get(_PUBLISHED, 0))

    def mark_published(self) -> None:
        self._client.alter_collection_properties(self.collection, properties={_PUBLISHED: str(self.generation)})

    def begin_write(self, live: int) -> None:
        """Before writing generation ``live + 1`` in place: undo a crashed write's changes and
        delete the rows readers of ``live`` no longer see (those of older generations, as with
        FAISS files and Milvus collection pairs, are not served after the next publish)."""
        c, name = self._client, self.collection
        if self.published() > live:
            raise IndexMismatchError(
                f"Milvus collection {name} at {self.uri} has been written up to generation "
                f"{self.published()} by another copy of this index folder, which is at "
                f"{live}: writing here would undo that copy's changes. Give this folder its own "
                "collections with `qa index ... --rebuild --store URI/NEW_NAME`.")
        c.delete(name, filter=f"added > {live}")
        while rows := c.query(name, filter=f"removed > {live} and removed < {ALIVE}",
                              output_fields=["id", "vector", "added"], limit=_BATCH, **self._read):
            c.upsert(name, [{**r, "removed": ALIVE} for r in rows])
        c.delete(name, filter=f"removed <= {live}")
        self._count = None

    def approximate(self, threshold: int, previous: dict, fresh_name: str) -> tuple[MilvusStore, dict]:
        """HNSW from ``threshold`` vectors on (back to exact below half of it), with the smallest
        ``ef`` whose recall@10 against exact search (streamed over the collection) reaches the
        target, as the FAISS IVF does with ``nprobe``; measured again when the collection has
        grown or shrunk by ``RETUNE`` since. Switching index kinds copies the vectors into a
        new collection ``fresh_name`` (readers keep the old one) unless this write created it.
        Returns the store to publish and the manifest's ``ann`` entry ({} when exact)."""
        from .store import RECALL_TARGET, measure_recall, streamed_recall_queries

        total = self.count()
        hnsw = self.ef is not None
        want = total >= threshold or (hnsw and total >= threshold // 2)
        store = self
        if want != hnsw:
            if self.collection == fresh_name:  # created by this write: no reader has it
                self._reindex(want)
                self.ef = HNSW_EFS[-1] if want else None
            else:
                store = MilvusStore.create(self.uri, fresh_name, self.dim, self.generation,
                                           self.owner, self, want)
        if not want:
            return store, {}
        measured = previous.get("passages") or 0
        if store is self and hnsw and previous.get("kind") == "hnsw" and \
                measured / RETUNE <= total <= measured * RETUNE:
            return store, previous
        store.save("")  # recall is measured on sealed, indexed segments
        q, truth = streamed_recall_queries(store)
        recall = 0.0
        for ef in HNSW_EFS:
            store.ef = ef
            recall = measure_recall(store, q, truth)
            if recall >= RECALL_TARGET + 0.01:
                break
        return store, {"kind": "hnsw", "M": HNSW_M, "ef": store.ef,
                       "recall_at_10": round(recall, 4), "passages": total}

    def _reindex(self, hnsw: bool) -> None:
        c = self._client
        c.flush(self.collection)
        c.release_collection(self.collection)
        c.drop_index(self.collection, "vector")
        c.create_index(self.collection, _index_params(c, hnsw))
        c.load_collection(self.collection)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        for i in range(0, len(ids), _BATCH):
            self._client.insert(self.collection, [
                {"id": int(pid), "vector": vec.tolist(), "added": self.generation, "removed": ALIVE}
                for pid, vec in zip(ids[i:i + _BATCH], vectors[i:i + _BATCH], strict=True)])
        self._count = None

    def remove(self, ids: Sequence[int]) -> int:
        """Rows added by this write go; older ones are marked removed by it, so readers of
        the live generation still find them. Returns how many were there."""
        if len(ids) == 0:
            return 0
        c, name, gen = self._client, self.collection, self.generation
        gone = 0
        for i in range(0, len(ids), _BATCH):
            rows = c.query(name, filter=self._where(_id_filter(ids[i:i + _BATCH])),
                           output_fields=["id", "vector", "added"], **self._read)
            new = [r["id"] for r in rows if r["added"] == gen]
            if new:
                c.delete(name, ids=new)
            old = [{**r, "removed": gen} for r in rows if r["added"] != gen]
            if old:
                c.upsert(name, old)
            gone += len(rows)
        self._count = None
        return gone

    def _where(self, extra: str = "") -> str:
        """The filter showing rows as of this store's generation, and ``extra``."""
        if self.generation is None:
            return extra
        seen = f"added <= {self.generation} and removed > {self.generation}"
        return f"{seen} and ({extra})" if extra else seen

    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Best ``k`` per query, among ``allowed`` ids if given (scores 0 and ids -1 pad)."""
        k = max(1, k)
        if allowed is None:
            return self._search(queries, k, self._where())
        allowed = np.asarray(allowed, np.int64)
        total, need = self.count(), min(k, len(allowed))
        # Many allowed ids are better not sent: Milvus parses an id list per search. Instead,
        # search without it, deep enough that k allowed rows are expected among the results,
        # and keep those, going deeper while a query has too few.
        limit = math.ceil(2 * k * total / max(len(allowed), 1))
        if limit * RESULT_COST < len(allowed) and limit <= MAX_LIMIT:
            while True:
                scores, ids = self._search(queries, limit, self._where())
                keep = np.isin(ids, allowed)
                if (keep.sum(axis=1) >= need).all() or limit >= total:
                    return _best(scores, ids, keep, k)
                if limit == MAX_LIMIT:
                    break
                limit = min(MAX_LIMIT, limit * 4)
        # Ids from this generation's catalog are all visible at it (ids are never reused, and
        # no write has another row with them), so they need no version filter, which costs.
        return self._search(queries, k, _id_filter(allowed))

    def _search(self, queries: np.ndarray, k: int, where: str) -> tuple[np.ndarray, np.ndarray]:
        n = len(queries)
        params = {"metric_type": "IP"}
        if self.ef:
            params["params"] = {"ef": max(self.ef, min(k, MAX_LIMIT))}  # HNSW needs ef >= k
        res = self._client.search(self.collection, data=np.asarray(queries, np.float32).tolist(),
                                  limit=min(k, MAX_LIMIT), output_fields=[], search_params=params,
                                  filter=where, **self._read)
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
            for r in self._client.query(self.collection, filter=_id_filter(ids[i:i + _BATCH]),  # as in search
                                        output_fields=["id", "vector"], **self._read):
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
        it = self._client.query_iterator(self.collection, batch_size=_BATCH, filter=self._where(),
                                         output_fields=fields, **self._read)
        try:
            while rows := it.next():
                yield rows
        finally:
            it.close()

    def count(self) -> int:
        if self._count is None:
            self._count = self._count_rows(self._read)
        return self._count

    def _count_rows(self, read: dict) -> int:
        rows = self._client.query(self.collection, filter=self._where(),
                                  output_fields=["count(*)"], **read)
        return int(rows[0]["count(*)"])

    def save(self, path: str) -> None:
        """Flush, then wait (up to a minute) until a reader's default consistency sees this
        write: the manifest is published next and must not name rows readers cannot find."""
        import time

        self._client.flush(self.collection)
        expected, deadline = self.count(), time.monotonic() + 60
        while self._count_rows({}) != expected and time.monotonic() < deadline:
            time.sleep(0.2)


def _index_params(c, hnsw: bool):
    index = c.prepare_index_params()
    if hnsw:
        index.add_index(field_name="vector", index_type="HNSW", metric_type="IP",
                        params={"M": HNSW_M, "efConstruction": HNSW_EF_CONSTRUCTION})
    else:
        index.add_index(field_name="vector", index_type="FLAT", metric_type="IP")
    return index


def _best(scores: np.ndarray, ids: np.ndarray, keep: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the ``k`` best-scoring entries where ``keep``, best first (stable: equal
    scores keep their order), padded with score 0 and id -1."""
    out_scores = np.zeros((len(ids), k), np.float32)
    out_ids = np.full((len(ids), k), -1, np.int64)
    for row in range(len(ids)):
        s, i = scores[row][keep[row]], ids[row][keep[row]]
        order = np.argsort(-s, kind="stable")[:k]
        out_scores[row, :len(order)], out_ids[row, :len(order)] = s[order], i[order]
    return out_scores, out_ids
