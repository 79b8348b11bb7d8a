"""HTML pages: the main text by trafilatura, its headings and code marked as Markdown's, and
the source line of each of its sentences (:mod:`qa.pagelines`)."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Iterator

from .dates import name_date
from .pagelines import sentence_lines
from .pagemeta import (
    chrome_beside_headings,
    empty_links,
    heading_chrome,
    own_title,
    page_date,
    text_links,
    toggle_labels,
)
from .records import article_from
from .types import Article, Skip
from .walk import ReadStats

_LEVEL = re.compile(r"h([1-6])")
_DOCUMENT = re.compile(rb"<(?:html|head|body)[\s>]", re.I)
_TITLED = re.compile(rb"<(?:title|h1)[\s>]", re.I)
_LAYOUT = re.compile(rb"<(?:nav|header|footer|aside|menu|article|main)[\s>]", re.I)
_BODY = re.compile(rb"<body(?:\s[^>]*)?>", re.I)


def _fragment_title(path: str, text: str) -> str:
    """A fragment (or a page with no layout) with no ``<title>`` or ``<h1>``: its file's name,
    as a Markdown file without a heading is titled (trafilatura took its first ``<h2>``, a
    section's heading), else its first sentence."""
    from .markdown import file_title
    from .records import title_from_text

    return file_title(path) or title_from_text(text)


def read_html(given: str, absolute: str, data: bytes, stats: ReadStats) -> Iterator[Article]:
    """A page as one article: main text, title, URL and date by trafilatura, lines by lxml."""
    import trafilatura

    fragment = not _DOCUMENT.search(data) and not data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if fragment:
        # A fragment: a post's body as CMS and newsletter exports (Substack) save it. Outside any
        # container trafilatura took its headings and lists for boilerplate and left them out;
        # wrapped as an article, on its first line, so every line keeps its number.
        data = b"<html><body><article>" + data + b"</article></body></html>"
    elif not _LAYOUT.search(data) and (body := _BODY.search(data)) and (end := data.rfind(b"</body")) > body.end():
        # A page with no layout at all (a note app's export, a hand-written page): its body is
        # its article, for the same reason; the tags go in on the lines they join.
        data = data[: body.end()] + b"<article>" + data[body.end() : end] + b"</article>" + data[end:]
        fragment = True  # titled as one

    def extract(**how):
        return trafilatura.bare_extraction(_unwrapped(data), with_metadata=True, include_comments=False,
                                           include_tables=True, config=_config(), **how)

    extracted = extract()
    doc = extracted.as_dict() if extracted is not None else {}
    text = doc.get("text") or ""
    # A short text is checked against trafilatura's baseline extraction, which gives each text
    # node a line of its own ("Another", "short", "one with a", "link", "."), and wins by the
    # line breaks' length: the same words in precision mode, which does not try it, are taken.
    if text.strip() and len(text) < _config().getint("DEFAULT", "MIN_EXTRACTED_SIZE"):
        precise = extract(favor_precision=True)
        if precise is not None and "".join((precise.text or "").split()) == "".join(text.split()):
            extracted, doc, text = precise, precise.as_dict(), precise.text
    if not text.strip():
        stats.skipped.append(Skip(given, None, "no main text found in the HTML page"))
        return
    marked, bare = _blocks_marked(text.strip(), extracted.body)
    rec = {
        "title": (_fragment_title(absolute, text) if fragment and not _TITLED.search(data)
                  else own_title(bare.get(doc.get("title"), doc.get("title")), data)),
        "url": doc.get("url"),
        "date": page_date(data) or name_date(absolute),
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
    from .markdown import fence_for, structural

    lines = text.split("\n")
    flat = [" ".join(line.split()) for line in lines]
    headings, at, bare, folded = set(), 0, {}, set()
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
            beside = _chrome_beside(head)
            if beside and found - 1 not in headings | folded and "".join(flat[found - 1].split()) == beside:
                # cut with the line's end, so the page's text (which places lines) stays as it was
                lines[found] = f"{_OPEN}{lines[found - 1].strip()}\n{_CLOSE}{lines[found]}"
                folded.add(found - 1)
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
        if i in folded:
            i += 1
            continue
        if i in code:
            block = lines[i : code[i]]
            fence = fence_for("\n".join(block))
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


def _chrome_beside(head) -> str:
    """The chrome marked beside a heading (:func:`qa.pagemeta.chrome_beside_headings`), without
    spaces: in trafilatura's tree the heading's wrapper holds it before the heading, and its text
    has it as the line above; "" when there is none."""
    wrapper = next(head.iterancestors("head"), None)
    if wrapper is None:
        return ""
    full, own = "".join(wrapper.itertext()), "".join(head.itertext())
    before = full[: full.find(own)]
    return "".join(before.replace(_OPEN, "").replace(_CLOSE, "").split()) if _CHROME_ONLY.fullmatch(before) else ""


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


_ITEM_LEAD = re.compile(r"\s*(?:[-*•]\s+)?")
_PRE_OPEN, _PRE_CLOSE = "\ue015", "\ue016"  # around a <pre>'s text (or each of its <code>s')
_PRE_BLOCK = re.compile(f"{_PRE_OPEN}([^{_PRE_CLOSE}]*){_PRE_CLOSE}")
# Marks while the page is read: around the chrome in headings (pagemeta.heading_chrome), in the
# page's text but cut from the article's; around a fence line, added to the article's text
# (an opening fence takes the source line after it, a closing one the line before).
_OPEN, _CLOSE, _ADD_OPEN, _ADD_CLOSE, _ADDED = "\ue010", "\ue011", "\ue012", "\ue013", "\ue014"
_NO_MARKS = dict.fromkeys(range(0xE010, 0xE017))
_CHROME_ONLY = re.compile(f"[\\s·]*(?:{_OPEN}[^{_CLOSE}]*{_CLOSE}[\\s·]*)+")
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
    """The page as trafilatura parses it, with the line breaks inside its text made spaces, and
    the chrome in its headings and its code blocks marked (:func:`_blocks_marked`).

    trafilatura keeps a paragraph's source line breaks (generated documentation wraps its HTML
    at 80 columns), so its text broke mid-sentence and a card showed the page's wrapping;
    a browser joins those lines. Code blocks keep theirs, as does an explicit ``<br>``.
    """
    from trafilatura.utils import load_html

    tree = load_html(data)
    if tree is None:
        return data  # trafilatura reports it as it would have
    for e in tree.iter():  # the marks' characters are the reader's (an icon font may use them)
        if isinstance(e.tag, str) and e.text:
            e.text = e.text.translate(_NO_MARKS)
        if e.tail:
            e.tail = e.tail.translate(_NO_MARKS)
    for label in [*toggle_labels(tree), *empty_links(tree)]:  # no text: left out (marks on a line are dropped)
        label.drop_tree()
    for e in [*heading_chrome(tree), *chrome_beside_headings(tree)]:
        words = "".join(e.itertext())
        for child in list(e):
            e.remove(child)
        e.text = _OPEN + words + _CLOSE
        if e.tag in ("a", "button"):  # cut from the text, so no link: trafilatura counts a section's
            e.tag = "span"  # short links ("Source", "§") as a menu's and dropped rustdoc's methods
    for link in text_links(tree):  # their words are the text's: no link either, for the same reason
        link.drop_tag()
    for heading in tree.iter(*_HEADINGS):  # one line: rustdoc's where clause ran into its signature
        for block in (b for b in heading.iter("div") if b is not heading):
            before = block.getprevious()
            said = (before.tail if before is not None else block.getparent().text) or ""
            if said and not said[-1].isspace():
                block.text = " " + (block.text or "")
        for e in heading.iter():
            e.text, e.tail = (_SPACES.sub(" ", e.text) if e.text else e.text), (
                _SPACES.sub(" ", e.tail) if e.tail and e is not heading else e.tail)
    for pre in tree.iter("pre"):
        _code_marked(pre)
    kept = {e for pre in tree.iter("pre", "textarea") for e in pre.iter()}
    for e in tree.iter():
        if e.text and e not in kept and isinstance(e.tag, str):
            e.text = _BREAK.sub(" ", e.text)
        if e.tail and e.getparent() not in kept:
            e.tail = _BREAK.sub(" ", e.tail)
    return tree


def _code_marked(pre) -> None:
    """A ``<pre>`` as code trafilatura keeps whole, on lines of its own, its text marked.

    trafilatura takes a ``<pre>`` for code (its lines kept) when it wraps a single ``<span>``,
    else often for a quote (its lines run together); a ``<pre>`` in a list item or definition
    (Sphinx's examples) ran into the item's text, and a heading after one into its last line.
    The variants of one example in one ``<pre>`` (Node.js's ESM and CommonJS, shown one at a
    time) ran together ("}const"): each is marked as a block of its own. A block in the code is
    on lines of its own, as a browser shows it (rustdoc's where clause: ``IterMut<'a, T>where``)."""
    for block in pre.iter("div"):
        before = block.getprevious()
        said = (before.tail if before is not None else block.getparent().text) or ""
        if (said or before is not None) and not said.endswith("\n"):
            if before is not None:
                before.tail = said + "\n"
            else:
                block.getparent().text = said + "\n"
        if block.tail and not block.tail.startswith("\n"):
            block.tail = "\n" + block.tail
    codes = pre.findall("code")
    for e in codes if codes and not (pre.text or "").strip() else [pre]:
        e.text = _PRE_OPEN + (e.text or "")
        children = list(e)
        if children:
            children[-1].tail = (children[-1].tail or "") + _PRE_CLOSE + "\n"
        else:
            e.text += _PRE_CLOSE + "\n"
    span = pre.makeelement("span", {})
    span.text, pre.text = "\n" + (pre.text or ""), None
    for child in list(pre):
        span.append(child)
    pre.append(span)
    if pre.tail:  # space after a block shows as nothing; it opened the next line
        pre.tail = pre.tail.lstrip()


_BREAK = re.compile(r"[\r\n]+")
_SPACES = re.compile(r"\s+")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _config():
    """trafilatura's settings, without its extensive date search: that one takes a year anywhere
    in the page (a copyright line, a class name like ``edition2024``) for 1 January of it.
    :func:`page_date` does that search, and keeps only the dates it finds whole."""
    global _CONFIG
    if _CONFIG is None:
        import logging

        from trafilatura.settings import use_config

        # Its warnings ("discarding data: None") are about pages it found nothing in, which the
        # summary reports as skipped; printed, they broke into the progress bar.
        logging.getLogger("trafilatura").setLevel(logging.ERROR)
        _CONFIG = use_config()
        _CONFIG.set("DEFAULT", "EXTENSIVE_DATE_SEARCH", "off")
    return _CONFIG


_CONFIG = None
