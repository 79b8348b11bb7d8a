"""MediaWiki XML dumps: Wikipedia's ``pages-articles.xml.bz2``, a wiki's ``Special:Export``.

Each article page (the main namespace, not a redirect) is an article: its latest revision's
wikitext shown as Markdown (:mod:`qa.wikitext`), titled by the page, dated by that revision,
tagged with its categories, linked to the page on the wiki (from the dump's ``<base>``). The
dump is streamed page by page (lxml's pull parser, fed through bzip2 or gzip when compressed),
so memory stays bounded by one page whatever the dump's size. References are the dump's lines:
the wikitext's lines are the file's, from the ``<text>`` element's line on. Talk, user,
template, category and other namespaces' pages, and redirects, are counted and left out.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter, deque
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import quote

from .records import article_from, make_id
from .textlines import MAX_ARTICLE_BYTES
from .types import Article, Skip
from .xmlstream import PullReader

if TYPE_CHECKING:
    from .dates import FileDates
    from .walk import ReadStats
    from .wikitext import Names

WIKITEXT = (".mediawiki", ".wiki")  # a page's wikitext in a file of its own
# What a dump opens with, after any XML declaration and comments
_TEXT_TAG = re.compile(rb"<text[\s/>]")  # where a revision's text opens (in its text, "<" is "&lt;")
_ROOT = re.compile(rb"^(?:\s|<\?[^>]*\?>|<!--.*?-->)*<mediawiki[\s>]", re.S)


def is_mediawiki(head: bytes) -> bool:
    """Whether a file's first bytes are those of a MediaWiki XML dump."""
    return bool(_ROOT.match(head.removeprefix(b"\xef\xbb\xbf")))


def read_mediawiki(given: str, absolute: str, fh, stats: ReadStats,
                   dates: FileDates | None = None) -> Iterator[Article]:
    """The dump's article pages, one by one; what was left out is said once for the file."""
    from lxml import etree

    from .wikitext import Names

    site = _Site(Names())
    left: Counter[str] = Counter()
    position = 0
    text_lines = _TextLines()
    # gzip's and bzip2's read1: what a cut stream held before the cut
    elements = PullReader(getattr(fh, "read1", fh.read), ("{*}siteinfo", "{*}page"), fed=text_lines.feed)
    for element in elements:
        if etree.QName(element).localname == "siteinfo":
            site = _Site.of(element, Names())
            continue
        article = _article(given, absolute, position, element, text_lines.of(element), site, left, stats, dates)
        position += 1
        if article is not None:
            yield article
    elements.report(given, absolute, stats, "MediaWiki dump", "pages")
    if left:
        stats.skipped.append(Skip(given, None, _left_out(left)))


@dataclasses.dataclass
class _Site:
    names: Names  # of the File and Category namespaces
    base: str | None = None  # https://en.wikipedia.org/wiki/ : a page's URL is this and its title
    namespaces: dict[str, str] = dataclasses.field(default_factory=dict)  # key -> name

    @classmethod
    def of(cls, siteinfo, names: Names) -> _Site:
        site = cls(names)
        base = _child_text(siteinfo, "base")
        if base and "/" in base:
            site.base = base.rsplit("/", 1)[0] + "/"  # .../wiki/Main_Page -> .../wiki/
        for ns in siteinfo.iter("{*}namespace"):
            key, name = ns.get("key", ""), (ns.text or "").strip()
            site.namespaces[key] = name
            if key == "6" and name:
                site.names.files.add(name.lower())
            elif key == "14" and name:
                site.names.categories.add(name.lower())
        return site


class _TextLines:
    """The line of the dump each ``<text>`` tag is on, found in the bytes as they are fed to the
    parser. lxml's ``sourceline`` is not the start tag's past line 65,535 (libxml2 then gives the
    line the element's text ends on), and Wikipedia's dumps have hundreds of millions of lines."""

    def __init__(self) -> None:
        self.line = 1  # the line the next byte fed is on
        self.tail = b""  # the last bytes fed: a tag cut by a chunk's end begins there
        self.found: deque[int] = deque()  # lines of tags fed, not yet taken by their page

    def feed(self, chunk: bytes) -> None:
        data = self.tail + chunk
        line, at = self.line - self.tail.count(b"\n"), 0
        for m in _TEXT_TAG.finditer(data):  # never one seen before: a tag is longer than the tail
            line += data.count(b"\n", at, m.start())
            at = m.start()
            self.found.append(line)
        self.line += chunk.count(b"\n")
        self.tail = data[-5:]  # "<text" without the character that ends it

    def of(self, page) -> dict:
        """The page's ``<text>`` elements and the lines they start on (those of the tags it holds,
        taken in order)."""
        texts = page.findall(".//{*}text")
        return {t: self.found.popleft() if self.found else t.sourceline for t in texts}


