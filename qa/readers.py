"""Readers: files in, :class:`~qa.types.Article` out, with every bad input reported and skipped."""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator

from . import rst, tables
from .clippings import is_clippings, read_clippings
from .dates import FileDates, name_date
from .encoding import LEGACY, SAMPLE_BYTES, decode, display_name, legacy_encoding, utf16_as_utf8
from .enex import ENEX, read_enex
from .epub import read_epub
from .feeds import FEEDS, read_feed
from .filestamps import same_file
from .frontmatter import front_matter
from .htmlpage import read_html
from .jsonpos import element_lines
from .mail import read_mail
from .markdown import inline_tags, template_fences, without_hidden
from .markdown import lead as markdown_lead
from .markdown import title as markdown_title
from .mdpage import entities, shown, without_esm
from .odt import read_odt
from .pdf import read_pdf
from .records import (
    FIELDS,
    TEXT_HINT,
    article_from,
    article_list,
    is_article,
    make_id,
    mapped,
    record_article,
    tag_names,
    title_from_text,
)
from .types import DOCX, EPUB, MAIL, MARKDOWN, ODT, PAGES, PDF, Article, Skip
from .walk import EXTENSIONS, ReadStats, iter_files
from .word import read_docx

__all__ = ["EXTENSIONS", "ReadStats", "read_articles"]

_BLANK = re.compile(r"^\s*$")
_SURROGATE = re.compile("[\udc80-\udcff]")
_BLANK_LINES = re.compile(r"(?:[ \t]*\n)*")
MAX_ARTICLE_BYTES = 32 * 2**20  # one article: a block, a record, a whole .md or .html file
MAX_JSON_BYTES = 256 * 2**20  # a .json file or a feed is parsed whole; JSONL streams


def read_articles(
    paths: Iterable[str], stats: ReadStats, one_per_file: bool = False,
    unchanged: Callable[[str, str, os.stat_result], bool] | None = None,
) -> Iterator[Article]:
    """Read every article under ``paths``; problems go to ``stats.skipped``, never raise.

    Many-article formats (``.txt`` blocks, ``.jsonl``, ``.csv``) are streamed line by line, so
    memory stays bounded by the largest article, whatever the file size.

    Args:
        unchanged: called with (path as given, absolute path, stat) before a file is opened;
            True means the caller already holds its articles, so it is not read.
    """
    for given, absolute in iter_files(paths, stats):
        try:
            st, seen = os.stat(absolute), time.time_ns()
        except OSError:
            st = None  # reported when opening it fails
        if st is not None and unchanged is not None and unchanged(given, absolute, st):
            stats.unchanged.add(absolute)
            stats.whole[absolute] = (given, st, seen)
            continue
        skipped, legacy = len(stats.skipped), len(stats.legacy)
        yield from read_file(given, absolute, stats, one_per_file)
        # Read to the end: what it left out is what these bytes leave out (an I/O error or a
        # reader's failure makes it unread; a legacy encoding is said again, read again).
        if (st is not None and len(stats.legacy) == legacy and absolute not in stats.unread
                and absolute not in stats.reread
                and same_file(absolute, st)):
            stats.whole[absolute] = (given, st, seen)
            if len(stats.skipped) > skipped:
                stats.file_skips[absolute] = stats.skipped[skipped:]


