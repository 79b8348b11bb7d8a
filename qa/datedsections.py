"""A journal kept in one file: the sections its dated headings open, each an article of its own.

Org's date tree (org-capture's ``file+datetree``: ``* 2024`` / ``** 2024-03 March`` /
``*** 2024-03-05 Tuesday``) and a Markdown journal or log (``## 2024-03-05``) keep many days in
one file. Read as one article, the file would have one date, so a date filter, "similar
articles" and the Library could not tell one day from another. When at least three headings
of one level open with a full date (``2024-03-05``; Org's ``<2024-03-05 Tue>``), each one's
section, to the next heading of its level or above, is an article dated and titled by it.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .markdown import headings_at, inline_tags
from .records import article_from
from .types import Article

_DATED = re.compile(r"[<\[]?(\d{4}-\d{2}-\d{2})(?!\d)")
# A date written out in English, as a blog's archive or a log heads its days: "March 5, 2024",
# "Tuesday, 5 March 2024"
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_MONTH = r"(" + "|".join(f"{m}|{m[:3]}" for m in _MONTHS) + r"|sept)\b\.?"
_WRITTEN = re.compile(r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?(?:(\d{1,2})(?:st|nd|rd|th)?\s+"
                      + _MONTH + r",?\s+(\d{4})|" + _MONTH + r"\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4}))(?![\w-])",
                      re.IGNORECASE)
MIN_DAYS = 3  # two dated sections may be a document's history; three make a journal


@dataclass(frozen=True)
class Entry:
    """A dated section: where its heading's line starts in the text and where it ends."""

    start: int
    end: int
    title: str
    date: str


def dated_sections(text: str) -> list[Entry]:
    """The text's dated sections, in order; none unless it has :data:`MIN_DAYS` at one level."""
    found = headings_at(text)
    days = [_day(heading) for _, _, heading in found]
    levels = Counter(level for (_, level, _), day in zip(found, days, strict=True) if day)
    if not levels or (top := levels.most_common(1)[0])[1] < MIN_DAYS:
        return []
    level = top[0]
    entries = []
    for n, ((at, own, heading), day) in enumerate(zip(found, days, strict=True)):
        if day and own == level:  # to the next heading of its level or above
            after = n + 1
            while after < len(found) and found[after][1] > level:
                after += 1
            end = found[after][0] if after < len(found) else len(text)
            entries.append(Entry(at, end, heading.strip("<>[] "), day))
    return entries


def _day(heading: str) -> str | None:
    """The day a heading opens with, as ISO: ``2024-03-05``, ``March 5, 2024``, ``5 March 2024``."""
    if m := _DATED.match(heading):
        return m.group(1)
    if not (m := _WRITTEN.match(heading)):
        return None
    day, month, year = (m[1], m[2], m[3]) if m[1] else (m[5], m[4], m[6])
    number = next(n for n, name in enumerate(_MONTHS, 1) if name.startswith(month.lower()[:3]))
    try:
        return datetime.date(int(year), number, int(day)).isoformat()
    except ValueError:  # February 30th
        return None


def journal_entries(given: str, absolute: str, text: str, body_line: int, rec: dict, title: str,
                    entries: list[Entry], tags_of: Callable[[int, int], list[str]]) -> Iterator[Article]:
    """The articles of a journal file: each dated section, and the text outside them (an
    introduction), if any besides headings, titled as the file would be.

    Args:
        body_line: the file's line ``text`` starts on.
        rec: the file's fields (:func:`qa.records.mapped`), its tags those it declares; an
            entry's date is its own, its tags those and its own.
        tags_of: the tags of the headings on the file's lines ``[first, last)`` (Org's).
    """
    seen: Counter[str] = Counter()
    outside: list[tuple[int, int]] = []  # spans of the text under no dated heading
    done = 0
    lines = _LineCounter(text, body_line)
    for entry in entries:
        outside.append((done, entry.start))
        done = entry.end
        body = text[entry.start:entry.end].rstrip()
        line = lines.at(entry.start)
        seen[entry.date] += 1
        record = {**rec, "date": entry.date,
                  "tags": [*rec["tags"], *tags_of(line, line + body.count("\n") + 1), *inline_tags(body)]}
        record.pop("id", None)
        # named by its day, not its place, so a new entry above it leaves its id as it was
        yield article_from(record, given, absolute, f"{entry.date}#{seen[entry.date]}", body, entry.title, line,
                           lines_mapped=True)
    outside.append((done, len(text)))
    pieces = [(start, _without_last_headings(text[start:end])) for start, end in outside if _says_something(text[start:end])]
    if pieces:
        rest, anchors = "", []
        lines = _LineCounter(text, body_line)
        for start, piece in pieces:
            rest += "\n\n" if rest else ""
            anchors.append((len(rest), lines.at(start)))
            rest += piece
        record = {**{k: v for k, v in rec.items() if k != "id"}, "tags": [*rec["tags"], *inline_tags(rest)]}
        article = article_from(record, given, absolute, 0, rest, title, anchors[0][1], lines_mapped=True)
        yield dataclasses.replace(article, line_anchors=tuple(anchors))


class _LineCounter:
    """The line of ``text`` at offsets asked for in order, counting newlines once."""

    def __init__(self, text: str, first: int) -> None:
        self.text, self.offset, self.line = text, 0, first

    def at(self, offset: int) -> int:
        if offset < self.offset:  # asked out of order: counted again from the start
            self.line -= self.text.count("\n", 0, self.offset)
            self.offset = 0
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


def _without_last_headings(text: str) -> str:
    """A part without the headings closing it (``# 2024``, ``## 2024-03 March``): they head days."""
    lines = text.rstrip().split("\n")
    while lines and (not lines[-1].strip() or lines[-1].lstrip().startswith("#")):
        lines.pop()
    return "\n".join(lines)


def _says_something(text: str) -> bool:
    """Whether a part of the file holds more than headings (a year's, a month's) and blank lines."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.split("\n"))
