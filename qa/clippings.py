"""Kindle's ``My Clippings.txt``: each highlight or note an article, titled by its book.

The file is one entry after another, each ended by a line of ten ``=``::

    The Book Title (Author Name)
    - Your Highlight on page 12 | Location 180-181 | Added on Monday, 3 March 2024 10:00:00

    The highlighted text.
    ==========

Read as blank-line blocks, each highlight ran into the next book's header lines.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from .dates import normalise_date
from .records import make_id
from .types import Article, Skip

if TYPE_CHECKING:
    from .walk import ReadStats

SEPARATOR = "=========="
# A file opening with a book line, an entry's details ("- Your Highlight ... | ...") and a
# separator within its first entries: what a Kindle writes, in any of its languages.
_OPENING = re.compile(rb"\A(?:\xef\xbb\xbf)?[^\r\n]+\r?\n- [^\r\n]*\|[^\r\n]*\r?\n.*?^==========\r?$",
                      re.S | re.M)
_AUTHOR = re.compile(r"\s*\(([^()]*)\)\s*$")
_LOCATION = re.compile(r"(?:location|loc\.|position|posición|emplacement)\s*([\d-]+)", re.I)
_PAGE = re.compile(r"(?:page|seite|página|pagina)\s*([\divxlc-]+)", re.I)
_KINDS = {"highlight": "highlight", "note": "note", "bookmark": "bookmark", "markierung": "highlight",
          "notiz": "note", "lesezeichen": "bookmark", "surlignement": "highlight", "subrayado": "highlight",
          "nota": "note", "marcador": "bookmark", "signet": "bookmark"}


def is_clippings(head: bytes) -> bool:
    """Whether a ``.txt`` file's first bytes are a Kindle clippings file's."""
    return bool(_OPENING.match(head))


def read_clippings(given: str, absolute: str, lines: Iterable[tuple[int, str | None]],
                   stats: ReadStats) -> Iterator[Article]:
    """Each entry with text as an article: the highlight (or note) its text, its book its title
    and author, the day it was added its date, its kind, location and page as metadata.
    Bookmarks, which hold no text, are counted on one line."""
    entry: list[tuple[int, str]] = []
    position, left_out, broken = 0, Counter(), False
    for number, line in itertools.chain(lines, [(0, SEPARATOR)]):
        if line is None:  # undecodable: reported by the line reader; its entry goes with it
            broken = True
        elif line.rstrip() != SEPARATOR:
            entry.append((number, line.lstrip("\ufeff")))
        else:
            article = None if broken else _entry(given, absolute, position, entry, stats, left_out)
            position += 1
            entry, broken = [], False
            if article is not None:
                yield article
    if left_out:
        stats.skipped.append(Skip(given, None, ", ".join(f"{n} {kind}{'s' * (n != 1)}" for kind, n in left_out.items())
                                  + " (no text) left out"))


def _entry(given, absolute, position, entry, stats, left_out) -> Article | None:
    while entry and not entry[0][1].strip():
        entry = entry[1:]
    if not entry:
        return None
    if len(entry) < 2 or not entry[1][1].startswith("- "):
        stats.skipped.append(Skip(given, entry[0][0], "not a Kindle clipping (a book line, then '- Your ...')"))
        return None
    book, details = entry[0][1].strip(), entry[1][1][2:].strip()
    body = entry[2:]
    while body and not body[0][1].strip():
        body = body[1:]
    while body and not body[-1][1].strip():
        body = body[:-1]
    parts = [p.strip() for p in details.split("|")]
    kind = next((k for word, k in _KINDS.items() if word in parts[0].lower()), "clipping")
    if not body:
        left_out[kind] += 1
        return None
    author = _AUTHOR.search(book)
    title = book[: author.start()].strip() if author else book
    metadata = {"kind": kind}
    for key, pattern in (("location", _LOCATION), ("page", _PAGE)):
        m = next((m for p in parts if (m := pattern.search(p))), None)
        if m:
            metadata[key] = m.group(1)
    text = "\n".join(line for _, line in body)
    return Article(article_id=make_id(absolute, position), title=title or book, text=text, source=given,
                   path=absolute, line_start=body[0][0], date=_added(parts[-1]),
                   author=author.group(1).strip() if author else None, metadata=metadata)


def _added(part: str) -> str | None:
    """The day an entry was added ("Added on Monday, 3 March 2024 10:00:00"), if it reads as a date."""
    words = part.split(",", 1)[-1] if "," in part else part
    date = normalise_date(words.strip())
    return date if date and re.fullmatch(r"\d{4}-\d\d-\d\d", date) else None
