"""The catalog's read-only questions about what it holds: filters, counts, sources, titles."""

from __future__ import annotations

import os
from collections.abc import Sequence


class CatalogQueries:
    """Mixed into :class:`qa.catalog.Catalog`; expects ``db``, a connection to read."""

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
        for tag in tags:  # and its nested tags, as notes apps have them: project/alpha for project
            cond.append("EXISTS (SELECT 1 FROM json_each(a.tags) WHERE lower(value) = lower(?)"
                        " OR substr(lower(value), 1, length(?) + 1) = lower(?) || '/')")
            params += [tag, tag, tag]
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

    def tag_counts(self) -> list[tuple[str, int]]:
        """Each tag (tags equal but for case as one) and how many articles have it, most first."""
        return [(tag, n) for tag, n in self.db.execute(
            "SELECT min(t.value), count(DISTINCT a.id) n FROM articles a, json_each(a.tags) t"
            " GROUP BY lower(t.value) ORDER BY n DESC, lower(t.value)")]

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
