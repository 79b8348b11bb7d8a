"""A mailbox that grew since it was indexed is read from where it ended, not from its start.

Thunderbird appends each new message to its folder's file (``Inbox``), and ``qa index --watch``
would otherwise read the whole file again for every new message: a few milliseconds each, so
minutes for a folder of tens of thousands. Reading a mailbox to its end records how far it went
(:class:`Tail`: its size, the SHA-256 of those bytes, their lines and messages) with the file's
stamp (:mod:`qa.filestamps`). An update finding the same file (inode) grown, its first bytes
as they were (hashed again) and a message starting where they end keeps the messages it holds
and reads only the new ones, numbered on from where the old ones stopped, as a whole reading
would number them. Anything else (Thunderbird compacting the folder, a flag changed in place,
another reader version) reads the whole file.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

_CHUNK = 1 << 20
_BOUNDARY = 4096  # bytes looked at before the old end: its last line must be blank


@dataclass
class Tail:
    """Where a mailbox's reading ended, and the hash of what it read: carried on by a resumed
    reading. ``taken``: the ids of the articles its messages gave (a new message with the same
    Message-ID as one of them is told apart as a whole reading tells it)."""

    size: int = 0
    lines: int = 0
    messages: int = 0
    sha256: hashlib._Hash = field(default_factory=hashlib.sha256)
    taken: frozenset[str] = frozenset()

    def add(self, line: bytes) -> None:
        self.sha256.update(line)
        self.size += len(line)
        self.lines += 1

    def record(self) -> str:
        """As :mod:`qa.filestamps` stores it with the file's stamp."""
        return json.dumps({"size": self.size, "sha256": self.sha256.hexdigest(), "lines": self.lines,
                           "messages": self.messages})


def tracked(absolute: str) -> bool:
    """Whether a mailbox's reading is recorded for resuming: not one read through gzip or bzip2."""
    return not absolute.lower().endswith((".gz", ".bz2"))


def resumable(absolute: str, st: os.stat_result, recorded: str) -> Tail | None:
    """How to read on from where the last reading of ``absolute`` ended (``recorded``: what
    :meth:`Tail.record` gave), when the file grew by whole messages past it; else None."""
    try:
        was = json.loads(recorded) if recorded else None
        size, digest, messages = int(was["size"]), str(was["sha256"]), int(was["messages"])
    except (ValueError, TypeError, KeyError):
        return None
    if not tracked(absolute) or not 0 < size < st.st_size:
        return None
    tail = Tail(messages=messages)
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
            after = fh.read(5)
    except OSError:
        return None
    if tail.sha256.hexdigest() != digest or after != b"From " or not before.endswith(b"\n"):
        return None
    # A message starts after a blank line (qa.mail): the old end's last line must be one.
    last = before[:-1].rpartition(b"\n")[2]
    return tail if not last.strip() else None
