"""Dates as ISO ``YYYY-MM-DD``, with a file's own order of day and month for slashed dates."""

from __future__ import annotations

import datetime as dt
import os
import re
from typing import IO, Any

# A field that is a slashed or dashed numeric date (a time may follow), as a JSON string or a
# CSV/TSV cell: quotes or a delimiter on both sides, so numbers inside an article's text (a
# score of 14/20) are not taken for dates.
_FIELD_DATE = re.compile(
    rb'(?:^|[",;\t|])[ \t]*(\d{1,2})([/-])(\d{1,2})\2(?:\d{4}|\d{2})'
    rb"(?:[ T]\d{1,2}:\d{2}[^\",;\t|\r\n]*)?[ \t]*(?=[\",;\t|\r\n]|$)", re.M)
_CHUNK = 1 << 20
_DOTTED = re.compile(r"\d{1,2}\.\d{1,2}\.\d{2,4}\b")
_SLASHED = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2\d{2,4}\b")
_UNIX_TEXT = re.compile(r"\d{9,16}(?:\.\d+)?")  # 8 digits are YYYYMMDD
_NAME_DATE = re.compile(r"((?:19|20)\d\d)([-_.])(\d\d)\2(\d\d)(?!\d)")


def name_date(path: str) -> str | None:
    """The date a file's name opens with (ISO), as blogs and notes apps name files by day: a
    Jekyll post ``2024-03-05-harbour-dredging.md`` (Jekyll dates a post by its name), a daily
    note ``2024-03-05.md`` or ``2024-03-05 Tuesday.md`` (Obsidian, Foam), ``2024_03_05.md``
    (Logseq); for a page bundle's ``index.md`` (Hugo) or a ``README.md``, its folder's name
    (``2024-03-05-launch/index.md``). None when the name opens with no real date (``2024-13-01``,
    a version ``2024.1``)."""
    name = os.path.basename(path)
    if os.path.splitext(name)[0].lower() in ("index", "_index", "readme"):
        name = os.path.basename(os.path.dirname(os.path.abspath(path)))
    m = _NAME_DATE.match(name)
    if m is None:
        return None
    try:
        return dt.date(int(m[1]), int(m[3]), int(m[4])).isoformat()
    except ValueError:
        return None


class FileDates:
    """Reads a records file's dates, slashed ones in the order of day and month the file uses.

    The order is settled by the file's first slashed date with a part above 12. Only when an
    ambiguous one (09/02/2025) comes first is the file scanned for it (:func:`day_first`), so
    files with ISO dates, or none, cost nothing.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.day_first: bool | None = None

    def normalise(self, value: Any) -> str | None:
        if self.day_first is None and isinstance(value, str):
            m = _SLASHED.match(value.strip())
            if m:
                first, second = int(m.group(1)), int(m.group(3))
                if first > 12 >= second or second > 12 >= first:
                    self.day_first = first > 12
                else:
                    self.day_first = self._scan()
        return normalise_date(value, bool(self.day_first))

    def _scan(self) -> bool:
        from .textlines import opened

        try:
            with opened(self.path) as fh:
                return day_first(fh)
        except (OSError, EOFError):  # gone since it was opened (or cut short): its dates stay month first
            return False


def day_first(fh: IO[bytes]) -> bool:
    """Whether the slashed dates of a records file put the day first (13/02/2025).

    The first such date with a part above 12 decides: above 12 first means day first, second
    means month first. A file whose dates are all ambiguous (09/02/2025) keeps month first, as
    dateutil reads them. Reads from the current position to the end (stopping at the deciding
    date) and puts the position back.
    """
    start = fh.tell()
    tail = b""
    try:
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                return False
            block = tail + chunk
            for m in _FIELD_DATE.finditer(block):
                first, second = int(m.group(1)), int(m.group(3))
                if first > 12 >= second:
                    return True
                if second > 12 >= first:
                    return False
            tail = block[-64:]  # a date cut by the chunk boundary is found whole next time
    finally:
        fh.seek(start)


def normalise_date(value: Any, day_first: bool = False) -> str | None:
    """ISO ``YYYY-MM-DD`` when the value parses, else the value as given.

    Args:
        value: a date as a record holds it: text, a date, or Unix time in seconds or ms.
        day_first: read an ambiguous slashed date (09/02/2025) day first, as its file does
            (:func:`day_first`). Dotted dates (09.02.2025) are always read day first.
    """
    if value is None or value == "" or isinstance(value, bool):  # Jekyll's `published: true`
        return None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, int | float):
        if isinstance(value, int) and 1000 <= value <= 2999:  # YAML's `date: 2024`, as "2024" reads
            return f"{value}-01-01"
        # Unix time, in seconds, milliseconds or microseconds (Google Keep's), from 1973 to 2096.
        seconds = value / 1e6 if value > 1e14 else value / 1000 if value > 1e11 else value
        if 1e8 <= seconds <= 4e9:
            return dt.datetime.fromtimestamp(seconds, dt.UTC).date().isoformat()
        return str(value)
    text = str(value).strip()
    if _UNIX_TEXT.fullmatch(text):  # Unix time written as text: every CSV cell, Slack's "ts"
        return normalise_date(float(text))
    if text.isdigit() and len(text) not in (4, 8):  # a count or an id; a year and YYYYMMDD read
        return text
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        pass
    try:
        from dateutil import parser

        # 09.02.2025 is the 9th of February wherever dates are written with dots. A part the
        # text leaves out is the first (March 2024: 2024-03-01), not today's day or month,
        # which dated the same record anew each day it was read. Without a year it is no date
        # ("Tuesday", "5 March"): dateutil would give it this year's, a different one each year.
        dayfirst = day_first or _DOTTED.match(text) is not None
        dates = {parser.parse(text, dayfirst=dayfirst, default=dt.datetime(year, 1, 1)).date()
                 for year in (2001, 2002)}
        return dates.pop().isoformat() if len(dates) == 1 else text
    except (ValueError, OverflowError, ImportError):
        return text
