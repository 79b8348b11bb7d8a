"""PDF files: the text of their pages by PDFium (pypdfium2), read back into paragraphs and headings.

A PDF holds positioned lines, not paragraphs. Each page's lines come with where they sit (their
left and right edges, baseline and font size), and a line opens a paragraph when the space above
it, its indent, its size or a bullet says so, or the line before it ended short of the column's
edge. Paragraphs are written a line each, headings (lines larger than the body text) opened as
Markdown's, as an HTML page's extracted text is (markup "page"), so cards show headings and hits
name their section. Lines repeated at the top or bottom of pages (running heads, page numbers)
are left out. A passage's reference is its pages: the article's "lines" are the PDF's pages.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from .dates import name_date
from .markdown import structural
from .pdfmeta import is_pdf, meta_text, pdf_date, why_unreadable
from .records import article_from
from .types import Article, Skip
from .walk import ReadStats

MAX_PDF_BYTES = 1024 * 2**20  # PDFium reads the file as it needs it: a book with its images is fine
HEADING_RATIO = 1.15  # a line this much larger than the body text is a heading
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BULLET = re.compile(r"[•◦▪‣●○■□–—*-]\s|\(?(?:\d{1,2}|[a-z]|[ivx]{1,4})[.)]\s|\[\d{1,3}\]\s")  # [1]: a reference
_FOLIO = re.compile(r"(?i)[-–—\s]*(?:page\s*)?(?:\d{1,4}|[ivxlc]{1,6})(?:\s*(?:of|/)\s*\d{1,4})?[-–—\s]*")
_END_NUMBERS = re.compile(r"^(\d{1,4})\b|\b(\d{1,4})$")
_LEADERS = re.compile(r"(?:\.\s*){5}")
_BOLD_NAME = re.compile(r"(?i)bold|black|heavy")
_TERMINAL_SENTENCE = re.compile(r"[.!?;,]$")
_TERMINAL = re.compile(r"[.!?:;\"”’)\]]$")
# U+0002 or U+FFFE: PDFium's mark for a hyphen that broke a word at the line's end; and the
# ligatures a font without a text map leaves in (U+FB01 "fi"), as the letters they join
_UNHYPHENATED = {**dict.fromkeys(map(ord, "\x00\x02\ufffe")),
                 **{c: unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}}
_BROKEN_NAME = re.compile(r"[A-Za-z0-9]_$")
_REPEATED = 3  # a line at the top or bottom of this many pages (numbers aside) is a running head


@dataclass
class _Line:
    text: str
    left: float
    right: float
    base: float  # baseline, in PDF units from the page's bottom
    last_base: float  # the last character's: lower when a hyphen joined the next line to it
    size: float
    page: int  # 1-based
    lead: float  # the width of its first word: would it have fitted on the line before?
    weight: float = -1.0  # its font's weight (the least of a few of its characters'); -1: not known
    bold_heading: bool = False  # a heading in bold at the body text's size (qa.pdf._bold_headings)


def read_pdf(given: str, absolute: str, stats: ReadStats) -> Iterator[Article]:
    """A PDF as one article: its pages' paragraphs, titled by its metadata or its largest line."""
    import pypdfium2 as pdfium

    try:
        size = os.stat(absolute).st_size
        with open(absolute, "rb") as fh:
            head = fh.read(1024)
    except OSError as exc:
        stats.skipped.append(Skip(given, None, f"cannot read: {exc.strerror or exc}"))
        stats.unread.add(absolute)
        return
    if not size:
        stats.skipped.append(Skip(given, None, "empty file"))
        return
    if not is_pdf(head):
        stats.skipped.append(Skip(given, None, "not a PDF (it does not open with %PDF-)"))
        return
    if size > MAX_PDF_BYTES:
        stats.skipped.append(Skip(given, None, f"file too large ({size // 2**20} MB, limit {MAX_PDF_BYTES // 2**20} MB)"))
        return
    try:
        doc = pdfium.PdfDocument(absolute)
    except pdfium.PdfiumError as exc:
        stats.skipped.append(Skip(given, None, why_unreadable(str(exc))))
        return
    try:
        meta = doc.get_metadata_dict(skip_empty=True)
        pages = [_rows(_page_lines(doc, i)) for i in range(len(doc))]
    finally:
        doc.close()
    lines = [line for page in pages for line in page]
    if not any(any(c.isalnum() for c in line.text) for line in lines):
        stats.skipped.append(Skip(given, None, "no text in the PDF (scanned pages are images: "
                                  "add a text layer with OCR first, e.g. ocrmypdf)"))
        return
    body = _body_size(lines)
    pages = _without_running_heads(pages, body)
    lines = [line for page in pages for line in page]
    spacing = _spacing(lines)
    _bold_headings(lines, body, spacing)
    text, anchors = _written(lines, body, spacing)
    title = _title(meta_text(meta.get("Title")), pages, body)
    rec = {"title": title, "date": name_date(absolute) or pdf_date(meta.get("CreationDate")),
           "author": meta_text(meta.get("Author")),
           "tags": [t.strip() for t in re.split(r"[,;]", meta.get("Keywords", "")) if t.strip()],
           "metadata": {"subject": meta["Subject"]} if meta.get("Subject", "").strip() else {}}
    article = article_from(rec, given, absolute, 0, text, title, anchors[0][1], lines_mapped=True, markup="page")
    yield dataclasses.replace(article, line_anchors=anchors)


