"""Markdown as its rendered page shows it: raw HTML and blockquote marks.

READMEs and notes mix HTML into Markdown: a centred logo (``<p align="center"><img ...></p>``),
badges, ``<details><summary>``, ``<kbd>Ctrl</kbd>``, ``<h1 align="center">Name</h1>``. A page
shows the text between the tags, not the tags; indexed as written, they made passages of
markup, and highlights and cards showed ``<img width="700" src=...>``. So the tags go and the
text between them stays: a tag of a phrasing element (``<kbd>``, ``<em>``, ``<a>``) is left out,
others (``<p>``, ``<td>``, ``<br>``) leave a space, so words stay apart as on the page; a
one-line ``<h1>``-``<h6>`` becomes the heading it shows as; what a page never shows as text
(``<script>``, ``<style>``, comments: editors' notes, build metadata) goes whole.

Footnote marks go: a reference ``[^1]`` to a note the text defines (a superscript number on
the page; ``[^a-z]`` with no such note is text) and a definition's ``[^1]: `` label, its text
staying where it is. So does a notes app's embedded image, sound, video or PDF (Obsidian's
``![[photo.png]]``), but for its alt text (``![[pier.jpg|The old pier]]``), and so do the
addresses of links and images: ``[the guide](docs/install.md)`` reads ``the guide``,
``![The map](map.png)`` ``The map`` (in a heading, nothing), a badge
``[![CI](https://.../badge.svg)](https://...)`` nothing, and so do links by reference to a
label the text defines (``[HTTPS][]``, ``[ALPN negotiation][alpn]``).

A blockquote's ``>`` marks go too (a note, a warning, ``> Stability: 2 - Stable``): a page
shows its lines as a paragraph, and so do cards, instead of ``... It is possible > to modify``
in the middle of a sentence; its fenced code, lists and tables are then those of the text
(which :mod:`qa.markdown` knows at the start of a line only). A GitHub alert's ``[!NOTE]``
line reads ``Note:``, an Obsidian callout's ``[!tip]- Title`` ``Tip: Title``.

No line is added or removed, so references stay lines of the file. What is a tag or a
blockquote is markdown-it-py's CommonMark parse: nothing in fenced or indented code or in code
spans, not an autolink (``<https://...>``) or an escaped ``\\<b>``.
"""

from __future__ import annotations

import re
from functools import lru_cache

# CommonMark's raw HTML: open and closing tags, comments, processing instructions, declarations, CDATA.
_ATTRIBUTE = r"""\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?"""
_TAG = re.compile(rf"<(?:[A-Za-z][A-Za-z0-9-]*(?:{_ATTRIBUTE})*\s*/?|/[A-Za-z][A-Za-z0-9-]*\s*"
                  r"|!--.*?--|\?.*?\?|![A-Za-z][^>]*|!\[CDATA\[.*?\]\])>", re.S)
_MAYBE = re.compile(r"<[A-Za-z/!?]|^ {0,3}>|\[\^|!\[\[|\]\(|^ {0,3}\[[^\]\n]+\]:", re.M)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_MARKS = set("#>-+*=|`~[")  # what opens a Markdown block (heading, quote, list, table, fence, link label) at a line's start
# An inline link or image on one line, its text holding at most images (a badge in a link):
# ``[text](dest "title")``, ``![alt](<dest>)``; a destination may hold one level of brackets
# (``https://en.wikipedia.org/wiki/Mercury_(planet)``).
_DEST = r"(?:<[^<>\n]*>|(?:[^()\s]|\([^()\s]*\))+)?"
_TITLE = r"""(?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?"""
_IMAGE = re.compile(rf"!\[([^\[\]\n]*)\]\([ \t]*{_DEST}{_TITLE}[ \t]*\)")
_INLINE_LINK = re.compile(rf"!?\[((?:[^\[\]\n]|{_IMAGE.pattern})*)\]\([ \t]*{_DEST}{_TITLE}[ \t]*\)")
_LINK_END = re.compile(r"\]\(")


def _to(group: str) -> str:  # "(dest)" or "[label]" (``group``: "" or "?:", captured or not) or neither
    return rf"(?:({group}\([ \t]*{_DEST}{_TITLE}[ \t]*\))|\[({group}[^\[\]\n]*)\]|(?![(\[]))"


