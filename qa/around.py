"""The text before and after a passage in its article, to read an answer in its context."""

from __future__ import annotations

from . import markdown
from .errors import InputError, NotFoundError
from .types import Around, Excerpt

MAX_PASSAGES = 10  # on each side: enough to read on, and bounded for a book of one article


def around(catalog, passage_id: int, n: int = 1, path: str = "") -> Around:
    """The ``n`` passages before and after ``passage_id`` in its article, as the text between
    them and it (the sentence they share with it is shown once: in the passage). ``path``: the
    index's, for the error message. Reads the article's text from the first of them to the last
    (a Markdown article's from its start: whether an excerpt opens inside fenced code)."""
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_PASSAGES:
        raise InputError(f"n must be a whole number from 1 to {MAX_PASSAGES}, got {n!r}")
    rows = catalog.passages_near(int(passage_id), n)
    if not rows:
        raise NotFoundError(f"no passage {passage_id} in {path}")
    at = next(i for i, r in enumerate(rows) if r[0] == int(passage_id))
    hit, before, after = rows[at], rows[:at], rows[at + 1:]
    _, start, end, line_start, line_end, article, source, title, markup = hit
    first, last = rows[0][1], max(r[2] for r in rows)
    offset = 0 if markup == "markdown" else first
    text = catalog.article_slice(article, offset, last)
    spans = [(before[0][1], start, (before[0][3], min(before[-1][4], line_start)))] if before else []
    spans += [(end, after[-1][2], (max(after[0][3], line_end), after[-1][4]))] if after else []
    excerpts = {}
    for a, b, lines in spans:
        while a < b and text[a - offset] in " \t\r\n":  # it opens on its first word, as a passage does
            a += 1
        piece = text[a - offset : b - offset].rstrip()
        if piece:
            excerpts[a] = (a, piece, lines)
    in_code = {}
    if markup == "markdown" and excerpts:  # a fence opened above it makes its first lines code
        found = markdown.sections(text, [(a, piece) for a, piece, _ in excerpts.values()], title)
        in_code = {a: code for a, (_, code) in zip(excerpts, found, strict=True)}

    def excerpt(a: int, b: int) -> Excerpt | None:
        for at_, piece, lines in excerpts.values():
            if a <= at_ < b:
                return Excerpt(piece, at_, at_ + len(piece), source, lines[0], max(lines), markup,
                               in_code.get(at_, False))
        return None

    return Around(before=excerpt(first, start) if before else None,
                  after=excerpt(end, last + 1) if after else None)
