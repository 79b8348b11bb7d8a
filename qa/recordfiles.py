"""Files of records: JSON Lines (streamed), JSON (a list of records, however deep) and CSV/TSV
(streamed; a table without a text column read as its page shows it), each record an article."""

from __future__ import annotations

import csv
import functools
import io
import itertools
import json
import operator
import re
from collections.abc import Iterator

from . import tables
from .grown import LINES, Hashed, Tail, tracked
from .jsonpos import element_lines
from .records import FIELDS, TEXT_HINT, article_list, is_article, record_article
from .textlines import MAX_ARTICLE_BYTES, decode_line, decode_lines, read_lines, undecodable
from .types import Article, Skip
from .walk import ReadStats

_SURROGATE = re.compile("[\udc80-\udcff]")


def read_jsonl(given, absolute, fh, stats, dates=None, resume: Tail | None = None) -> Iterator[Article]:
    """Each record an article, its reference its line. ``resume``: where a reading of the same
    file ended, its records kept (:mod:`qa.grown`): read on from there."""
    tail = resume if resume is not None else Tail(kind=LINES) if tracked(absolute) else None
    if resume is None:
        records = _jsonl_records(given, Hashed(fh, tail) if tail is not None else fh, stats)
        sample = list(itertools.islice(records, tables.SAMPLE))
        rows = itertools.chain(sample, records)
    else:  # the records a whole reading decides by (read before, all of them: qa.grown), then the new ones
        sample = list(itertools.islice(_jsonl_records(given, fh, ReadStats()), tables.SAMPLE))
        fh.seek(resume.size)
        rows = _jsonl_records(given, Hashed(fh, resume), stats, resume.lines)
    table = tables.json_table([record for _, record in sample])
    for number, record in rows:
        if tail is not None:
            tail.items += 1
        article = record_article(given, absolute, number, number, table.json_record(record) if table else record,
                                 stats, dates)
        if article:
            yield article
    # Read to its end: a later reading may go on from here, once the records it decides by are in.
    if tail is not None and tail.items >= tables.SAMPLE:
        stats.tails[absolute] = tail.record()


def _jsonl_records(given, fh, stats, before: int = 0) -> Iterator[tuple[int, object]]:
    """(line number, record) of each line with one; ``before``: lines read before ``fh``'s position."""
    for number, line in read_lines(given, fh, stats, before):
        if line is None or not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            stats.skipped.append(Skip(given, number, f"malformed JSON ({exc.msg})"))


def read_json(given, absolute, data, stats, dates=None) -> Iterator[Article]:
    lines = decode_lines(given, data, stats)
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
        if path and path[-1] == "posts":
            records = _ghost_joined(functools.reduce(operator.getitem, path[:-1], loaded), records)
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


def _ghost_joined(data: dict, posts: list[dict]) -> list[dict]:
    """Posts with the tags and authors a Ghost export keeps beside them, in join tables
    (``posts_tags``, ``posts_authors``, in their ``sort_order``; a Ghost 1 post's ``author_id``).
    A post that names its own (as Ghost's Content API gives them) keeps them."""
    def names(key: str) -> dict:
        return {r.get("id"): r.get("name") for r in data.get(key) or () if isinstance(r, dict) and r.get("name")}

    def per_post(key: str, ref: str, named: dict) -> dict[object, list[str]]:
        rows = sorted((r for r in data.get(key) or () if isinstance(r, dict) and r.get(ref) in named),
                      key=lambda r: r.get("sort_order") if isinstance(r.get("sort_order"), int) else 0)
        out: dict[object, list[str]] = {}
        for r in rows:
            out.setdefault(r.get("post_id"), []).append(named[r[ref]])
        return out

    tags, users = names("tags"), names("users")
    joins = {"tags": per_post("posts_tags", "tag_id", tags), "authors": per_post("posts_authors", "author_id", users)}
    if not any(joins.values()) and not users:
        return posts
    out = []
    for post in posts:
        if not isinstance(post, dict):
            out.append(post)
            continue
        found = {k: v[post.get("id")] for k, v in joins.items() if post.get("id") in v and not post.get(k)}
        if "authors" not in found and not post.get("authors") and post.get("author_id") in users:
            found["authors"] = [users[post["author_id"]]]
        out.append(post | found)
    return out


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
            redone = {k: decode_line(v.encode("utf-8", "surrogateescape"), given, stats)
                      for k, v in clean.items() if isinstance(v, str)}
            clean = {} if None in redone.values() else {**clean, **redone}
        if not clean:
            stats.skipped.append(Skip(given, line, f"{undecodable(given, stats)}; row skipped"))
        yield line, clean or None
        line = reader.line_num + 1


def read_csv(given, absolute, fh, stats, dates=None) -> Iterator[Article]:
    # surrogateescape: a row with bad bytes is skipped alone instead of ending the file.
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", errors="surrogateescape", newline="")
    csv.field_size_limit(MAX_ARTICLE_BYTES)
    first = text.readline(1 << 20)
    reader = csv.DictReader(itertools.chain([first], text), delimiter=tables.csv_delimiter(first))
    try:
        names = list(reader.fieldnames or [])  # read here: a malformed header raises
    except csv.Error as exc:
        stats.skipped.append(Skip(given, 1, f"malformed CSV header ({exc})"))
        return
    yield from table_articles(given, absolute, names, _csv_rows(reader, given, stats), stats, dates)
    text.detach()


def table_articles(given, absolute, names: list[str], rows: Iterator[tuple[int, dict | None]], stats,
                   dates=None, header_line: int = 1, what: str = "CSV") -> Iterator[Article]:
    """The articles of a table's rows (a CSV's, a spreadsheet's sheet's), ``rows`` as (line, row
    by column name; None for one already said to be unreadable): a row a record when a column
    is named as text is, else a row as its page shows it when a column holds sentences
    (:func:`qa.tables.table`), else none, and that said."""
    table = None
    if not any(str(name).lower() in FIELDS["text"] for name in names):
        sample = list(itertools.islice(rows, tables.SAMPLE))
        table = tables.table(names, [row for _, row in sample if row])
        if table is None:
            stats.skipped.append(Skip(given, header_line, f"{what} has no text column ({TEXT_HINT}) and no "
                                      "column of sentences"))
            return
        rows = itertools.chain(sample, rows)
    for line, row in rows:
        if row:
            record = table.record(row) if table else row
            if article := record_article(given, absolute, line, line, record, stats, dates):
                yield article
