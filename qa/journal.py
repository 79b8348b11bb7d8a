"""What an unpublished write has embedded so far, kept so that rerunning an interrupted build resumes it.

Embedding is nearly all of a build's time (a million passages take hours on a laptop) and a write
publishes nothing until it is complete, so a Ctrl-C, a crash or a killed process would throw it
all away. While a write embeds, ``journal/`` beside the generations keeps:

- ``sentences-NNNNNN.bin``: the write's own segment of sentence vectors (:mod:`qa.segments`),
  hard-linked into the new generation, so it is stored once and survives that folder's removal;
- ``vectors.bin``: one fixed-size record per embedded passage, appended after its sentence
  vectors are in the segment: a hash of exactly what was embedded (title, text, sentence spans),
  the passage vector, where its sentence vectors lie and a CRC of both;
- ``meta.json``: the model, backend, dimension and generation number it was written for.

The next write with the same identity (same model and backend, and still the same generation
number, so nothing was published in between) takes the passages it finds there instead of
embedding them again; any other write removes the journal. Publishing removes it. Costs ~1.6 KB
per embedded passage (for 384 dimensions) until the write is published.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import shutil
import zlib
from collections.abc import Sequence

import numpy as np

from .segments import SegmentWriter, segment_name

JOURNAL = "journal"
META = "meta.json"
RECORDS = "vectors.bin"
KEY_VERSION = 1  # what passage_key hashes; a change makes old journals unusable


def passage_key(text: str, spans: Sequence[tuple[int, int]]) -> bytes:
    """What determines a passage's vectors besides the model: the text embedded and its spans."""
    h = hashlib.sha256(text.encode("utf-8", "surrogatepass"))
    h.update(json.dumps([list(s) for s in spans]).encode())
    return h.digest()


def pending(directory: str) -> int:
    """How many embedded passages an interrupted write left in ``directory``'s journal: none
    when that write was published (a process stopped between publishing and removing the
    journal leaves one that the next write, of the next generation, cannot use)."""
    path = os.path.join(directory, JOURNAL)
    try:
        with open(os.path.join(path, META), encoding="utf-8") as fh:
            meta = json.load(fh)
        if meta.get("generation") == _published(directory):
            return 0
        return os.path.getsize(os.path.join(path, RECORDS)) // _dtype(int(meta["dimension"])).itemsize
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return 0


def _published(directory: str) -> str | None:
    from .indexdir import MANIFEST

    try:
        with open(os.path.join(directory, MANIFEST), encoding="utf-8") as fh:
            return json.load(fh).get("generation")
    except (OSError, ValueError, AttributeError):
        return None


def discard(directory: str) -> None:
    """Remove the journal (a published write needs it no more)."""
    shutil.rmtree(os.path.join(directory, JOURNAL), ignore_errors=True)


def _dtype(dim: int) -> np.dtype:
    return np.dtype([("key", "S32"), ("offset", "<u8"), ("vlen", "<u4"), ("tlen", "<i4"),
                     ("crc", "<u4"), ("vector", "<f4", (dim,))])


