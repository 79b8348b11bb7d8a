"""Files an update need not read again: what each file looked like when its articles were indexed.

A file read to the end without a problem has its size, modification and change times and inode
recorded (with the path as given and how many articles it holds in the catalog). An update
that finds the same stamp, the same path as given and that many articles in the catalog keeps
them without opening the file: re-extracting an HTML page costs ~25 ms, a no-op update of
thousands of pages minutes. This is what ``git status`` and ``rsync`` trust; the change time
also moves when a tool restores a file's modification time.

The stamps live beside the generations (``files.sqlite`` in the index folder), not in the
catalog, so that an update which changes nothing can still record them without publishing a
generation. They only ever claim what the live catalog holds: rows are forgotten before a
write publishes and recorded after, so a crash in between leaves fewer rows (files read
again), never a stale one. A stamp is taken only when the file was older than :data:`RACY_NS`
when it was read: a second write within a file system's time resolution would not move its times.
A file that grows at its end (a mailbox, JSON Lines, a .txt of articles) read when that new is
recorded all the same, with a stamp that never matches (:data:`UNTRUSTED`): it is read again,
but from where that reading ended, whose bytes :mod:`qa.grown` hashes again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable

from . import __version__
from .types import Skip

FILE = "files.sqlite"
# Every file is read once more after an upgrade; within a version, bump READERS when a reader
# gives other articles for the same bytes.
READERS = 43  # 2: HTML titles and dates; 3: HTML paragraphs unwrapped (qa.htmlpage); 4, 5: Markdown comments,
# links; 6: HTML dates written whole; 7: Markdown titles underlined or after code; 8: HTML headings marked;
# 9: HTML headings without permalinks, source links, buttons; pages without a charset placed as UTF-8;
# 10: HTML code blocks fenced as Markdown's; 11: Markdown's HTML tags left out;
# 12: Markdown's blockquote marks left out (qa.mdpage); 13, 14: Markdown titled by file name without a top heading;
# 15: short HTML pages' paragraphs as lines, not their inline elements; 16: records' HTML lists, tables, code lines;
# 17: Obsidian callouts; 18: a README's or index's title from its folder; 19, 20: HTML fragments as articles, titled;
# 21: records' HTML bodies as pages' text (markup); 22: pages with no layout as articles;
# 23: Markdown comments left out by qa.mdpage with the other HTML (blank lines no longer spaces);
# 24: Markdown footnote marks left out; 25: Slack messages as Slack shows them (names, notices, what is
# shown under them), dates without a year kept as written, Evernote to-dos, CSV tables without a text column;
# 26: Slack replies titled by the message they answer, JSON records as tables; 27: a plain text's heading
# titled without its underline; 28: a message's attached documents as articles, a
# reply without the message it quotes, signatures, Gmail's Spam and Trash and Thunderbird's deleted messages
# left out (qa.mail); 29: records' columns named in other languages (Titel, Inhalt, Datum...);
# 30: spreadsheet rows' web links from their cells; Markdown links, images and Obsidian embeds
# indexed as a page shows them, without addresses or file names (qa.mdpage); 31: Markdown links by
# reference and over two lines; 32: a .txt file with a heading alone in a block read as one Markdown
# document (qa.headed); 33: MyST's admonitions, containers and roles as a page shows them (qa.myst);
# 34: a reStructuredText directive's body read as a document of its own (a tab's code block);
# 35: pages met in a folder that ask not to be indexed (robots noindex) passed over (qa.pagemeta);
# 36: rustdoc's source links, versions and permalinks beside items' headings cut;
# 37: reStructuredText's version notes as Sphinx words them, parsed literals' markup as its text,
# .txt files written in it read as it; 38: a closing " ::" dropped;
# 39: PDF identifiers broken after an underscore at a line's end joined; 40: reStructuredText
# definition lists' terms as labels (`paths`: A JSON object...); 41: HTML links whose words are code, anchors
# and run buttons read as text (qa.pagemeta.text_links, empty_links), folding labels left out; 42: a block in
# HTML code on lines of its own; 43: spaces run together in headings only,
# anchors holding text read as it
RACY_NS = 3 * 10**9
# Ends the stamp of a file read too new to trust its times: it never matches, so the file is read
# again, but from where that reading ended if it grew (qa.grown hashes what came before).
UNTRUSTED = "+untrusted"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS files(path TEXT PRIMARY KEY, source TEXT NOT NULL,"
           " stamp TEXT NOT NULL, articles INTEGER NOT NULL, skipped TEXT NOT NULL DEFAULT '[]',"
           " tail TEXT NOT NULL DEFAULT '')")
# Records left out for an id another record took (qa.decide), by file: read again when that id
# is free or their text held (by a write elsewhere), as a build would take them then. A file
# holding one is never stamped, so a write of its folder reads it anyway. Recorded after a write
# publishes: a row a crash left stale costs one reading, one missing leaves the record out until
# its file is read.
_TAKEN = ("CREATE TABLE IF NOT EXISTS taken(path TEXT NOT NULL, source TEXT NOT NULL, one_per_file INTEGER NOT NULL,"
          " id TEXT NOT NULL, text TEXT NOT NULL)")
_ADDED = {"skipped": "TEXT NOT NULL DEFAULT '[]'", "tail": "TEXT NOT NULL DEFAULT ''"}  # after the first version


def stamp(st: os.stat_result, one_per_file: bool, seen_ns: int | None = None, path: str | None = None) -> str | None:
    """What identifies this version of a file; None when it was too new to trust its times at
    ``seen_ns`` (when ``st`` was taken, before the file was read; default: now). It is the time
    of reading that counts, not of recording: a write may embed for hours in between. ``path``:
    the file's, whose reading may take names from files beside it (a Slack channel day's from
    its export's ``users.json``): their versions are part of its stamp."""
    if (time.time_ns() if seen_ns is None else seen_ns) - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_NS:
        return None
    beside = ""
    if path is not None:
        from .slack import names_stamp

        beside = names_stamp(path)
    return _times(st, one_per_file) + (f"+{beside}" if beside else "")