# Any link or image: inline, or by reference to a definition ("[text][label]", "[text][]",
# "[text]"), its text holding at most code spans and images of either kind (a README's
# "[![npm][npm-img]][npm-url]"; "[`Buffer.from(string[, encoding])`][]").
_ANY_IMAGE = re.compile(rf"!\[([^\[\]\n]*)\]{_to('')}")
# A link's text may go on to the next line (not in a blockquote: the edit would keep its ">").
# A backtick opens a code span only where one closes it on its line: each character of the text
# is read one way, or a text never closed would be tried in exponentially many.
_ANY_LINK = re.compile(rf"!?\[((?:`[^`\n]*`|`(?![^`\n]*`)|[^\[\]\n`]|\n(?![ \t]*>)|!\[[^\[\]\n]*\]{_to('?:')})*)\]"
                       rf"{_to('')}")
_MARKUP_INSIDE = re.compile(r"<|\[\^|!\[\[")  # a tag or a footnote in a link's text: left as it is
# A footnote's reference ("text[^1]") and, at the start of a line, its definition's label ("[^1]: ").
_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]")
_DEFINITION = re.compile(r"[ \t>]*\[\^([^\]\s]+)\]:[ \t]?")
_DEFINED = re.compile(r"^[ \t>]*\[\^([^\]\s]+)\]:", re.M)
_QUOTE_MARK = re.compile(r"[ \t]*> ?")
# GitHub's alerts ("[!NOTE]") and Obsidian's callouts ("[!tip]- Optional title"), on a quote's first line.
_ALERT = re.compile(r"\[!([A-Za-z][\w-]*)\][+-]?[ \t]*(.*)")
_NAME = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(\s+[^/>\s]|[^>]*/>)?")
_CLOSING = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
_HEADING = re.compile(r"( {0,3})(<h([1-6])(?:\s[^>]*)?>)(.*)</h\3\s*>[ \t]*", re.I)
_UNSHOWN = re.compile(r"\s*<(?:script|style|textarea)[\s>]", re.I)
# Elements whose tags sit inside a run of text (HTML's phrasing content): left out without a space.
PHRASING = frozenset("""a abbr b bdi bdo big cite code data del dfn em font i ins kbd mark q s samp small
    span strike strong sub sup time tt u var""".split())
# HTML's other elements beyond CommonMark's block names (markdown_it.common.html_blocks).
_OTHER = frozenset("""area audio br button canvas datalist embed img input label map meter noscript
    object output picture pre progress rp rt ruby script select source style svg template textarea video
    wbr""".split())
_BARE = frozenset(("br", "hr", "wbr"))  # void elements that mean something without attributes


@lru_cache(maxsize=1)
def _elements() -> frozenset[str]:
    from markdown_it.common.html_blocks import block_names

    return PHRASING | _OTHER | frozenset(block_names)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True})


