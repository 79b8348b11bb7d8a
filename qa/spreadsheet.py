"""Excel workbooks (.xlsx, .xlsm): each visible sheet read as a CSV file is, read by openpyxl.

A sheet's first filled row names its columns; each row below it is an article, its text from
the column named as text is (``Text``, ``Body``, ``Inhalt``... :data:`qa.records.FIELDS`), else,
when a column holds sentences, as its page shows it (:mod:`qa.tables`); title, date, URL,
author and tags from their columns. A cell is read as it shows: a date cell as its date, a
formula as the value Excel last saved for it. **References are rows**, as Excel numbers them
(``reading-list.xlsx:14``; on the second sheet shown, ``reading-list.xlsx:sheet2:14``); a row's
sheet's name is its article's ``metadata["sheet"]``; a row without a URL column takes the first
web link a cell of it holds (:mod:`qa.sheetlinks`). Hidden sheets and chart sheets are not read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from .dates import FileDates
from .recordfiles import table_articles
from .sheetlinks import workbook_links
from .types import SHEET_ROWS, XLSX, Article, Skip
from .zipped import skipped

if TYPE_CHECKING:
    from .walk import ReadStats

MAX_UNPACKED_BYTES = 1024 * 2**20


def read_xlsx(given: str, absolute: str, stats: ReadStats) -> Iterator[Article]:
    import openpyxl

    if skipped(given, absolute, stats, "an Excel workbook", XLSX[0], MAX_UNPACKED_BYTES):
        return
    try:
        book = openpyxl.load_workbook(absolute, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged package
        stats.skipped.append(Skip(given, None, f"not a workbook that can be read ({type(exc).__name__}: {exc})"))
        return
    try:
        sheets = [s for s in book.worksheets if s.sheet_state == "visible"]
        dates, links = FileDates(absolute), workbook_links(absolute)
        for number, sheet in enumerate(sheets):
            first = number * SHEET_ROWS  # its rows' lines: sheet2:14 is the second sheet's row 14
            rows = ((first + row, [_shown(v) for v in values])
                    for row, values in enumerate(sheet.iter_rows(min_row=1, max_row=SHEET_ROWS, values_only=True), 1))
            linked = {first + row: url for row, url in links.get(sheet.title, {}).items()}
            yield from sheet_articles(given, absolute, sheet.title, rows, stats, dates, linked)
    finally:
        book.close()


def sheet_articles(given: str, absolute: str, name: str, rows: Iterator[tuple[int, list[str]]], stats,
                   dates, links: Mapping[int, str]) -> Iterator[Article]:
    """A sheet's articles from its rows, (line, cells): its first filled row names the columns,
    each filled row below is read as a CSV's row is (:func:`qa.recordfiles.table_articles`);
    the sheet's name is each article's ``metadata["sheet"]``. ``links``: by line, a web link a
    cell of the row holds, its URL when no column gives one (looked up once the row is read)."""
    header = next(((line, cells) for line, cells in rows if any(cells)), None)
    if header is None:
        return  # an empty sheet
    names = column_names(header[1])
    records = ((line, dict(zip(names, cells, strict=False)) if any(cells) else None) for line, cells in rows)
    for article in table_articles(given, absolute, names, records, stats, dates, header_line=header[0],
                                  what=f"sheet {name!r}"):
        yield dataclasses.replace(article, metadata={**article.metadata, "sheet": name},
                                  url=article.url or links.get(article.line_start))


def column_names(cells: list[str]) -> list[str]:
    """A header row's column names: a blank one is ``column C`` (its letter), a repeated one numbered."""
    from openpyxl.utils import get_column_letter

    names: list[str] = []
    for i, cell in enumerate(cells, 1):
        name = cell or f"column {get_column_letter(i)}"
        names.append(name if name not in names else f"{name} {sum(n.startswith(name) for n in names) + 1}")
    return names


def _shown(value: object) -> str:
    """A cell's value as text as the sheet shows it: a date as ``2024-03-05`` (with its time if it
    has one), a whole number without ``.0``, nothing as ""."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(timespec="minutes")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    return text.strip() if "\n" in text else " ".join(text.split())  # a cell's own lines kept

