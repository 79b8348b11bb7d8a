"""OpenDocument spreadsheets (.ods: LibreOffice Calc, OpenOffice, Google Sheets' download): each
sheet shown read as an Excel sheet is (:mod:`qa.spreadsheet`), a row an article.

content.xml is streamed row by row with lxml (a sheet of 100,000 rows is not held whole). A cell
is read as the sheet shows it (its text), a date cell as its date; a row or cell the file
repeats (``number-rows-repeated``, LibreOffice's way to write empty space) counts as many rows
or cells, so references are rows as Calc numbers them: ``budget.ods:14``, on the second sheet
shown ``budget.ods:sheet2:14``. A row without a URL column takes the first web link a cell of it
holds (a link in its text, or a ``HYPERLINK`` formula's). Hidden sheets are not read.
"""

from __future__ import annotations

import itertools
import zipfile
from collections.abc import Iterator

from .dates import FileDates
from .sheetlinks import formula_link
from .spreadsheet import sheet_articles
from .types import ODS, SHEET_ROWS, Article, Skip
from .walk import ReadStats
from .zipped import opendocument_refused, skipped

MAX_UNPACKED_BYTES = 1024 * 2**20
MAX_COLUMNS = 1024  # an empty cell repeated to the sheet's last column (16,384) is not spelt out
MAX_REPEATED_ROWS = 100  # a filled row repeated more is read this many times
_NS = {p: f"urn:oasis:names:tc:opendocument:xmlns:{p}:1.0" for p in ("office", "table", "text", "style")}
OF, TB, T, ST = (f"{{{_NS[p]}}}" for p in ("office", "table", "text", "style"))
XLINK = "{http://www.w3.org/1999/xlink}"


def read_ods(given: str, absolute: str, stats: ReadStats) -> Iterator[Article]:
    from lxml import etree

    if skipped(given, absolute, stats, "an OpenDocument spreadsheet", ODS, MAX_UNPACKED_BYTES):
        return
    try:
        with zipfile.ZipFile(absolute) as z:
            if why := opendocument_refused(z, "spreadsheet", "spreadsheet"):
                stats.skipped.append(Skip(given, None, why))
                return
            with z.open("content.xml") as fh:
                dates = FileDates(absolute)
                for (_, name), rows in itertools.groupby(_rows(fh), key=lambda r: r[0]):
                    links: dict[int, str] = {}  # filled as the rows are read, before their articles go
                    yield from sheet_articles(given, absolute, name, _noting(rows, links), stats, dates, links)
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        stats.skipped.append(Skip(given, None, f"a damaged OpenDocument spreadsheet: {exc}"))


def _noting(rows, links: dict[int, str]) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each row, its web link put in ``links``."""
    for _, line, cells, link in rows:
        if link:
            links[line] = link
        yield line, cells


def _rows(fh) -> Iterator[tuple[tuple[int, str], int, list[str], str | None]]:
    """((sheet number, name), line, cells, its first web link) of each row of each sheet shown,
    a line as :data:`qa.types.SHEET_ROWS` numbers a workbook's; empty rows are counted, not given."""
    from lxml import etree

    hidden: set[str] = set()
    sheet, row = None, 0
    shown = 0
    for event, el in etree.iterparse(fh, events=("start", "end"), tag=(ST + "style", TB + "table", TB + "table-row"),
                                     huge_tree=True, resolve_entities=False, no_network=True, load_dtd=False):
        if el.tag == ST + "style":
            if event == "end":
                props = el.find(ST + "table-properties")
                if el.get(ST + "family") == "table" and props is not None and props.get(TB + "display") == "false":
                    hidden.add(el.get(ST + "name"))
                el.clear()
        elif el.tag == TB + "table":
            if event == "start":
                visible = el.get(TB + "style-name") not in hidden
                shown += visible
                sheet, row = ((shown, el.get(TB + "name") or f"Sheet{shown}") if visible else None), 0
        elif event == "end":  # a row
            repeat = int(el.get(TB + "number-rows-repeated") or 1)
            cells = _cells(el) if sheet is not None else []
            if any(cells):
                link = _link(el)
                for _ in range(min(repeat, MAX_REPEATED_ROWS)):
                    row += 1
                    yield sheet, (sheet[0] - 1) * SHEET_ROWS + row, cells, link
                row += repeat - min(repeat, MAX_REPEATED_ROWS)
            else:
                row += repeat
            el.clear()
            while el.getprevious() is not None:  # rows read go, so memory holds one
                del el.getparent()[0]


def _cells(row) -> list[str]:
    cells: list[str] = []
    for cell in row:
        if cell.tag not in (TB + "table-cell", TB + "covered-table-cell"):
            continue
        repeat = int(cell.get(TB + "number-columns-repeated") or 1)
        value = _value(cell)
        cells += [value] * min(repeat, MAX_COLUMNS - len(cells))
        if len(cells) >= MAX_COLUMNS:
            break
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _link(row) -> str | None:
    """The first web link a row's cells hold: a ``HYPERLINK`` formula's, or one in a cell's text."""
    for cell in row:
        if (formula := cell.get(TB + "formula")) and (link := formula_link(formula)):
            return link
        for a in cell.iter(T + "a"):
            if (href := a.get(XLINK + "href", "")).startswith(("http://", "https://")):
                return href
    return None


def _value(cell) -> str:
    """A cell as the sheet shows it (its paragraphs' text), a date as its date."""
    kind = cell.get(OF + "value-type")
    if kind == "date":
        value = cell.get(OF + "date-value") or ""
        return value.removesuffix("T00:00:00")
    lines = ["".join(_text(p)) for p in cell.iterchildren(T + "p")]
    shown = "\n".join(lines).strip()
    return shown if "\n" in shown else " ".join(shown.split())


def _text(el) -> Iterator[str]:
    """A paragraph's text: its spans' and links', ``text:s`` as its spaces, a tab or line break as one."""
    if el.text:
        yield el.text
    for child in el:
        if child.tag == T + "s":
            yield " " * int(child.get(T + "c") or 1)
        elif child.tag in (T + "tab", T + "line-break"):
            yield " " if child.tag == T + "tab" else "\n"
        elif child.tag != OF + "annotation":  # a comment is not the cell's text
            yield from _text(child)
        if child.tail:
            yield child.tail
