"""Scientific articles in JATS XML (.nxml, .xml): PubMed Central's open-access articles, eLife's,
PLOS's and bioRxiv's full texts, as publishers and archives give them.

lxml parses the file (its DTD never fetched, no entity resolved) and the article is written as
an HTML page's text is (markup "page"): the abstract and each section under its heading
(``## Methods``, a subsection one level down), paragraphs, lists, a figure's or table's label
and caption, a table's rows as a table; citations keep their brackets (``[12]``), formulas
set apart and the reference list are left out. Title, authors, publication date (the earliest
of its electronic and print dates), keywords (as tags), journal and identifiers come from its
front matter; its DOI is its URL. Each passage's reference is the lines of the file where its
paragraphs start (``paper.nxml:212-230``): a JATS file has lines, and they are the checkable
place.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .blocks import Block, written
from .records import article_from
from .types import Article, Skip

if TYPE_CHECKING:
    from .walk import ReadStats

_ROOT = re.compile(rb"<article[\s>]")
_JATS_HINT = re.compile(rb"<front[\s>]|//DTD JATS|//NLM//DTD|jats|article-meta", re.I)
_BLOCKS = {"p", "list", "fig", "table-wrap", "disp-quote", "boxed-text", "sec", "title", "disp-formula",
           "def-list", "statement", "preformat", "code"}
_SKIPPED = {"disp-formula", "alternatives", "graphic", "media", "object-id", "label", "fn-group"}
_APART = {"title", "p", "list-item", "td", "th", "caption", "label", "def-item", "term"}  # words end with them
_NUMBERS = re.compile(r"[\d\s,–-]+")  # a numbered citation's text: "3", "4-6", "1, 2"


def is_jats(head: bytes) -> bool:
    """Whether a file's first bytes open a JATS (or NLM) journal article."""
    return bool(_ROOT.search(head)) and bool(_JATS_HINT.search(head))


def read_jats(given: str, absolute: str, data: bytes, stats: ReadStats) -> Iterator[Article]:
    """A JATS article as one article."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True,
                             remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        stats.skipped.append(Skip(given, exc.lineno or None, f"not a readable JATS article: {exc.msg}"))
        return
    if _name(root) != "article":
        root = next((e for e in root.iter() if _name(e) == "article"), None)
        if root is None:
            stats.skipped.append(Skip(given, None, "no <article> in the XML file"))
            return
    meta = _first(root, "article-meta")
    writer = _Writer()
    if meta is not None:
        for abstract in _children(meta, "abstract"):
            if abstract.get("abstract-type") in (None, "", "summary", "author", "executive-summary"):
                writer.heading(_text(_child(abstract, "title")) or "Abstract", abstract.sourceline, 2)
                writer.content(abstract, 2)
    body = _first(root, "body")
    if body is not None:
        writer.content(body, 1)
    if not any(b.kind != "heading" for b in writer.blocks):
        stats.skipped.append(Skip(given, None, "no text in the article (no abstract or body)"))
        return
    text, anchors = written(writer.blocks)
    info = _front(root, meta)
    article = article_from(info, given, absolute, 0, text, info.get("title"), anchors[0][1],
                           lines_mapped=True, markup="page")
    yield dataclasses.replace(article, line_anchors=anchors)


class _Writer:
    """The article's blocks in order, each numbered by the line its element starts on."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []

    def heading(self, text: str, line: int, level: int) -> None:
        if text:
            self.blocks.append(Block("heading", text, line, level=min(level, 6)))

    def content(self, element, depth: int) -> None:
        for child in element:
            name = _name(child)
            if name == "sec":
                self.heading(_text(_child(child, "title")), child.sourceline, depth + 1)
                self.content(child, depth + 1)
            elif name == "p":
                self.paragraph(child, depth)
            elif name == "list":
                self.listing(child)
            elif name in ("fig", "table-wrap"):
                self.figure(child)
            elif name in ("disp-quote", "boxed-text", "statement"):
                self.content(child, depth)

    def paragraph(self, p, depth: int) -> None:
        words = _text(p, blocks=True)
        if words:
            self.blocks.append(Block("para", words, p.sourceline))
        for child in p:  # a list or figure inside a paragraph follows it
            if _name(child) in ("list", "fig", "table-wrap", "disp-quote", "boxed-text"):
                self.content([child], depth)

    def listing(self, element) -> None:
        ordered = element.get("list-type") in ("order", "arabic", "alpha-lower", "roman-lower")
        for n, item in enumerate((c for c in element if _name(c) == "list-item"), 1):
            words = _text(item, blocks=False)
            if words:
                self.blocks.append(Block("item", f"{n}. {words}" if ordered else f"- {words}", item.sourceline))

    def figure(self, element) -> None:
        label = _text(_child(element, "label"))
        caption = _child(element, "caption")
        words = " ".join(x for x in (label, _text(caption)) if x)
        if words:
            self.blocks.append(Block("para", words, element.sourceline))
        rows = [r for r in element.iter() if _name(r) == "tr"]
        for i, row in enumerate(rows):
            cells = [_text(c).replace("|", "/") for c in row if _name(c) in ("td", "th")]
            if any(cells):
                self.blocks.append(Block("row", "| " + " | ".join(cells) + " |", row.sourceline,
                                         header=i == 0))


