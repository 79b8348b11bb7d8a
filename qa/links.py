"""Links to an article's page that a browser opens at the passage, marked (URL text fragments)."""

from __future__ import annotations

import re
from urllib.parse import quote, urlparse

# Words of at most this many on each side name a range (textStart,textEnd); shorter texts are
# quoted whole. Four words rarely occur twice on one page, and a short directive survives small
# differences inside the range (a line break, a footnote mark) that an exact quote would not.
EDGE_WORDS = 4
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_MARKERS = re.compile(r"#{1,6}|>+|[-+*]|\d+[.)]")  # headings, quotes, list items: line starts


def safe_url(url: str | None) -> str | None:
    """The URL if it is http(s); a ``javascript:`` or other scheme is never made a link."""
    if not url:
        return None
    try:
        scheme = urlparse(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def _lines(text: str, rendered: bool) -> list[list[str]]:
    """The words a browser shows for ``text``, by block (line, or table cell). Rendered text
    (Markdown, and what trafilatura extracts from a page) shows links by their text, and neither
    emphasis marks, nor the markers that open headings, quotes and list items, nor the bars
    between table cells."""
    if not rendered:
        return [line.split() for line in text.splitlines()]
    blocks = []
    for line in _MD_LINK.sub(r"\1", text).splitlines():
        row = line.strip()
        for cell in row.strip("|").split("|") if row.startswith("|") else [line]:
            parts = cell.split()
            while parts and _MD_MARKERS.fullmatch(parts[0]):
                parts.pop(0)
            blocks.append([w.strip("*_`") for w in parts if w.strip("*_`")])
    return blocks


def _encode(words: list[str]) -> str:
    # '-' ',' '&' delimit the directive's parts, so they are escaped inside a term too.
    return quote(" ".join(words), safe="").replace("-", "%2D")


def text_fragment_url(url: str | None, text: str, rendered: bool = False) -> str | None:
    """``url`` with a ``#:~:text=`` directive that makes Chromium, Edge and Safari scroll to
    ``text`` on the page and mark it; browsers without support just open the page.

    Args:
        url: the page.
        text: what to mark, as the article holds it.
        rendered: the page shows ``text`` rendered: it is Markdown, or a page's extracted text.

    Returns:
        None when ``url`` is not http(s); ``url`` unchanged when ``text`` has no words.
    """
    link = safe_url(url)
    if link is None:
        return None
    blocks = [b for b in _lines(text, rendered) if b]
    if not blocks:
        return link
    # A quoted term must lie inside one block of the page (a paragraph, an item, a cell); a
    # range may run across blocks, so text of several blocks is named by its two ends.
    if len(blocks) == 1 and len(blocks[0]) <= 2 * EDGE_WORDS:
        directive = _encode(blocks[0])
    else:
        directive = f"{_encode(blocks[0][:EDGE_WORDS])},{_encode(blocks[-1][-EDGE_WORDS:])}"
    # An existing fragment stays (the directive follows it); a previous directive is replaced.
    base, _, fragment = link.partition("#")
    return f"{base}#{fragment.split(':~:', 1)[0]}:~:text={directive}"