def _times(st: os.stat_result, one_per_file: bool) -> str:
    return f"{__version__}+{READERS}:{int(one_per_file)}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def grown_since(recorded: str, st: os.stat_result, one_per_file: bool) -> bool:
    """Whether ``st`` is the file a stamp ``recorded`` (same inode, read by this version the
    same way), grown since: a mailbox or JSON Lines file with more appended (qa.grown)."""
    head = f"{__version__}+{READERS}:{int(one_per_file)}:"
    if not recorded.startswith(head):
        return False
    try:
        size, _, _, inode = (int(x) for x in recorded[len(head):].split("+")[0].split(":"))
    except ValueError:
        return False
    return inode == st.st_ino and st.st_size > size


def _tail_size(tail: str) -> int | None:
    try:
        return int(json.loads(tail)["size"])
    except (ValueError, TypeError, KeyError):
        return None


def same_file(path: str, before: os.stat_result) -> bool:
    """The file at ``path`` is as ``before`` saw it (not changed while it was read)."""
    try:
        after = os.stat(path)
    except OSError:
        return False
    return (after.st_size, after.st_mtime_ns, after.st_ctime_ns, after.st_ino) == (
        before.st_size, before.st_mtime_ns, before.st_ctime_ns, before.st_ino)


class FileStamps:
    """The stamps of one index folder; used by a writer, which holds the folder's lock."""

    def __init__(self, directory: str) -> None:
        self.path = os.path.join(directory, FILE)
        self._db: sqlite3.Connection | None = None
        self._rows: dict[str, tuple[str, str, int]] | None = None
        self._skips: dict[str, str] = {}  # what reading a file left out, as JSON [[line, reason], ...]
        self._tails: dict[str, str] = {}  # where a mailbox's (JSON Lines file's) reading ended (qa.grown)

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                self._db = sqlite3.connect(self.path)
                self._db.execute(_SCHEMA)
                self._db.execute(_TAKEN)
                have = {r[1] for r in self._db.execute("PRAGMA table_info(files)")}
                for column, kind in _ADDED.items():
                    if column not in have:  # recorded before skips (tails) were: files with none
                        with self._db:
                            self._db.execute(f"ALTER TABLE files ADD COLUMN {column} {kind}")
            except sqlite3.DatabaseError:  # damaged: it only saves reading, so start afresh
                if self._db is not None:
                    self._db.close()
                os.remove(self.path)
                self._db = sqlite3.connect(self.path)
                self._db.execute(_SCHEMA)
                self._db.execute(_TAKEN)
        return self._db

    def get(self, path: str) -> tuple[str, str, int] | None:
        """(path as given, stamp, articles) recorded for an absolute path."""
        if self._rows is None and not os.path.exists(self.path):
            self._rows = {}
        if self._rows is None:
            try:
                rows = self._connect().execute("SELECT path, source, stamp, articles, skipped, tail FROM files").fetchall()
            except sqlite3.DatabaseError:
                rows = []
            self._rows = {p: (s, t, n) for p, s, t, n, _, _ in rows}
            self._skips = {p: k for p, *_, k, _ in rows}
            self._tails = {p: t for p, *_, t in rows}
        return self._rows.get(path)

    def skips(self, path: str) -> list[Skip]:
        """What reading the file at ``path`` left out and why, when it was stamped: an update
        that does not read it again says so again."""
        if self.get(path) is None or self._skips.get(path) == "[]":
            return []
        try:
            return [Skip(self._rows[path][0], line, reason) for line, reason in json.loads(self._skips[path])]
        except (ValueError, TypeError, KeyError):
            return []

    def tail(self, path: str) -> str:
        """Where the recorded reading of the mailbox (JSON Lines file) at ``path`` ended ('' for others)."""
        return self._tails.get(path, "") if self.get(path) is not None else ""

    def read_as(self, path: str) -> tuple[str, bool] | None:
        """(path as given, one article per file) as the file at ``path`` was last read whole."""
        row = self.get(path)
        if row is None:
            return None
        fields = row[1].split(":")
        return row[0], len(fields) > 1 and fields[1] == "1"

    def taken(self) -> dict[str, tuple[str, bool, list[tuple[str, str]]]]:
        """Records left out for a taken id: absolute path -> (path as given, one article per
        file, [(id, text hash), ...]), as the file's last reading found them."""
        if not os.path.exists(self.path):
            return {}
        try:
            rows = self._connect().execute("SELECT path, source, one_per_file, id, text FROM taken").fetchall()
        except sqlite3.DatabaseError:
            return {}
        found: dict[str, tuple[str, bool, list[tuple[str, str]]]] = {}
        for path, source, per_file, article_id, text in rows:
            found.setdefault(path, (source, bool(per_file), []))[2].append((article_id, text))
        return found

    def record_taken(self, read: Iterable[str], rows: Iterable[tuple[str, str, bool, str, str]]) -> None:
        """What reading the files ``read`` left out for a taken id becomes ``rows`` (absolute
        path, path as given, one article per file, id, text hash)."""
        read, rows = list(read), list(rows)
        if not read and not rows:
            return
        db = self._connect()
        with db:
            _delete(db, "taken", read)
            db.executemany("INSERT INTO taken(path, source, one_per_file, id, text) VALUES (?,?,?,?,?)",
                           [(p, s, int(o), i, t) for p, s, o, i, t in rows])

    def forget(self, paths: Iterable[str] | None) -> None:
        """Drop the stamps of ``paths`` (all with None): before a write publishes."""
        if not os.path.exists(self.path):
            return
        db = self._connect()
        with db:
            _delete(db, "files", paths)
        self._rows = None

    def record(self, rows: Iterable[tuple[str, str, str, int, str, str]]) -> None:
        """Store (absolute path, path as given, stamp, articles, skips as JSON, tail) rows: after
        a write published, or when nothing changed."""
        rows = list(rows)
        if not rows:
            return
        db = self._connect()
        with db:
            db.executemany("INSERT OR REPLACE INTO files(path, source, stamp, articles, skipped, tail)"
                           " VALUES (?,?,?,?,?,?)", rows)
        self._rows = None

    def changed(self, whole: dict[str, tuple[str, os.stat_result, int]], in_catalog: dict[str, int],
                one_per_file: bool, read_as: dict[str, bool] | None = None,
                skipped: dict[str, list[Skip]] | None = None, tails: dict[str, str] | None = None,
                ) -> list[tuple[str, str, str, int, str, str]]:
        """Rows to record: files read whole (or found unchanged) that hold articles in the
        catalog, or none but left something out (a file with no text: said again, not read
        again), where they differ from what is recorded. ``read_as``: files read otherwise
        than ``one_per_file`` says (one article per file or not); ``skipped``: what reading a
        file left out (a message without text, a malformed record), recorded with it;
        ``tails``: where the mailboxes and JSON Lines files read ended (qa.grown), kept for one
        not read."""
        rows = []
        for path, (given, st, seen_ns) in whole.items():
            per_file = (read_as or {}).get(path, one_per_file)
            s, n = stamp(st, per_file, seen_ns, path), in_catalog.get(path, 0)
            left = json.dumps([[k.line, k.reason] for k in (skipped or {}).get(path, ())], ensure_ascii=False)
            tail = (tails or {}).get(path)
            if tail is not None and _tail_size(tail) != st.st_size:  # not the file's bytes (UTF-16 read as UTF-8)
                tail = ""
            if tail is None:
                tail = self.tail(path) if self.get(path) is not None and self.get(path)[1] == s else ""
            # Read too new to trust: recorded never to match (read again), but saying how it was
            # read (one article per file or not, as a copy's file is read again when its original
            # goes) and, for a mailbox Thunderbird wrote to a second ago, where the next reading goes on
            if s is None:
                s = _times(st, per_file) + UNTRUSTED
            if (n or left != "[]" and not s.endswith(UNTRUSTED)) and (
                    self.get(path) != (given, s, n) or self._skips.get(path) != left or self._tails.get(path, "") != tail):
                rows.append((path, given, s, n, left, tail))
        return rows

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None


def _delete(db: sqlite3.Connection, table: str, paths: Iterable[str] | None) -> None:
    """The rows of ``paths`` out of ``table`` (all of them with None)."""
    if paths is None:
        db.execute(f"DELETE FROM {table}")
    else:
        db.executemany(f"DELETE FROM {table} WHERE path=?", [(p,) for p in paths])


def article_counts(db: sqlite3.Connection) -> dict[str, int]:
    """How many articles the catalog holds from each file, counting its duplicates."""
    return dict(db.execute("SELECT path, count(*) FROM (SELECT path FROM articles UNION ALL"
                           " SELECT path FROM duplicates) GROUP BY path"))
