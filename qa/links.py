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


def _words(text: str, markdown: bool) -> list[str]:
    """The words a browser shows for ``text``. Markdown is shown rendered: links by their text,
    without emphasis marks or the markers that open headings, quotes and list items."""
    if not markdown:
        return text.split()
    words = []
    for line in _MD_LINK.sub(r"\1", text).splitlines():
        parts = line.split()
        while parts and _MD_MARKERS.fullmatch(parts[0]):
            parts.pop(0)
        words += [w.strip("*_`") for w in parts]
    return [w for w in words if w]


def _encode(words: list[str]) -> str:
    # '-' ',' '&' delimit the directive's parts, so they are escaped inside a term too.
    return quote(" ".join(words), safe="").replace("-", "%2D")


def text_fragment_url(url: str | None, text: str, markdown: bool = False) -> str | None:
    """``url`` with a ``#:~:text=`` directive that makes Chromium, Edge and Safari scroll to
    ``text`` on the page and mark it; browsers without support just open the page.

    Args:
        url: the page.
        text: what to mark, as the article holds it.
        markdown: ``text`` is Markdown, which the page shows rendered.

    Returns:
        None when ``url`` is not http(s); ``url`` unchanged when ``text`` has no words.
    """
    link = safe_url(url)
    if link is None:
        return None
    words = _words(text, markdown)
    if not words:
        return link
    if len(words) <= 2 * EDGE_WORDS:
        directive = _encode(words)
    else:
        directive = f"{_encode(words[:EDGE_WORDS])},{_encode(words[-EDGE_WORDS:])}"
    # An existing fragment stays (the directive follows it); a previous directive is replaced.
    base, _, fragment = link.partition("#")
    return f"{base}#{fragment.split(':~:', 1)[0]}:~:text={directive}"