def shown(text: str) -> str:
    """``text`` with its raw HTML, blockquote and footnote marks and embedded media as described
    above; the same lines."""
    if not _MAYBE.search(text):
        return text
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    closed = {name.lower() for name in _CLOSING.findall(text)}
    edits: list[tuple[int, int, str]] = []  # (start, end, what replaces it)
    depth = [0] * (len(lines) + 1)  # blockquotes around each line
    notes: set[str] | None = None  # footnotes defined: a reference to no note is text, "[^a-z]"
    before = this = ""  # the type of the token before this one, and this one's
    env: dict = {}
    for token in _parser().parse(text, env):
        before, this = this, token.type
        if token.map is None:
            continue
        first, last = token.map[0], min(token.map[1], len(lines))
        a, b = starts[first], starts[last] - 1
        if token.type == "blockquote_open":
            for i in range(first, last):
                depth[i] += 1
        elif token.type == "html_block":
            edits += _block_tags(text, a, b, token.content, lines, first, last, closed)
        elif token.type == "inline":
            inline = _inline_spans(text, a, b, token.children or ())
            edits += [(x, y, _replacement(text[x:y])) for kind, x, y in inline
                      if kind == "html_inline" and _hidden(text[x:y], closed)]
            code = [(x, y) for kind, x, y in inline if kind == "code_inline"]
            heading, inline = before == "heading_open", "](" in token.content
            if "[" in token.content and (inline or env.get("references")):
                found = _parsed_links(text, a, b, code, token.children or (), set(env.get("references", ())), heading)
                edits += _link_targets(text, a, b, code, heading) if found is None and inline else found or []
            if "![[" in token.content:
                edits += _embeds(text, a, b, code)
            if "[^" in token.content:
                if notes is None:
                    notes = set(_DEFINED.findall(text))
                edits += _footnote_marks(text, a, b, code, notes)
    edits += _quote_marks(lines, starts, depth)
    out, pos = [], 0
    for a, b, new in sorted(edits, key=lambda e: (e[0], -e[1])):
        if a < pos:  # a quote's mark on a line of a <script> block already gone
            continue
        out += [text[pos:a], new]
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _block_tags(text: str, a: int, b: int, content: str, lines: list[str], first: int, last: int,
                closed: set[str]) -> list[tuple[int, int, str]]:
    """The edits that show an HTML block (lines ``first`` to ``last``, ``text[a:b]``) as a page does."""
    if _UNSHOWN.match(content):
        return [(a, b, "\n" * text.count("\n", a, b))]
    starts = [a]
    for i in range(first, last - 1):
        starts.append(starts[-1] + len(lines[i]) + 1)
    headings = dict(h for i, at in zip(range(first, last), starts, strict=True) if (h := _heading(lines[i], at)))
    edits = []
    for m in _TAG.finditer(text, a, b):
        if m.start() in headings:
            edits.append((m.start(), m.end(), headings[m.start()]))
        elif _hidden(m.group(), closed):
            edits.append((m.start(), m.end(), _replacement(m.group())))
    return edits


def _quote_marks(lines: list[str], starts: list[int], depth: list[int]) -> list[tuple[int, int, str]]:
    """The edits that take a blockquote's ``>`` marks (as many as it is deep; a lazy
    continuation line has none) off its lines, and read an alert's or callout's first line as its
    box shows it."""
    edits = []
    for i, line in enumerate(lines):
        pos = 0
        for _ in range(depth[i]):
            m = _QUOTE_MARK.match(line, pos)
            if m is None:
                break
            pos = m.end()
        if pos:
            alert = _ALERT.fullmatch(line, pos) if i == 0 or depth[i - 1] < depth[i] else None
            edits.append((starts[i], starts[i] + (len(line) if alert else pos), _alert(alert) if alert else ""))
    return edits


def _alert(m: re.Match) -> str:
    """An alert's or callout's line as its box shows it: ``Note:``, ``Tip: Use the ferry``."""
    kind = m.group(1).replace("-", " ").capitalize()
    return f"{kind}: {m.group(2).strip()}" if m.group(2).strip() else f"{kind}:"


def _hidden(tag: str, closed: set[str]) -> bool:
    """Whether a page hides ``tag`` (raw HTML as CommonMark parses it). Comments and the like,
    and tags of HTML's elements: closing ones, ones with attributes, ``<br>``, or opening ones
    whose element the text closes somewhere. ``Cell<T>``, ``rc<dist>`` and a placeholder
    ``<input>`` with no ``</input>`` anywhere are text written in angle brackets."""
    m = _NAME.match(tag)
    if m is None:
        return True
    name = m.group(2).lower()
    return name in _elements() and bool(m.group(1) or m.group(3) or name in _BARE or name in closed)


def _replacement(tag: str) -> str:
    m = _NAME.match(tag)
    keep = "\n" * tag.count("\n")  # a tag whose attributes run over lines
    return keep if m and m.group(2).lower() in PHRASING else keep or " "


def _heading(line: str, start: int) -> tuple[int, str] | None:
    """A one-line ``<hN ...>text</hN>``: where its opening tag starts and the ATX marks
    (``## ``) that take its place, so the line is the heading a page shows."""
    m = _HEADING.fullmatch(line)
    if m is None or not m.group(4).strip():
        return None
    return start + m.start(2), "#" * int(m.group(3)) + " "


