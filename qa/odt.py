"""OpenDocument text (.odt: LibreOffice, OpenOffice, Google Docs' download): as a .docx is read.

The body (content.xml) is walked in order with lxml: headings by their outline level, a short
paragraph all in bold as the least heading, lists with the bullet or number the list's style
shows, tables as tables, text boxes after the paragraph holding them, a note after the paragraph
citing it, code (a "Preformatted Text" style) fenced; a table of contents, comments and the
text of tracked deletions (kept apart from the body) are not read. Title, author, keywords,
subject and date from meta.xml. References are paragraphs: ``notes.odt:¶12-14`` (qa.blocks).
"""

from __future__ import annotations

import dataclasses
import re
import zipfile
from collections.abc import Iterator

from .blocks import Block, enclosing, table_rows, written
from .dates import name_date
from .pdfmeta import meta_text
from .records import article_from
from .types import ODT, Article, Skip
from .walk import ReadStats
from .wordlists import number
from .zipped import opendocument_refused, skipped

MAX_UNPACKED_BYTES = 1024 * 2**20
_NS = {p: f"urn:oasis:names:tc:opendocument:xmlns:{n}:1.0" for p, n in (
    ("office", "office"), ("text", "text"), ("table", "table"), ("style", "style"), ("draw", "drawing"),
    ("fo", "xsl-fo-compatible"), ("meta", "meta"))}
_NS["dc"] = "http://purl.org/dc/elements/1.1/"
T, TB, ST, FO, D = (f"{{{_NS[p]}}}" for p in ("text", "table", "style", "fo", "draw"))
_UNSEEN = {T + "table-of-content", T + "illustration-index", T + "alphabetical-index", T + "bibliography",
           T + "tracked-changes", T + "sequence-decls", f"{{{_NS['office']}}}annotation", f"{{{_NS['office']}}}forms",
           T + "note-body", T + "note-citation"}
_CODE_STYLE = re.compile(r"(?i)preformatted|source|code")
_TITLE_STYLE = re.compile(r"(?:^|[\s_-])title$")  # Title; docutils' rststyle-title; not Subtitle
_SENTENCE_END = re.compile(r"[.!?;,]$")
_MAX_BOLD_HEADING = 90


def read_odt(given: str, absolute: str, stats: ReadStats) -> Iterator[Article]:
    """An OpenDocument text as one article."""
    from lxml import etree

    if skipped(given, absolute, stats, "an OpenDocument text", ODT, MAX_UNPACKED_BYTES):
        return
    try:
        with zipfile.ZipFile(absolute) as z:
            if why := opendocument_refused(z, "text", "document"):
                stats.skipped.append(Skip(given, None, why))
                return
            names = set(z.namelist())
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
            content = etree.fromstring(z.read("content.xml"), parser)
            meta = etree.fromstring(z.read("meta.xml"), parser) if "meta.xml" in names else None
            # the named styles (Title, Heading 1, a list's numbering) are in styles.xml
            styles = etree.fromstring(z.read("styles.xml"), parser) if "styles.xml" in names else None
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        stats.skipped.append(Skip(given, None, f"a damaged OpenDocument text: {exc}"))
        return
    body = content.find(f"{{{_NS['office']}}}body/{{{_NS['office']}}}text")
    reader = _Reader([x for x in (styles, content) if x is not None])
    blocks = reader.blocks(body) if body is not None else []
    if not any(b.text.strip() for b in blocks):
        stats.skipped.append(Skip(given, None, "no text in the document"))
        return
    text, anchors = written(blocks)
    info = _meta(meta)
    title = reader.title or meta_text(info.get("title")) or (blocks[0].text if blocks[0].kind == "heading" else None)
    rec = {"title": title, "author": meta_text(info.get("author")), "date": name_date(absolute) or info.get("date"),
           "tags": info.get("keywords", []), "metadata": {"subject": info["subject"]} if info.get("subject") else {}}
    article = article_from(rec, given, absolute, 0, text, title, anchors[0][1], lines_mapped=True, markup="page")
    yield dataclasses.replace(article, line_anchors=anchors)


