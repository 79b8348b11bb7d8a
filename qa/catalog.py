"""The SQLite catalog: articles, passages with their spans and sentence vectors, duplicates.

Passage text is not stored twice: the view ``passage_content`` cuts it out of the article text.
Lexical search lives beside the catalog, in :mod:`qa.lexical`.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .catalog_queries import CatalogQueries
from .catalog_schema import ADDED, ARTICLES_ADDED, BLOB_COLUMNS, REQUIRED, RETIRED, SCHEMA
from .errors import IndexCorruptError
from .markdown import table_header
from .segments import SegmentReader, SegmentWriter, SentenceBlobs
from .types import Article, Passage, markup_of


@dataclass(frozen=True)
class PassageRow:
    passage_id: int
    article_rowid: int
    article_id: str
    title: str
    text: str
    source: str
    line_start: int
    line_end: int
    char_start: int
    char_end: int
    url: str | None
    date: str | None
    sentences: tuple[tuple[int, int], ...]
    sentence_vectors: bytes | None = None
    sentence_tokens: bytes | None = None
    markup: str = "plain"  # qa.types.MARKUPS
    author: str | None = None


def place(a: Article) -> tuple:
    """Where an article stands and what is said of it besides its text, as the catalog stores it."""
    return (a.article_id, a.source, a.path, a.line_start, int(a.lines_mapped), a.url, a.date,
            a.author, json.dumps(list(a.tags)), json.dumps(a.metadata, default=str))


class Catalog(SentenceBlobs, CatalogQueries):
    """One SQLite file. Writers use it inside the index's write transaction; readers read-only."""

    def __init__(self, path: str, readonly: bool = False, copy_from: str | None = None,
                 segment: int | None = None) -> None:
        """Open the catalog at ``path``; read-only for readers.

        Args:
            copy_from: a published catalog a writer starts from. It is read in place and copied
                to ``path`` only before the first write, so an update that changes nothing never
                copies it.
            segment: the number of the segment file (:mod:`qa.segments`, beside ``path``) this
                writer appends sentence vectors to.
        """
        self.path = path
        self.readonly = readonly
        self._segments = SegmentReader(os.path.dirname(os.path.abspath(path)))
        self._appender = SegmentWriter(self._segments.directory, segment) if segment is not None else None
        self._copy_from = copy_from if copy_from and not os.path.exists(path) else None
        try:
            if readonly or self._copy_from:
                # immutable: a published generation's file never changes, so no locks.
                self.db = _folding(sqlite3.connect(f"file:{self._copy_from or path}?mode=ro&immutable=1",
                                                   uri=True, check_same_thread=False))
            else:
                self.db = _folding(sqlite3.connect(path, check_same_thread=False))
                self.db.executescript(SCHEMA)
            names = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(passages)")}
            article_columns = {r[1] for r in self.db.execute("PRAGMA table_info(articles)")}
            retired = [t for t in RETIRED if t in names]
            if not readonly and (retired or any(c not in columns for c, _ in ADDED)
                                 or any(c not in article_columns for c, _ in ARTICLES_ADDED)):
                self._convert(retired)  # written before qa.tokens, qa.lexical, qa.segments or markups
                columns.update(c for c, _ in ADDED)
                article_columns.update(c for c, _ in ARTICLES_ADDED)
            self._blobs = ", ".join(f"p.{c}" if c in columns else "NULL" for c in BLOB_COLUMNS)
            self._markup = "a.markup" if "markup" in article_columns else "NULL"
            if readonly:
                self._segments.open_all()
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"cannot open catalog {self._copy_from or path}: {exc}") from exc
        missing = REQUIRED - names
        if missing:
            self.db.close()
            raise IndexCorruptError(f"catalog {path} lacks {', '.join(sorted(missing))}; rebuild the index")

    def _convert(self, retired: list[str]) -> None:
        for table, added in (("passages", ADDED), ("articles", ARTICLES_ADDED)):
            columns = {r[1] for r in self.w.execute(f"PRAGMA table_info({table})")}
            for column, kind in added:
                if column not in columns:
                    self.w.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")
        self.w.commit()
        if retired:  # tables of catalogs written before qa.lexical: nothing reads them any more
            for table in retired:
                self.w.execute(f"DROP TABLE {table}")
            self.w.commit()
            self.w.execute("VACUUM")  # give their space back

    @property
    def w(self) -> sqlite3.Connection:
        """The connection to write with: its first use copies the catalog a writer started from."""
        if self._copy_from:
            self.db.close()
            shutil.copyfile(self._copy_from, self.path)
            self._copy_from = None
            self.db = _folding(sqlite3.connect(self.path, check_same_thread=False))
        return self.db

    def close(self) -> None:
        if self._appender is not None:
            self._appender.close()
        self._segments.close()
        self.db.close()

    def commit(self) -> None:
        self.db.commit()

    # --- writing -------------------------------------------------------------------------
    def insert_article(self, a: Article, content_hash: str, text_hash: str) -> int:
        cur = self.w.execute(
            "INSERT INTO articles(article_id, content_hash, text_hash, title, source, path,"
            " line_start, lines_mapped, url, date, author, tags, metadata, text, markup)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (a.article_id, content_hash, text_hash, a.title, a.source, a.path, a.line_start,
             int(a.lines_mapped), a.url, a.date, a.author, json.dumps(list(a.tags)),
             json.dumps(a.metadata, default=str), a.text, a.markup),
        )
        return int(cur.lastrowid)

    def relocate_article(self, rowid: int, a: Article) -> None:
        """Refresh where an unchanged article now stands (id, file, line, metadata)."""
        self.w.execute(
            "UPDATE articles SET article_id=?, source=?, path=?, line_start=?, lines_mapped=?,"
            " url=?, date=?, author=?, tags=?, metadata=? WHERE id=?", (*place(a), rowid))

    def place_hashes(self) -> dict[int, int]:
        """Each article's :func:`place` as stored, hashed (this process only): an update that
        reads an article where it was needs no write for it."""
        return {row[0]: hash(row[1:]) for row in self.db.execute(
            "SELECT id, article_id, source, path, line_start, lines_mapped, url, date, author, tags,"
            " metadata FROM articles")}

    def park_article_ids(self, rowids: Sequence[int]) -> None:
        """Give articles placeholder ids so a batch of renames cannot collide on UNIQUE."""
        self.w.executemany(
            "UPDATE articles SET article_id = '~parked~' || id WHERE id=?", [(r,) for r in rowids]
        )

    def unpark(self, rows: Sequence[tuple[int, str]]) -> list[int]:
        """Give parked articles their ids back, where no other article took the id meanwhile;
        returns the rowids restored."""
        restored = []
        for rowid, article_id in rows:
            if self.article_rowid(article_id) is None:
                self.w.execute("UPDATE articles SET article_id=? WHERE id=?", (article_id, rowid))
                restored.append(rowid)
        return restored

    def insert_passages(self, article_rowid: int, passages: Sequence[Passage]) -> list[int]:
        ids = []
        for p in passages:
            cur = self.w.execute(
                "INSERT INTO passages(article, ordinal, char_start, char_end, line_offset_start,"
                " line_offset_end, sentences) VALUES (?,?,?,?,?,?,?)",
                (article_rowid, p.ordinal, p.char_start, p.char_end, p.line_offset_start,
                 p.line_offset_end, json.dumps(p.sentences)),
            )
            ids.append(int(cur.lastrowid))
        return ids

    def passage_layout(self, article_rowid: int) -> list[tuple[int, int, str, int]]:
        """An article's passages as stored: (char_start, char_end, sentence spans as JSON, 1 if
        its sentences' tokens are stored else 0), in order."""
        return self.db.execute("SELECT char_start, char_end, sentences,"
                               " tokens_len IS NOT NULL OR sentence_tokens IS NOT NULL"
                               " FROM passages WHERE article = ? ORDER BY ordinal", (article_rowid,)).fetchall()

    def max_passage_id(self) -> int:
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name='passages'").fetchone()
        return int(row[0]) if row else 0

    def passages_from_count(self, first: int) -> int:
        return int(self.db.execute("SELECT count(*) FROM passages WHERE id >= ?", (first,)).fetchone()[0])

    def passages_left_per_article(self, first: int) -> dict[int, int]:
        return dict(self.db.execute(
            "SELECT article, count(*) FROM passages WHERE id >= ? GROUP BY article", (first,)))

    def iter_passages_from(self, first: int, batch: int):
        """Batches of (id, article rowid, title, passage text, char_start, sentence spans): the
        text embedded and indexed for each passage. A passage cut from a long table (Markdown's
        or a page's) opens with its table's header row and rule, so its rows are found by their
        columns' names too; its char_start is moved back by as much (the sentences' spans stay
        where they are in the article)."""
        last = first - 1
        while True:
            rows = self.db.execute(
                f"SELECT p.id, p.article, a.title, p.char_start, p.char_end, p.sentences, a.source, {self._markup}"
                " FROM passages p JOIN articles a ON a.id = p.article WHERE p.id > ? ORDER BY p.id LIMIT ?",
                (last, batch)).fetchall()
            if not rows:
                return
            # Each article's text once, sliced here: SQLite's substr() reads the whole text for
            # every passage, which made a 12 MB article's 8,772 passages take 7 minutes to fetch.
            texts = self.article_texts(sorted({r[1] for r in rows}))
            out = []
            for r in rows:
                text = texts[r[1]][r[3]:r[4]]
                header = (table_header(texts[r[1]], r[3], text)
                          if text.lstrip(" \t").startswith("|") and markup_of(r[6], r[7]) != "plain" else None)
                head = f"{header}\n" if header else ""
                out.append((r[0], r[1], r[2], head + text, r[3] - len(head), [tuple(x) for x in json.loads(r[5])]))
            yield out
            last = rows[-1][0]

    def passage_ids(self, below: int | None = None):
        """Every passage id (those under ``below``), ascending, as an int64 array."""
        import numpy as np

        sql, params = "SELECT id FROM passages", []
        if below is not None:
            sql, params = sql + " WHERE id < ?", [below]
        return np.fromiter((r[0] for r in self.db.execute(sql + " ORDER BY id", params)), dtype=np.int64)

    def lexical_texts_from(self, first: int, batch: int = 2000):
        """(id, title and passage text) of passages from id ``first`` on, in id order."""
        for rows in self.iter_passages_from(first, batch):
            for pid, _, title, text, _, _ in rows:
                yield pid, f"{title}\n{text}"

    def article_rowids(self, ids: Sequence[int]) -> dict[int, int]:
        """Each passage's article row id."""
        return self._by_id("SELECT id, article FROM passages", ids)

    def _by_id(self, select: str, ids: Sequence[int]) -> dict:
        """``select`` (of an id and one value) for these ids, in chunks SQLite accepts."""
        out: dict = {}
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"{select} WHERE id IN ({marks})", chunk))
        return out

    def sentence_vector_blobs(self, ids: Sequence[int]) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(
                    f"SELECT p.id, {self._blobs} FROM passages p WHERE p.id IN ({marks})", chunk):
                blob = self._blob_pair(r[1:], tokens=False)[0]  # kilobytes of token bits unread
                if blob:
                    out[r[0]] = blob
        return out

    def delete_articles(self, rowids: Sequence[int]) -> list[int]:
        """Delete articles with their passages; returns the deleted passage ids."""
        removed: list[int] = []
        for rowid in rowids:
            ids = [r[0] for r in self.db.execute("SELECT id FROM passages WHERE article=?", (rowid,))]
            self.w.execute("DELETE FROM passages WHERE article=?", (rowid,))
            self.w.execute("DELETE FROM articles WHERE id=?", (rowid,))
            removed.extend(ids)
        return removed

    def duplicates_of(self, paths: Iterable[str]) -> set[tuple]:
        """The duplicates recorded for files at ``paths``, as :meth:`set_duplicates` takes them."""
        wanted = set(paths)
        return {row for row in self.db.execute("SELECT * FROM duplicates") if row[3] in wanted}

    def duplicate_paths(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT DISTINCT path FROM duplicates")}

    def duplicates_by_path(self) -> dict[str, list[tuple]]:
        """The duplicates recorded for each file, in the order they were read."""
        out: dict[str, list[tuple]] = {}
        for row in self.db.execute("SELECT * FROM duplicates ORDER BY rowid"):
            out.setdefault(row[3], []).append(row)
        return out

    def rename_originals(self, renamed: Mapping[str, str]) -> None:
        """Copies of articles whose ids changed (old id -> new) name their new ids."""
        rows = [(renamed[of], rowid) for rowid, of in self.w.execute("SELECT rowid, of_article FROM duplicates")
                if of in renamed] if renamed else []
        self.w.executemany("UPDATE duplicates SET of_article=? WHERE rowid=?", rows)

    def delete_duplicates(self, copies: Iterable[tuple[str, str]]) -> None:
        """Forget the copies of these articles in these files: (path, id of the original)."""
        self.w.executemany("DELETE FROM duplicates WHERE path=? AND of_article=?", copies)

    def set_duplicates(self, paths: Iterable[str], rows: Sequence[tuple[str, str, str, str, int]]):
        for path in paths:
            self.w.execute("DELETE FROM duplicates WHERE path=?", (path,))
        self.w.executemany("INSERT INTO duplicates VALUES (?,?,?,?,?)", rows)

    # --- reading -------------------------------------------------------------------------
    def articles_index(self) -> list[tuple[int, str, str, str, str, str, int]]:
        """(rowid, article_id, content_hash, text_hash, path, source, line_start) of every article."""
        return list(self.db.execute(
            "SELECT id, article_id, content_hash, text_hash, path, source, line_start FROM articles"))

    def passage_ids_of(self, article_rowids: Sequence[int]) -> list[list[int]]:
        return [
            [r[0] for r in self.db.execute(
                "SELECT id FROM passages WHERE article=? ORDER BY ordinal", (a,))]
            for a in article_rowids
        ]

    def article_rowid(self, article_id: str, duplicates: bool = True) -> int | None:
        """The row of the article with this id, or with ``duplicates`` of the article a
        duplicate with this id is a copy of."""
        row = self.db.execute("SELECT id FROM articles WHERE article_id=?", (article_id,)).fetchone()
        if row or not duplicates:
            return int(row[0]) if row else None
        dup = self.db.execute(
            "SELECT a.id FROM duplicates d JOIN articles a ON a.article_id = d.of_article"
            " WHERE d.article_id=?", (article_id,)).fetchone()
        return int(dup[0]) if dup else None

    def articles_in(self, given: str, absolute: str) -> list[tuple[str, int]]:
        """(article_id, line_start) of the articles and duplicates read from one file, by line."""
        return list(self.db.execute(
            "SELECT article_id, line_start FROM articles WHERE path=? OR source=? UNION"
            " SELECT article_id, line_start FROM duplicates WHERE path=? OR source=?"
            " ORDER BY line_start", (absolute, given, absolute, given)))

    def article(self, rowid: int) -> dict[str, Any] | None:
        cur = self.db.execute("SELECT * FROM articles WHERE id=?", (rowid,))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row, strict=True))

    def articles_brief(self, rowids: Sequence[int]) -> dict[int, tuple]:
        out = {}
        for chunk in _chunks(list(rowids)):
            marks = ",".join("?" * len(chunk))
            for row in self.db.execute(
                "SELECT id, article_id, title, source, line_start, url, date, text_hash"
                f" FROM articles WHERE id IN ({marks})", chunk):
                out[row[0]] = row[1:]
        return out

    def article_texts(self, rowids: Sequence[int], chars: int | None = None) -> dict[int, str]:
        """The text of each article (by row id); with ``chars``, its first that many characters
        (a book's opening, not the book, read from the file)."""
        if chars is None:
            return self._by_id("SELECT id, text FROM articles", rowids)
        return self._by_id(f"SELECT id, substr(text, 1, {int(chars)}) FROM articles", rowids)

    def passages(self, ids: Sequence[int], vectors: bool = False) -> dict[int, PassageRow]:
        """Passages by id; ``vectors`` also loads their sentence vectors and tokens (kilobytes each)."""
        out: dict[int, PassageRow] = {}
        blob = self._blobs if vectors else ", ".join(["NULL"] * len(BLOB_COLUMNS))
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                "SELECT p.id, a.id, a.article_id, a.title,"
                " a.source, a.line_start, a.lines_mapped, p.line_offset_start, p.line_offset_end,"
                f" p.char_start, p.char_end, a.url, a.date, p.sentences, {self._markup}, a.author, {blob}"
                f" FROM passages p JOIN articles a ON a.id = p.article WHERE p.id IN ({marks})",
                chunk,
            ).fetchall()
            texts = self.article_texts(sorted({r[1] for r in rows}))  # see iter_passages_from
            for r in rows:
                mapped = bool(r[6])
                vecs, toks = self._blob_pair(r[16:])
                out[r[0]] = PassageRow(
                    passage_id=r[0], article_rowid=r[1], article_id=r[2], title=r[3],
                    text=texts[r[1]][r[9]:r[10]], source=r[4], line_start=r[5] + (r[7] if mapped else 0),
                    line_end=r[5] + (r[8] if mapped else 0), char_start=r[9], char_end=r[10],
                    url=r[11], date=r[12], sentences=tuple(tuple(s) for s in json.loads(r[13])),
                    sentence_vectors=vecs, sentence_tokens=toks, markup=markup_of(r[4], r[14]), author=r[15],
                )
        return out

    def check(self) -> list[str]:
        problems = []
        result = self.db.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            problems.append(f"catalog file is damaged: {result}")
        bad = self.db.execute(
            "SELECT count(*) FROM passages p LEFT JOIN articles a ON a.id=p.article"
            " WHERE a.id IS NULL").fetchone()[0]
        if bad:
            problems.append(f"{bad} passages point at missing articles")
        dangling = self.db.execute(
            "SELECT count(*) FROM duplicates d LEFT JOIN articles a ON a.article_id=d.of_article"
            " WHERE a.id IS NULL").fetchone()[0]
        if dangling:
            problems.append(f"{dangling} copies name an article the index does not hold")
        problems += self.segment_problems()
        return problems


def _folding(db: sqlite3.Connection) -> sqlite3.Connection:
    """``fold(text)``: ``text`` in Unicode's case folding (SQLite's ``lower`` folds only ASCII)."""
    db.create_function("fold", 1, lambda t: t.casefold() if isinstance(t, str) else t, deterministic=True)
    return db


def _chunks(items: list, size: int = 900):
    for i in range(0, len(items), size):
        yield items[i : i + size]
