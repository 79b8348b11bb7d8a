"""The web links an Excel workbook's cells hold (Insert › Link), by sheet and row: a reading list's
titles link their pages, and a row without a URL column takes its first link as its URL.

openpyxl's read-only mode does not read them, so they are read here: a sheet's relationships
name its links' targets, and its ``<hyperlinks>`` element, after all its rows, says which cell
holds which. A sheet with no link to a web page is not read twice; one that has some is scanned
for that element as bytes, not parsed again.
"""

from __future__ import annotations

import posixpath
import re
import zipfile

_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b[^>]*>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')
_LINK = re.compile(rb"<(?:\w+:)?hyperlink\b([^>]*)>")
_OPEN, _CLOSE = re.compile(rb"<(?:\w+:)?hyperlinks[\s>]"), re.compile(rb"</(?:\w+:)?hyperlinks>")
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
                if targets:
                    out[attrs.get("name", "")] = _rows(z, path, targets)
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


def _rows(z: zipfile.ZipFile, path: str, targets: dict[str, str]) -> dict[int, str]:
    """Row -> first web link, from the sheet's ``<hyperlinks>`` element, found by reading the part
    a chunk at a time (the rows before it are not parsed)."""
    block, tail = b"", b""
    with z.open(path) as fh:
        while chunk := fh.read(_CHUNK):
            if block:
                block += chunk
            else:
                text = tail + chunk
                start = _OPEN.search(text)
                if start is None:
                    tail = text[-64:]  # a tag cut between two chunks is found in the next
                    continue
                block = text[start.start():]
            if _CLOSE.search(block):
                break
    out: dict[int, str] = {}
    for attrs in map(_attrs, _LINK.findall(block)):
        row = re.match(r"[A-Za-z]+(\d+)", attrs.get("ref", ""))
        target = targets.get(attrs.get("id", ""))
        if row and target:
            out.setdefault(int(row[1]), target)
    return out