class Journal:
    """The journal of one write; see the module docstring."""

    def __init__(self, directory: str, identity: dict, dim: int) -> None:
        """Open the journal in index folder ``directory`` for a write of ``identity`` (model,
        backend, dimension, generation): what an interrupted write of the same identity left is
        kept for :meth:`lookup`, a journal of anything else is removed."""
        self.dir = os.path.join(directory, JOURNAL)
        self.identity = {**identity, "key_version": KEY_VERSION}
        self.dtype = _dtype(dim)
        self.records = np.zeros(0, dtype=self.dtype)
        self.active = False
        self._fh = None
        self._segment: mmap.mmap | None = None
        try:
            with open(os.path.join(self.dir, META), encoding="utf-8") as fh:
                same = json.load(fh) == self.identity
        except (OSError, ValueError):
            same = False
        if not same:
            discard(directory)
            return
        path = os.path.join(self.dir, RECORDS)
        count = os.path.getsize(path) // self.dtype.itemsize if os.path.exists(path) else 0
        if count:  # mapped, not read: a million passages' records are 1.6 GB
            self.records = np.memmap(path, dtype=self.dtype, mode="r", shape=(count,))

    def __len__(self) -> int:
        return len(self.records)

    def attach(self, appender: SegmentWriter) -> bool:
        """Make the write's segment the journal's (a hard link), cut what a crash left half
        written, and start appending. False, with no journal kept, where links are impossible."""
        os.makedirs(self.dir, exist_ok=True)
        segment = os.path.join(self.dir, segment_name(appender.number))
        with open(segment, "ab") as fh:  # created if missing, never truncated here
            size = fh.tell()
        ends = self.records["offset"] + self.records["vlen"] + np.maximum(self.records["tlen"], 0)
        # Records are appended after their bytes, in order: only a tail can point past the end.
        whole = int(np.searchsorted(np.maximum.accumulate(ends) > size, True)) if len(ends) else 0
        self.records = self.records[:whole]
        with open(segment, "r+b") as fh:
            fh.truncate(int(ends[:whole].max()) if whole else 0)
        try:
            appender.continue_file(segment)
        except OSError:
            discard(os.path.dirname(self.dir))
            self.records = self.records[:0]
            return False
        records = os.path.join(self.dir, RECORDS)
        with open(records, "ab") as fh:
            fh.truncate(whole * self.dtype.itemsize)
        meta = os.path.join(self.dir, META)
        with open(meta + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(self.identity, fh)
        os.replace(meta + ".tmp", meta)
        self._fh = open(records, "ab")  # noqa: SIM115 (closed by close())
        if whole:
            with open(segment, "rb") as fh:
                self._segment = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        order = np.argsort(self.records["key"], kind="stable")
        self._keys, self._order = self.records["key"][order], order
        self.active = True
        return True

    def lookup(self, keys: Sequence[bytes]) -> list[tuple[np.ndarray, int, int, int | None] | None]:
        """For each key: (passage vector, offset, length of the sentence vectors, length of the
        tokens or None) of a record whose bytes check out, else None."""
        if not self.active or not len(self._keys):
            return [None] * len(keys)
        wanted = np.asarray(keys, dtype="S32")
        at = np.minimum(np.searchsorted(self._keys, wanted), len(self._keys) - 1)
        out: list = []
        for key, i in zip(wanted, at, strict=True):
            r = self.records[self._order[i]] if self._keys[i] == key else None
            out.append(None if r is None or not self._intact(r) else
                       (np.array(r["vector"]), int(r["offset"]), int(r["vlen"]),
                        None if r["tlen"] < 0 else int(r["tlen"])))
        return out

    def _intact(self, r) -> bool:
        """Whether the bytes a record points to are those it was written with (a power cut may
        leave a file its full length but with pages never written)."""
        end = int(r["offset"]) + int(r["vlen"]) + max(int(r["tlen"]), 0)
        if self._segment is None or end > len(self._segment):
            return False
        blob = self._segment[int(r["offset"]) : end]
        return zlib.crc32(r["vector"].tobytes(), zlib.crc32(blob)) == int(r["crc"])

    def append(self, keys: Sequence[bytes], vectors: np.ndarray,
               placed: Sequence[tuple[int, int, int | None]], blobs: Sequence[bytes]) -> None:
        """Record embedded passages whose sentence vectors ``blobs`` were written at ``placed``
        (offset, vectors length, tokens length) in the segment, which must be flushed first."""
        if not self.active or not keys:
            return
        rows = np.zeros(len(keys), dtype=self.dtype)
        rows["key"] = keys
        rows["vector"] = vectors
        rows["offset"] = [p[0] for p in placed]
        rows["vlen"] = [p[1] for p in placed]
        rows["tlen"] = [-1 if p[2] is None else p[2] for p in placed]
        rows["crc"] = [zlib.crc32(v.tobytes(), zlib.crc32(blob))
                       for v, blob in zip(rows["vector"], blobs, strict=True)]
        self._fh.write(rows.tobytes())
        self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        if self._segment is not None:
            self._segment.close()
            self._segment = None
