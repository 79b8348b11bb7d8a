"""Readers: files in, :class:`~qa.types.Article` out, with every bad input reported and skipped."""

from __future__ import annotations

import dataclasses
import gzip
import itertools
import os
import re
import time
import zlib
from collections.abc import Callable, Iterable, Iterator

from . import rst
from .asciidoc import adoc_page
from .clippings import is_clippings, read_clippings
from .datedsections import dated_sections, journal_entries
from .dates import FileDates, name_date
from .encoding import utf16_as_utf8
from .enex import ENEX, read_enex
from .epub import read_epub
from .feeds import FEEDS, read_feed
from .filestamps import same_file
from .frontmatter import front_matter
from .grown import BLOCKS, Hashed, Tail, tracked
from .headed import HEAD, is_headed
from .htmlpage import read_html
from .jats import is_jats, read_jats
from .mail import read_mail
from .markdown import file_title, inline_tags, template_fences, without_hidden
from .markdown import lead as markdown_lead
from .markdown import title as markdown_title
from .mdpage import entities, shown, without_esm
from .mediawiki import WIKITEXT, is_mediawiki, read_mediawiki, read_wikitext
from .myst import myst_page
from .notebook import read_notebook
from .ods import read_ods
from .odt import read_odt
from .org import FILE_TAGS, HEADING_TAGS, org_page
from .outlook import read_msg
from .pagemeta import noindex
from .pdf import read_pdf
from .recordfiles import read_csv, read_json, read_jsonl
from .records import article_from, make_id, mapped, tag_names, title_from_text
from .rtf import MAX_RTF_BYTES, read_rtf
from .savedpage import MAX_SAVED_PAGE_BYTES, read_mhtml, read_webarchive
from .slides import read_pptx
from .spreadsheet import read_xlsx
from .subtitles import SUBTITLES, read_subtitles
from .textlines import MAX_ARTICLE_BYTES, decode_lines, opened, read_lines
from .tweets import POSTS, read_posts
from .types import (
    BZIPPED,
    DOCX,
    EPUB,
    GZIPPED,
    MAIL,
    MARKDOWN,
    MHTML,
    MSG,
    NOTEBOOK,
    NXML,
    ODS,
    ODT,
    PAGES,
    PDF,
    PPTX,
    RTF,
    WEBARCHIVE,
    XLSX,
    Article,
    Skip,
    uncompressed,
)
from .walk import EXTENSIONS, ReadStats, iter_files
from .word import read_docx

__all__ = ["EXTENSIONS", "ReadStats", "read_articles"]

_BLANK = re.compile(r"^\s*$")
_BLANK_LINES = re.compile(r"(?:[ \t]*\n)*")
_DAMAGED = (EOFError, zlib.error, gzip.BadGzipFile)
MAX_JSON_BYTES = 256 * 2**20  # a .json file or a feed is parsed whole; JSONL streams
# Kinds whose bytes say their own encoding (or are binary): not re-coded from UTF-16 first
_OWN_ENCODING = (*PAGES, *MHTML, WEBARCHIVE, NXML, NOTEBOOK, *FEEDS, ENEX, *MAIL, RTF)
# A whole file read at once: at most this much (pictures make an .rtf or a saved page big)
_LIMITS = {RTF: MAX_RTF_BYTES, **dict.fromkeys((*MHTML, WEBARCHIVE), MAX_SAVED_PAGE_BYTES),
           **dict.fromkeys((".json", ".js", NXML, NOTEBOOK, *FEEDS), MAX_JSON_BYTES)}


def read_articles(
    paths: Iterable[str], stats: ReadStats, one_per_file: bool = False,
    unchanged: Callable[[str, str, os.stat_result], bool | Tail] | None = None,
) -> Iterator[Article]:
    """Read every article under ``paths``; problems go to ``stats.skipped``, never raise.

    Many-article formats (``.txt`` blocks, ``.jsonl``, ``.csv``) are streamed line by line, so
    memory stays bounded by the largest article, whatever the file size.

    Args:
        unchanged: called with (path as given, absolute path, stat) before a file is opened;
            True means the caller already holds its articles, so it is not read; a
            :class:`qa.grown.Tail`, that it holds those of a mailbox or JSON Lines file up to
            there, so only the messages or records after it are read.
    """
    for given, absolute in iter_files(paths, stats):
        try:
            st, seen = os.stat(absolute), time.time_ns()
        except OSError:
            st = None  # reported when opening it fails
        skipped, legacy = len(stats.skipped), len(stats.legacy)  # a kept mailbox's part says its own again
        kept = unchanged(given, absolute, st) if st is not None and unchanged is not None else False
        if kept is True:
            stats.unchanged.add(absolute)
            stats.whole[absolute] = (given, st, seen)
            continue
        if kept:
            stats.grown.add(absolute)
        yield from read_file(given, absolute, stats, one_per_file, kept or None)
        unmerged = stats.unmerged.pop(absolute, None)
        # Read to the end: what it left out is what these bytes leave out (an I/O error or a
        # reader's failure makes it unread; a legacy encoding is said again, read again).
        if (st is not None and len(stats.legacy) == legacy and absolute not in stats.unread
                and absolute not in stats.reread
                and same_file(absolute, st)):
            stats.whole[absolute] = (given, st, seen)
            # recorded one by one for a file a later reading may go on from (they are said with its own)
            left = unmerged if absolute in stats.tails else None
            if left or len(stats.skipped) > skipped:
                stats.file_skips[absolute] = left or stats.skipped[skipped:]