def _page_lines(doc, index: int) -> list[_Line]:
    """The page's text lines, as PDFium orders them (columns one after another)."""
    import pypdfium2.raw as raw

    page = doc[index]
    try:
        tp = page.get_textpage()
        try:
            text = tp.get_text_range()
            count = tp.count_chars()
            out, pos, char = [], 0, 0
            x, y = ctypes.c_double(), ctypes.c_double()

            def origin(i: int) -> float:  # the baseline's height at character i
                raw.FPDFText_GetCharOrigin(tp, i, x, y)
                return y.value

            for m in [*_LINE_BREAK.finditer(text), None]:
                end = m.start() if m else len(text)
                raw_line = text[pos:end]

                def at(k: int, raw_line=raw_line, char=char) -> int:
                    """The character index of the line's k-th: PDFium counts one beyond the BMP as
                    two (kept within the page, should a text count otherwise)."""
                    return min(char + k + sum(ord(c) > 0xFFFF for c in raw_line[:k]), count - 1)

                line = " ".join(raw_line.translate(_UNHYPHENATED).split())
                if line:
                    first = len(raw_line) - len(raw_line.lstrip())
                    last = len(raw_line.rstrip()) - 1
                    space = raw_line.find(" ", first)
                    left = tp.get_charbox(at(first))[0]
                    right = max(tp.get_charbox(at(last))[2], left)
                    lead = tp.get_charbox(at(space - 1))[2] - left if space > first else right - left
                    # a bullet, a drop cap or a word in code may be in another size than the line;
                    # a few of its letters tell (a space PDFium adds has no font)
                    shown = [k for k in range(first, last + 1) if not raw_line[k].isspace()]
                    samples = [at(shown[(len(shown) - 1) * q // 4]) for q in range(5)]
                    size = statistics.median(raw.FPDFText_GetFontSize(tp, k) for k in samples)
                    weight = min(_weight(tp, k) for k in samples)
                    out.append(_Line(line, left, right, origin(at(first)), origin(at(last)), size, index + 1, lead,
                                     weight))
                if m is None:
                    break
                char = at(len(raw_line)) + len(m.group())
                pos = m.end()
            return out
        finally:
            tp.close()
    finally:
        page.close()


def _weight(tp, index: int) -> float:
    """The weight of a character's font: as the font states it, else by its name (PDF's standard
    fonts, not embedded, state none: ``Helvetica-Bold``)."""
    import pypdfium2.raw as raw

    weight = raw.FPDFText_GetFontWeight(tp, index)
    if weight > 0:
        return weight
    flags = ctypes.c_int()
    size = raw.FPDFText_GetFontInfo(tp, index, None, 0, flags)
    name = ctypes.create_string_buffer(max(size, 1))
    raw.FPDFText_GetFontInfo(tp, index, name, size, flags)
    return 700.0 if _BOLD_NAME.search(name.value.decode("latin-1")) else 400.0


def _rows(lines: list[_Line]) -> list[_Line]:
    """Lines PDFium read apart that sit on one row: a superscript (a footnote's mark, an
    author's affiliation), a subscript, or the words after one, joined to the line they follow."""
    out: list[_Line] = []
    for line in lines:
        prev = out[-1] if out else None
        big = max(prev.size, line.size) if prev else 0.0
        rise = abs(line.base - prev.last_base) / big if prev else 1.0
        if prev is None or not (-0.5 <= line.left - prev.right < 3 * big
                                and (rise < 0.3 or rise < 0.6 and min(prev.size, line.size) < 0.85 * big)):
            out.append(line)
            continue
        glue = "" if line.size < prev.size or line.text[0] in ",.;:)]" else " "
        main = prev if len(prev.text) >= len(line.text) else line
        out[-1] = dataclasses.replace(prev, text=prev.text + glue + line.text, right=line.right,
                                      base=main.base, last_base=main.last_base, size=main.size)
    return out


def _without_running_heads(pages: list[list[_Line]], body: float) -> list[list[_Line]]:
    """Pages without the lines at their top or bottom that are page numbers, alone or in a
    running head ("Chapter 2: Naming 3": its number follows the pages), or that recur there
    (numbers aside) on several pages: a journal's name, a chapter's title."""

    def key(line: _Line) -> tuple[str, float]:  # a document's title on its first page is larger
        return re.sub(r"\d+", "#", line.text.lower()), round(line.size)

    def edges(page: list[_Line]) -> list[_Line]:
        """The lines at its top and bottom set apart from the rest (by space or size): one or
        two at each end (a journal's name over its issue), in the order PDFium reads them."""
        if len(page) < 3:
            return page
        out = []
        for end in (page, page[::-1]):
            second = len(end) > 3 and _apart(end[1], end[2])
            out += end[: 2 if second else int(_apart(end[0], end[1]))]
        return out

    def folios(line: _Line) -> set[int]:
        """The page's number less the numbers a short line opens or ends with (not a heading:
        a chapter's "2 Naming" atop its page)."""
        if len(line.text) > 120 or line.size >= body * HEADING_RATIO:
            return set()
        return {int(m[1] or m[2]) - line.page for m in _END_NUMBERS.finditer(line.text)}

    need = min(_REPEATED, len(pages))
    seen = Counter(k for page in pages for k in {key(line) for line in edges(page)})
    offsets = Counter(o for page in pages for o in set().union(*map(folios, edges(page))))
    numbered = {o for o, n in offsets.items() if n >= need > 1}
    out = []
    for page in pages:
        drop = {id(line) for line in edges(page)
                if _FOLIO.fullmatch(line.text) or folios(line) & numbered
                or seen[key(line)] >= need > 1}
        out.append([line for line in page if id(line) not in drop])
    return out


def _apart(a: _Line, b: _Line) -> bool:
    """Whether two lines are set apart: in sizes, or by more than a paragraph's space."""
    return max(a.size, b.size) > 1.12 * min(a.size, b.size) or abs(a.base - b.base) > 2 * max(a.size, b.size)


def _body_size(lines: list[_Line]) -> float:
    """The font size most of the text is in."""
    sizes = Counter()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.text)
    return sizes.most_common(1)[0][0]


def _heading(line: _Line, body: float) -> bool:
    """Larger than the body text, or a bold heading in its size; not a table of contents' entry
    (dot leaders to its page)."""
    return line.bold_heading or (line.size >= body * HEADING_RATIO and len(line.text) <= 200
                                 and any(c.isalpha() for c in line.text) and not _LEADERS.search(line.text))


def _bold_headings(lines: list[_Line], body: float, spacing: dict[float, float]) -> None:
    """Mark the headings set in the body text's size but bold (a paper's "2.1 Sampling", a Word
    document's): a short line in bold throughout, heavier than the body text's weight, with no
    sentence's end, no bullet, and space above it (or atop a page or column), which a bold
    table header row or a bold sentence in a paragraph lacks."""
    weights = Counter()
    for line in lines:
        if abs(line.size - body) < 0.5 and line.weight > 0:
            weights[round(line.weight, -1)] += len(line.text)
    if not weights:
        return
    normal = weights.most_common(1)[0][0]
    for prev, line in zip([None, *lines], lines, strict=False):
        spaced = (prev is None or prev.page != line.page or line.base > prev.last_base
                  or prev.last_base - line.base > 1.3 * spacing.get(round(prev.size, 1), 1.2 * prev.size))
        line.bold_heading = (spaced and line.weight >= 1.15 * normal and abs(line.size - body) < 0.12 * body
                             and len(line.text) <= 80 and any(c.isalpha() for c in line.text)
                             and not _TERMINAL_SENTENCE.search(line.text) and not _BULLET.match(line.text)
                             and not _LEADERS.search(line.text))


def _written(lines: list[_Line], body: float, spacing: dict[float, float]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The text, a paragraph or heading a line, and (offset, page) where each page starts."""
    levels = {s: min(i + 1, 4) for i, s in enumerate(sorted({round(ln.size, 1) for ln in lines
                                                              if _heading(ln, body) and not ln.bold_heading},
                                                             reverse=True))}
    edge = _edges(lines)
    blocks: list[list[_Line]] = []
    for prev, line in zip([None, *lines], lines, strict=False):
        if prev is None or _opens(blocks[-1][0], prev, line, body, spacing, edge):
            blocks.append([line])
        else:
            blocks[-1].append(line)
    parts, anchors, size = [], [], 0
    for block in blocks:
        level = None
        if _heading(block[0], body):  # a bold heading in the body's size is the least
            level = levels.get(round(block[0].size, 1)) or min(len(levels) + 1, 4)
        # A paragraph that would read as a heading or fence (a "# comment" of code) is indented
        # past it, as an HTML page's is (qa.htmlpage).
        piece = "#" * level + " " if level else "    " if structural(block[0].text) else ""
        for line in block:
            # an identifier broken after its underscore (Texinfo's manuals: "asn1_der_" "decoding()") is one word
            if piece.strip() and not piece.endswith(" ") and not (_BROKEN_NAME.search(piece) and line.text[:1].isalnum()):
                piece += " "
            if not anchors or line.page != anchors[-1][1]:  # a block's page is where it opens
                anchors.append((size + (0 if line is block[0] else len(piece)), line.page))
            piece += line.text
        parts.append(piece)
        size += len(piece) + 1
    return "\n".join(parts), tuple(anchors)


def _spacing(lines: list[_Line]) -> dict[float, float]:
    """The usual distance between the baselines of a paragraph's lines, by font size."""
    gaps: dict[float, list[float]] = {}
    for a, b in zip(lines, lines[1:], strict=False):
        d = a.base - b.base
        if a.page == b.page and abs(a.size - b.size) < 0.5 and 0.8 * a.size < d < 3 * a.size:
            gaps.setdefault(round(a.size, 1), []).append(d)
    return {s: statistics.median(g) for s, g in gaps.items()}


def _edges(lines: list[_Line]) -> dict[int, float]:
    """Where each line's column ends: the right edge most lines of its page starting near it
    reach (the 75th percentile, so a wide title or a narrow table does not count)."""
    out = {}
    by_page: dict[int, list[_Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    for page in by_page.values():
        for line in page:
            rights = sorted(o.right for o in page if line.left - 2 * line.size <= o.left <= line.left + 4 * line.size)
            out[id(line)] = rights[(len(rights) * 3) // 4] if rights else line.right
    return out


def _opens(first: _Line, a: _Line, b: _Line, body: float, spacing: dict[float, float],
           edge: dict[int, float]) -> bool:
    """Whether line ``b`` opens a paragraph after line ``a``, in the paragraph ``first`` opened."""
    if _heading(a, body) != _heading(b, body) or max(a.size, b.size) > 1.12 * min(a.size, b.size):
        return True
    short = a.right + 0.3 * a.size + b.lead < edge[id(a)] - 0.5 * a.size
    if _heading(a, body):  # a heading over two lines, centred or not; or two headings
        aligned = abs(a.left - b.left) < 0.5 * a.size
        return a.last_base - b.base > 1.6 * a.size or b.base > a.last_base or (aligned and short)
    if _BULLET.match(b.text):
        return True
    new_column = b.page != a.page or b.base > a.last_base + 0.3 * a.size or b.right < a.left or b.left > a.right
    if new_column:  # a paragraph goes on over a column or page when its sentence does
        return bool(_TERMINAL.search(a.text)) and not b.text[:1].islower()
    if abs(b.base - a.last_base) <= 0.3 * a.size:  # on the same baseline: one line in two pieces
        return False
    usual = spacing.get(round(a.size, 1), 1.2 * a.size)
    if a.last_base - b.base > 1.4 * usual:
        return True
    # indented: a paragraph's first line, or a quote or code; a list item's next lines hang
    if b.left > a.left + 0.6 * b.size and not (_BULLET.match(first.text) and b.left <= first.left + 4 * b.size):
        return True
    # ended short: the next line's first word would have fitted after it (a paragraph's end, a
    # heading, a line of code or of a list); a full line of ragged text ends short of the edge too
    return short


def _title(given: str | None, pages: list[list[_Line]], body: float) -> str:
    """The first page's largest line (with the lines right below it of its size: a title over
    two lines) when larger than the body text, unless the metadata's title is elsewhere on that
    page (the largest line a journal's banner) and not part of it (a page's shorter title).
    Empty without either: titled by its first sentence."""
    first = next((p for p in pages if p), [])
    top = max((line.size for line in first), default=0.0)
    if top < body * HEADING_RATIO:
        return given or ""
    at = next(i for i, line in enumerate(first) if line.size == top)
    words = [first[at].text]
    for prev, line in zip(first[at:], first[at + 1:], strict=False):
        if line.size != top or not 0 < prev.base - line.base < 2 * top:
            break
        words.append(line.text)
    largest = " ".join(words)[:200]
    if given:
        loose = lambda t: " ".join(t.lower().split())  # noqa: E731
        if loose(given) in loose(" ".join(line.text for line in first)) and loose(given) not in loose(largest):
            return given
    return largest
