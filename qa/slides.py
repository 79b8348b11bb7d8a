"""PowerPoint decks (.pptx: PowerPoint, Google Slides' and Keynote's exports): a deck as one article.

The package is read with lxml, as an .odt is (:mod:`qa.odt`): the slides in the deck's order
(hidden ones left out), each under its title as a heading (``## Quarterly tides``), its text
boxes' paragraphs as written (a body placeholder's as bullets, indented by level), its tables
as tables, and its speaker notes under a ``### Notes`` heading; footers, dates, slide numbers
and pictures are not read. **References are slides**, as a PDF's are pages, ``deck.pptx:p3``: a
deck exported to PDF has a page a slide. Title, author, keywords and subject from the deck's
properties, else its first slide's title.
"""

from __future__ import annotations

import dataclasses
import posixpath
import re
import zipfile
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .blocks import Block, written
from .dates import name_date
from .pdfmeta import meta_text
from .records import article_from
from .types import PPTX, Article, Skip
from .zipped import skipped

if TYPE_CHECKING:
    from .walk import ReadStats

MAX_UNPACKED_BYTES = 2048 * 2**20  # pictures are most of a deck
_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_TITLES = ("title", "ctrTitle")
_UNREAD = ("dt", "ftr", "sldNum", "hdr", "sldImg")  # date, footer, slide number, header, a notes page's slide
_BULLETED = ("body", "obj")  # placeholders whose paragraphs are bullets by default


def read_pptx(given: str, absolute: str, stats: ReadStats) -> Iterator[Article]:
    """A deck as one article, a slide a page of references."""
    from lxml import etree

    if skipped(given, absolute, stats, "a PowerPoint deck", PPTX, MAX_UNPACKED_BYTES):
        return
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    try:
        with zipfile.ZipFile(absolute) as z:
            names = set(z.namelist())
            if "ppt/presentation.xml" not in names:
                stats.skipped.append(Skip(given, None, "not a PowerPoint deck (no ppt/presentation.xml in it)"))
                return
            blocks: list[Block] = []
            for number, path in enumerate(_slide_paths(z, parser), 1):
                slide = etree.fromstring(z.read(path), parser)
                if slide.get("show") == "0":
                    continue
                blocks += _slide(slide, number)
                notes = _notes_path(z, path, names, parser)
                if notes:
                    said = _shapes(etree.fromstring(z.read(notes), parser), number, notes=True)
                    if said:
                        blocks += [Block("heading", "Notes", number, level=3), *said]
            core = etree.fromstring(z.read("docProps/core.xml"), parser) if "docProps/core.xml" in names else None
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        stats.skipped.append(Skip(given, None, f"a damaged PowerPoint deck: {exc}"))
        return
    if not any(b.text.strip() for b in blocks):
        stats.skipped.append(Skip(given, None, "no text in the deck"))
        return
    text, anchors = written(blocks)
    info = _core(core)
    first_title = next((b.text for b in blocks if b.kind == "heading" and b.level == 2), None)
    title = meta_text(info.get("title")) or first_title
    rec = {"title": title, "author": meta_text(info.get("creator")),
           "date": name_date(absolute) or info.get("created"),
           "tags": [t.strip() for t in re.split(r"[,;]", info.get("keywords") or "") if t.strip()],
           "metadata": {"subject": info["subject"]} if info.get("subject") else {}}
    article = article_from(rec, given, absolute, 0, text, title, anchors[0][1], lines_mapped=True, markup="page")
    yield dataclasses.replace(article, line_anchors=anchors)


def _slide_paths(z: zipfile.ZipFile, parser) -> list[str]:
    """The slides' parts in the deck's order (its slide list, not the files' numbers)."""
    from lxml import etree

    deck = etree.fromstring(z.read("ppt/presentation.xml"), parser)
    targets = _rels(z, "ppt/presentation.xml", parser)
    ids = [s.get(_R + "id") for s in deck.iter(_P + "sldId")]
    return [targets[i] for i in ids if i in targets and targets[i] in set(z.namelist())]


def _notes_path(z: zipfile.ZipFile, slide: str, names: set[str], parser) -> str | None:
    return next((t for t in _rels(z, slide, parser, "/notesSlide").values() if t in names), None)


def _rels(z: zipfile.ZipFile, part: str, parser, kind: str = "") -> dict[str, str]:
    """A part's relationships of a kind: id -> the target part's path in the package."""
    from lxml import etree

    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in z.namelist():
        return {}
    return {r.get("Id"): posixpath.normpath(posixpath.join(folder, r.get("Target", "")))
            for r in etree.fromstring(z.read(rels), parser).iter(_REL + "Relationship")
            if r.get("Type", "").endswith(kind) and r.get("TargetMode") != "External"}


def _slide(slide, number: int) -> list[Block]:
    """A slide's blocks: its title as a heading, then its shapes' text in the slide's order."""
    title = next((_text(sp) for sp in slide.iter(_P + "sp") if _placeholder(sp) in _TITLES), "")
    out = [Block("heading", title, number, level=2)] if title else []
    return out + _shapes(slide, number)


def _shapes(root, number: int, notes: bool = False) -> list[Block]:
    out: list[Block] = []
    for element in root.iter(_P + "sp", _P + "graphicFrame"):
        kind = _placeholder(element)
        if kind in _TITLES or kind in _UNREAD or (notes and kind not in (None, "body")):
            continue
        if element.tag == _P + "graphicFrame":
            out += _table(element, number)
            continue
        for p in element.iter(_A + "p"):
            words = _paragraph(p)
            if not words:
                continue
            ppr = p.find(_A + "pPr")
            level = int(ppr.get("lvl", "0")) if ppr is not None else 0
            bullet = ppr is not None and (ppr.find(_A + "buChar") is not None or ppr.find(_A + "buAutoNum") is not None)
            unbulleted = ppr is not None and ppr.find(_A + "buNone") is not None
            if not notes and (bullet or (kind in _BULLETED and not unbulleted)):
                out.append(Block("item", "  " * level + "- " + words, number))
            else:
                out.append(Block("para", words, number))
    return out


def _table(frame, number: int) -> list[Block]:
    rows = []
    for tr in frame.iter(_A + "tr"):
        cells = [" ".join(filter(None, (_paragraph(p) for p in tc.iter(_A + "p")))) for tc in tr.iter(_A + "tc")]
        if any(cells):
            rows.append(Block("row", "| " + " | ".join(c.replace("|", "/") for c in cells) + " |", number,
                              header=not rows))
    return rows


def _placeholder(shape) -> str | None:
    """The kind of placeholder a shape is (``title``, ``body``...), "body" for an untyped one, or
    None for a text box of its own."""
    ph = shape.find(f"{_P}nvSpPr/{_P}nvPr/{_P}ph")
    return None if ph is None else ph.get("type", "body")


def _text(shape) -> str:
    return " ".join(filter(None, (_paragraph(p) for p in shape.iter(_A + "p"))))


def _paragraph(p) -> str:
    parts = []
    for el in p:
        if el.tag == _A + "r":
            parts.append(el.findtext(_A + "t") or "")
        elif el.tag == _A + "br":
            parts.append(" ")
        elif el.tag == _A + "fld" and el.get("type") != "slidenum" and not el.get("type", "").startswith("datetime"):
            parts.append(el.findtext(_A + "t") or "")
    return " ".join("".join(parts).split())


def _core(core) -> dict[str, str]:
    if core is None:
        return {}
    out = {}
    for el in core:
        name, value = el.tag.rsplit("}", 1)[-1], " ".join((el.text or "").split())
        if value:
            out[name] = value[:10] if name == "created" else value
    return out