def _article(given, absolute, position, element, lines: dict, site: _Site, left: Counter[str], stats,
             dates) -> Article | None:
    title = _child_text(element, "title") or ""
    ns = _child_text(element, "ns") or "0"
    if ns != "0":
        left[site.namespaces.get(ns) or f"namespace {ns}"] += 1
        return None
    if element.find("{*}redirect") is not None:
        left["redirects"] += 1
        return None
    revisions = element.findall("{*}revision")
    revision = revisions[-1] if revisions else None  # a history export: the latest, last
    text = revision.find("{*}text") if revision is not None else None
    line = lines.get(text) if text is not None else None
    model = _child_text(revision, "model") if revision is not None else None
    if model not in (None, "wikitext"):
        left[f"{model} pages"] += 1
        return None
    wikitext = (text.text or "") if text is not None else ""
    if len(wikitext) > MAX_ARTICLE_BYTES:
        stats.skipped.append(Skip(given, line, f"page {title!r} too large ({len(wikitext) // 2**20} MB)"))
        return None
    from .wikitext import page

    try:
        shown = page(wikitext, site.names)
    except Exception as exc:  # noqa: BLE001 - one page the parser fails on must not lose the dump
        stats.skipped.append(Skip(given, line, f"could not read the page {title!r}: {exc}"))
        return None
    body = shown.text
    if not body.strip():
        stats.skipped.append(Skip(given, line, "page has no text (templates or links only)"))
        return None
    page_id = _child_text(element, "id")
    record = {"date": _child_text(revision, "timestamp"), "tags": shown.categories,
              "url": site.base + quote(title.replace(" ", "_"), safe="/:@$!*(),;~'") if site.base and title else None,
              "metadata": {"page_id": page_id} if page_id else {}}
    # Named by the page's id when the dump gives one: the same page in a newer dump is the same article
    article = article_from(record, given, absolute, position, body, title or None, line or 1, lines_mapped=True,
                           dates=dates, markup="markdown")
    article = dataclasses.replace(article, article_id=make_id(absolute, "page", page_id) if page_id else article.article_id)
    if line is None:
        return article
    anchors = _anchors(shown, line)
    return dataclasses.replace(article, line_start=anchors[0][1], line_anchors=anchors)


def _anchors(shown, first: int) -> tuple[tuple[int, int], ...]:
    """(offset in the page's Markdown, line of the file) where its lines' lines change; the
    wikitext's first line is the file's ``first``."""
    anchors: list[tuple[int, int]] = []
    size = 0
    for markdown_line, at in zip(shown.lines, shown.at, strict=True):
        if not anchors or anchors[-1][1] != first + at:
            anchors.append((size, first + at))
        size += len(markdown_line) + 1
    return tuple(anchors)


def _child_text(element, name: str) -> str | None:
    found = element.find("{*}" + name)
    value = found.text.strip() if found is not None and found.text else ""
    return value or None


def _left_out(left: Counter[str]) -> str:
    redirects = left.pop("redirects", 0)
    others = sum(left.values())
    parts = [f"{redirects:,} redirect{'s' * (redirects != 1)}"] if redirects else []
    if others:
        kinds = ", ".join(f"{name} {n:,}" for name, n in left.most_common(6)) + (", ..." if len(left) > 6 else "")
        parts.append(f"{others:,} in other namespaces ({kinds})")
    total = redirects + others
    return f"left out {total:,} page{'s' * (total != 1)} that {'are' if total != 1 else 'is'} no article: " + "; ".join(parts)


def read_wikitext(given: str, absolute: str, data: bytes, stats: ReadStats) -> Iterator[Article]:
    """A page's wikitext in a file of its own (a GitHub wiki's ``Home.mediawiki``, a page saved
    as ``.wiki``), read as a dump's page is; titled by its file's name (a wiki's dashes are spaces)."""
    from .dates import name_date
    from .markdown import file_title
    from .textlines import decode_lines
    from .wikitext import Names, page

    lines = decode_lines(given, data, stats)
    if any(line is None for line in lines):
        return
    shown = page("\n".join(lines).replace("\r", ""), Names())
    if not shown.text.strip():
        stats.skipped.append(Skip(given, None, "no text in the page (templates or links only)"))
        return
    title = (file_title(absolute) or "").replace("-", " ") or None
    article = article_from({"tags": shown.categories, "date": name_date(absolute)}, given, absolute, 0, shown.text,
                           title, shown.at[0] + 1, lines_mapped=True, markup="markdown")
    yield dataclasses.replace(article, line_anchors=_anchors(shown, 1))