def read_file(given: str, absolute: str, stats: ReadStats, one_per_file: bool) -> Iterator[Article]:
    ext = os.path.splitext(given)[1].lower() or ".mbox"  # walked files without one are mailboxes (qa.walk)
    if ext in (PDF, DOCX, ODT, EPUB):  # binary: PDFium, python-docx or a zip reader reads the file itself
        reader = {PDF: read_pdf, DOCX: read_docx, ODT: read_odt, EPUB: read_epub}[ext]
        yield from _guarded(reader(given, absolute, stats), given, absolute, stats)
        return
    try:
        with open(absolute, "rb") as raw, (raw if ext in (*PAGES, *FEEDS, ENEX, *MAIL) else utf16_as_utf8(raw)) as fh:
            head = fh.read(8192)
            if not head.strip() and len(head) < 8192:
                stats.skipped.append(Skip(given, None, "empty file"))
                return
            if b"\x00" in head:
                stats.skipped.append(Skip(given, None, "binary file (contains NUL bytes)"))
                return
            fh.seek(0)
            streamed = {".jsonl": _read_jsonl, ".csv": _read_csv, ".tsv": _read_csv, ENEX: _read_enex,
                        ".eml": read_mail, ".mbox": read_mail}.get(ext)
            if ext == ".txt" and not one_per_file:
                streamed = _read_clippings if is_clippings(head) else _read_txt_blocks
            if streamed:
                dates = {"dates": FileDates(absolute)} if ext != ".txt" else {}
                yield from _guarded(streamed(given, absolute, fh, stats, **dates), given, absolute, stats)
                return
            limit = MAX_JSON_BYTES if ext in (".json", *FEEDS) else MAX_ARTICLE_BYTES
            size = os.fstat(raw.fileno()).st_size
            if size > limit:
                hint = "; convert it to JSONL, which is read record by record" if ext == ".json" else ""
                stats.skipped.append(Skip(given, None, f"file too large ({size // 2**20} MB, "
                                                       f"limit {limit // 2**20} MB){hint}"))
                return
            data = fh.read()
    except OSError as exc:
        stats.skipped.append(Skip(given, None, f"cannot read: {exc.strerror or exc}"))
        stats.unread.add(absolute)
        return
    if ext == ".txt":
        reader = _read_txt(given, absolute, data, stats)
    elif ext in MARKDOWN:
        reader = _read_md(given, absolute, data, stats)
    elif ext == ".json":
        reader = _read_json(given, absolute, data, stats, FileDates(absolute))
    elif ext in FEEDS:
        reader = read_feed(given, absolute, data, stats)
    else:
        reader = read_html(given, absolute, data, stats)
    yield from _guarded(reader, given, absolute, stats)


def _guarded(articles: Iterator[Article], given: str, absolute: str, stats: ReadStats) -> Iterator[Article]:
    """A reader bug or I/O error on one file must not lose the rest of the corpus; a file that
    gives no article and no reason why (a CSV header alone, a JSON ``[]``) is reported too."""
    reported, read = len(stats.skipped), 0
    try:
        for article in articles:
            read += 1
            yield article
    except Exception as exc:  # noqa: BLE001
        stats.skipped.append(Skip(given, None, f"could not parse: {exc}"))
        stats.unread.add(absolute)
        return
    finally:
        stats.skipped[reported:] = _alike_once(stats.skipped[reported:])
    if not read and len(stats.skipped) == reported:
        stats.skipped.append(Skip(given, None, "no article in it (no records, or none with text)"))


def _alike_once(skips: list[Skip], shown: int = 5) -> list[Skip]:
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


def _lines(given: str, fh, stats: ReadStats) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of a binary file, streamed. A line that is not UTF-8 or longer than
    one article may be comes as None; the first undecodable line is reported once per file."""
    reported = False
    number = 0
    while True:
        raw = fh.readline(MAX_ARTICLE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_ARTICLE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # drain the rest without holding it
                raw = fh.readline(1 << 20)
            stats.skipped.append(Skip(given, number, f"line longer than {MAX_ARTICLE_BYTES // 2**20} MB; skipped"))
            yield number, None
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        line = _decode(raw, given, stats)
        if line is None and not reported:
            stats.skipped.append(Skip(given, number, f"{_undecodable(given, stats)}; that part skipped"))
            reported = True
        yield number, None if line is None else line.rstrip("\r\n")


def _decode(raw: bytes, given: str, stats: ReadStats) -> str | None:
    """UTF-8, else the file's own legacy encoding (:mod:`qa.encoding`), reported per file."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    encoding = stats.encodings.get(given)
    if encoding is None:
        try:
            with open(os.path.abspath(given), "rb") as fh:
                sample = fh.read(SAMPLE_BYTES)
        except OSError:
            sample = raw
        encoding = stats.encodings[given] = legacy_encoding(sample)
    text = decode(raw, encoding)
    if text is not None and (not stats.legacy or stats.legacy[-1] != given):
        stats.legacy.append(given)
    return text


