"""Word documents (.docx): the body's paragraphs, headings, lists and tables as Word shows them.

python-docx opens the package (its parts found by their relationships, as Word finds them) and
reads the document's properties (title, author, keywords, created). The body is walked in the
order of Word's XML, so the text in content controls, tracked insertions, hyperlinks, fields and
text boxes is read, and deleted text, field codes and a text box's legacy copy are not.

The text is written as an HTML page's extracted text is (markup "page"): a paragraph a line, a
heading (by its style's outline level, or a short paragraph all in bold) opened as Markdown's,
list items with the bullet or number Word shows, a table's rows as Markdown's, code (a style
named for it) fenced, a footnote after the paragraph citing it. A .docx has no lines, and its
pages exist only once it is laid out, so a passage's reference is its paragraphs:
``report.docx:¶12-14`` counts the document's paragraphs with text in order, a heading, a list
item or a table's row each one.
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
from .types import DOCX, Article, Skip
from .walk import ReadStats
from .wordlists import Numbering, W, prop
from .zipped import skipped

_MATH_TEXT = "{http://schemas.openxmlformats.org/officeDocument/2006/math}t"
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_UNPACKED_BYTES = 1024 * 2**20
# Not the text a reader sees: deleted and moved-away text, properties, a text box's legacy copy
_UNSEEN = {W + "del", W + "moveFrom", W + "pPr", W + "rPr", W + "sectPr", W + "tblPr", W + "trPr",
           W + "tcPr", _FALLBACK, W + "commentReference", W + "annotationRef"}
_HEADING_NAME = re.compile(r"heading ([1-9])")
_CODE_STYLE = re.compile(r"\bcode\b|preformatted|macro text|source code")
_SKIPPED_STYLE = re.compile(r"toc |toc heading|table of (?:contents|figures)|index \d")
_SENTENCE_END = re.compile(r"[.!?;,]$")
_MAX_BOLD_HEADING = 90  # characters: a bold paragraph longer than this is emphasis, not a heading


class _Styles:
    """A document's paragraph and character styles, each with those it is based on."""

    def __init__(self, element) -> None:
        styles = list(element.iter(W + "style")) if element is not None else []
        self.by_id = {s.get(W + "styleId"): s for s in styles}
        self.default = next((s.get(W + "styleId") for s in styles
                             if s.get(W + "type") == "paragraph" and s.get(W + "default") in ("1", "true")), None)

    def chain(self, style_id: str | None) -> Iterator:
        seen = set()
        while style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style
            based = style.find(W + "basedOn")
            style_id = based.get(W + "val") if based is not None else None

    def find(self, style_id: str | None, path: str):
        return next((found for s in self.chain(style_id) if (found := s.find(path)) is not None), None)

    def names(self, style_id: str | None) -> list[str]:
        return [(prop(s, "name") or "").lower() for s in self.chain(style_id)]


