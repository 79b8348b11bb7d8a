"""A table exported as CSV with no text column: each row an article of its cells.

Notion's databases, Airtable's bases and a spreadsheet of notes export one row per item with the
writing in a column of any name (``Notes``, ``Answer``, ``Summary of findings``) beside short
properties (``Status``, ``Assign``). With no column named as a text field, such a file was
skipped whole. A row now reads as the item's page shows it: its name as the title and each other
filled cell a paragraph of its own, ``Status: Done``. A table without sentences (prices, counts,
ids) is still no article: some column must hold several words in at least a quarter of the rows
that fill it.

JSON records are tables too (Airtable's API, an Elasticsearch dump, a list of notes exported by a
script): when none of the first records names a text field, their text and numbers are the cells.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import slack
from .records import FIELDS, checklist, mapped, unwrapped

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

    def json_record(self, record: Any) -> Any:
        """A JSON record as :meth:`record` reads a row (anything but an object is left as it is,
        for the reader to report)."""
        return self.record(cells(unwrapped(record))) if isinstance(record, dict) else record


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


def csv_delimiter(header: str) -> str:
    """The delimiter that makes the header name a text column: spreadsheets in many locales export
    with ``;``, others with tabs. Else the one giving the most columns, else a comma."""
    best, columns = ",", 1
    for delimiter in ",;\t|":
        names = [n.strip().lower() for n in next(csv.reader([header], delimiter=delimiter), [])]
        if any(n in FIELDS["text"] for n in names):
            return delimiter
        if len(names) > columns:
            best, columns = delimiter, len(names)
    return best


def json_table(records: Sequence[Any]) -> Table | None:
    """How JSON records read as a table's rows, decided on the first :data:`SAMPLE`; None when one
    of them names a text field (even an empty one, as a CSV's header would), is a Slack message
    or a Google Keep list, or when no field holds sentences."""
    rows = []
    for record in records[:SAMPLE]:
        if not isinstance(record, dict):
            continue
        record = unwrapped(record)
        if "text" in mapped(record)["keys"] or slack.is_message(record) or checklist(record):
            return None
        rows.append(cells(record))
    return table(list(dict.fromkeys(k for row in rows for k in row)), rows) if rows else None


def cells(record: Mapping[str, Any]) -> dict[str, str]:
    """A JSON record's fields as a row's cells: text and numbers as written, a list of them
    joined with ``, `` (Airtable's multiple choice), an object with a name by its name (a
    collaborator); other objects (attachments) and flags left out."""
    out = {}
    for key, value in record.items():
        value = [_named(v) for v in value] if isinstance(value, list) else _named(value)
        if isinstance(value, list) and value and all(_scalar(v) for v in value):
            out[str(key)] = ", ".join(map(str, value))
        elif _scalar(value):
            out[str(key)] = str(value)
    return out


def _named(value: Any) -> Any:
    """An object by its name, as a table shows it (Airtable's collaborator ``{"id", "email",
    "name": "Ann Lee"}``); other objects as they are (left out)."""
    return value["name"] if isinstance(value, dict) and _scalar(value.get("name")) else value


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _filled(rows: Sequence[Mapping[str, str]], column: str) -> list[str]:
    return [v.strip() for r in rows if isinstance(v := r.get(column), str) and v.strip()]


def _prose(values: list[str]) -> bool:
    """Several words in at least a quarter of the filled cells."""
    return bool(values) and sum(_words(v) >= 4 for v in values) * 4 >= len(values)


def _words(value: str) -> int:
    """Words as written between spaces: a link or a path (``https://x.example/users/ann``) is one."""
    return sum(bool(_WORDS.search(token)) for token in value.split())


def _names(values: list[str]) -> bool:
    """Cells that can name a row: filled, words rather than numbers, a line at most."""
    return bool(values) and not all(_NUMBER.fullmatch(v) for v in values) and max(map(len, values)) <= 200
