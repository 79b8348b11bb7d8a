"""E-books (.epub): each chapter an article, titled as the book's table of contents names it.

An EPUB is a zip of XHTML files read in the order of its spine (EPUB 2 and 3 alike). A
chapter's body is read as a record's HTML is (markup "page": headings, lists, tables and code
kept); its title is its entry in the book's table of contents (EPUB 3's navigation document, or
EPUB 2's NCX), a file the contents do not name (the rest of a chapter split over files) taking
the entry before it. The book's title, authors, date, subjects and publisher are each chapter's.
A chapter's reference is its place in the book: ``book.epub:§7``, the 7th chapter read (a cover
or a page of only images has no text and no number).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Iterator
from urllib.parse import unquote

from .records import record_article
from .types import EPUB, Article, Skip
from .walk import ReadStats
from .zipped import skipped

MAX_EPUB_BYTES = 2048 * 2**20  # unpacked; a zip bomb is refused by its members' sizes first
MAX_CHAPTER_BYTES = 32 * 2**20
_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
_XHTML = "{http://www.w3.org/1999/xhtml}"
_EPUB_NS = "{http://www.idpf.org/2007/ops}"
_CHAPTERS = ("application/xhtml+xml", "text/html")
_BODY = re.compile(r"<body[^>]*>(.*)</body\s*>", re.S | re.I)
# A note's mark in the text (EPUB 3's noteref, DPUB-ARIA's doc-noteref, as pandoc writes it):
# "[1]", not a bare "1" glued to the word before it.
_NOTEREF = re.compile(r"""(<a\b[^>]*\b(?:epub:type|role)\s*=\s*["'][^"']*\b(?:doc-)?noteref\b[^>]*>)(.*?)(</a\s*>)""",
                      re.S | re.I)
_TAG = re.compile(r"<[^>]+>")


def read_epub(given: str, absolute: str, stats: ReadStats) -> Iterator[Article]:
    """Each chapter with text as an article, in the book's reading order."""
    from lxml import etree

    if skipped(given, absolute, stats, "an EPUB", EPUB, MAX_EPUB_BYTES):
        return
    try:
        with zipfile.ZipFile(absolute) as z:
            if "META-INF/container.xml" not in z.namelist():
                stats.skipped.append(Skip(given, None, "not an EPUB (a zip without META-INF/container.xml)"))
                return
            parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
            opf_path = _package_path(z, parser)
            opf = etree.fromstring(z.read(opf_path), parser)
            base = posixpath.dirname(opf_path)
            items = {i.get("id"): i for i in opf.iter(_OPF + "item")}
            spine = [items[r.get("idref")] for r in opf.iter(_OPF + "itemref")
                     if r.get("idref") in items and r.get("linear") != "no"]
            labels = _contents(z, opf, items, base, parser)
            book = _book(opf)
            hrefs = [posixpath.normpath(posixpath.join(base, unquote(i.get("href") or ""))) for i in spine]
            if _encrypted(z, parser).intersection(hrefs):  # before any chapter: not a book's cover alone
                stats.skipped.append(Skip(given, None, "the book is DRM-protected: its chapters are "
                                                       "encrypted (index a copy without DRM)"))
                return
            number, label = 0, None
            for position, (item, href) in enumerate(zip(spine, hrefs, strict=True)):
                label = labels.get(href, label)
                if item.get("media-type") not in _CHAPTERS or "nav" in (item.get("properties") or "").split():
                    continue
                try:
                    info = z.getinfo(href)
                except KeyError:
                    stats.skipped.append(Skip(given, None, f"chapter {href} is listed but not in the book"))
                    continue
                if info.file_size > MAX_CHAPTER_BYTES:
                    stats.skipped.append(Skip(given, None, f"chapter {href} too large "
                                                           f"({info.file_size // 2**20} MB)"))
                    continue
                body = _body(z.read(href))
                if body is None:
                    continue
                record = {**book, "text": body, **({"title": label} if label else {})}
                hidden = ReadStats()  # a cover or a page of images says nothing: not a skip
                article = record_article(given, absolute, position, number + 1, record, hidden)
                if article is not None:
                    number += 1
                    yield article
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError) as exc:
        stats.skipped.append(Skip(given, None, f"a damaged EPUB: {exc}"))


