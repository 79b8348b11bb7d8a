"""Web pages saved whole by a browser: ``.mhtml``/``.mht`` (Chrome's and Edge's "Webpage, Single
File", Word's "Single File Web Page") and Safari's ``.webarchive``.

Each holds the page's HTML beside its pictures and styles: the HTML is taken out and read as an
``.html`` file is (qa.htmlpage), so the article is the page's main text, titled and dated by the
page. Its URL is the page's own (its canonical link, else the address it was saved from), so a
card links to the live page at the highlighted sentence. An MHTML's HTML is quoted-printable text
in the file, a line of HTML over one or more lines of the file: a passage's reference is the
line of the file where its paragraph's HTML starts (``page.mhtml:31-38``), as a page's is. A web
archive is a binary property list, with no lines to point at: its passages are referenced by the
file alone (line 1), their neighbours shown beside them.
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import plistlib
import re
from collections.abc import Iterator

from .dates import normalise_date
from .htmlpage import read_html
from .types import MHTML, WEBARCHIVE, Article, Skip
from .walk import ReadStats

__all__ = ["MHTML", "WEBARCHIVE", "read_mhtml", "read_webarchive"]

MAX_SAVED_PAGE_BYTES = 256 * 2**20  # the pictures are in the file too
_HTTP = re.compile(r"^https?://", re.I)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def read_mhtml(given: str, absolute: str, data: bytes, stats: ReadStats) -> Iterator[Article]:
    """An MHTML file's page (the first HTML part: a frame's page follows it) as one article."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    if not message.is_multipart() and message.get_content_type() not in _HTML_TYPES:
        stats.skipped.append(Skip(given, None, "not a saved web page (no MIME parts in it)"))
        return
    part = next((p for p in message.walk() if p.get_content_type() in _HTML_TYPES), None)
    if part is None:
        stats.skipped.append(Skip(given, None, "no HTML page in the MHTML file (a saved picture or document?)"))
        return
    html = _with_charset(part.get_payload(decode=True) or b"", part.get_content_charset())
    where = (part.get("Content-Location") or message.get("Snapshot-Content-Location") or "").strip()
    lines = _html_lines(data, part)
    for article in read_html(given, absolute, html, stats):
        yield _as_saved(article, where, message.get("Date"), lines)


def read_webarchive(given: str, absolute: str, data: bytes, stats: ReadStats) -> Iterator[Article]:
    """A Safari web archive's main page as one article."""
    try:
        archive = plistlib.loads(data)
        main = archive["WebMainResource"]
        html, kind = main["WebResourceData"], main.get("WebResourceMIMEType", "text/html")
        where = main.get("WebResourceURL") or ""
    except (plistlib.InvalidFileException, KeyError, TypeError, ValueError) as exc:
        stats.skipped.append(Skip(given, None, f"not a Safari web archive ({exc or type(exc).__name__})"))
        return
    if kind not in _HTML_TYPES or not isinstance(html, bytes):
        stats.skipped.append(Skip(given, None, f"the web archive holds no page but a {kind} file"))
        return
    # Safari knew the page's encoding from its HTTP headers; the page may not say it
    for article in read_html(given, absolute, _with_charset(html, main.get("WebResourceTextEncodingName")), stats):
        yield _as_saved(article, where, None, None)


def _with_charset(html: bytes, charset: str | None) -> bytes:
    """The page with the encoding its container gives, when the page does not say it itself."""
    if not charset or re.search(rb"<meta[^>]+charset", html[:4096], re.I):
        return html
    meta = f'<meta charset="{charset}">'.encode("ascii", "ignore")
    # on the first line, so the lines of the page stay where they are
    return meta + html


def _as_saved(article: Article, where: str, saved: str | None, lines: list[int] | None) -> Article:
    """The page's article as its saved file's: the address it was saved from when the page
    names none, the save date kept aside (a page's date is when it was written), lines moved
    from the page's HTML to the file's, or none."""
    url = article.url or (where if _HTTP.match(where) else None)
    metadata = dict(article.metadata)
    if saved_on := normalise_date(saved):
        metadata["saved"] = saved_on
    if lines is None or not article.lines_mapped:
        return dataclasses.replace(article, url=url, metadata=metadata, markup="page", lines_mapped=False,
                                   line_anchors=(), line_start=lines[0] if lines else 1)

    def line(n: int) -> int:
        return lines[min(n, len(lines)) - 1]

    anchors = tuple((offset, line(n)) for offset, n in article.line_anchors)
    return dataclasses.replace(article, url=url, metadata=metadata, markup="page", line_anchors=anchors,
                               line_start=line(article.line_start))


def _html_lines(data: bytes, part) -> list[int] | None:
    """For each line of the part's decoded HTML, the line of the file it starts on: a
    quoted-printable line ending in ``=`` goes on in the next. None when the part is encoded
    otherwise (base64) or cannot be found in the file."""
    encoded = part.get_payload(decode=False)
    if not isinstance(encoded, str) or not encoded.strip():
        return None
    start = data.find(encoded[:256].encode("ascii", "replace"))
    if start < 0:
        return None
    first = data.count(b"\n", 0, start) + 1
    if (part.get("Content-Transfer-Encoding") or "").strip().lower() != "quoted-printable":
        kind = (part.get("Content-Transfer-Encoding") or "7bit").strip().lower()
        return list(range(first, first + encoded.count("\n") + 1)) if kind in ("7bit", "8bit", "binary") else None
    out, continued = [], False
    for n, raw in enumerate(encoded.split("\n")):
        if not continued:
            out.append(first + n)
        continued = raw.rstrip("\r").endswith("=")
    return out