def _undecodable(given: str, stats: ReadStats) -> str:
    return f"undecodable bytes (neither UTF-8 nor {display_name(stats.encodings.get(given, LEGACY))})"


def _decode_lines(given: str, data: bytes, stats: ReadStats) -> list[str | None]:
    """All lines of a whole-file article (see :func:`_lines`)."""
    return [line for _, line in _lines(given, io.BytesIO(data), stats)]


def _read_txt_blocks(given, absolute, fh, stats) -> Iterator[Article]:
    """One article per blank-line-separated block, streamed; a file named by its date (a
    journal's ``2024-03-05.txt``) dates its blocks."""
    position = 0
    date = name_date(absolute)
    start, block, size, broken = 0, [], 0, False
    for number, line in itertools.chain(_lines(given, fh, stats), [(0, "")]):
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


def _read_enex(given, absolute, fh, stats, dates=None) -> Iterator[Article]:
    return read_enex(given, absolute, stats)  # parsed from its path, note by note


def _read_clippings(given, absolute, fh, stats) -> Iterator[Article]:
    return read_clippings(given, absolute, _lines(given, fh, stats), stats)


def _read_txt(given, absolute, data, stats) -> Iterator[Article]:
    """A whole .txt file as one article."""
    lines = _decode_lines(given, data, stats)
    if any(line is None for line in lines):
        return
    while lines and not lines[-1].strip():
        lines.pop()
    start = next((i for i, line in enumerate(lines, 1) if line.strip()), 1)
    text = "\n".join(lines[start - 1:])
    if text.strip():
        yield Article(article_id=make_id(absolute, 0), title=title_from_text(text), text=text,
                      source=given, path=absolute, line_start=start, date=name_date(absolute))


def _read_md(given, absolute, data, stats) -> Iterator[Article]:
    lines = _decode_lines(given, data, stats)
    if any(line is None for line in lines):
        return
    text, fields = rst.page("\n".join(lines)) if absolute.lower().endswith(".rst") else ("\n".join(lines), {})
    meta, body_line, text, problem = front_matter(text)
    meta = {**fields, **meta}
    text = without_esm(text) if absolute.lower().endswith(".mdx") else text
    if problem:
        stats.skipped.append(Skip(given, 1, problem))
    # HTML (comments, tags) and link definitions, as a rendered page hides them; lines stay.
    text = entities(without_hidden(shown(template_fences(text))))
    # Leading blank lines (or lines left blank) shift the first line of the body.
    blank = _BLANK_LINES.match(text).end()
    body_line += text.count("\n", 0, blank)
    text = text[blank:].rstrip()
    if not text.strip():
        stats.skipped.append(Skip(given, None, "no text in it (after its front matter, comments and HTML tags)"))
        return
    rec = mapped(meta)
    if "text" in rec["keys"]:  # the body is the text: a front matter `description` stays metadata
        rec["metadata"][rec["keys"]["text"]] = rec.pop("text")
    if not rec.get("date"):  # a Jekyll post, a daily note: dated by the file's name
        rec["date"] = name_date(absolute)
    if found := inline_tags(text):  # a note's #tags as its front matter's, to filter by
        rec["tags"] = [*tag_names(rec.get("tags") or ()), *found]
    title = rec.get("title")
    if not title:
        title = markdown_title(text, absolute) or title_from_text(markdown_lead(text) or text)
    yield article_from(rec, given, absolute, 0, text, str(title), body_line, lines_mapped=True)