def _meta(meta) -> dict:
    if meta is None:
        return {}

    def first(path: str) -> str | None:
        found = meta.findtext(path, namespaces=_NS)
        return " ".join(found.split()) if found and found.strip() else None

    created = first(".//meta:creation-date") or first(".//dc:date")
    return {"title": first(".//dc:title"), "subject": first(".//dc:subject"),
            "author": first(".//meta:initial-creator") or first(".//dc:creator"),
            "date": created[:10] if created else None,
            "keywords": [t.strip() for k in meta.iterfind(".//meta:keyword", _NS)
                         for t in re.split(r"[,;]", k.text or "") if t.strip()]}


class _Reader:
    """The body's blocks in order, numbered as paragraphs, with the styles that say what they are."""

    def __init__(self, parts: list) -> None:
        """``parts``: styles.xml and content.xml, a style of the latter overriding one named alike."""
        self.styles = {s.get(ST + "name"): s for part in parts for s in part.iter(ST + "style")}
        self.lists = {s.get(ST + "name"): s for part in parts for s in part.iter(T + "list-style")}
        self.count = 0
        self.title: str | None = None
        self.titled = False
        self.notes = 0
        self.counters: dict[str, list[int]] = {}  # by list style: each level's last number

    def blocks(self, container, depth: int = 0, list_style: str | None = None) -> list[Block]:
        out: list[Block] = []
        for child in container:
            tag = child.tag
            if tag in (T + "p", T + "h"):
                out += self.paragraph(child)
            elif tag == T + "list":
                out += self.listing(child, depth, list_style)
            elif tag == TB + "table":
                out += self.table(child)
            elif tag in (T + "section", TB + "table-header-rows"):
                out += self.blocks(child, depth, list_style)
        return out

    def _chain(self, name: str | None) -> list:
        """A style and those it is based on (an automatic style's parent first)."""
        out, seen = [], set()
        while name in self.styles and name not in seen:
            seen.add(name)
            out.append(self.styles[name])
            name = self.styles[name].get(ST + "parent-style-name")
        return out

    def _names(self, name: str | None) -> list[str]:
        return [(s.get(ST + "display-name") or s.get(ST + "name") or "").replace("_20_", " ").lower()
                for s in self._chain(name)] + [(name or "").replace("_20_", " ").lower()]

    def _own_name(self, name: str | None) -> str:
        """The name of the paragraph's named style, past the automatic style LibreOffice wraps it
        in (P1 over Title): a style based on Title (an author line) is not the title."""
        for s in self._chain(name):
            automatic = s.getparent() is not None and s.getparent().tag.endswith("automatic-styles")
            if not (automatic and s.get(ST + "parent-style-name")):
                return (s.get(ST + "display-name") or s.get(ST + "name") or "").replace("_20_", " ").lower()
        return (name or "").replace("_20_", " ").lower()

    def _bold(self, name: str | None) -> bool | None:
        for s in self._chain(name):
            props = s.find(ST + "text-properties")
            if props is not None and props.get(FO + "font-weight"):
                return props.get(FO + "font-weight") in ("bold", "600", "700", "800", "900")
        return None

    def paragraph(self, p, label: str | None = None) -> list[Block]:
        style = p.get(T + "style-name")
        names = self._names(style)
        parts: list[tuple[str, bool]] = []
        boxes: list = []
        notes: list[str] = []
        self._text(p, parts, boxes, notes, bool(self._bold(style)))
        raw = "".join(t for t, _ in parts)
        if not raw.strip():
            return [b for box in boxes for b in self.blocks(box)]
        self.count += 1
        number = self.count
        after = [b for box in boxes for b in self.blocks(box)]
        if any(_CODE_STYLE.search(n) for n in names):
            return [Block("code", line.rstrip(), number) for line in raw.replace("\t", "    ").split("\n")] + after
        text = "\n".join(" ".join(line.split()) for line in raw.split("\n") if line.strip())
        out = []
        level = p.get(T + "outline-level") if p.tag == T + "h" else None
        if _TITLE_STYLE.search(self._own_name(style)) and not self.titled:
            self.title, self.titled = " ".join(text.split()), True
            out.append(Block("heading", self.title, number, 1))
        elif level is not None:
            shown = " ".join(text.split())
            out.append(Block("heading", f"{label} {shown}" if label else shown, number,
                             min(int(level) if level.isdigit() else 1, 5) + (1 if self.titled else 0)))
        elif label:
            out.append(Block("item", f"{label} {text}", number))
        elif (len(text) <= _MAX_BOLD_HEADING and "\n" not in text and not _SENTENCE_END.search(text)
              and all(bold for t, bold in parts if t.strip())):
            out.append(Block("heading", text, number))
        else:
            out.append(Block("para", text, number))
        return out + [Block("para", n, number) for n in notes] + after

    def _text(self, el, out: list[tuple[str, bool]], boxes: list, notes: list[str], bold: bool) -> None:
        """The text as shown, each piece with whether it is bold; ODF's text is in tails too."""
        if el.text:
            out.append((el.text, bold))
        for child in el:
            tag = child.tag
            if tag == T + "s":
                out.append((" " * int(child.get(T + "c") or 1), bold))
            elif tag == T + "tab":
                out.append(("\t", bold))
            elif tag == T + "line-break":
                out.append(("\n", bold))
            elif tag == T + "note":
                self.notes += 1
                cited = (child.findtext(T + "note-citation") or str(self.notes)).strip()
                out.append((f"[{cited}]", bold))
                body = child.find(T + "note-body")
                said = " ".join(" ".join("".join(p.itertext()).split()) for p in body.iter(T + "p")) if body is not None else ""
                if said.strip():
                    notes.append(f"[{cited}] {said}")
            elif tag == D + "text-box":
                boxes.append(child)
            elif isinstance(tag, str) and tag not in _UNSEEN:
                span = self._bold(child.get(T + "style-name")) if tag == T + "span" else None
                self._text(child, out, boxes, notes, bold if span is None else span)
            if child.tail:
                out.append((child.tail, bold))

    def listing(self, lst, depth: int, inherited: str | None) -> list[Block]:
        style = lst.get(T + "style-name") or inherited
        key = style or ""
        counts = self.counters.setdefault(key, [])
        if depth == 0 and lst.get(T + "continue-numbering") != "true" and not lst.get(T + "continue-list"):
            counts.clear()
        out = []
        for item in lst:
            if item.tag not in (T + "list-item", T + "list-header"):
                continue
            label = self._label(style, depth, counts) if item.tag == T + "list-item" else None
            for child in item:
                if child.tag in (T + "p", T + "h"):
                    out += self.paragraph(child, label)
                    label = None  # an item's later paragraphs go on without a bullet
                elif child.tag == T + "list":
                    out += self.listing(child, depth + 1, style)
                else:
                    out += self.blocks([child], depth + 1, style)
        return out

    def _label(self, style: str | None, depth: int, counts: list[int]) -> str:
        levels = self.lists.get(style)
        level = None
        if levels is not None:
            level = next((lv for lv in levels if lv.get(T + "level") == str(depth + 1)), None)
        if level is None or level.tag != T + "list-level-style-number":
            return "-"
        del counts[depth + 1:]
        while len(counts) <= depth:
            counts.append(int(level.get(T + "start-value") or 1) - 1)
        counts[depth] += 1
        shown = int(level.get(T + "display-levels") or 1)
        numbers = [_numbered(counts[d], level.get(ST + "num-format") or "1") for d in range(depth + 1 - shown, depth + 1)]
        return f"{level.get(ST + 'num-prefix') or ''}{'.'.join(numbers)}{level.get(ST + 'num-suffix') or ''}".strip() or "-"

    def table(self, tbl) -> list[Block]:
        rows = [r for r in tbl.iter(TB + "table-row") if enclosing(r, TB + "table") is tbl]
        cells = [[c for c in r if c.tag in (TB + "table-cell", TB + "covered-table-cell")] for r in rows]
        if len(rows) < 2 or max(map(len, cells), default=0) < 2:  # a box or a layout: its text as text
            return [b for row in cells for c in row for b in self.blocks(c)]
        return table_rows(self, cells, lambda row: [" ".join(b.text.replace("\n", " ") for b in self.blocks(c))
                                                    for c in row])


def _numbered(n: int, fmt: str) -> str:
    return number(n, {"a": "lowerLetter", "A": "upperLetter", "i": "lowerRoman", "I": "upperRoman"}.get(fmt, "decimal"))