def read_docx(given: str, absolute: str, stats: ReadStats) -> Iterator[Article]:
    """A Word document as one article, titled by its Title paragraph or its properties."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    if skipped(given, absolute, stats, "a Word document", DOCX, MAX_UNPACKED_BYTES):
        return
    try:
        doc = docx.Document(absolute)
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        stats.skipped.append(Skip(given, None, f"a damaged Word document: it could not be opened ({exc})"))
        return
    reader = _Reader(doc)
    blocks = reader.blocks(doc.element.body)
    if not any(b.text.strip() for b in blocks):
        stats.skipped.append(Skip(given, None, "no text in the Word document"))
        return
    text, anchors = written(blocks)
    props = doc.core_properties
    title = reader.title or meta_text(props.title) or (blocks[0].text if blocks[0].kind == "heading" else None)
    created = props.created
    rec = {"title": title, "author": meta_text(props.author),
           "date": name_date(absolute) or (created.date().isoformat() if created and created.year > 1980 else None),
           "tags": [t.strip() for t in re.split(r"[,;]", props.keywords or "") if t.strip()],
           "metadata": {"subject": props.subject.strip()} if (props.subject or "").strip() else {}}
    article = article_from(rec, given, absolute, 0, text, title, anchors[0][1], lines_mapped=True, markup="page")
    yield dataclasses.replace(article, line_anchors=anchors)


class _Reader:
    """The body's blocks, in order, with the paragraph numbers they are referred to by."""

    def __init__(self, doc) -> None:
        self.styles = _Styles(doc.styles.element)
        numbering = doc.part.numbering_part.element if _has(doc.part, "numbering") else None
        self.numbering = Numbering(numbering, self.styles)
        self.notes = _notes(doc.part)
        self.cited: dict[str, int] = {}  # a footnote's id: the number shown for it
        self.count = 0  # paragraphs with text so far
        self.title: str | None = None
        self.titled = False  # a paragraph in the Title style: headings one level below it

    def blocks(self, container) -> list[Block]:
        out: list[Block] = []
        for child in container:
            tag = child.tag
            if tag == W + "p":
                out += self.paragraph(child)
            elif tag == W + "tbl":
                out += self.table(child)
            elif tag in (W + "sdt", W + "sdtContent", W + "customXml", W + "ins", W + "moveTo", W + "smartTag"):
                out += self.blocks(child)
        return out

    def paragraph(self, p) -> list[Block]:
        ppr = p.find(W + "pPr")
        style = prop(ppr, "pStyle") or self.styles.default
        names = self.styles.names(style)
        boxes: list = []
        notes: list[str] = []
        parts: list[str] = []
        self._text(p, parts, boxes, notes)
        raw = "".join(parts)
        if not raw.strip() or (names and _SKIPPED_STYLE.match(names[0])):
            return [b for box in boxes for b in self.blocks(box)]
        self.count += 1
        number = self.count
        after = [b for box in boxes for b in self.blocks(box)]  # a text box's paragraphs follow its own
        if any(_CODE_STYLE.search(n) for n in names):
            return [Block("code", line.rstrip(), number) for line in raw.replace("\t", "    ").split("\n")] + after
        text = "\n".join(" ".join(line.split()) for line in raw.split("\n") if line.strip())
        level = self._level(ppr, style)
        label = self._label(ppr, style)
        if label and not (label == "-" and level is not None):  # a numbered heading shows its number
            text = f"{label} {text}"
        out = []
        if level is not None:
            if level == 0 and not self.titled:
                self.title, self.titled = " ".join(text.split()), True
            out.append(Block("heading", " ".join(text.split()), number, level + (1 if self.titled else 0) or 1))
        elif label:
            out.append(Block("item", text, number))
        elif len(text) <= _MAX_BOLD_HEADING and "\n" not in text and not _SENTENCE_END.search(text) \
                and self._bold(p, style):
            out.append(Block("heading", text, number))
        else:
            out.append(Block("para", text, number))
        out += [Block("para", f"[{self.cited[i]}] {self.notes[i]}", number) for i in notes if i in self.notes]
        return out + after

    def _text(self, el, out: list[str], boxes: list, notes: list[str]) -> None:
        for child in el:
            tag = child.tag
            if tag in (W + "t", _MATH_TEXT):
                out.append(child.text or "")
            elif tag in (W + "tab", W + "ptab"):
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                out.append("\n")
            elif tag == W + "noBreakHyphen":
                out.append("-")
            elif tag == W + "txbxContent":
                boxes.append(child)
            elif tag in (W + "footnoteReference", W + "endnoteReference"):
                key = ("e" if tag == W + "endnoteReference" else "f") + (child.get(W + "id") or "")
                if key in self.notes:
                    self.cited.setdefault(key, len(self.cited) + 1)
                    out.append(f"[{self.cited[key]}]")
                    notes.append(key)
            elif isinstance(tag, str) and tag not in _UNSEEN:
                self._text(child, out, boxes, notes)

    def _level(self, ppr, style: str | None) -> int | None:
        """A heading's level: 0 for the Title style, 1 for Heading 1 (outline level 0)...; a
        style based on Title (pandoc's Author and Date) is none."""
        own = prop(ppr, "outlineLvl")
        if own is None:
            for i, s in enumerate(self.styles.chain(style)):
                name = (prop(s, "name") or "").lower()
                if name == "title":
                    return None if i else 0
                m = _HEADING_NAME.fullmatch(name)
                own = prop(s.find(W + "pPr"), "outlineLvl") or (str(int(m[1]) - 1) if m else None)
                if own is not None:
                    break
        return int(own) + 1 if own and own.isdigit() and int(own) < 9 else None

    def _label(self, ppr, style: str | None) -> str | None:
        num = ppr.find(W + "numPr") if ppr is not None else None
        if num is None:
            num = self.styles.find(style, W + "pPr/" + W + "numPr")
        num_id = prop(num, "numId")
        if not num_id or num_id == "0":
            return None
        ilvl = prop(num, "ilvl") or "0"
        return self.numbering.label(num_id, int(ilvl) if ilvl.isdigit() else 0)

    def _bold(self, p, style: str | None) -> bool:
        """Whether every run of the paragraph with text is bold, as Word shows it."""
        runs = [r for r in p.iter(W + "r") if "".join(t.text or "" for t in r.iter(W + "t")).strip()]
        return bool(runs) and all(self._run_bold(r, style) for r in runs)

    def _run_bold(self, r, style: str | None) -> bool:
        rpr = r.find(W + "rPr")
        for found in (rpr.find(W + "b") if rpr is not None else None,
                      self.styles.find(prop(rpr, "rStyle"), W + "rPr/" + W + "b"),
                      self.styles.find(style, W + "rPr/" + W + "b")):
            if found is not None:
                return found.get(W + "val") not in ("0", "false", "off")
        return False

    def table(self, tbl) -> list[Block]:
        rows = [tr for tr in tbl.iter(W + "tr") if enclosing(tr, W + "tbl") is tbl]
        cells = [[tc for tc in tr.iter(W + "tc") if enclosing(tc, W + "tbl") is tbl] for tr in rows]
        if len(rows) < 2 or max(map(len, cells), default=0) < 2:  # a box or a layout: its text as text
            return [b for row in cells for tc in row for b in self.blocks(tc)]

        def texts(row) -> list[str]:
            shown = []
            for tc in row:
                merged = tc.find(W + "tcPr/" + W + "vMerge")
                cell = " ".join(b.text.replace("\n", " ") for b in self.blocks(tc))
                shown.append("" if merged is not None and merged.get(W + "val") != "restart" else cell)
                shown += [""] * (int(prop(tc.find(W + "tcPr"), "gridSpan") or 1) - 1)
            return shown

        return table_rows(self, cells, texts)


def _has(part, kind: str) -> bool:
    return any(rel.reltype.endswith("/" + kind) for rel in part.rels.values() if not rel.is_external)


def _notes(part) -> dict[str, str]:
    """Footnotes and endnotes by ``f`` or ``e`` and their id: their text, a paragraph each joined."""
    from docx.oxml.parser import parse_xml

    notes = {}
    for rel in part.rels.values():
        kind = rel.reltype.rsplit("/", 1)[-1]
        if rel.is_external or kind not in ("footnotes", "endnotes"):
            continue
        for note in parse_xml(rel.target_part.blob).iter(W + kind[:-1]):
            if note.get(W + "type") in (None, "normal"):
                text = " ".join("".join(t.text or "" for t in p.iter(W + "t")) for p in note.iter(W + "p"))
                if text.strip():
                    notes[kind[0] + (note.get(W + "id") or "")] = " ".join(text.split())
    return notes