def read_file(given: str, absolute: str, stats: ReadStats, one_per_file: bool, resume: Tail | None = None
              ) -> Iterator[Article]:
    compressed = given.lower().endswith(GZIPPED + BZIPPED)
    ext = os.path.splitext(uncompressed(given))[1].lower()
    if not given.lower().endswith(EXTENSIONS) and not POSTS.search(given):  # walked files of no kind read are mailboxes (qa.walk)
        ext = ".mbox"
    if ext in (PDF, DOCX, ODT, EPUB, PPTX, MSG, *XLSX, ODS):  # binary: PDFium, python-docx, openpyxl, a zip or OLE reader
        reader = {PDF: read_pdf, DOCX: read_docx, ODT: read_odt, EPUB: read_epub, PPTX: read_pptx, MSG: read_msg,
                  ODS: read_ods, **dict.fromkeys(XLSX, read_xlsx)}[ext]
        yield from _guarded(reader(given, absolute, stats), given, absolute, stats)
        return
    try:
        with opened(absolute) as raw, (raw if ext in _OWN_ENCODING else utf16_as_utf8(raw)) as fh:
            head = fh.read(HEAD)
            if not head.strip() and len(head) < HEAD:
                stats.skipped.append(Skip(given, None, "empty file"))
                return
            if b"\x00" in head and ext != WEBARCHIVE:  # a binary property list
                stats.skipped.append(Skip(given, None, "binary file (contains NUL bytes)"))
                return
            fh.seek(0)
            streamed = {".jsonl": read_jsonl, ".csv": read_csv, ".tsv": read_csv, ENEX: _read_enex,
                        ".eml": read_mail, ".mbox": read_mail}.get(ext)
            if ext == ".xml" and is_mediawiki(head):
                streamed = read_mediawiki
            # a document with headings is read as the Markdown it is written in (qa.headed), a
            # reStructuredText source as one
            in_rst = ext == ".txt" and not is_clippings(head) and rst.is_rst(head)
            headed = (ext == ".txt" and not is_clippings(head) and (in_rst or is_headed(head, len(head) < HEAD))
                      and (compressed or os.fstat(raw.fileno()).st_size <= MAX_ARTICLE_BYTES))  # else blocks, streamed
            if ext == ".txt" and not one_per_file and not headed:
                streamed = _read_clippings if is_clippings(head) else _read_txt_blocks
            if streamed:
                dates = {"dates": FileDates(absolute)} if ext != ".txt" else {}
                if resume is not None and streamed in (read_mail, read_jsonl, _read_txt_blocks):
                    dates["resume"] = resume
                yield from _guarded(streamed(given, absolute, fh, stats, **dates), given, absolute, stats)
                return
            limit = _LIMITS.get(ext, MAX_ARTICLE_BYTES)
            # a compressed file's size is known once read: read at most one byte past the limit
            data = fh.read(limit + 1) if compressed else None
            size = len(data) if data is not None else os.fstat(raw.fileno()).st_size
            if size > limit:
                hint = "; convert it to JSONL, which is read record by record" if ext == ".json" else ""
                stats.skipped.append(Skip(given, None, f"file too large ({size // 2**20} MB, "
                                                       f"limit {limit // 2**20} MB){hint}"))
                return
            if data is None:
                data = fh.read()
    except (*_DAMAGED, OSError) as exc:
        if _is_damage(exc, given):  # as it is: read again only once it changes
            stats.skipped.append(Skip(given, None, f"{_damaged(given)}: {exc}"))
            return
        stats.skipped.append(Skip(given, None, f"cannot read: {exc.strerror or exc}"))
        stats.unread.add(absolute)
        return
    if ext == ".txt" and headed:
        reader = (dataclasses.replace(a, markup="markdown")
                  for a in _read_md(given, absolute, data, stats, ".rst" if in_rst else ""))
    elif ext == ".txt":
        reader = _read_txt(given, absolute, data, stats)
    elif ext in MARKDOWN:
        reader = _read_md(given, absolute, data, stats)
    elif ext == ".json":
        reader = read_json(given, absolute, data, stats, FileDates(absolute))
    elif ext == NOTEBOOK:
        reader = read_notebook(given, absolute, data, stats)
    elif ext == NXML or (ext == ".xml" and is_jats(data[:4096])):
        reader = read_jats(given, absolute, data, stats)
    elif ext in FEEDS:
        reader = read_feed(given, absolute, data, stats)
    elif ext == RTF:
        reader = read_rtf(given, absolute, data, stats)
    elif ext in WIKITEXT:
        reader = read_wikitext(given, absolute, data, stats)
    elif ext in SUBTITLES:
        reader = read_subtitles(given, absolute, data, stats)
    elif ext == ".js":  # an X archive's posts (qa.walk reads no other)
        reader = read_posts(given, absolute, data, stats)
    elif ext in MHTML:
        reader = read_mhtml(given, absolute, data, stats)
    elif ext == WEBARCHIVE:
        reader = read_webarchive(given, absolute, data, stats)
    elif absolute not in stats.named and noindex(data):
        stats.noindex.append(given)
        return
    else:
        reader = read_html(given, absolute, data, stats)
    yield from _guarded(reader, given, absolute, stats)


