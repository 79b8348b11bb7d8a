"""A file that grew at its end since it was indexed is read from where it ended, not from its start.

Thunderbird appends each new message to its folder's file (``Inbox``), a scraper or a log each
new record to its JSON Lines file, a clipper each article to a ``.txt`` of blank-line-separated
articles, and ``qa index --watch`` would otherwise read the whole file
again for every addition: a few milliseconds a message (an HTML newsletter), so minutes for a
folder of tens of thousands. Reading such a file to its end records how far it went
(:class:`Tail`: its size, the SHA-256 of those bytes, their lines and messages, records or
articles) with the file's stamp (:mod:`qa.filestamps`; even one too new to trust, as the hash
is what tells). An update finding the same file (inode) grown, its first bytes as they were
(hashed again) and a message, record or article starting where they end keeps
the articles it holds and reads only the new ones, numbered on from where the old ones stopped,
as a whole reading would number them. Anything else (Thunderbird compacting the folder, a flag
changed in place, another reader version) reads the whole file.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

from .headed import HEAD, is_headed

# What a reading resumes: a mailbox's messages, a file's lines (JSON Lines), its blank-line
# separated blocks (a .txt of articles).
MBOX, LINES, BLOCKS = "mbox", "lines", "blocks"
_CHUNK = 1 << 20
_BOUNDARY = 4096  # bytes looked at before the old end: a mailbox's last line must be blank


@dataclass
class Tail:
    """Where a reading ended, and the hash of what it read: carried on by a resumed reading.
    ``items``: the messages (records) before it; ``taken``: the ids of the articles they gave
    (a new message with the Message-ID of one of them is told apart as a whole reading tells it)."""

    kind: str = MBOX
    size: int = 0
    lines: int = 0
    items: int = 0
    sha256: hashlib._Hash = field(default_factory=hashlib.sha256)
    taken: frozenset[str] = frozenset()

    def add(self, data: bytes) -> None:
        """Bytes read on from the end: a line, or the part of one."""
        self.sha256.update(data)
        self.size += len(data)
        self.lines += data.endswith(b"\n")

    def record(self) -> str:
        """As :mod:`qa.filestamps` stores it with the file's stamp."""
        return json.dumps({"kind": self.kind, "size": self.size, "sha256": self.sha256.hexdigest(),
                           "lines": self.lines, "items": self.items})


class Hashed:
    """A binary file whose lines, as they are read (``readline``, as qa.textlines reads), go to
    a :class:`Tail`."""

    def __init__(self, fh, tail: Tail) -> None:
        self._fh, self._tail = fh, tail

    def readline(self, size: int = -1) -> bytes:
        data = self._fh.readline(size)
        self._tail.add(data)
        return data


def tracked(absolute: str) -> bool:
    """Whether a reading is recorded for resuming: not one through gzip or bzip2."""
    return not absolute.lower().endswith((".gz", ".bz2"))


def _headed_now(absolute: str) -> bool:
    try:
        with open(absolute, "rb") as fh:
            head = fh.read(HEAD)
    except OSError:
        return True
    return is_headed(head, len(head) < HEAD)


def resumable(absolute: str, st: os.stat_result, recorded: str) -> Tail | None:
    """How to read on from where the last reading of ``absolute`` ended (``recorded``: what
    :meth:`Tail.record` gave), when the file grew by whole messages or lines past it; else None."""
    try:
        was = json.loads(recorded) if recorded else None
        kind, size, digest = str(was.get("kind", MBOX)), int(was["size"]), str(was["sha256"])
        items = int(was["items"] if "items" in was else was["messages"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    if kind not in (MBOX, LINES, BLOCKS) or not tracked(absolute) or not 0 < size < st.st_size:
        return None
    tail = Tail(kind=kind, items=items)
    try:
        with open(absolute, "rb") as fh:
            while tail.size < size:
                chunk = fh.read(min(_CHUNK, size - tail.size))
                if not chunk:
                    return None
                tail.sha256.update(chunk)
                tail.size += len(chunk)
                tail.lines += chunk.count(b"\n")
            fh.seek(max(0, size - _BOUNDARY))
            before = fh.read(size - max(0, size - _BOUNDARY))
            after = fh.read(_BOUNDARY)
    except OSError:
        return None
    if tail.sha256.hexdigest() != digest or not before.endswith(b"\n"):
        return None
    if kind == LINES:
        return tail
    # the old part's last line, whole (what comes before it in view, or the file's start)
    _, sep, last = before[:-1].rpartition(b"\n")
    if not sep and size > _BOUNDARY:
        return None
    if kind == BLOCKS:  # the old last block ended: by a blank line, or the new part opens with one
        if size < HEAD and _headed_now(absolute):  # a document now: read whole as one (qa.headed)
            return None
        first, ended, _ = after.partition(b"\n")
        return tail if not last.strip() or (ended and not first.strip()) else None
    # A message starts with "From " after a blank line (qa.mail): the old end's last line must be one.
    return tail if after.startswith(b"From ") and not last.strip() else None
