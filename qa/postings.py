"""Writing the BM25 postings files of a generation in bounded memory.

A write is the previous generation's postings minus removed passages, plus the analysed new
ones. Building that as one sparse matrix held the old postings several times over (CSC to CSR,
row selection, stacking, back to CSC: about 28 bytes per posting at the peak, 4 GB for 2M
passages, for any update). Here the new files are written column by column straight into
memory-mapped ``.npy`` files: the old postings are read in blocks from their mapped files, the
new passages are analysed and spilled as column-ordered parts of at most ``chunk`` postings,
and each part's postings go to their final positions, computed from per-term counts. Memory is
O(passages + terms + chunk); the files are exactly what the one-matrix build wrote.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

import numpy as np

from .errors import IndexCorruptError
from .lexical import ARRAYS, PREFIX, Postings

SPILL = 1 << 24  # new postings analysed per part: ~16M, ~300 MB while turned column-ordered
BLOCK = 1 << 20  # postings merged at a time: ~1M, ~40 MB of temporary arrays


def write(directory: str, old: Postings, keep: np.ndarray, added: Iterable[tuple[int, str]],
          analyse: Callable[[str], list[str]], chunk: int = SPILL) -> None:
    """Write the postings of ``old``'s rows where ``keep`` followed by the ``added``
    ``(passage id, text)`` pairs (ids ascending, above every kept id) into ``directory``.
    ``chunk``: new postings per spilled part (and at most the postings merged at a time)."""
    terms = list(old.terms)
    vocab = {t: i for i, t in enumerate(terms)}
    kept_pids = old.pids[keep]
    new_pids, new_lengths = array("q"), array("i")
    with tempfile.TemporaryDirectory(dir=directory, prefix=".postings-") as tmp:
        parts: list[tuple[Postings, int]] = []  # column-ordered parts of the new passages
        cols, tfs, rowptr = array("i"), array("H"), array("q", [0])

        def spill() -> None:
            if len(rowptr) > 1:
                parts.append((_spill(tmp, len(parts), cols, tfs, rowptr, len(terms)),
                              len(kept_pids) + len(new_pids) - (len(rowptr) - 1)))
                del cols[:], tfs[:], rowptr[1:]

        for pid, text in added:
            if (new_pids and pid <= new_pids[-1]) or (not new_pids and len(kept_pids) and pid <= kept_pids[-1]):
                raise ValueError("added passages must have ascending ids above every kept passage")
            counts = Counter(analyse(text))
            new_pids.append(pid)
            new_lengths.append(sum(counts.values()))
            for term, c in counts.items():
                col = vocab.get(term)
                if col is None:
                    col = vocab[term] = len(terms)
                    terms.append(term)
                cols.append(col)
                tfs.append(min(c, 65535))
            rowptr.append(len(cols))
            if len(cols) >= chunk:
                spill()
        spill()
        _merge(directory, old, keep, parts, len(terms), min(chunk, BLOCK))
    np.save(os.path.join(directory, f"{PREFIX}pids.npy"),
            np.concatenate([kept_pids, np.frombuffer(new_pids, np.int64)]).astype(np.int64))
    np.save(os.path.join(directory, f"{PREFIX}lengths.npy"),
            np.concatenate([old.lengths[keep], np.frombuffer(new_lengths, np.int32)]).astype(np.int32))
    with open(os.path.join(directory, f"{PREFIX}vocab.txt"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(terms))


def _spill(tmp: str, number: int, cols: array, tfs: array, rowptr: array, n_terms: int) -> Postings:
    """One part of new passages, turned column-ordered (CSC), saved, and mapped back."""
    import scipy.sparse as sp

    m = sp.csr_matrix((np.frombuffer(tfs, np.uint16), np.frombuffer(cols, np.int32),
                       np.frombuffer(rowptr, np.int64)), shape=(len(rowptr) - 1, n_terms)).tocsc()
    m.sort_indices()
    arrays = {"indptr": m.indptr.astype(np.int64), "rows": m.indices.astype(np.int32),
              "tf": m.data.astype(np.uint16)}
    for name, values in arrays.items():
        np.save(os.path.join(tmp, f"{number}.{name}.npy"), values)
    del m, arrays
    mapped = {name: np.load(os.path.join(tmp, f"{number}.{name}.npy"), mmap_mode="r")
              for name in ("indptr", "rows", "tf")}
    return Postings(pids=np.zeros(0, np.int64), lengths=np.zeros(0, np.int32), terms=(), **mapped)


def _blocks(indptr: np.ndarray, chunk: int) -> Iterator[tuple[int, int]]:
    """Column ranges [c0, c1) of about ``chunk`` postings each (one column if it is bigger)."""
    n_cols = len(indptr) - 1
    c0 = 0
    while c0 < n_cols:
        c1 = int(np.searchsorted(indptr, indptr[c0] + chunk, side="right")) - 1
        c1 = min(max(c1, c0 + 1), n_cols)
        yield c0, c1
        c0 = c1


def _columns(part: Postings, c0: int, c1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Column number, row and count of each posting of columns [c0, c1)."""
    s, e = int(part.indptr[c0]), int(part.indptr[c1])
    cols = np.repeat(np.arange(c0, c1, dtype=np.int64), np.diff(np.asarray(part.indptr[c0:c1 + 1])))
    return cols, np.asarray(part.rows[s:e]), np.asarray(part.tf[s:e])


