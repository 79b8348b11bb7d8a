"""From a record's fields to an :class:`~qa.types.Article`: field names, ids, dates, titles.

Shared by every reader (a JSONL/JSON/CSV record, a Markdown file's front matter, an HTML
page's extracted metadata all arrive here as a dict of fields).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from typing import Any

from .types import Article, Skip

FIELDS = {
    "id": ("id", "_id", "doc_id"),
    "title": ("title",),
    "text": ("text", "body", "content"),
    "url": ("url",),
    "date": ("date",),
    "author": ("author",),
    "tags": ("tags",),
}
_TITLE_MAX = 140


def make_id(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def normalise_date(value: Any) -> str | None:
    """ISO ``YYYY-MM-DD`` (or full ISO timestamp) when the value parses, else the value as given."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        pass
    try:
        from dateutil import parser

        return parser.parse(text).date().isoformat()
    except (ValueError, OverflowError, ImportError):
        return text


def title_from_text(text: str) -> str:
    from .chunker import split_sentences

    head = text[:1000]
    spans = split_sentences(head)
    first = head[spans[0][0] : spans[0][1]] if spans else head
    first = " ".join(first.split())
    if len(first) > _TITLE_MAX:
        first = first[:_TITLE_MAX].rsplit(" ", 1)[0] + "…"
    return first


def mapped(record: dict[str, Any]) -> dict[str, Any]:
    """Record fields under their canonical names (case-insensitive); the rest as metadata."""
    lower = {str(k).lower(): k for k in record}
    out: dict[str, Any] = {}
    used = set()
    for canon, names in FIELDS.items():
        for name in names:
            if name in lower:
                out[canon] = record[lower[name]]
                used.add(lower[name])
                break
    out["metadata"] = {k: v for k, v in record.items() if k not in used}
    return out


def article_from(rec, given, absolute, position, text, title, line, lines_mapped) -> Article:
    tags = rec.get("tags") or ()
    if isinstance(tags, str):
        tags = [t.strip() for t in re.split(r"[,;]", tags) if t.strip()]
    given_id = rec.get("id")
    url = rec.get("url") or None
    return Article(
        article_id=str(given_id) if given_id not in (None, "") else make_id(absolute, position),
        title=" ".join(str(title).split()) if title else title_from_text(text),
        text=text,
        source=given,  # the file: a reference the reader can open (a record's own
        # "source" field stays in metadata)
        path=absolute,
        line_start=line,
        lines_mapped=lines_mapped,
        url=str(url) if url else None,
        date=normalise_date(rec.get("date")),
        author=str(rec["author"]) if rec.get("author") else None,
        tags=tuple(str(t) for t in tags),
        metadata=rec.get("metadata", {}),
    )


def record_article(given, absolute, position, line, record, stats) -> Article | None:
    if not isinstance(record, dict):
        stats.skipped.append(Skip(given, line, "record is not a JSON object"))
        return None
    rec = mapped(record)
    text = rec.get("text")
    if not isinstance(text, str) or not text.strip():
        stats.skipped.append(Skip(given, line, "record has no text (expected text, body or content)"))
        return None
    return article_from(rec, given, absolute, position, text.strip(), rec.get("title"), line, False)
