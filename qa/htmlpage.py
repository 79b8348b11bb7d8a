"""HTML pages: the main text by trafilatura, and where each of its sentences sits in the source.

trafilatura gives the main text as paragraphs, one per line, without positions. Each sentence's
opening and close are found, in order, in the page's own text as lxml parses it (text nodes cut
at their source lines), so a passage's reference is the lines its first and last sentences are on.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import re
from collections.abc import Iterator

from .pagemeta import heading_chrome, own_title, page_date, parsed
from .records import article_from
from .types import Article, Skip
from .walk import ReadStats

_SKIP = {"head", "script", "style", "noscript", "template", "svg"}
_SPACE = re.compile(r"\s+")
# trafilatura's list item and table row openings, and the marks of headings (:func:`_headings_marked`)
_LEAD = re.compile(r"^(?:[-*•]\s+|\|\s*|#{1,6}\s+)")
_LEVEL = re.compile(r"h([1-6])")
KEY_CHARS = 40  # a sentence's opening (and close) this long is sought in the page's text
NEAR = 5000  # characters of the page (menus, figures, asides) a sentence may lie past the last
SHORT = 12  # an opening shorter than this is sought only a tenth as far (it recurs too easily)


def _page_text(data: bytes) -> tuple[str, list[int], list[int]]:
    """The page's visible text with whitespace collapsed, the offsets where its pieces start in
    it, and the source line of each (a piece: a text node's part on one source line)."""
    import lxml.etree

    try:
        root = parsed(data)
    except (lxml.etree.ParserError, ValueError):
        return "", [], []
    parts: list[str] = []
    starts: list[int] = []
    lines: list[int] = []
    size = 0
    line = 1  # where the walk is in the source: a start tag's line, or the end of a text before
    skipping = 0

    def add(text: str | None) -> None:
        """A text node, line by line: each of its source lines starts a piece."""
        nonlocal size, line
        if not text:
            return
        for k, segment in enumerate(text.split("\n")):
            piece = _SPACE.sub(" ", segment if k == 0 else " " + segment)
            if parts and parts[-1].endswith(" ") and piece.startswith(" "):
                piece = piece[1:]
            if piece:
                starts.append(size)
                lines.append(line + k)
                parts.append(piece)
                size += len(piece)
        line += text.count("\n")

    for event, el in lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if not skipping:
                add(el.tail)
            continue
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            line = max(line, el.sourceline or line)
            if tag in _SKIP:
                skipping += 1
            elif not skipping:
                add(el.text)
        else:
            if tag in _SKIP:
                skipping -= 1
            if not skipping:
                add(el.tail)
    return "".join(parts), starts, lines


def _ends(line: str) -> tuple[str, str]:
    """The opening and the close of one extracted line, as they read in the page's text (a list
    item without its marker, a table row by its first and last cells)."""
    line = _LEAD.sub("", line.strip()) if not line.lstrip().startswith("|") else line
    if line.lstrip().startswith("|"):
        cells = [c.strip() for c in line.strip().strip("|").split("|") if c.strip()]
        return (cells[0], cells[-1]) if cells else ("", "")
    flat = _SPACE.sub(" ", line).strip()
    return flat[:KEY_CHARS].strip(), flat[-KEY_CHARS:].strip()


def _probes(text: str) -> list[tuple[int, int, str, int]]:
    """``(offset, 0 for an opening or 1 for a close, key, span length)`` of every line and
    sentence of ``text``, in text order: what is sought in the page to place it."""
    from .chunker import split_sentences

    spans = [(m.start(), m.end()) for m in re.finditer(r"[^\n]*\S[^\n]*", text)]
    spans += split_sentences(text, line_blocks=True)  # sentences open and close inside lines too
    probes = {}
    for a, b in spans:
        first = text[a : text.find("\n", a, b) if "\n" in text[a:b] else b]
        last = text[text.rfind("\n", a, b) + 1 if "\n" in text[a:b] else a : b]
        head, _ = _ends(first)
        _, tail = _ends(last)
        if head:
            probes.setdefault((a, 0), (head, b - a))
        if tail:
            probes.setdefault((b - 1, 1), (tail, b - a))
    return [(offset, kind, key, size) for (offset, kind), (key, size) in sorted(probes.items())]


def sentence_lines(data: bytes, text: str) -> tuple[tuple[int, int], ...]:
    """``(offset in text, source line)`` where the lines and sentences of ``text`` (trafilatura's
    extract of ``data``) open and close, for those found in the page's own text, in order.

    A passage starts at a sentence (or, inside an overlong one, a line), so its first line is
    exact; text not found takes the line of the anchor before it.
    """
    page, starts, lines = _page_text(data)
    if not page:
        return ()
    anchors: list[tuple[int, int]] = []

    def add(offset: int, position: int) -> None:
        line = lines[bisect.bisect_right(starts, position) - 1]
        if not anchors or (offset > anchors[-1][0] and line >= anchors[-1][1]):
            anchors.append((offset, line))

    cursor = opened = 0
    for offset, kind, key, size in _probes(text):
        if kind == 0:
            # Near where the last one was found: a short opening ("}", "Hello!") that recurs must
            # not jump the search to a later occurrence and lose everything in between.
            found = page.find(key, cursor, cursor + (NEAR if len(key) >= SHORT else NEAR // 10) + len(key))
            if found < 0 and len(key) >= KEY_CHARS // 2:
                found = page.find(key, cursor)
            if found >= 0:
                add(offset, found)
                opened = cursor = found
        else:  # a close: within its line's or sentence's own length of the last opening (its
            # key may begin before that, when a sentence opened inside its line)
            found = page.find(key, max(0, opened - len(key)), opened + 2 * size + len(key) + 100)
            if found >= 0:
                add(offset, found + len(key) - 1)
                cursor = max(cursor, found + len(key))
    return tuple(anchors)


def line_at(anchors: tuple[tuple[int, int], ...], offset: int, default: int) -> int:
    """The source line of the paragraph holding character ``offset`` of the text."""
    i = bisect.bisect_right(anchors, (offset, float("inf"))) - 1
    return anchors[i][1] if i >= 0 else default


def read_html(given: str, absolute: str, data: bytes, stats: ReadStats) -> Iterator[Article]:
    """A page as one article: main text, title, URL and date by trafilatura, lines by lxml."""
    import trafilatura

    extracted = trafilatura.bare_extraction(
        _unwrapped(data), with_metadata=True, include_comments=False, include_tables=True, config=_config()
    )
    doc = extracted.as_dict() if extracted is not None else {}
    text = doc.get("text") or ""
    if not text.strip():
        stats.skipped.append(Skip(given, None, "no main text found in the HTML page"))
        return
    marked, bare = _headings_marked(text.strip(), extracted.body)
    rec = {
        "title": own_title(bare.get(doc.get("title"), doc.get("title")), data),
        "url": doc.get("url"),
        "date": page_date(data),
        "author": doc.get("author"),
        "tags": doc.get("tags") or doc.get("categories") or (),
        "metadata": {"sitename": doc.get("sitename")} if doc.get("sitename") else {},
    }
    text, kept, cuts = _chrome_cut(marked)
    article = article_from(rec, given, absolute, 0, text, rec["title"], 1, lines_mapped=False)
    # Lines are placed by the text as the page has it, permalinks and all (a heading's "#" is
    # what tells it from its entry in the table of contents), then moved past what was cut.
    anchors = _shifted(sentence_lines(data, kept), cuts)
    if anchors:  # passages point at the source lines of their paragraphs
        article = dataclasses.replace(article, line_start=anchors[0][1], lines_mapped=True, line_anchors=anchors)
    yield article


def _headings_marked(text: str, body) -> tuple[str, dict[str, str]]:
    """The extracted text with its headings' lines opened as Markdown's are (``## Usage``), so
    passages know the section they are in and cards show headings as headings, and their chrome
    marked (:func:`heading_chrome`); and each heading that has chrome, without it, by its text
    with it. trafilatura writes each heading (``<head rend="h2">`` in its tree) as a line of its
    own, in order; its text loses the marks, its tree keeps them."""
    from .markdown import structural

    lines = text.split("\n")
    flat = [" ".join(line.split()) for line in lines]
    marked, at, bare = set(), 0, {}
    for head in body.iter("head") if body is not None else ():
        shown = " ".join("".join(head.itertext()).split())
        name = " ".join(shown.replace(_OPEN, "").replace(_CLOSE, "").split())
        level = _LEVEL.fullmatch(head.get("rend") or "")
        try:
            found = flat.index(name, at) if name else -1
        except ValueError:
            continue
        if found >= 0:
            if shown != name:
                bare[name] = _unchromed(shown)
            lines[found] = "#" * (int(level.group(1)) if level else 2) + " " + (
                shown if shown != name else lines[found].strip())
            marked.add(found)
            at = found + 1
    # Other lines that read as Markdown structure (a "# comment" in code, a "---" or "```" line)
    # are indented past it: a browser does not show the spaces, and the outline skips them.
    return "\n".join(f"    {line}" if i not in marked and structural(line) else line
                     for i, line in enumerate(lines)), bare


# Around the chrome in headings (pagemeta.heading_chrome) while the page is read; cut after.
_OPEN, _CLOSE = "\ue010", "\ue011"
_MARKED = re.compile(f"[ \\t]*{_OPEN}[^{_CLOSE}]*{_CLOSE}(?=[{_OPEN}\\n]|\\Z)|{_OPEN}[^{_CLOSE}]*{_CLOSE}[ \\t]*"
                     f"|[{_OPEN}{_CLOSE}]")
def _chrome_cut(marked: str) -> tuple[str, str, list[tuple[int, int]]]:
    """The text without the marked heading chrome, the text with it (and without the marks),
    and where each cut was in the latter: ``(offset, length)``."""
    cuts, marks = [], 0
    for m in _MARKED.finditer(marked):
        inside = m.group().count(_OPEN) + m.group().count(_CLOSE)
        if len(m.group()) > inside:
            cuts.append((m.start() - marks, len(m.group()) - inside))
        marks += inside
    return _MARKED.sub("", marked), marked.replace(_OPEN, "").replace(_CLOSE, ""), cuts


def _unchromed(marked: str) -> str:
    return " ".join(_MARKED.sub(" ", marked).split())


def _shifted(anchors: tuple[tuple[int, int], ...], cuts: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """``anchors`` (offsets in the text before ``cuts``) as offsets in the text after them; an
    anchor inside a cut moves to where it was."""
    if not cuts:
        return anchors
    starts = [start for start, _ in cuts]
    before = list(itertools.accumulate((size for _, size in cuts), initial=0))
    out: list[tuple[int, int]] = []
    for offset, line in anchors:
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0:
            offset = starts[i] - before[i] if offset < starts[i] + cuts[i][1] else offset - before[i + 1]
        if out and out[-1][0] == offset:
            out.pop()  # line_at takes the last anchor at an offset
        out.append((offset, line))
    return tuple(out)


def _unwrapped(data: bytes):
    """The page as trafilatura parses it, with the line breaks inside its text made spaces.

    trafilatura keeps a paragraph's source line breaks (generated documentation wraps its HTML
    at 80 columns), so its text broke mid-sentence and a card showed the page's wrapping;
    a browser joins those lines. Code blocks keep theirs, as does an explicit ``<br>``.
    """
    from trafilatura.utils import load_html

    tree = load_html(data)
    if tree is None:
        return data  # trafilatura reports it as it would have
    for e in heading_chrome(tree):
        words = "".join(e.itertext())
        for child in list(e):
            e.remove(child)
        e.text = _OPEN + words + _CLOSE
    kept = {e for pre in tree.iter("pre", "textarea") for e in pre.iter()}
    for e in tree.iter():
        if e.text and e not in kept and isinstance(e.tag, str):
            e.text = _BREAK.sub(" ", e.text)
        if e.tail and e.getparent() not in kept:
            e.tail = _BREAK.sub(" ", e.tail)
    return tree


_BREAK = re.compile(r"[\r\n]+")


def _config():
    """trafilatura's settings, without its extensive date search: that one takes a year anywhere
    in the page (a copyright line, a class name like ``edition2024``) for 1 January of it.
    :func:`page_date` does that search, and keeps only the dates it finds whole."""
    global _CONFIG
    if _CONFIG is None:
        from trafilatura.settings import use_config

        _CONFIG = use_config()
        _CONFIG.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return _CONFIG


_CONFIG = None
