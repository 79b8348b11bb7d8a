"""The catalog's read-only questions about what it holds: filters, counts, sources, titles, the
passages around one."""

from __future__ import annotations

import os
from collections.abc import Sequence

from .types import markup_of


class CatalogQueries:
    """Mixed into :class:`qa.catalog.Catalog`; expects ``db``, a connection to read, and
    ``_markup``, the articles' markup column (or NULL in a catalog written before it)."""

    def filter_sql(self, source: str | None, date_from: str | None, date_to: str | None,
                   tags: Sequence[str] = (), author: str | None = None) -> tuple[str, list]:
        """SQL selecting the passage ids that pass the filters, with its parameters."""
        cond, params = [], []
        if source:  # a glob, or a folder (as qa remove takes one): the files under it
            cond.append("(a.source GLOB ? OR a.path GLOB ? OR a.source GLOB ? OR a.path GLOB ?)")
            under = source.rstrip("/" + os.sep) + "/*"
            params += [source, source, under, under]
        if date_from:
            cond.append("a.date >= ?")
            params.append(date_from)
        if date_to:
            cond.append("a.date <= ?")
            params.append(date_to + "\uffff")  # a timestamp on the last day still matches
        for tag in tags:  # and its nested tags, as notes apps have them: project/alpha for project
            cond.append("EXISTS (SELECT 1 FROM json_each(a.tags) WHERE lower(value) = lower(?)"
                        " OR substr(lower(value), 1, length(?) + 1) = lower(?) || '/')")
            params += [tag, tag, tag]
        if author:  # a part of the name or address, in any case; SQLite's lower() where it folds
            cond.append(f"instr({'lower' if author.isascii() else 'fold'}(a.author), ?) > 0")
            params.append(author.casefold() if not author.isascii() else author.lower())
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

    def article_count(self, passages_sql: tuple[str, list] | None = None) -> int:
        """How many articles there are (that hold a passage ``passages_sql`` selects, if given)."""
        if passages_sql is None:
            return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])
        sql, params = passages_sql
        return int(self.db.execute(f"SELECT count(DISTINCT article) FROM passages WHERE id IN ({sql})",
                                   params).fetchone()[0])

    def sources(self) -> list[tuple[str, int]]:
        return list(self.db.execute(
            "SELECT source, count(*) FROM articles GROUP BY source ORDER BY source"))

    def source_rows(self) -> list[tuple[str, int, str | None, str | None, str]]:
        """Per source: articles, first and last date, and the title of its first article."""
        return list(self.db.execute(
            "SELECT a.source, g.n, g.first_date, g.last_date, a.title FROM (SELECT source, count(*) n,"
            " min(date) first_date, max(date) last_date, min(id) first FROM articles GROUP BY source) g"
            " JOIN articles a ON a.id = g.first ORDER BY a.source"))

    def sources_titled(self, part: str) -> set[str]:
        """The sources with an article whose title holds ``part`` (ASCII letters in any case)."""
        return {row[0] for row in self.db.execute(
            "SELECT DISTINCT source FROM articles WHERE instr(lower(title), lower(?)) > 0", (part,))}

    def tag_counts(self) -> list[tuple[str, int]]:
        """Each tag (tags equal but for case as one) and how many articles have it, most first."""
        return [(tag, n) for tag, n in self.db.execute(
            "SELECT min(t.value), count(DISTINCT a.id) n FROM articles a, json_each(a.tags) t"
            " GROUP BY lower(t.value) ORDER BY n DESC, lower(t.value)")]

    def author_counts(self) -> list[tuple[str, int]]:
        """Each author (equal but for case as one) and how many articles they wrote, most first."""
        return [(author, n) for author, n in self.db.execute(
            "SELECT min(author), count(*) n FROM articles WHERE author IS NOT NULL AND author != ''"
            " GROUP BY lower(author) ORDER BY n DESC, lower(author)")]

    def article_path(self, article_id: str) -> str | None:
        """The file an article was read from (absolute), without reading its text."""
        row = self.db.execute("SELECT path FROM articles WHERE article_id=?", (article_id,)).fetchone()
        return row[0] if row else None

    def source_paths(self) -> dict[str, str]:
        """Each source's file (absolute path)."""
        return dict(self.db.execute("SELECT source, min(path) FROM articles GROUP BY source"))

    def paths_of(self, source: str) -> list[str]:
        """The files (absolute paths) read as ``source`` or from under it, a folder as given:
        its articles' and its duplicates'."""
        return self._files("source", source)

    def holds(self, path: str) -> bool:
        """Whether articles or duplicates were read from ``path`` (absolute) or under it."""
        return bool(self._files("path", path, limit=1))

    def _files(self, column: str, value: str, limit: int = -1) -> list[str]:
        folder = value.rstrip("/" + os.sep) + os.sep
        where = f"{column}=? OR substr({column}, 1, ?)=?"
        args = (value, len(folder), folder)
        return [row[0] for row in self.db.execute(
            f"SELECT path FROM articles WHERE {where} UNION SELECT path FROM duplicates WHERE {where}"
            " ORDER BY 1 LIMIT ?", (*args, *args, limit))]

    def find_titles(self, text: str, limit: int = 20) -> list[tuple[str, str, str]]:
        like = f"%{text}%"
        return list(self.db.execute(
            "SELECT article_id, title, source FROM articles WHERE title LIKE ? ORDER BY title LIMIT ?",
            (like, limit)))

    def passages_near(self, passage_id: int, n: int) -> list[tuple]:
        """The passage and the ``n`` on each side of it in its article, in order, as (id, char
        start, char end, line start, line end, article row id, source, title, markup); empty
        when there is no such passage. Their text is not read (:meth:`article_slice`)."""
        rows = self.db.execute(
            "SELECT p.id, p.char_start, p.char_end, a.line_start, a.lines_mapped, p.line_offset_start,"
            f" p.line_offset_end, a.id, a.source, a.title, {self._markup} FROM passages p"
            " JOIN passages h ON h.id = ? AND p.article = h.article JOIN articles a ON a.id = p.article"
            " WHERE p.ordinal BETWEEN h.ordinal - ? AND h.ordinal + ? ORDER BY p.ordinal",
            (passage_id, n, n)).fetchall()
        return [(r[0], r[1], r[2], r[3] + (r[5] if r[4] else 0), r[3] + (r[6] if r[4] else 0), r[7], r[8], r[9],
                 markup_of(r[8], r[10])) for r in rows]

    def article_slice(self, rowid: int, start: int, end: int) -> str:
        """``text[start:end]`` of an article, without its whole text made a Python string."""
        row = self.db.execute("SELECT substr(text, ?, ?) FROM articles WHERE id=?",
                              (start + 1, max(end - start, 0), rowid)).fetchone()
        return row[0] if row else ""
