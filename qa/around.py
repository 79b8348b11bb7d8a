"""The text before and after a passage in its article, to read an answer in its context."""

from __future__ import annotations

from . import markdown
from .catalog import PassageRow
from .errors import InputError, NotFoundError
from .types import Around, Excerpt

MAX_PASSAGES = 10  # on each side: enough to read on, and bounded for a book of one article


def around(catalog, passage_id: int, n: int = 1, path: str = "") -> Around:
    """The ``n`` passages before and after ``passage_id`` in its article, as the text between
    them and it (the sentence they share with it is shown once: in the passage). ``path``: the
    index's, for the error message."""
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_PASSAGES:
        raise InputError(f"n must be a whole number from 1 to {MAX_PASSAGES}, got {n!r}")
    ids = catalog.passages_near(int(passage_id), n)
    if not ids:
        raise NotFoundError(f"no passage {passage_id} in {path}")
    rows = catalog.passages(ids)
    hit = rows[int(passage_id)]
    ordered = [rows[i] for i in ids]
    at = ordered.index(hit)
    before, after = ordered[:at], ordered[at + 1:]
    text = catalog.article_texts([hit.article_rowid])[hit.article_rowid]
    return Around(
        before=_excerpt(text, hit, before[0].char_start, hit.char_start,
                        (before[0].line_start, min(before[-1].line_end, hit.line_start))) if before else None,
        after=_excerpt(text, hit, hit.char_end, after[-1].char_end,
                       (max(after[0].line_start, hit.line_end), after[-1].line_end)) if after else None,
    )


def _excerpt(text: str, hit: PassageRow, start: int, end: int, lines: tuple[int, int]) -> Excerpt | None:
    while start < end and text[start] in " \t\r\n":  # it opens on its first word, as a passage does
        start += 1
    end = start + len(text[start:end].rstrip())
    if start >= end:
        return None
    in_code = False
    if hit.markup == "markdown":  # a fence opened above it makes its first lines code
        [(_, in_code)] = markdown.sections(text, [(start, text[start:end])], hit.title)
    return Excerpt(text[start:end], start, end, hit.source, lines[0], max(lines), hit.markup, in_code)