def _inline_spans(text: str, a: int, b: int, children) -> list[tuple[str, int, int]]:
    """Where a paragraph's inline HTML tags and code spans are in ``text[a:b]``: (token type,
    start, end), found in order from a cursor that code spans move past (a tag written in a
    code span stays)."""
    spans: list[tuple[str, int, int]] = []
    pos = a
    for child in children:
        if child.type == "code_inline":
            run = re.compile(rf"(?<!`){re.escape(child.markup)}(?!`)")
            opened = run.search(text, pos, b)
            closed = run.search(text, opened.end(), b) if opened else None
            if closed:
                spans.append((child.type, opened.start(), closed.end()))
                pos = closed.end()
        elif child.type == "html_inline":
            at = text.find(child.content, pos, b)
            while at > 0 and text[at - 1] == "\\":  # an escaped "\<b>" is text
                at = text.find(child.content, at + 1, b)
            if at >= 0:
                spans.append((child.type, at, at + len(child.content)))
                pos = at + len(child.content)
    return spans


def entities(text: str) -> str:
    """``text`` with its character references written as the characters a page shows (``&lt;``
    ``<``, ``&amp;`` ``&``, ``&mdash;`` ``—``), in paragraphs and headings only: not in code, not
    escaped (``\\&lt;``), not one that names no character (``&nosuch;``), and not one opening a
    line as a mark Markdown would read (``&#35;`` is no heading on the page, nor may it become one).
    Applied after :func:`shown`, so ``&lt;!-- --&gt;`` stays text. The same lines."""
    import html

    if not _ENTITY.search(text):
        return text
    starts = [0]
    for line in text.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    edits = []
    for token in _parser().parse(text):
        if token.type != "inline" or token.map is None:
            continue
        a, b = starts[token.map[0]], starts[min(token.map[1], len(starts) - 1)] - 1
        code = [(x, y) for kind, x, y in _inline_spans(text, a, b, token.children or ()) if kind == "code_inline"]
        for m in _ENTITY.finditer(text, a, b):
            if any(x <= m.start() < y for x, y in code) or (m.start() > 0 and text[m.start() - 1] == "\\"):
                continue
            char = html.unescape(m.group())
            opening = not text[text.rfind("\n", 0, m.start()) + 1 : m.start()].strip()
            if char != m.group() and char not in "\n\x00" and not (opening and char in _MARKS):
                edits.append((m.start(), m.end(), char))
    out, pos = [], 0
    for a, b, new in edits:
        out += [text[pos:a], new]
        pos = b
    return "".join(out) + text[pos:]


def _footnote_marks(text: str, a: int, b: int, code: list[tuple[int, int]],
                    notes: set[str]) -> list[tuple[int, int, str]]:
    """The edits that leave footnote marks out of ``text[a:b]`` (outside code spans): a
    reference to a note defined in ``notes`` (``[^1]``, a superscript number on the page) goes,
    and a definition's label (``[^1]: ``) at the start of a line, its text staying."""
    edits = []
    for m in _FOOTNOTE.finditer(text, a, b):
        if any(x <= m.start() < y for x, y in code) or (m.start() > 0 and text[m.start() - 1] == "\\"):
            continue
        line = text.rfind("\n", 0, m.start()) + 1
        label = _DEFINITION.match(text, line)
        if label and label.start() <= m.start() < label.end():
            edits.append((m.start(), label.end(), ""))
        elif m.group(1) in notes:
            edits.append((m.start(), m.end(), ""))
    return edits


def _link_targets(text: str, a: int, b: int, code: list[tuple[int, int]],
                  heading: bool = False) -> list[tuple[int, int, str]]:
    """The edits that show ``text[a:b]``'s inline links and images (outside code spans) as a page
    does: a link as its text, ``[the guide](docs/install.md)`` as ``the guide``; an image as its
    alt text, or in a ``heading`` as nothing (a title leaves badges out: :func:`qa.markdown.plain`);
    an image in a link, a badge ``[![CI](https://.../badge.svg)](https://...)`` or a linked logo,
    as nothing: its "CI", "PyPI" were a README's best sentence for "What does harbourctl do?".
    Their addresses are no words of the text. On one line each; where the paragraph holds a
    "](" that is not one of them (a title over two lines, a bracket in a link's text), none is
    changed."""
    found = [m for m in _INLINE_LINK.finditer(text, a, b)
             if not any(x <= m.start() < y for x, y in code) and text[m.start() - 1 : m.start()] != "\\"]
    opened = sum(1 for i in _LINK_END.finditer(text, a, b) if not any(x <= i.start() < y for x, y in code))
    if sum(1 + m.group(1).count("](") for m in found) != opened:
        return []

    def shown(m: re.Match) -> str:  # an image's alt text; a link's text without its images
        if m.group().startswith("!"):
            return "" if heading else m.group(1)
        return _IMAGE.sub("", m.group(1))

    return [(m.start(), m.end(), shown(m)) for m in found if not _MARKUP_INSIDE.search(m.group(1))]