def _is_damage(exc: Exception, given: str) -> bool:
    """A compressed file found damaged (bzip2 says so with an OSError of no errno)."""
    return isinstance(exc, _DAMAGED) or (isinstance(exc, OSError) and exc.errno is None
                                         and given.lower().endswith(BZIPPED))


def _damaged(given: str) -> str:
    return f"a damaged {'bzip2' if given.lower().endswith('.bz2') else 'gzip'} file"


def _guarded(articles: Iterator[Article], given: str, absolute: str, stats: ReadStats) -> Iterator[Article]:
    """A reader bug or I/O error on one file must not lose the rest of the corpus; a file that
    gives no article and no reason why (a CSV header alone, a JSON ``[]``) is reported too."""
    reported, read = len(stats.skipped), 0
    stats.skipped.extend(stats.carried.pop(absolute, ()))  # what the part read before left out (qa.grown)
    try:
        for article in articles:
            read += 1
            yield article
    except Exception as exc:  # noqa: BLE001
        if _is_damage(exc, given):  # cut short: what came before it stays, and it is read again once it changes
            stats.skipped.append(Skip(given, None, f"{_damaged(given)}: {exc}; what came before the damage was read"))
            return
        stats.skipped.append(Skip(given, None, f"could not parse: {exc}"))
        stats.unread.add(absolute)
        return
    finally:
        stats.unmerged[absolute] = stats.skipped[reported:]
        stats.skipped[reported:] = alike_once(stats.skipped[reported:])
    if not read and len(stats.skipped) == reported:
        stats.skipped.append(Skip(given, None, "no article in it (no records, or none with text)"))


def alike_once(skips: list[Skip], shown: int = 5) -> list[Skip]:
    """A file's records left out for one reason on one line, with where they are: a Slack
    export's users.json (a record per person) or its join notices were a line each."""
    alike: dict[str, list[Skip]] = {}
    for s in skips:
        if s.line is not None:
            alike.setdefault(s.reason, []).append(s)
    out = []
    for s in skips:
        group = alike.get(s.reason, ()) if s.line is not None else ()
        lines = list(dict.fromkeys(x.line for x in group))  # a one-line JSON's records share one
        if len(group) < 3 and len(lines) == len(group):
            out.append(s)
        elif s is group[0]:
            where = ", ".join(map(str, lines[:shown])) + (", ..." if len(lines) > shown else "")
            out.append(Skip(s.path, s.line, f"{s.reason}: {len(group)} records (line{'s' * (len(lines) > 1)} {where})"))
    return out


def _read_txt_blocks(given, absolute, fh, stats, resume: Tail | None = None) -> Iterator[Article]:
    """One article per blank-line-separated block, streamed; a file named by its date (a
    journal's ``2024-03-05.txt``) dates its blocks. ``resume``: where a reading of the same file
    ended, its blocks kept (:mod:`qa.grown`): read on from there."""
    tail = resume if resume is not None else Tail(kind=BLOCKS) if tracked(absolute) else None
    if resume is not None:
        fh.seek(resume.size)
    position = resume.items if resume is not None else 0
    date = name_date(absolute)
    start, block, size, broken = 0, [], 0, False
    lines = read_lines(given, fh if tail is None else Hashed(fh, tail), stats, resume.lines if resume is not None else 0)
    for number, line in itertools.chain(lines, [(0, "")]):
        if line is not None and _BLANK.match(line):
            if block or broken:
                if size > MAX_ARTICLE_BYTES:
                    stats.skipped.append(Skip(given, start, "article longer than "
                                                            f"{MAX_ARTICLE_BYTES // 2**20} MB; skipped"))
                elif not broken:
                    text = "\n".join(block)
                    yield Article(article_id=make_id(absolute, position), title=title_from_text(text),
                                  text=text, source=given, path=absolute, line_start=start, date=date)
                position += 1
            start, block, size, broken = 0, [], 0, False
            continue
        if not start:
            start = number
        if line is None:
            broken = True
            continue
        size += len(line) + 1
        if size <= MAX_ARTICLE_BYTES and not broken:
            block.append(line)
        else:
            block = []
    if tail is not None:  # read to its end: a later reading may go on from here
        tail.items = position
        stats.tails[absolute] = tail.record()


