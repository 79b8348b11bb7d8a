"""Sentence vectors and token bits in append-only segment files that generations share.

These blobs are nine tenths of what an index stores per passage (kilobytes each), and they never
change once written. Each write that embeds passages appends theirs to one new file,
``sentences-NNNNNN.bin`` (NNNNNN: the generation that wrote it), and the catalog records where
each passage's bytes lie. A published segment is never written again, so the next generation
links it (a hard link, a copy where links are not possible) instead of copying gigabytes.

Deleted passages leave dead bytes behind; :func:`plan_compaction` picks the segments whose live
bytes a write should move into its own segment (mostly dead, or small beside the rest), which
bounds both the dead space and the number of files.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Sequence

from .errors import IndexCorruptError

PREFIX = "sentences-"
_NAME = re.compile(r"^sentences-(\d{6})\.bin$")


def segment_name(number: int) -> str:
    return f"{PREFIX}{number:06d}.bin"


def segment_number(name: str) -> int | None:
    """The segment number of a file name, or None if it names no segment."""
    m = _NAME.match(name)
    return int(m.group(1)) if m else None


def segments_in(directory: str) -> dict[int, int]:
    """Segment number -> size in bytes of the segment files in ``directory``."""
    out = {}
    for name in os.listdir(directory):
        number = segment_number(name)
        if number is not None:
            out[number] = os.path.getsize(os.path.join(directory, name))
    return out


def link_or_copy(src: str, dst: str) -> None:
    """Share an immutable file with the next generation: a hard link where the file system has
    them (no bytes copied), else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def plan_compaction(sizes: dict[int, int], live: dict[int, int], current: int) -> list[int]:
    """Segments to move into segment ``current``: those with no live bytes (simply dropped),
    less than half live, or smaller than 1/32 of all segments together (so many small writes
    do not leave many small files). ``sizes`` are file sizes, ``live`` the bytes still used."""
    total = sum(sizes.values())
    return sorted(n for n, size in sizes.items() if n != current
                  and (live.get(n, 0) * 2 < size or size * 32 < total))


class SegmentWriter:
    """Appends blobs to this write's segment, created on the first append."""

    def __init__(self, directory: str, number: int) -> None:
        self.number = number
        self.path = os.path.join(directory, segment_name(number))
        self._fh = None
        self.offset = 0

    def append(self, data: bytes) -> int:
        """Write ``data``; returns its offset in the segment."""
        if self._fh is None:
            # O_EXCL: never truncate a file another generation may share through a link.
            self._fh = os.fdopen(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644), "wb")
        at = self.offset
        self._fh.write(data)
        self.offset += len(data)
        return at

    def continue_file(self, path: str) -> None:
        """Make this write's segment the file at ``path`` (a hard link; OSError where links are
        impossible) and append after its bytes: an interrupted write's segment (qa.journal)."""
        if self._fh is not None or os.path.exists(self.path):
            raise RuntimeError(f"{self.path} was written to before it could continue {path}")
        os.link(path, self.path)
        self._fh = open(self.path, "ab")  # noqa: SIM115 (closed by close())
        self.offset = self._fh.tell()

    def flush(self) -> None:
        """Hand what was appended to the operating system (it survives the process)."""
        if self._fh is not None:
            self._fh.flush()

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


class SegmentReader:
    """Reads blobs from the segments of one directory, each file opened on first use.

    Reads are ``pread`` calls, not slices of a memory map: a question reads a few kilobytes for
    each of ~200 candidates scattered over the file, and a mapped read makes the kernel map the
    pages around each one into the process as well (fault-around, large folios). Measured on
    SciFact (11,356 passages): one question grew the process by 11 MB of segment pages mapped,
    five by 29 MB, growing with every question; read this way the process holds none of them.
    """

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._files: dict[int, int] = {}  # segment number -> open file descriptor
        self._lock = threading.Lock()  # for the seek-and-read fallback where pread is missing

    def open_all(self) -> None:
        """Open every segment now: a reader's generation may be removed once the next is
        published, and then only files it already holds open can still be read."""
        for number, size in segments_in(self.directory).items():
            if size and number not in self._files:
                self._open(number)

    def _open(self, number: int) -> int:
        flags = os.O_RDONLY | getattr(os, "O_BINARY", 0)
        fd = self._files[number] = os.open(os.path.join(self.directory, segment_name(number)), flags)
        return fd

    def read(self, number: int, offset: int, length: int) -> bytes:
        if length == 0:
            return b""
        fd = self._files.get(number)
        if fd is None:
            fd = self._open(number)
        if hasattr(os, "pread"):
            data = os.pread(fd, length, offset)
        else:  # Windows
            with self._lock:
                os.lseek(fd, offset, os.SEEK_SET)
                data = os.read(fd, length)
        if len(data) < length:
            raise ValueError(f"{segment_name(number)} is shorter than the catalog says")
        return data

    def forget(self, number: int) -> None:
        fd = self._files.pop(number, None)
        if fd is not None:
            os.close(fd)

    def close(self) -> None:
        for number in list(self._files):
            self.forget(number)