def _front(root, meta) -> dict:
    """Title, authors, date, keywords, journal, DOI (its URL) and identifiers."""
    info: dict = {"metadata": {}}
    if meta is None:
        return info
    group = _first(meta, "title-group")
    info["title"] = _text(_first(group, "article-title")) if group is not None else None
    names = []
    for contrib in (c for c in meta.iter() if _name(c) == "contrib" and c.get("contrib-type", "author") == "author"):
        name = _first(contrib, "name")
        if name is not None:
            names.append(" ".join(x for x in (_text(_first(name, "given-names")), _text(_first(name, "surname"))) if x))
        elif (collab := _first(contrib, "collab")) is not None:
            names.append(_text(collab))
    info["author"] = ", ".join(n for n in names if n) or None
    dates = sorted(d for d in (_date(e) for e in _children(meta, "pub-date")) if d)
    info["date"] = dates[0] if dates else None
    info["tags"] = [_text(k) for k in meta.iter() if _name(k) == "kwd" and _text(k)]
    for aid in _children(meta, "article-id"):
        kind = aid.get("pub-id-type")
        if kind in ("doi", "pmid", "pmcid", "pmc", "publisher-id") and _text(aid):
            info["metadata"][kind] = _text(aid)
    if doi := info["metadata"].get("doi"):
        info["url"] = f"https://doi.org/{doi}"
    journal = next((e for e in root.iter() if _name(e) == "journal-title"), None)
    if journal is not None and _text(journal):
        info["metadata"]["journal"] = _text(journal)
    return info


def _date(element) -> str | None:
    year = _text(_first(element, "year"))
    if not (year and year.isdigit()):
        return None
    month, day = _text(_first(element, "month")), _text(_first(element, "day"))
    month = int(month) if month and month.isdigit() and 1 <= int(month) <= 12 else None
    day = int(day) if month and day and day.isdigit() and 1 <= int(day) <= 31 else None
    return "-".join([year, *([f"{month:02d}"] if month else []), *([f"{day:02d}"] if day else [])])


def _text(element, blocks: bool = False) -> str:
    """An element's words on one line: a citation in brackets, formulas and (``blocks``) the
    lists and figures a paragraph holds left out."""
    if element is None:
        return ""
    out: list[str] = []

    def walk(e, top: bool) -> None:
        name = _name(e)
        if not top and (name in _SKIPPED or (blocks and name in _BLOCKS)):
            if e.tail:
                out.append(e.tail)
            return
        # A numbered citation in brackets ("sediment [1]"), unless they are in the text already
        cite = (name == "xref" and e.get("ref-type") == "bibr" and bool(_NUMBERS.fullmatch(e.text or ""))
                and _last_char(out) not in ("[", "("))
        if cite:
            out.append(" [")
        if e.text:
            out.append(e.text)
        for child in e:
            walk(child, False)
        if cite:
            out.append("]")
        if name in _APART:
            out.append(" ")
        if e.tail and not top:
            out.append(e.tail)

    walk(element, True)
    text = " ".join("".join(out).split())
    return re.sub(r"\]\s*([,–-])\s*\[", r"\1", text).replace("[ ", "[").replace(" ]", "]")


def _last_char(pieces: list[str]) -> str:
    """The last character written that is not a space ("" before any)."""
    for piece in reversed(pieces):
        if piece.strip():
            return piece.rstrip()[-1]
    return ""


def _name(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _first(element, name: str):
    return next((c for c in element.iter() if _name(c) == name), None) if element is not None else None


def _child(element, name: str):
    return next((c for c in element if _name(c) == name), None)


def _children(element, name: str) -> list:
    return [c for c in element if _name(c) == name]