def _read_enex(given, absolute, fh, stats, dates=None) -> Iterator[Article]:
    return read_enex(given, absolute, stats)  # parsed from its path, note by note


def _read_clippings(given, absolute, fh, stats) -> Iterator[Article]:
    return read_clippings(given, absolute, read_lines(given, fh, stats), stats)


def _read_txt(given, absolute, data, stats) -> Iterator[Article]:
    """A whole .txt file as one article."""
    lines = decode_lines(given, data, stats)
    if any(line is None for line in lines):
        return
    while lines and not lines[-1].strip():
        lines.pop()
    start = next((i for i, line in enumerate(lines, 1) if line.strip()), 1)
    text = "\n".join(lines[start - 1:])
    if text.strip():
        yield Article(article_id=make_id(absolute, 0), title=title_from_text(text), text=text,
                      source=given, path=absolute, line_start=start, date=name_date(absolute))


def _read_md(given, absolute, data, stats, syntax: str = "") -> Iterator[Article]:
    """``syntax``: what the file is written in, as an extension, when its own does not say it
    (``.rst`` for a ``.txt`` file in reStructuredText)."""
    kind = syntax or uncompressed(absolute).lower()
    lines = decode_lines(given, data, stats)
    if any(line is None for line in lines):
        return
    # A carriage return alone (a stray one, or an old Mac file's line ends) ends a line for the
    # Markdown parser and not for the file's line numbers: it is read as the space it shows as
    text, fields = "\n".join(lines).replace("\r", " "), {}
    if kind.endswith(".rst"):
        text, fields = rst.page(text)
    elif kind.endswith(".org"):
        text, fields = org_page(text)
    elif kind.endswith((".adoc", ".asciidoc")):
        text, fields = adoc_page(text)
    file_tags, heading_tags = fields.pop(FILE_TAGS, None), fields.pop(HEADING_TAGS, {})
    meta, body_line, text, problem = front_matter(text)
    meta = {**fields, **meta}
    text = without_esm(text) if kind.endswith(".mdx") else text
    text = text if kind.endswith((".rst", ".org", ".adoc", ".asciidoc")) else myst_page(text)
    if problem:
        stats.skipped.append(Skip(given, 1, problem))
    # HTML (comments, tags) and link definitions, as a rendered page hides them; lines stay.
    text = entities(without_hidden(shown(template_fences(text))))
    # Leading blank lines (or lines left blank) shift the first line of the body.
    blank = _BLANK_LINES.match(text).end()
    body_line += text.count("\n", 0, blank)
    text = text[blank:].rstrip()
    if not text.strip():
        # a Sphinx page whose text is elsewhere (CMake's `.. cmake-module:: ../../Modules/X.cmake`)
        left = "fields, comments and directives that show no text" if kind.endswith(".rst") else \
            "front matter, comments and HTML tags"
        stats.skipped.append(Skip(given, None, f"no text in it (after its {left})"))
        return
    rec = mapped(meta)
    if "text" in rec["keys"]:  # the body is the text: a front matter `description` stays metadata
        rec["metadata"][rec["keys"]["text"]] = rec.pop("text")
    if not rec.get("date"):  # a Jekyll post, a daily note: dated by the file's name
        rec["date"] = name_date(absolute)
    declared = tag_names(rec.get("tags") or ()) if file_tags is None else file_tags
    if found := inline_tags(text):  # a note's #tags as its front matter's, to filter by
        rec["tags"] = [*tag_names(rec.get("tags") or ()), *found]
    title = rec.get("title")
    if not title and kind.endswith(".org"):  # Org's own default: its top headings are sections
        title = file_title(absolute)
    if not title:
        title = markdown_title(text, absolute) or title_from_text(markdown_lead(text) or text)
    if entries := dated_sections(text):  # a journal in one file: a day an article
        yield from journal_entries(given, absolute, text, body_line, {**rec, "tags": declared}, str(title), entries,
                                   lambda first, last: [t for n in range(first - 1, last - 1) for t in heading_tags.get(n, ())])
        return
    yield article_from(rec, given, absolute, 0, text, str(title), body_line, lines_mapped=True)
