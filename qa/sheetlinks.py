"""The web links an Excel workbook's cells hold, by sheet and row: a reading list's titles link
their pages, and a row without a URL column takes its first link (by column) as its URL.

A link is a cell's (Insert › Link) or a ``HYPERLINK("https://...", "Title")`` formula's (Google
Sheets' way, and a list built by formula), whose saved value is only the title. openpyxl's
read-only mode reads neither, so they are read here, each sheet's part scanned a chunk at a
time as bytes, not parsed again: its relationships name its linked cells' targets, its
``<hyperlinks>`` element, after all its rows, says which cell holds which, and a formula is
found by its function's name.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile

_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_LINK = re.compile(rb"<(?:\w+:)?hyperlink\b([^>]*)>")
_OPEN = re.compile(rb"<(?:\w+:)?hyperlinks[\s>]")
_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]+\d+)"')
_FUNCTION = re.compile(rb"HYPERLINK\(")
_FORMULA = re.compile(r'HYPERLINK\(\s*"(https?://[^"\s]+)"')
_REF = re.compile(r"([A-Za-z]+)(\d+)")
_CHUNK = 1 << 20


def workbook_links(absolute: str) -> dict[str, dict[int, str]]:
    """By sheet name, each row's first link to a web page (``http(s)://``); rows without one left
    out. Empty for a workbook whose parts cannot be read (its values are read all the same)."""
    from lxml import etree

    out: dict[str, dict[int, str]] = {}
    try:
        with zipfile.ZipFile(absolute) as z:
            names = set(z.namelist())
            paths = _targets(z, "xl/_rels/workbook.xml.rels", "xl", etree)
            for tag in _SHEET.findall(z.read("xl/workbook.xml")):
                attrs = _attrs(tag)
                path = paths.get(attrs.get("id", ""))
                if not path or path not in names:
                    continue
                folder, file = posixpath.split(path)
                rels = f"{folder}/_rels/{file}.rels"
                targets = {k: v for k, v in _targets(z, rels, folder, etree, external=True).items()
                           if v.startswith(("http://", "https://"))} if rels in names else {}
                if links := _rows(z, path, targets):
                    out[attrs.get("name", "")] = links
    except (OSError, KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, ValueError):
        return {}
    return out


def _targets(z: zipfile.ZipFile, rels: str, folder: str, etree, external: bool = False) -> dict[str, str]:
    """A relationships part's targets by id: paths in the package, or as written (a link's)."""
    out = {}
    for r in etree.fromstring(z.read(rels)).iter(_REL):
        target = r.get("Target") or ""
        if external:
            if r.get("Type", "").endswith("/hyperlink"):
                out[r.get("Id", "")] = target
        else:
            out[r.get("Id", "")] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(folder, target))
    return out


def _attrs(tag: bytes) -> dict[str, str]:
    """A tag's attributes by local name (``r:id`` is ``id``)."""
    return {k.split(b":")[-1].decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}


def formula_link(formula: str) -> str | None:
    """The web page a ``HYPERLINK("https://...", ...)`` formula links (Excel's, LibreOffice's
    ``of:=HYPERLINK("https://..."; ...)``), None for another formula or a link built from cells."""
    found = _FORMULA.search(formula)
    return found[1] if found else None


def _rows(z: zipfile.ZipFile, path: str, targets: dict[str, str]) -> dict[int, str]:
    """Row -> first web link by column, read a chunk at a time: the cells up to the last one a
    chunk closes are scanned for formulas, the rest kept for the next; the ``<hyperlinks>``
    element is in what is left at the end."""
    found: dict[int, tuple[int, str]] = {}
    rest = b""
    with z.open(path) as fh:
        while chunk := fh.read(_CHUNK):
            buf = rest + chunk
            closed = max((at + len(end) for end in (b"</c>", b":c>") if (at := buf.rfind(end)) >= 0),
                         default=0)  # after </c> or </x:c>
            _formulas(buf[:closed], found)
            rest = buf[closed:]
    _formulas(rest, found)
    if targets and (start := _OPEN.search(rest)):
        for attrs in map(_attrs, _LINK.findall(rest, start.start())):
            if target := targets.get(attrs.get("id", "")):
                _keep(found, attrs.get("ref", ""), target)
    return {row: link for row, (_, link) in found.items()}


def _formulas(cells: bytes, found: dict[int, tuple[int, str]]) -> None:
    """Keep the links of the HYPERLINK formulas in whole cells of a sheet's part."""
    for call in _FUNCTION.finditer(cells):
        *_, cell = [None, *_CELL.finditer(cells, max(0, call.start() - 512), call.start())]
        text = html.unescape(cells[call.start():call.start() + 2100].decode("utf-8", "replace"))
        if cell and (link := formula_link(text)):
            _keep(found, cell[1].decode(), link)


def _keep(found: dict[int, tuple[int, str]], ref: str, link: str) -> None:
    """Note ``link`` for the row of cell ``ref`` (``B7``, a range's first cell) unless a cell
    left of it links one."""
    if m := _REF.match(ref):
        column = 0
        for letter in m[1].upper():
            column = column * 26 + ord(letter) - 64
        row = int(m[2])
        if row not in found or column < found[row][0]:
            found[row] = (column, link)