def _package_path(z: zipfile.ZipFile, parser) -> str:
    """Where the package document (.opf) is, as the container names it."""
    from lxml import etree

    container = etree.fromstring(z.read("META-INF/container.xml"), parser)
    root = next((r.get("full-path") for r in container.iter(_CONTAINER + "rootfile")
                 if r.get("media-type") in (None, "application/oebps-package+xml")), None)
    if not root:
        raise ValueError("its container names no package document")
    return root


def _book(opf) -> dict:
    """What a chapter takes from the book: its authors, date, subjects, title and publisher."""
    def texts(name: str) -> list[str]:
        return [" ".join(e.text.split()) for e in opf.iter(_DC + name) if e.text and e.text.strip()]

    title, date, publisher = (next(iter(texts(n)), None) for n in ("title", "date", "publisher"))
    book = {"author": ", ".join(texts("creator")), "date": date, "tags": texts("subject"), "book": title,
            "publisher": publisher}  # the last two kept as metadata
    return {k: v for k, v in book.items() if v}


def _contents(z: zipfile.ZipFile, opf, items: dict, base: str, parser) -> dict[str, str]:
    """The table of contents: each file it points into, by its path in the zip, with the first
    entry's label."""
    from lxml import etree

    nav = next((i for i in items.values() if "nav" in (i.get("properties") or "").split()), None)
    spine = opf.find(_OPF + "spine")
    ncx = items.get(spine.get("toc")) if spine is not None else None
    out: dict[str, str] = {}
    for item, entries in ((nav, _nav_entries), (ncx, _ncx_entries)):
        if item is None or out:
            continue
        where = posixpath.normpath(posixpath.join(base, unquote(item.get("href") or "")))
        try:
            tree = etree.fromstring(z.read(where), parser)
        except (KeyError, etree.XMLSyntaxError):
            continue
        for href, label in entries(tree):
            target = posixpath.normpath(posixpath.join(posixpath.dirname(where), unquote(href.split("#")[0])))
            if label and target not in out:
                out[target] = label
    return out


def _nav_entries(tree) -> Iterator[tuple[str, str]]:
    navs = list(tree.iter(_XHTML + "nav"))
    toc = next((n for n in navs if n.get(_EPUB_NS + "type") == "toc"), navs[0] if navs else None)
    for a in toc.iter(_XHTML + "a") if toc is not None else ():
        yield a.get("href") or "", " ".join("".join(a.itertext()).split())


def _ncx_entries(tree) -> Iterator[tuple[str, str]]:
    for point in tree.iter(_NCX + "navPoint"):
        content = point.find(_NCX + "content")
        label = point.findtext(f"{_NCX}navLabel/{_NCX}text") or ""
        if content is not None:
            yield content.get("src") or "", " ".join(label.split())


def _encrypted(z: zipfile.ZipFile, parser) -> set[str]:
    """The files encrypted (by DRM, or fonts obfuscated as EPUB allows: only chapters matter)."""
    from lxml import etree

    if "META-INF/encryption.xml" not in z.namelist():
        return set()
    tree = etree.fromstring(z.read("META-INF/encryption.xml"), parser)
    return {posixpath.normpath(unquote(ref.get("URI") or ""))
            for ref in tree.iter("{http://www.w3.org/2001/04/xmlenc#}CipherReference")}


def _body(data: bytes) -> str | None:
    """A chapter's body as HTML text (UTF-8, or UTF-16 by its byte order mark)."""
    text = data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else data.decode("utf-8", "replace")
    m = _BODY.search(text)
    if not m:
        return None
    return _NOTEREF.sub(lambda n: f"{n[1]}[{_TAG.sub('', n[2]).strip()}]{n[3]}", m.group(1))