class SentenceBlobs:
    """How :class:`qa.catalog.Catalog` keeps sentence vectors: in this writer's segment, read
    back from any segment or, in catalogs written before segments, from the row itself.

    Expects ``db`` and ``w`` (connections to read and write), ``_blobs`` (the six columns of
    ``BLOB_COLUMNS`` as SQL), ``_segments`` (a SegmentReader) and ``_appender`` (a
    SegmentWriter, or None).
    """

    @property
    def appender(self) -> SegmentWriter | None:
        return self._appender

    def set_sentence_vectors(self, rows: Sequence[tuple[int, bytes, bytes | None]]
                             ) -> list[tuple[int, int, int | None]]:
        """(passage id, sentence vectors, sentence tokens) of embedded passages: appended to
        this writer's segment, or kept in the catalog if it was given none. Returns where each
        went in the segment: (offset, vectors length, tokens length or None); [] for none."""
        if self._appender is None:
            self.w.executemany("UPDATE passages SET sentence_vectors=?, sentence_tokens=? WHERE id=?",
                               [(vecs, toks, pid) for pid, vecs, toks in rows])
            return []
        placed = [(self._appender.append(vecs + (toks or b"")), len(vecs), None if toks is None else len(toks))
                  for _, vecs, toks in rows]
        self.point_sentence_vectors([(pid, *p) for (pid, _, _), p in zip(rows, placed, strict=True)])
        return placed

    def point_sentence_vectors(self, rows: Sequence[tuple[int, int, int, int | None]]) -> None:
        """(passage id, offset, vectors length, tokens length or None) of sentence vectors
        already in this writer's segment (written there by an interrupted run, qa.journal)."""
        number = self._appender.number
        self.w.executemany(
            "UPDATE passages SET sentence_vectors=NULL, sentence_tokens=NULL, blob_segment=?,"
            " blob_offset=?, vectors_len=?, tokens_len=? WHERE id=?",
            [(number, at, vlen, tlen, pid) for pid, at, vlen, tlen in rows])

    def _blob_pair(self, r: Sequence, tokens: bool = True) -> tuple[bytes | None, bytes | None]:
        """Sentence vectors and (unless not ``tokens``) tokens from the six columns of
        ``BLOB_COLUMNS``."""
        vecs, toks, number, at, vlen, tlen = r
        if number is None:
            return vecs, toks
        try:
            return (self._segments.read(number, at, vlen),
                    None if tlen is None or not tokens else self._segments.read(number, at + vlen, tlen))
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"cannot read sentence vectors: {exc}; run `qa check`, then "
                                    "rebuild the index") from exc

    def compact_segments(self) -> None:
        """Move into this writer's segment the sentence vectors of segments that are mostly
        dead or small (:func:`qa.segments.plan_compaction`), and those of a catalog written before
        segments; segments left unused leave the new generation."""
        if self._appender is None:
            return
        live = dict(self.db.execute(
            "SELECT blob_segment, sum(vectors_len + coalesce(tokens_len, 0)) FROM passages"
            " WHERE blob_segment IS NOT NULL GROUP BY blob_segment"))
        moving: list[int | None] = list(plan_compaction(segments_in(self._segments.directory), live,
                                                        self._appender.number))
        inline = self.db.execute("SELECT 1 FROM passages WHERE blob_segment IS NULL"
                                 " AND sentence_vectors IS NOT NULL LIMIT 1").fetchone()
        for number in moving + ([None] if inline else []):
            where = "blob_segment IS NULL AND sentence_vectors IS NOT NULL" if number is None else "blob_segment = ?"
            last = -1
            while rows := self.db.execute(
                    f"SELECT p.id, {self._blobs} FROM passages p WHERE p.id > ? AND {where}"
                    " ORDER BY p.id LIMIT 2000", [last] + ([] if number is None else [number])).fetchall():
                self.set_sentence_vectors([(r[0], *self._blob_pair(r[1:])) for r in rows])
                last = rows[-1][0]
            if number is not None:
                self._segments.forget(number)
                os.remove(os.path.join(self._segments.directory, segment_name(number)))
        if inline:
            self.w.commit()
            self.w.execute("VACUUM")  # give the inline blobs' space back

    def segment_problems(self) -> list[str]:
        """Segments the catalog points into that are missing or shorter than it says."""
        problems: list[str] = []
        if "blob_segment" in self._blobs:
            sizes = segments_in(self._segments.directory)
            for number, end, count in self.db.execute(
                    "SELECT blob_segment, max(blob_offset + vectors_len + coalesce(tokens_len, 0)), count(*)"
                    " FROM passages WHERE blob_segment IS NOT NULL GROUP BY blob_segment"):
                if number not in sizes:
                    problems.append(f"{segment_name(number)} is missing (sentence vectors of {count} passages)")
                elif sizes[number] < end:
                    problems.append(f"{segment_name(number)} is cut short: {sizes[number]} of {end} bytes")
        return problems