def _merge(directory: str, old: Postings, keep: np.ndarray, parts: list[tuple[Postings, int]],
           n_terms: int, block: int) -> None:
    """Write indptr, rows and tf of kept old postings then each part's, column by column."""
    counts = np.zeros(n_terms, np.int64)
    for c0, c1 in _blocks(old.indptr, block):
        cols, rows, _ = _columns(old, c0, c1)
        counts[c0:c1] += np.bincount(cols[keep[rows]] - c0, minlength=c1 - c0)
    for part, _ in parts:
        counts[:len(part.indptr) - 1] += np.diff(np.asarray(part.indptr))
    indptr = np.zeros(n_terms + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    np.save(os.path.join(directory, f"{PREFIX}indptr.npy"), indptr)
    total = int(indptr[-1])
    if total == 0:  # a memory map cannot be empty
        for name in ("rows", "tf"):
            np.save(os.path.join(directory, f"{PREFIX}{name}.npy"), np.zeros(0, ARRAYS[name]))
        return
    out_rows = _open(directory, "rows", total)
    out_tf = _open(directory, "tf", total)
    cursor = indptr[:-1].copy()  # where each column's next posting goes
    row_of = np.cumsum(keep, dtype=np.int64) - 1  # an old row's number among the kept ones
    for part, first_row in [(old, None), *parts]:
        for c0, c1 in _blocks(part.indptr, block):
            cols, rows, tf = _columns(part, c0, c1)
            if first_row is None:
                kept = keep[rows]
                cols, rows, tf = cols[kept], row_of[rows[kept]], tf[kept]
            else:
                rows = rows + first_row
            if not len(cols):
                continue
            # Each posting's rank within its column in this block (columns come in order).
            starts = np.flatnonzero(np.diff(cols, prepend=-1))
            sizes = np.diff(starts, append=len(cols))
            uniq = cols[starts]
            at = cursor[cols] + np.arange(len(cols)) - np.repeat(starts, sizes)
            out_rows[at] = rows
            out_tf[at] = tf
            cursor[uniq] += sizes
    if not np.array_equal(cursor, indptr[1:]):
        raise IndexCorruptError("the previous BM25 postings do not add up; rebuild the index")
    for out in (out_rows, out_tf):
        out.flush()
    del out_rows, out_tf


def _open(directory: str, name: str, size: int) -> np.ndarray:
    path = os.path.join(directory, f"{PREFIX}{name}.npy")
    return np.lib.format.open_memmap(path, mode="w+", dtype=ARRAYS[name], shape=(size,))
