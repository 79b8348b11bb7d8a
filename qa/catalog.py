"""The SQLite catalog: articles, passages with their spans and sentence vectors, duplicates.

Passage text is not stored twice: the view ``passage_content`` cuts it out of the article text.
Lexical search lives beside the catalog, in :mod:`qa.lexical`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import IndexCorruptError
from .types import Article, Passage

SCHEMA = """
CREATE TABLE IF NOT EXISTS articles(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL,
    text_hash TEXT NOT NULL,
    title TEXT NOT NULL,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    line_start INTEGER NOT NULL,
    lines_mapped INTEGER NOT NULL,
    url TEXT, date TEXT, author TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
    metadata TEXT NOT NULL DEFAULT '{}',
    text TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_content ON articles(content_hash);
CREATE INDEX IF NOT EXISTS articles_text ON articles(text_hash);
CREATE INDEX IF NOT EXISTS articles_path ON articles(path);
CREATE INDEX IF NOT EXISTS articles_date ON articles(date);
CREATE TABLE IF NOT EXISTS passages(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    article INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    line_offset_start INTEGER NOT NULL,
    line_offset_end INTEGER NOT NULL,
    sentences TEXT NOT NULL,
    sentence_vectors BLOB,  -- float16, one row per sentence: contextual vectors for highlights
    sentence_tokens BLOB  -- the sentences' token embeddings as sign bits (qa.tokens)
);
CREATE INDEX IF NOT EXISTS passages_article ON passages(article);
CREATE VIEW IF NOT EXISTS passage_content AS
    SELECT p.id AS id, a.title AS title,
           substr(a.text, p.char_start + 1, p.char_end - p.char_start) AS text
    FROM passages p JOIN articles a ON a.id = p.article;
CREATE TABLE IF NOT EXISTS duplicates(
    article_id TEXT NOT NULL,
    of_article TEXT NOT NULL,
    source TEXT NOT NULL,
    path TEXT NOT NULL,
    line_start INTEGER NOT NULL
);
"""

REQUIRED = frozenset({"articles", "passages", "passage_content", "duplicates"})
# Tables of catalogs written before qa.lexical: nothing reads them any more.
RETIRED = ("passages_fts", "term_df")


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


def place(a: Article) -> tuple:
    """Where an article stands and what is said of it besides its text, as the catalog stores it."""
    return (a.article_id, a.source, a.path, a.line_start, int(a.lines_mapped), a.url, a.date,
            a.author, json.dumps(list(a.tags)), json.dumps(a.metadata, default=str))


class Catalog:
    """One SQLite file. Writers use it inside the index's write transaction; readers read-only."""

    def __init__(self, path: str, readonly: bool = False) -> None:
        self.path = path
        self.readonly = readonly
        try:
            if readonly:
                # immutable: the generation's file never changes once published, so no locks.
                self.db = sqlite3.connect(
                    f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False
                )
            else:
                self.db = sqlite3.connect(path, check_same_thread=False)
                self.db.executescript(SCHEMA)
            names = {r[0] for r in self.db.execute("SELECT name FROM sqlite_master")}
            columns = {r[1] for r in self.db.execute("PRAGMA table_info(passages)")}
            if not readonly and "sentence_tokens" not in columns:  # written before qa.tokens
                self.db.execute("ALTER TABLE passages ADD COLUMN sentence_tokens BLOB")
                self.db.commit()
                columns.add("sentence_tokens")
            self._tokens = "p.sentence_tokens" if "sentence_tokens" in columns else "NULL"
            retired = [t for t in RETIRED if t in names]
            if not readonly and retired:
                for table in retired:
                    self.db.execute(f"DROP TABLE {table}")
                self.db.commit()
                self.db.execute("VACUUM")  # give their space back
        except sqlite3.DatabaseError as exc:
            raise IndexCorruptError(f"cannot open catalog {path}: {exc}") from exc
        missing = REQUIRED - names
        if missing:
            self.db.close()
            raise IndexCorruptError(f"catalog {path} lacks {', '.join(sorted(missing))}; rebuild the index")

    def close(self) -> None:
        self.db.close()

    def commit(self) -> None:
        self.db.commit()

    # --- writing -------------------------------------------------------------------------
    def insert_article(self, a: Article, content_hash: str, text_hash: str) -> int:
        cur = self.db.execute(
            "INSERT INTO articles(article_id, content_hash, text_hash, title, source, path,"
            " line_start, lines_mapped, url, date, author, tags, metadata, text)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (a.article_id, content_hash, text_hash, a.title, a.source, a.path, a.line_start,
             int(a.lines_mapped), a.url, a.date, a.author, json.dumps(list(a.tags)),
             json.dumps(a.metadata, default=str), a.text),
        )
        return int(cur.lastrowid)

    def relocate_article(self, rowid: int, a: Article) -> None:
        """Refresh where an unchanged article now stands (id, file, line, metadata)."""
        self.db.execute(
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
        self.db.executemany(
            "UPDATE articles SET article_id = '~parked~' || id WHERE id=?", [(r,) for r in rowids]
        )

    def unpark(self, rows: Sequence[tuple[int, str]]) -> list[int]:
        """Give parked articles their ids back, where no other article took the id meanwhile;
        returns the rowids restored."""
        restored = []
        for rowid, article_id in rows:
            if self.article_rowid(article_id) is None:
                self.db.execute("UPDATE articles SET article_id=? WHERE id=?", (article_id, rowid))
                restored.append(rowid)
        return restored

    def insert_passages(self, article_rowid: int, passages: Sequence[Passage]) -> list[int]:
        ids = []
        for p in passages:
            cur = self.db.execute(
                "INSERT INTO passages(article, ordinal, char_start, char_end, line_offset_start,"
                " line_offset_end, sentences) VALUES (?,?,?,?,?,?,?)",
                (article_rowid, p.ordinal, p.char_start, p.char_end, p.line_offset_start,
                 p.line_offset_end, json.dumps(p.sentences)),
            )
            ids.append(int(cur.lastrowid))
        return ids

    def max_passage_id(self) -> int:
        row = self.db.execute("SELECT seq FROM sqlite_sequence WHERE name='passages'").fetchone()
        return int(row[0]) if row else 0

    def passages_from_count(self, first: int) -> int:
        return int(self.db.execute("SELECT count(*) FROM passages WHERE id >= ?", (first,)).fetchone()[0])

    def passages_left_per_article(self, first: int) -> dict[int, int]:
        return dict(self.db.execute(
            "SELECT article, count(*) FROM passages WHERE id >= ? GROUP BY article", (first,)))

    def iter_passages_from(self, first: int, batch: int):
        """Batches of (id, article rowid, title, passage text, char_start, sentence spans)."""
        last = first - 1
        while True:
            rows = self.db.execute(
                "SELECT p.id, p.article, a.title, substr(a.text, p.char_start + 1,"
                " p.char_end - p.char_start), p.char_start, p.sentences FROM passages p"
                " JOIN articles a ON a.id = p.article WHERE p.id > ? ORDER BY p.id LIMIT ?",
                (last, batch)).fetchall()
            if not rows:
                return
            yield [(r[0], r[1], r[2], r[3], r[4], [tuple(x) for x in json.loads(r[5])]) for r in rows]
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

    def set_sentence_vectors(self, rows: Sequence[tuple[int, bytes, bytes | None]]) -> None:
        """(passage id, sentence vectors, sentence tokens) of embedded passages."""
        self.db.executemany("UPDATE passages SET sentence_vectors=?, sentence_tokens=? WHERE id=?",
                            [(vecs, toks, pid) for pid, vecs, toks in rows])

    def article_rowids(self, ids: Sequence[int]) -> dict[int, int]:
        """Each passage's article row id."""
        out: dict[int, int] = {}
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(f"SELECT id, article FROM passages WHERE id IN ({marks})", chunk))
        return out

    def sentence_vector_blobs(self, ids: Sequence[int]) -> dict[int, bytes]:
        out: dict[int, bytes] = {}
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            for pid, blob in self.db.execute(
                    f"SELECT id, sentence_vectors FROM passages WHERE id IN ({marks})", chunk):
                if blob:
                    out[pid] = blob
        return out

    def delete_articles(self, rowids: Sequence[int]) -> list[int]:
        """Delete articles with their passages; returns the deleted passage ids."""
        removed: list[int] = []
        for rowid in rowids:
            ids = [r[0] for r in self.db.execute("SELECT id FROM passages WHERE article=?", (rowid,))]
            self.db.execute("DELETE FROM passages WHERE article=?", (rowid,))
            self.db.execute("DELETE FROM articles WHERE id=?", (rowid,))
            removed.extend(ids)
        return removed

    def duplicates_of(self, paths: Iterable[str]) -> set[tuple]:
        """The duplicates recorded for files at ``paths``, as :meth:`set_duplicates` takes them."""
        wanted = set(paths)
        return {row for row in self.db.execute("SELECT * FROM duplicates") if row[3] in wanted}

    def duplicate_paths(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT DISTINCT path FROM duplicates")}

    def set_duplicates(self, paths: Iterable[str], rows: Sequence[tuple[str, str, str, str, int]]):
        for path in paths:
            self.db.execute("DELETE FROM duplicates WHERE path=?", (path,))
        self.db.executemany("INSERT INTO duplicates VALUES (?,?,?,?,?)", rows)

    # --- reading -------------------------------------------------------------------------
    def articles_index(self) -> list[tuple[int, str, str, str, str]]:
        """(rowid, article_id, content_hash, text_hash, path) of every article."""
        return list(
            self.db.execute("SELECT id, article_id, content_hash, text_hash, path FROM articles")
        )

    def passage_ids_of(self, article_rowids: Sequence[int]) -> list[list[int]]:
        return [
            [r[0] for r in self.db.execute(
                "SELECT id FROM passages WHERE article=? ORDER BY ordinal", (a,))]
            for a in article_rowids
        ]

    def article_rowid(self, article_id: str) -> int | None:
        row = self.db.execute("SELECT id FROM articles WHERE article_id=?", (article_id,)).fetchone()
        if row:
            return int(row[0])
        dup = self.db.execute(
            "SELECT a.id FROM duplicates d JOIN articles a ON a.article_id = d.of_article"
            " WHERE d.article_id=?", (article_id,)).fetchone()
        return int(dup[0]) if dup else None

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

    def passages(self, ids: Sequence[int], vectors: bool = False) -> dict[int, PassageRow]:
        """Passages by id; ``vectors`` also loads their sentence vectors and tokens (kilobytes each)."""
        out: dict[int, PassageRow] = {}
        blob = f"p.sentence_vectors, {self._tokens}" if vectors else "NULL, NULL"
        for chunk in _chunks(list(ids)):
            marks = ",".join("?" * len(chunk))
            for r in self.db.execute(
                "SELECT p.id, a.id, a.article_id, a.title,"
                " substr(a.text, p.char_start + 1, p.char_end - p.char_start),"
                " a.source, a.line_start, a.lines_mapped, p.line_offset_start, p.line_offset_end,"
                f" p.char_start, p.char_end, a.url, a.date, p.sentences, {blob}"
                f" FROM passages p JOIN articles a ON a.id = p.article WHERE p.id IN ({marks})",
                chunk,
            ):
                mapped = bool(r[7])
                out[r[0]] = PassageRow(
                    passage_id=r[0], article_rowid=r[1], article_id=r[2], title=r[3], text=r[4],
                    source=r[5], line_start=r[6] + (r[8] if mapped else 0),
                    line_end=r[6] + (r[9] if mapped else 0), char_start=r[10], char_end=r[11],
                    url=r[12], date=r[13], sentences=tuple(tuple(s) for s in json.loads(r[14])),
                    sentence_vectors=r[15], sentence_tokens=r[16],
                )
        return out

    def filter_sql(self, source: str | None, date_from: str | None, date_to: str | None,
                   tags: Sequence[str] = ()) -> tuple[str, list]:
        """SQL selecting the passage ids that pass the filters, with its parameters."""
        cond, params = [], []
        if source:
            cond.append("(a.source GLOB ? OR a.path GLOB ?)")
            params += [source, source]
        if date_from:
            cond.append("a.date >= ?")
            params.append(date_from)
        if date_to:
            cond.append("a.date <= ?")
            params.append(date_to + "\uffff")  # a timestamp on the last day still matches
        for tag in tags:
            cond.append("EXISTS (SELECT 1 FROM json_each(a.tags) WHERE lower(value) = lower(?))")
            params.append(tag)
        sql = "SELECT p.id FROM passages p JOIN articles a ON a.id = p.article"
        if cond:
            sql += " WHERE " + " AND ".join(cond)
        return sql, params

    def ids_for(self, sql: tuple[str, list]) -> list[int]:
        return [r[0] for r in self.db.execute(sql[0], sql[1])]

    def counts(self) -> dict[str, int]:
        q = self.db.execute
        return {
            "articles": q("SELECT count(*) FROM articles").fetchone()[0],
            "passages": q("SELECT count(*) FROM passages").fetchone()[0],
            "duplicates": q("SELECT count(*) FROM duplicates").fetchone()[0],
        }

    def sources(self) -> list[tuple[str, int]]:
        return list(self.db.execute(
            "SELECT source, count(*) FROM articles GROUP BY source ORDER BY source"))

    def find_titles(self, text: str, limit: int = 20) -> list[tuple[str, str, str]]:
        like = f"%{text}%"
        return list(self.db.execute(
            "SELECT article_id, title, source FROM articles WHERE title LIKE ? ORDER BY title LIMIT ?",
            (like, limit)))

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
        return problems


def _chunks(items: list, size: int = 900):
    for i in range(0, len(items), size):
        yield items[i : i + size]
