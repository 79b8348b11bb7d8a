"""HTML pages: the main text by trafilatura, and where each of its sentences sits in the source.

trafilatura gives the main text as paragraphs, one per line, without positions. Each sentence's
opening and close are found, in order, in the page's own text as lxml parses it (text nodes cut
at their source lines), so a passage's reference is the lines its first and last sentences are on.
"""

from __future__ import annotations

import bisect
import dataclasses
import html
import re
from collections.abc import Iterator

from .pagemeta import heading_chrome, own_title, page_date, parsed
from .records import article_from
from .types import Article, Skip
from .walk import ReadStats

_SKIP = {"head", "script", "style", "noscript", "template", "svg"}
_SPACE = re.compile(r"\s+")
# trafilatura's list item and table row openings, and the marks of headings (:func:`_blocks_marked`)
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
    marked, bare = _blocks_marked(text.strip(), extracted.body)
    rec = {
        "title": own_title(bare.get(doc.get("title"), doc.get("title")), data),
        "url": doc.get("url"),
        "date": page_date(data),
        "author": doc.get("author"),
        "tags": doc.get("tags") or doc.get("categories") or (),
        "metadata": {"sitename": doc.get("sitename")} if doc.get("sitename") else {},
    }
    text, kept, edits = _edited(marked)
    article = article_from(rec, given, absolute, 0, text, rec["title"], 1, lines_mapped=False)
    # Lines are placed by the text as the page has it, permalinks and all (a heading's "#" is
    # what tells it from its entry in the table of contents), then moved past the edits.
    anchors = _shifted(sentence_lines(data, kept), edits)
    if anchors:  # passages point at the source lines of their paragraphs
        article = dataclasses.replace(article, line_start=anchors[0][1], lines_mapped=True, line_anchors=anchors)
    yield article


def _blocks_marked(text: str, body) -> tuple[str, dict[str, str]]:
    """The extracted text with its headings' lines opened as Markdown's are (``## Usage``) and
    its code blocks fenced as Markdown's, so passages know the section they are in and cards show
    headings as headings and code as code; the chrome in headings marked (:func:`heading_chrome`)
    and the fence lines marked as added. Also each heading that has chrome, without it, by its
    text with it. trafilatura writes each heading (``<head rend="h2">`` in its tree) as a line
    of its own and a code block as its lines, in order; its text loses the marks, its tree
    keeps them."""
    from .markdown import structural

    lines = text.split("\n")
    flat = [" ".join(line.split()) for line in lines]
    headings, at, bare = set(), 0, {}
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
            headings.add(found)
            at = found + 1
    at = 0
    for item in body.iter("item") if body is not None else ():  # a definition term, as a list item
        shown = " ".join("".join(item.itertext()).split())
        if _OPEN in shown:
            name = " ".join(shown.replace(_OPEN, "").replace(_CLOSE, "").split())
            found = next((i for i in range(at, len(lines)) if _ITEM_LEAD.sub("", flat[i]) == name), -1)
            if found >= 0:
                lines[found] = _ITEM_LEAD.match(lines[found]).group() + shown
                at = found + 1
    code, at = {}, 0
    for block in _PRE_BLOCK.findall("".join(body.itertext())) if body is not None else ():
        block = [" ".join(html.unescape(line).split()) for line in block.split("\n") if line.strip()]
        found = _find_lines(flat, block, at)
        if found >= 0 and not headings.intersection(range(found, found + len(block))):
            code[found] = at = found + len(block)
    out, i = [], 0
    while i < len(lines):
        if i in code:
            block = lines[i : code[i]]
            fence = "`" * max(3, 1 + max((len(r) for line in block for r in _BACKTICKS.findall(line)), default=0))
            block[0] = f"{_ADD_OPEN}{fence}\n{_ADDED}{block[0]}"
            block[-1] = f"{block[-1]}{_ADD_CLOSE}\n{fence}{_ADDED}"
            out += block
            i = code[i]
            continue
        # Other lines that read as Markdown structure (a "# comment" in code the page does not
        # mark as code, a "---" or "```" line) are indented past it: a browser does not show the
        # spaces, and the outline skips them.
        line = lines[i].rstrip()  # a space left where a block ended
        out.append(f"    {line}" if i not in headings and structural(line) else line)
        i += 1
    return "\n".join(out), bare


def _find_lines(flat: list[str], block: list[str], at: int) -> int:
    """Where the lines ``block`` stand one after another in ``flat`` from line ``at``; -1 if not."""
    if not block or not block[0]:
        return -1
    i = at
    while True:
        try:
            i = flat.index(block[0], i)
        except ValueError:
            return -1
        if flat[i : i + len(block)] == block:
            return i
        i += 1