def _parsed_links(text: str, a: int, b: int, code: list[tuple[int, int]], children, defined: set[str],
                  heading: bool) -> list[tuple[int, int, str]] | None:
    """:func:`_link_targets` checked against the parse, for links by reference too (API docs
    write most of theirs so): ``[ALPN negotiation][alpn]``, ``[HTTPS][]`` and ``[HTTPS]`` read
    as their text where a label is ``defined`` (``[alpn]: #alpn-negotiation``, normalised as the
    parse has them), and a link's text may go on to the next line (a hard-wrapped page's), its
    line break kept. None where the paragraph's links and images found are not the parse's, one
    for one and each with the same letters (a label the pattern misses, ``[over two\nlines][x]``
    in a quote, and a ``[alpn]`` after it, no shortcut, to count in its place)."""
    from markdown_it.common.utils import normalizeReference

    def valid(m: re.Match, at: int) -> bool:  # inline, or by a defined label (its text when none is given)
        return m.group(at) is not None or normalizeReference(m.group(at + 1) or m.group(1)) in defined

    edits, claimed = [], []
    for m in _ANY_LINK.finditer(text, a, b):
        if any(x <= m.start() < y for x, y in code) or text[m.start() - 1 : m.start()] == "\\" or not valid(m, 2):
            continue
        images = [i for i in _ANY_IMAGE.finditer(m.group(1)) if valid(i, 2)] if not m.group().startswith("!") else []
        kept, pos = [], 0
        for i in images:
            kept.append(m.group(1)[pos:i.start()])
            pos = i.end()
        shows = "".join(kept) + m.group(1)[pos:]
        claimed += [("img" if m.group().startswith("!") else "a", _letters(shows)),
                    *(("img", _letters(i.group(1))) for i in images)]
        if not _MARKUP_INSIDE.search(m.group(1)):
            edits.append((m.start(), m.end(), "" if heading and m.group().startswith("!") else shows))
    parsed, inside = [], []  # ("a" or "img", its text's letters); the links open around a token
    for c in children:
        if c.type == "link_open" and c.markup != "autolink":
            inside.append(len(parsed))
            parsed.append(["a", ""])
        elif c.type == "link_close" and c.markup != "autolink" and inside:
            inside.pop()
        elif c.type == "image":
            parsed.append(["img", _letters(c.content)])
        elif c.type in ("text", "code_inline") and inside:
            parsed[inside[-1]][1] += _letters(c.content)
    return edits if claimed == [tuple(p) for p in parsed] else None


def _letters(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


def _embeds(text: str, a: int, b: int, code: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """The edits that show a notes app's embedded images, sounds, videos and PDFs in
    ``text[a:b]`` (outside code spans) as it does: ``![[photo.png]]`` as nothing, its file name
    no word of the text; ``![[pier.jpg|The old pier]]`` as its alt text (:func:`qa.markdown.embedded`)."""
    from .markdown import WIKILINK, embedded

    return [(m.start(), m.end(), shown) for m in WIKILINK.finditer(text, a, b)
            if not any(x <= m.start() < y for x, y in code) and (shown := embedded(m)) is not None]


_ESM = re.compile(r"(?:import|export)[\s{*]")


def without_esm(text: str) -> str:
    """An MDX file's ``import`` and ``export`` statements (Docusaurus's, Next.js's docs: the
    components and data the page uses) blanked, line for line: code the page runs, not text it
    shows. A statement runs on while its brackets are open (``export const meta = {`` ... ``}``);
    fenced code stays as written."""
    if "import" not in text and "export" not in text:
        return text
    from .markdown import TEXT, line_kinds

    lines = text.split("\n")
    kinds = line_kinds(lines)
    depth = 0
    for i, line in enumerate(lines):
        if depth == 0 and not (kinds[i] == TEXT and _ESM.match(line)):
            continue
        depth = max(0, depth + sum(line.count(c) for c in "{([") - sum(line.count(c) for c in "})]"))
        lines[i] = ""
    return "\n".join(lines)
