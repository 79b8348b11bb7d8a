"""Vectors beyond RAM: an IVF index trained once, shards built in parallel, merged on disk.

Above ``Settings.ondisk_threshold`` passages (or articles, for the article vectors, which
follow the same rule under the stem ``articles``) a write never holds the collection's vectors in
memory. New vectors are spooled to ``.npy`` files in the new generation's folder as they come
out of the encoder; the previous generation's inverted lists are read memory-mapped. The live
vectors (old ones minus removed, plus new) are then cut into shards of
:data:`SHARD_VECTORS`, each shard is added to a copy of the trained (empty) IVF index on a
worker thread and written to a temporary file, and ``faiss.contrib.ondisk.merge_ondisk`` joins
the shards' inverted lists into one ``passages.ivfdata`` file. ``passages.faiss`` then holds
only the coarse quantizer and the id map; readers memory-map the lists
(``IO_FLAG_ONDISK_SAME_DIR``), so a search reads only the cells it probes.

The coarse quantizer is trained once, on a sample, and kept in ``passages.trained.faiss``; it
is retrained only when the collection has grown fourfold. While it is kept, the old lists are
copied cell by cell (no re-assignment). ``nprobe`` is re-measured on every write against exact
search computed by streaming over the lists, as for the in-memory IVF.

Peak memory of a write: about ``(workers + 1) x SHARD_VECTORS`` vectors, the training sample
and the id map; 1.5 GB for 2M vectors against 10.4 GB in memory (benchmarks/ONDISK.md).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import numpy as np

from .errors import IndexCorruptError
from .store import FaissStore, pick_nprobe, streamed_recall_queries

ONDISK_THRESHOLD = 2_000_000  # passages; ~3 GB of float32 MiniLM vectors, written three times
SHARD_VECTORS = 250_000  # per shard built on one worker (~370 MB of MiniLM vectors)
SPOOL_VECTORS = 65_536  # new vectors held before they go to a spool file
_SPOOL = "-spool-"  # after the stem: new vectors waiting to be sharded
_SHARD = "-shard-"  # after the stem: shard indexes waiting to be merged


@contextlib.contextmanager
def c_output(to: str) -> Iterator[None]:
    """FAISS's on-disk lists print with C ``printf``: while merging (progress) keep it off our
    stdout (``to="stderr"``); while opening (a note that the lists file moved, on every read of
    a published generation) drop it (``to="null"``). Errors still arrive as exceptions."""
    libc = ctypes.CDLL(None)
    sys.stdout.flush()
    sys.stderr.flush()
    libc.fflush(None)
    fds = (1,) if to == "stderr" else (1, 2)
    saved = [os.dup(fd) for fd in fds]
    target = 2 if to == "stderr" else os.open(os.devnull, os.O_WRONLY)
    try:
        for fd in fds:
            os.dup2(target, fd)
        yield
    finally:
        libc.fflush(None)
        for fd, old in zip(fds, saved, strict=True):
            os.dup2(old, fd)
            os.close(old)
        if to != "stderr":
            os.close(target)


def lists_file(vector_file: str) -> str:
    """Where the inverted lists of a vector file live: beside it, same stem."""
    return os.path.splitext(vector_file)[0] + ".ivfdata"


def is_ondisk(vector_file: str) -> bool:
    return os.path.exists(lists_file(vector_file))


class OnDiskBuilder:
    """The write side of an on-disk IVF store: ``add`` and ``remove`` as the indexer calls
    them on any store, then :meth:`finish` writes the new generation's files, named after
    ``stem`` (``passages`` or ``articles``)."""

    kind = "ivf-ondisk"

    def __init__(self, dim: int, work: str, old: FaissStore | None = None,
                 old_dir: str | None = None, trained_on: int | None = None,
                 stem: str = "passages") -> None:
        self.dim = dim
        self.stem = stem
        self.work = work
        self.old = old  # the previous generation's store, memory-mapped (read-only)
        self.old_dir = old_dir
        self.trained_on = trained_on
        self.removed: set[int] = set()
        self._spooled = 0
        self._files: list[tuple[str, str]] = []
        self._buffer: list[tuple[np.ndarray, np.ndarray]] = []
        self._buffered = 0

    # --- the store calls the indexer makes -----------------------------------------------
    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self._buffer.append((np.asarray(ids, np.int64), np.asarray(vectors, np.float32)))
            self._buffered += len(ids)
            if self._buffered >= SPOOL_VECTORS:
                self._flush()

    def remove(self, ids) -> int:
        self.removed.update(int(i) for i in ids)
        return len(ids)

    def count(self) -> int:
        kept = 0
        if self.old is not None:
            kept = self.old.count() - int(np.isin(self.old.ids(), self._removed_array()).sum())
        return kept + self._spooled + self._buffered

    def _removed_array(self) -> np.ndarray:
        return np.fromiter(self.removed, dtype=np.int64, count=len(self.removed))

    def _flush(self) -> None:
        if not self._buffer:
            return
        n = len(self._files)
        paths = (os.path.join(self.work, f"{self.stem}{_SPOOL}{n:05d}.ids.npy"),
                 os.path.join(self.work, f"{self.stem}{_SPOOL}{n:05d}.vectors.npy"))
        np.save(paths[0], np.concatenate([b[0] for b in self._buffer]))
        np.save(paths[1], np.vstack([b[1] for b in self._buffer]))
        self._files.append(paths)
        self._spooled += self._buffered
        self._buffer, self._buffered = [], 0

    # --- reading the live vectors back -----------------------------------------------------
    def live_cells(self) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """(cell, ids, vectors) of the previous generation's lists, removed ids left out."""
        if self.old is None:
            return
        removed = self._removed_array()
        for cell, ids, vectors in self.old.cells():
            keep = ~np.isin(ids, removed)
            if keep.any():
                yield cell, ids[keep], vectors[keep]

    def _new_chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for ids_path, vec_path in self._files:
            yield np.load(ids_path, mmap_mode="r"), np.load(vec_path, mmap_mode="r")

    def _live_chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """All live (ids, vectors), in chunks of at most about SHARD_VECTORS."""
        ids_parts, vec_parts, size = [], [], 0
        for _, ids, vectors in self.live_cells():
            ids_parts.append(ids)
            vec_parts.append(vectors)
            size += len(ids)
            if size >= SHARD_VECTORS:
                yield np.concatenate(ids_parts), np.vstack(vec_parts)
                ids_parts, vec_parts, size = [], [], 0
        if size:
            yield np.concatenate(ids_parts), np.vstack(vec_parts)
        yield from self._new_chunks()

    # --- writing the generation ------------------------------------------------------------
    def finish(self, workers: int | None = None) -> dict:
        """Write ``STEM.faiss``, ``STEM.ivfdata`` and ``STEM.trained.faiss`` into the new
        generation; returns the manifest's ``ann`` entry."""
        import faiss
        from faiss.contrib.ondisk import merge_ondisk

        self._flush()
        total = self.count()
        if total == 0:
            raise ValueError("an on-disk index needs at least one vector")
        trained_name = f"{self.stem}.trained.faiss"
        old_trained = os.path.join(self.old_dir, trained_name) if self.old_dir else None
        reuse = (old_trained is not None and os.path.exists(old_trained) and self.trained_on
                 and total <= 4 * self.trained_on)
        if reuse:
            trained = faiss.read_index(old_trained)
            trained_on = self.trained_on
        else:
            trained = self._train(total)
            trained_on = total
        faiss.write_index(trained, os.path.join(self.work, trained_name))

        jobs = self._shard_jobs(trained, copy_old_cells=bool(reuse))
        shards = _run_bounded(jobs, workers or min(4, os.cpu_count() or 1))
        merged = faiss.clone_index(trained)
        lists_path = os.path.join(self.work, f"{self.stem}.ivfdata")
        with c_output("stderr"):
            merge_ondisk(merged, shards, lists_path)
        merged.set_direct_map_type(faiss.DirectMap.Hashtable)  # remove and reconstruct by id
        index_path = os.path.join(self.work, f"{self.stem}.faiss")
        faiss.write_index(merged, index_path)
        del merged
        self._cleanup(shards)

        store = load_ondisk(index_path, self.dim)
        recall = self._tune(store)
        return {"nlist": int(store._ivf.nlist), "nprobe": store.nprobe, "trained_on": trained_on,
                "recall_at_10": round(recall, 4), "on_disk": True,
                "recall_measured_on": f"200 random mixes of three stored {self.stem}, as queries"}

    def _train(self, total: int):
        """A new coarse quantizer, trained on a uniform sample of the live vectors."""
        import faiss

        nlist = int(min(max(64, 4 * np.sqrt(total)), max(1, total // 39)))
        want = min(total, 40 * nlist)
        rng = np.random.default_rng(0)
        sample = [vectors[rng.random(len(ids)) < want / total] for ids, vectors in self._live_chunks()]
        quantizer = faiss.IndexFlatIP(self.dim)
        index = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.own_fields = True
        quantizer.this.disown()
        index.cp.niter = 10
        index.train(np.ascontiguousarray(np.vstack(sample), dtype=np.float32))
        return index

    def _shard_jobs(self, trained, copy_old_cells: bool) -> Iterator[Callable[[], str]]:
        """Callables that each fill one shard and return its file, made lazily so only the
        shards being built are in memory. With the old quantizer kept, old vectors go back to
        their own cells without being assigned again."""
        import faiss

        count = 0

        def shard_path() -> str:
            nonlocal count
            count += 1
            return os.path.join(self.work, f"{self.stem}{_SHARD}{count:05d}.faiss")

        def from_cells(cells, path):
            def run() -> str:
                shard = faiss.clone_index(trained)
                for cell, ids, vectors in cells:
                    shard.invlists.add_entries(cell, len(ids), faiss.swig_ptr(np.ascontiguousarray(ids)),
                                               faiss.swig_ptr(np.ascontiguousarray(vectors).view(np.uint8)))
                shard.ntotal = sum(len(ids) for _, ids, _ in cells)
                faiss.write_index(shard, path)
                return path
            return run

        def from_vectors(parts, path):
            def run() -> str:
                shard = faiss.clone_index(trained)
                for ids, vectors in parts:  # spool files are read here, memory-mapped
                    shard.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32),
                                       np.ascontiguousarray(ids, dtype=np.int64))
                faiss.write_index(shard, path)
                return path
            return run

        if copy_old_cells:
            for group in _groups(self.live_cells(), lambda cell: len(cell[1])):
                yield from_cells(group, shard_path())
            chunks = self._new_chunks()
        else:
            chunks = self._live_chunks()
        for group in _groups(chunks, lambda chunk: len(chunk[0])):
            yield from_vectors(group, shard_path())

    def _tune(self, store: FaissStore) -> float:
        q, truth = streamed_recall_queries(store)
        return pick_nprobe(store, q, truth)

    def _cleanup(self, shards: list[str]) -> None:
        for path in shards + [p for pair in self._files for p in pair]:
            if os.path.exists(path):
                os.remove(path)
        self._files = []


def _groups(items: Iterator, size_of: Callable) -> Iterator[list]:
    """Consecutive items in lists of about SHARD_VECTORS vectors."""
    group, size = [], 0
    for item in items:
        group.append(item)
        size += size_of(item)
        if size >= SHARD_VECTORS:
            yield group
            group, size = [], 0
    if group:
        yield group


def _run_bounded(jobs: Iterator[Callable[[], str]], workers: int) -> list[str]:
    """Run jobs on ``workers`` threads (FAISS releases the GIL while it adds), taking the next
    job from the iterator only when a thread is free; the results in job order."""
    results: dict[int, str] = {}
    with ThreadPoolExecutor(workers) as pool:
        pending: dict = {}
        for n, job in enumerate(jobs):
            if len(pending) >= workers:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    results[pending.pop(f)] = f.result()
            pending[pool.submit(job)] = n
        for f, n in pending.items():
            results[n] = f.result()
    return [results[n] for n in sorted(results)]


def load_ondisk(path: str, dim: int, nprobe: int | None = None) -> FaissStore:
    """Open an on-disk IVF file; its lists file is found beside it, wherever the folder moved."""
    import faiss

    try:
        with c_output("null"):
            index = faiss.read_index(path, faiss.IO_FLAG_ONDISK_SAME_DIR | faiss.IO_FLAG_READ_ONLY)
    except (RuntimeError, OSError) as exc:
        raise IndexCorruptError(f"cannot read vector file {path}: {exc}. Rebuild the index with `qa index`.") from exc
    if index.d != dim:
        raise IndexCorruptError(f"vector file {path} has dimension {index.d}, the manifest says {dim}; "
                                "rebuild the index with `qa index`.")
    store = FaissStore(dim, index, nprobe, mapped=True)
    store.kind = "ivf-ondisk"
    _check_lists(store, path)
    return store


def _check_lists(store: FaissStore, path: str) -> None:
    """Refuse a lists file shorter than its cells say: the mapping would crash the process
    (SIGBUS) on the first search that reads past its end, not raise."""
    import faiss

    lists = faiss.downcast_InvertedLists(store._ivf.invlists)
    data = lists_file(path)
    have = os.path.getsize(data)
    entry = lists.code_size + 8  # codes, then ids, per vector
    need = max([lists.totsize] + [lists.lists.at(i).offset + lists.lists.at(i).capacity * entry
                                  for i in range(lists.nlist)])
    if have < need:
        raise IndexCorruptError(f"{data} is {have} bytes but its index needs {need}; it was cut "
                                "short. Rebuild the index with `qa index --rebuild`.")