_BACKTICKS = re.compile(r"`{3,}")
_ITEM_LEAD = re.compile(r"\s*(?:[-*•]\s+)?")
_PRE_OPEN, _PRE_CLOSE = "\ue015", "\ue016"  # around a <pre>'s text (or each of its <code>s')
_PRE_BLOCK = re.compile(f"{_PRE_OPEN}([^{_PRE_CLOSE}]*){_PRE_CLOSE}")
# Marks while the page is read: around the chrome in headings (pagemeta.heading_chrome), in the
# page's text but cut from the article's; around a fence line, added to the article's text
# (an opening fence takes the source line after it, a closing one the line before).
_OPEN, _CLOSE, _ADD_OPEN, _ADD_CLOSE, _ADDED = "\ue010", "\ue011", "\ue012", "\ue013", "\ue014"
_MARKED = re.compile(f"[ \\t]*{_OPEN}[^{_CLOSE}]*{_CLOSE}(?=[{_OPEN}\\n]|\\Z)|{_OPEN}[^{_CLOSE}]*{_CLOSE}[ \\t]*"
                     f"|[{_ADD_OPEN}{_ADD_CLOSE}][^{_ADDED}]*{_ADDED}|[{_OPEN}{_CLOSE}{_ADDED}{_PRE_OPEN}{_PRE_CLOSE}]")


def _edited(marked: str) -> tuple[str, str, list[tuple[int, int, int]]]:
    """The article's text (chrome cut, fences added), the page's (chrome kept, no fences), and
    each edit at its offset in the latter: ``(offset, characters cut, characters added)``, the
    characters of an opening fence counted negative (:func:`_shifted` places it at the line
    after it)."""
    article, page, edits = [], [], []
    pos = size = 0
    for m in _MARKED.finditer(marked):
        between = marked[pos : m.start()]
        article.append(between)
        page.append(between)
        size += len(between)
        piece = m.group()
        if piece[0] in (_ADD_OPEN, _ADD_CLOSE):
            article.append(piece[1:-1])
            edits.append((size, 0, -(len(piece) - 2) if piece[0] == _ADD_OPEN else len(piece) - 2))
        elif len(piece) > 1:
            words = piece.replace(_OPEN, "").replace(_CLOSE, "")
            page.append(words)
            edits.append((size, len(words), 0))
            size += len(words)
        pos = m.end()
    article.append(marked[pos:])
    page.append(marked[pos:])
    return "".join(article), "".join(page), edits


def _unchromed(marked: str) -> str:
    return " ".join(_MARKED.sub(" ", marked).split())


def _shifted(anchors: tuple[tuple[int, int], ...], edits: list[tuple[int, int, int]]) -> tuple[tuple[int, int], ...]:
    """``anchors`` (offsets in the page's text) as offsets in the article's (:func:`_edited`):
    one inside a cut moves to where the cut was, one at an addition past it; an added opening
    fence is placed at the source line of the anchor after it (the code's first line)."""
    if not edits:
        return anchors
    out: list[tuple[int, int]] = []
    shift, e, fences = 0, 0, []
    for offset, line in anchors:
        moved = None
        while e < len(edits) and edits[e][0] <= offset:
            at, cut, added = edits[e]
            if cut and offset < at + cut:
                moved = at + shift
            if added < 0:
                fences.append(at + shift)
            shift += abs(added) - cut
            e += 1
        out += [(fence, line) for fence in fences]
        fences.clear()
        out.append((offset + shift if moved is None else moved, line))
    placed: list[tuple[int, int]] = []
    for anchor in out:
        if placed and placed[-1][0] == anchor[0]:
            placed.pop()  # line_at takes the last anchor at an offset
        placed.append(anchor)
    return tuple(placed)


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
    for pre in tree.iter("pre"):
        # Variants of one example (Node.js's ESM and CommonJS) are shown one at a time; their
        # text ran together ("}const"), as did a heading after the block. Each variant is a
        # block of its own, marked (trafilatura writes a <pre> as a code block or a quote).
        codes = pre.findall("code")
        for e in codes if codes and not (pre.text or "").strip() else [pre]:
            e.text = _PRE_OPEN + (e.text or "")
            children = list(e)
            if children:
                children[-1].tail = (children[-1].tail or "") + _PRE_CLOSE + "\n"
            else:
                e.text += _PRE_CLOSE + "\n"
        # trafilatura takes a <pre> for code (its lines kept) when it wraps a single <span>, and
        # for a quote (its lines run together) when it does not look like code to it.
        # A line of its own, also inside a list item (Sphinx's examples in a definition).
        span = pre.makeelement("span", {})
        span.text, pre.text = "\n" + (pre.text or ""), None
        for child in list(pre):
            span.append(child)
        pre.append(span)
        if pre.tail:  # space after a block shows as nothing; it opened the next line
            pre.tail = pre.tail.lstrip()
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
