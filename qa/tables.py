"""A table exported as CSV with no text column: each row an article of its cells.

Notion's databases, Airtable's bases and a spreadsheet of notes export one row per item with the
writing in a column of any name (``Notes``, ``Answer``, ``Summary of findings``) beside short
properties (``Status``, ``Assign``). With no column named as a text field, such a file was
skipped whole. A row now reads as the item's page shows it: its name as the title and each other
filled cell a paragraph of its own, ``Status: Done``. A table without sentences (prices, counts,
ids) is still no article: some column must hold several words in at least a quarter of the rows
that fill it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .records import mapped

SAMPLE = 200  # rows read before deciding
_WORDS = re.compile(r"[^\W\d_]{2,}")
_NUMBER = re.compile(r"[\s\d.,:/%$€£+\-()#]*")
# Fields the article holds apart from its text (shown on its card, or its identity).
_APART = ("id", "title", "url", "date")


@dataclass(frozen=True)
class Table:
    """How a row of a table becomes an article."""

    title: str | None  # the column naming each row
    apart: frozenset[str]  # columns kept out of the text (the title, the id, url and date)

    def record(self, row: Mapping[str, str]) -> dict[str, str]:
        """The row as a record with a ``text`` of its other filled cells, ``Column: value``."""
        lines = [f"{k.strip()}: {v.strip()}" for k, v in row.items()
                 if k not in self.apart and isinstance(v, str) and v.strip()]
        out = {k: v for k, v in row.items() if isinstance(v, str)}
        out["text"] = "\n\n".join(lines)  # a cell's end ends a sentence: a highlight is one cell
        if self.title is not None:
            out["title"] = row.get(self.title) or ""
        return out


def table(header: Sequence[str], rows: Sequence[Mapping[str, str]]) -> Table | None:
    """How the rows of a CSV without a text column read as articles, or None when no column
    holds sentences."""
    columns = [h for h in header if h is not None]
    prose = {c for c in columns if _prose(_filled(rows, c))}
    if not prose:
        return None
    keys = mapped(dict.fromkeys(columns, "x"))["keys"]
    apart = {keys[f] for f in _APART if f in keys}
    title = keys.get("title")
    if title is None:  # a database's first column names its items (Notion's Name, Airtable's primary field)
        title = next((c for c in columns if c not in apart | prose and _names(_filled(rows, c))), None)
    if title is not None:
        apart.add(title)
    return Table(title, frozenset(apart))


def _filled(rows: Sequence[Mapping[str, str]], column: str) -> list[str]:
    return [v.strip() for r in rows if isinstance(v := r.get(column), str) and v.strip()]


def _prose(values: list[str]) -> bool:
    """Several words in at least a quarter of the filled cells."""
    return bool(values) and sum(len(_WORDS.findall(v)) >= 4 for v in values) * 4 >= len(values)


def _names(values: list[str]) -> bool:
    """Cells that can name a row: filled, words rather than numbers, a line at most."""
    return bool(values) and not all(_NUMBER.fullmatch(v) for v in values) and max(map(len, values)) <= 200