def _read_jsonl(given, absolute, fh, stats, dates=None) -> Iterator[Article]:
    records = _jsonl_records(given, fh, stats)
    sample = list(itertools.islice(records, tables.SAMPLE))
    table = tables.json_table([record for _, record in sample])
    for number, record in itertools.chain(sample, records):
        article = record_article(given, absolute, number, number, table.json_record(record) if table else record,
                                 stats, dates)
        if article:
            yield article


def _jsonl_records(given, fh, stats) -> Iterator[tuple[int, object]]:
    for number, line in _lines(given, fh, stats):
        if line is None or not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            stats.skipped.append(Skip(given, number, f"malformed JSON ({exc.msg})"))


def _read_json(given, absolute, data, stats, dates=None) -> Iterator[Article]:
    lines = _decode_lines(given, data, stats)
    if any(line is None for line in lines):
        return
    text = "\n".join(lines)
    try:
        loaded = json.loads(text)
    except json.JSONDecodeError as exc:
        stats.skipped.append(Skip(given, exc.lineno, f"malformed JSON ({exc.msg})"))
        return
    path: tuple | None = ()
    if isinstance(loaded, dict):
        nested = article_list(loaded)
        # {"items": [...]} is a list of articles, unless the object has a text of its own
        # (then the list is its comments or its sections).
        path, records = nested if nested is not None and not is_article(loaded) else (None, [loaded])
    elif isinstance(loaded, list):
        records = loaded
    else:
        stats.skipped.append(Skip(given, 1, "JSON is neither an object nor a list of objects"))
        return
    starts = element_lines(text, path) if path is not None else []
    if len(starts) != len(records):
        starts = [next((i for i, line in enumerate(lines, 1) if line.strip()), 1)] * len(records)
    table = tables.json_table(records) if path is not None else None  # a list of records, not one object
    for position, record in enumerate(records):
        record = table.json_record(record) if table else record
        article = record_article(given, absolute, position, starts[position], record, stats, dates)
        if article:
            yield article


def _csv_rows(reader: csv.DictReader, given: str, stats: ReadStats) -> Iterator[tuple[int, dict | None]]:
    """(first line, row) of each row; None for a row whose bytes could not be decoded."""
    line = 2
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            stats.skipped.append(Skip(given, reader.line_num, f"malformed CSV ({exc})"))
            return
        clean = {k: v for k, v in row.items() if k is not None}
        if any(_SURROGATE.search(v) for v in clean.values() if isinstance(v, str)):
            # surrogateescape kept the row's bytes: decode them again by the same rule as lines.
            redone = {k: _decode(v.encode("utf-8", "surrogateescape"), given, stats)
                      for k, v in clean.items() if isinstance(v, str)}
            clean = {} if None in redone.values() else {**clean, **redone}
        if not clean:
            stats.skipped.append(Skip(given, line, f"{_undecodable(given, stats)}; row skipped"))
        yield line, clean or None
        line = reader.line_num + 1


def _read_csv(given, absolute, fh, stats, dates=None) -> Iterator[Article]:
    # surrogateescape: a row with bad bytes is skipped alone instead of ending the file.
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
    csv.field_size_limit(MAX_ARTICLE_BYTES)
    first = text.readline(1 << 20)
    reader = csv.DictReader(itertools.chain([first], text), delimiter=tables.csv_delimiter(first))
    try:
        header = [str(h).lower() for h in (reader.fieldnames or [])]
    except csv.Error as exc:
        stats.skipped.append(Skip(given, 1, f"malformed CSV header ({exc})"))
        return
    rows = _csv_rows(reader, given, stats)
    table = None
    if not any(name in header for name in FIELDS["text"]):
        sample = list(itertools.islice(rows, tables.SAMPLE))
        table = tables.table(reader.fieldnames or [], [row for _, row in sample if row])
        if table is None:
            stats.skipped.append(Skip(given, 1, f"CSV has no text column ({TEXT_HINT}) and no column "
                                      "of sentences"))
            return
        rows = itertools.chain(sample, rows)
    for line, row in rows:
        if row:
            article = record_article(given, absolute, line, line, table.record(row) if table else row, stats, dates)
            if article:
                yield article
    text.detach()
