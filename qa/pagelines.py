"""Where each sentence of an HTML page's extracted text sits in the page's source.

trafilatura gives the main text as paragraphs, one per line, without positions. Each sentence's
opening and close are found, in order, in the page's own text as lxml parses it (text nodes cut
at their source lines), so a passage's reference is the lines its first and last sentences are on.
"""

from __future__ import annotations

import bisect
import re

from .pagemeta import parsed

_SKIP = {"head", "script", "style", "noscript", "template", "svg"}
_SPACE = re.compile(r"\s+")
# trafilatura's list item and table row openings, and the marks of headings (qa.htmlpage)
_LEAD = re.compile(r"^(?:[-*•]\s+|\|\s*|#{1,6}\s+)")
KEY_CHARS = 40  # a sentence's opening (and close) this long is sought in the page's text
NEAR = 5000  # characters of the page (menus, figures, asides) a sentence may lie past the last
SHORT = 12  # an opening shorter than this is sought only a tenth as far (it recurs too easily)


def page_text(data: bytes) -> tuple[str, list[int], list[int]]:
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

    # libxml2 gives no line past 65,535 (it says 65,535), so from there on the walk counts the
    # lines itself: those of text, and of comments and skipped elements too.
    for event, el in lxml.etree.iterwalk(root, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if not skipping:
                line += (el.text or "").count("\n")
                add(el.tail)
            continue
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            line = max(line, el.sourceline or line)
            if tag in _SKIP:
                if not skipping:
                    line += lxml.etree.tostring(el, encoding=str, with_tail=False).count("\n")
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
        cells = [_SPACE.sub(" ", c).strip() for c in line.strip().strip("|").split("|") if c.strip()]
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
    page, starts, lines = page_text(data)
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
