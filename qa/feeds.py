"""Feeds: RSS (0.9x, 1.0, 2.0) and Atom files and WordPress's export (WXR), one article per
item, read by feedparser; each passage's reference is the lines of the item it came from."""

from __future__ import annotations

import dataclasses
import html
import re
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .pagelines import sentence_lines
from .records import record_article, shows_text
from .types import Article, Skip

if TYPE_CHECKING:
    from .walk import ReadStats

FEEDS = (".xml", ".rss", ".atom")
# What a feed opens with (after any XML declaration, comments and processing instructions); an
# .xml file that opens otherwise (a build file, an Android layout) is no article and not read.
_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]")
# An item's (or entry's) opening tag, not counting any inside CDATA or a comment: an article
# about feeds may quote "<item>" in its HTML.
_ITEM = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->|<(?:[\w.-]+:)?(?:item|entry)[\s>/]", re.S)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
# WordPress exports every post type: posts, pages and a site's own kinds (a shop's products, a
# recipe site's recipes) are articles; what WordPress keeps as posts for itself is not (media,
# menus, revisions, blocks, templates, styles: its core types, all "wp_..." ones). Posts in the
# trash and empty auto-drafts are left out too.
_NOT_ARTICLES = {"attachment", "nav_menu_item", "revision", "custom_css", "customize_changeset",
                 "oembed_cache", "user_request"}
_LEFT_OUT = {"trash", "auto-draft"}
_NO_DATE = "0000-00-00"
_BLOCKS = re.compile(r"<(?:p|div|h[1-6]|ul|ol|table|pre|blockquote|figure|br)[\s/>]", re.I)
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def is_feed(head: bytes) -> bool:
    """Whether a file's first bytes open an RSS, RDF or Atom document (UTF-8 or a single-byte
    encoding; a UTF-16 one is taken as one too, to be read and reported if it is not)."""
    return bool(_ROOT.search(head)) or head.startswith((b"\xff\xfe", b"\xfe\xff"))


def read_feed(given: str, absolute: str, data: bytes, stats: ReadStats) -> Iterator[Article]:
    """Each item of a feed as an article: its content (HTML read as a record's HTML is), title,
    link, date (WordPress's local post date first), author and categories; the feed's title is
    kept as metadata. Items of a WordPress export that are WordPress's own (media, menus,
    revisions, blocks) are counted, not read."""
    import feedparser

    parsed = feedparser.parse(data)  # bytes, never a URL: nothing is fetched
    if not parsed.entries:
        problem = parsed.get("bozo_exception")
        stats.skipped.append(Skip(given, None, f"not a readable feed: {problem}" if problem
                                  else "no items in the feed (not RSS, Atom or a WordPress export?)"))
        return
    spans = _item_spans(data)
    if len(spans) != len(parsed.entries):  # not found as parsed (an encoding regexes cannot read)
        spans = [(1, 0, 0)] * len(parsed.entries)
    encoding = parsed.get("encoding") or "utf-8"
    feed_title = " ".join(str(parsed.feed.get("title") or "").split())
    left_out: Counter[str] = Counter()
    empty: list[int] = []  # lines of items with no text: a podcast's episodes, say, one line for all
    for position, (entry, (line, start, end)) in enumerate(zip(parsed.entries, spans, strict=True)):
        kind, status = entry.get("wp_post_type"), entry.get("wp_status")
        if kind and (kind in _NOT_ARTICLES or kind.startswith("wp_")):
            left_out[kind] += 1
            continue
        if status in _LEFT_OUT:
            left_out[f"{status} {kind or 'post'}"] += 1
            continue
        text = _content(entry)
        if kind and text and not _BLOCKS.search(text):
            text = _paragraphs(text)
        if not shows_text(text):  # none, or markup alone (an image)
            empty.append(line)
            continue
        record = {
            "id": entry.get("id") or entry.get("wp_post_id"), "title": entry.get("title"), "text": text,
            "url": entry.get("link"), "date": _date(entry), "author": entry.get("author"),
            "tags": [t.get("term") for t in entry.get("tags") or () if t.get("term")],
        }
        if feed_title:
            record["feed"] = feed_title
        article = record_article(given, absolute, position, line, {k: v for k, v in record.items() if v},
                                 stats)
        if article is None:
            continue
        anchors = sentence_lines(_as_page(data[start:end], encoding), article.text) if end else ()
        if anchors:  # passages point at the lines of the item their sentences are on
            anchors = tuple((offset, line + n - 1) for offset, n in anchors)
            article = dataclasses.replace(article, line_start=anchors[0][1], lines_mapped=True,
                                          line_anchors=anchors)
        yield article
    if empty:
        stats.skipped.append(Skip(given, empty[0], "item has no text (no content, description or summary)"
                                  if len(empty) == 1 else f"{len(empty)} items have no text (no content, "
                                  "description or summary), this the first"))
    if left_out:
        what = ", ".join(f"{kind}: {n}" for kind, n in left_out.most_common())
        stats.skipped.append(Skip(given, None, f"{left_out.total()} items that are no article (media, "
                                               f"menus, revisions, blocks) or in the trash left out ({what})"))


def _item_spans(data: bytes) -> list[tuple[int, int, int]]:
    """(line, start, end) of each item in the file: an item ends where the next one opens (or
    the file ends), which is all the line search needs."""
    starts = [m.start() for m in _ITEM.finditer(data) if not m.group().startswith(b"<!")]
    spans, line, at = [], 1, 0
    for i, start in enumerate(starts):
        line += data.count(b"\n", at, start)
        at = start
        spans.append((line, start, starts[i + 1] if i + 1 < len(starts) else len(data)))
    return spans


def _as_page(raw: bytes, encoding: str) -> bytes:
    """An item's source as HTML whose text is on the item's lines: CDATA opened, and HTML
    escaped outside it (``&lt;p&gt;``) unescaped, each keeping its line breaks."""
    text = raw.decode(encoding, errors="replace")
    parts, at = [], 0
    for m in _CDATA.finditer(text):
        parts += [html.unescape(text[at:m.start()]), m.group(1)]
        at = m.end()
    parts.append(html.unescape(text[at:]))
    return "".join(parts).encode("utf-8")


def _content(entry) -> str:
    """The item's fullest text: its content (``content:encoded``, Atom's ``content``), else its
    description or summary."""
    contents = [c.get("value") or "" for c in entry.get("content") or ()]
    best = max(contents, key=len, default="")
    summary = entry.get("summary") or ""
    return (best if len(best.strip()) >= len(summary.strip()) else summary).strip()


def _paragraphs(text: str) -> str:
    """A WordPress post as written in the classic editor, which keeps paragraphs as blank lines
    and line breaks as newlines and adds the tags when it shows the post (``wpautop``): with
    them, so its paragraphs stay apart once its inline HTML is read."""
    return "\n".join("<p>" + para.strip().replace("\n", "<br>\n") + "</p>"
                     for para in _BLANK_LINE.split(text.strip()) if para.strip())


def _date(entry) -> str | None:
    """WordPress's local post date (its ``pubDate`` is UTC, and a draft's is none), else the
    published or updated date as the feed writes it (its own day, not converted to UTC)."""
    local = entry.get("wp_post_date") or ""
    if local and not local.startswith(_NO_DATE):
        return local
    return entry.get("published") or entry.get("updated") or None
