"""Articles like another one: found by id or by the reference ``ask`` prints, or like a text."""

from __future__ import annotations

import dataclasses
import os
import re

from .common import LOOKED_AT, words_in_common
from .errors import InputError, NotFoundError, at_least_one
from .lexical import LANGUAGE
from .types import SHEET_ROWS, Article, ArticleHit, markup_of


def article_rowid(catalog, ref: str, path: str) -> int:
    """An article by id, or by the reference ``ask`` prints for it (``file``, ``file:line``);
    ``path``: the index's, for the error message."""
    rowid = catalog.article_rowid(ref)
    if rowid is not None:
        return rowid
    # p: a PDF's page; ¶: a Word paragraph; §: a chapter; sheet2: a workbook's second sheet
    m = re.fullmatch(r"(.+?):(?:[p¶§]|sheet(\d+):)?(\d+)(?:-\d+)?", ref)
    given, line = (m[1], (int(m[2] or 1) - 1) * SHEET_ROWS + int(m[3])) if m else (ref, None)
    rows = catalog.articles_in(given, os.path.abspath(given))
    if line is not None:  # the article the line falls in; a line before the first: the first
        start = next((r[1] for r in reversed(rows) if r[1] <= line), rows[0][1] if rows and line >= 1 else None)
        rows = [r for r in rows if r[1] == start]
    if not rows:
        raise NotFoundError(f"no article with id or reference {ref!r} in {path}")
    if len(rows) > 1 and line is not None:  # a message and its attachments, a one-line JSON's records
        ids = ", ".join(r[0] for r in rows[:3])
        raise InputError(f"{given}:{rows[0][1]} opens {len(rows)} articles: name one by its id "
                         f"(qa ask prints it), as in {ids}{', ...' if len(rows) > 3 else ''}")
    if len(rows) > 1:
        refs = ", ".join(f"{given}:{r[1]}" for r in rows[:3])
        raise InputError(f"{given} holds {len(rows)} articles: name one by its line, "
                         f"as in {refs}{', ...' if len(rows) > 3 else ''}")
    return catalog.article_rowid(rows[0][0])


def text_vector(embedder, text: str, settings: dict):
    """Pasted text's vector, made as an article's is (:func:`articles_vector`)."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("the text to compare is empty")
    return articles_vector(embedder, [Article(article_id="", title="", text=text, source="", path="", line_start=1)],
                           settings)


def file_articles(path: str, settings: dict) -> list[Article]:
    """The articles of a file that is not in the index, read as ``qa index`` reads them into
    an index of these ``settings`` (its language's sentences: a text's title is its first)."""
    from .chunker import sentences_in
    from .readers import ReadStats, read_articles

    stats = ReadStats()
    with sentences_in(settings.get("language", LANGUAGE)):
        articles = list(read_articles([path], stats))
    if not articles:
        reasons = "; ".join(s.reason for s in stats.skipped) or "no text"
        raise InputError(f"cannot read {path}: {reasons}")
    return articles


def articles_vector(embedder, articles: list[Article], settings: dict):
    """The normalised mean of the articles' passage vectors: split and embedded as an index
    does (by the kind of file, each passage with its article's title), so an article's copy
    outside the index has the vector the index holds for it."""
    import numpy as np

    from .chunker import chunk, sentences_in
    from .embedding import embed_input

    texts = []
    for a in articles:
        markup = markup_of(a.source, a.markup)
        with sentences_in(settings.get("language", LANGUAGE)):
            passages = chunk(a.text, embedder.count_tokens, settings["chunk_tokens"], embedder.max_tokens,
                             settings.get("overlap_sentences", 1), line_blocks=markup == "page",
                             markdown=markup == "markdown")
        texts += [embed_input(a.title, p.text) for p in passages] or [a.text]
    mean = embedder.encode(texts).mean(axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)


def nearest_articles(catalog, article_store, qvec, k: int, exclude: int | None = None, *,
                     like: str | None = None, lexicon=None) -> list[ArticleHit]:
    """The ``k`` articles nearest ``qvec``, never the article ``exclude`` (a row id), its
    duplicates (the same text under another id) or its copies (:mod:`qa.copies`: the same text
    with a header or footer, as another file holds it). ``like``: the text they are like (by
    default ``exclude``'s), for the words each has in common with it (``ArticleHit.in_common``,
    with ``lexicon``)."""
    import numpy as np

    k = at_least_one(k, "k")
    exclude_hash = catalog.articles_brief([exclude])[exclude][6] if exclude is not None else None
    n = min(article_store.count(), k + (exclude is not None) + 10)
    scores, ids = article_store.search(qvec[None, :].astype(np.float32), max(n, 1))
    rows = catalog.articles_brief([int(i) for i in ids[0] if i >= 0])
    copies = _copies_of(catalog, exclude, [int(i) for s, i in zip(scores[0], ids[0], strict=True)
                                           if s >= _COPY_COSINE and i >= 0 and i != exclude])
    out: list[ArticleHit] = []
    found: list[int] = []  # their row ids
    for s, rowid in zip(scores[0], ids[0], strict=True):
        row = rows.get(int(rowid))
        if row is None or int(rowid) == exclude or (exclude_hash and row[6] == exclude_hash) or rowid in copies:
            continue
        out.append(ArticleHit(rank=len(out) + 1, score=round(float(s), 6), article_id=row[0], title=row[1],
                              source=row[2], line_start=row[3], url=row[4], date=row[5]))
        found.append(int(rowid))
        if len(out) == k:
            break
    if lexicon is None or not out:
        return out
    texts = catalog.article_texts(found + ([exclude] if exclude is not None else []), chars=LOOKED_AT)
    if like is None:
        like = f"{catalog.articles_brief([exclude])[exclude][1]}\n{texts[exclude]}" if exclude is not None else ""
    common = words_in_common(like, [f"{h.title}\n{texts.get(r, '')}" for h, r in zip(out, found, strict=True)], lexicon)
    return [dataclasses.replace(h, in_common=words) for h, words in zip(out, common, strict=True)]


# A copy's article vector is all but the article's own (the same passages, a line more or
# less): only articles this near are read to be compared.
_COPY_COSINE = 0.9
_COMPARED_CHARS = 20_000  # enough of an article to tell a copy; a 12 MB one is not read whole


def _copies_of(catalog, rowid: int | None, near: list[int]) -> set[int]:
    """Those of ``near`` (article row ids) whose text copies article ``rowid``'s."""
    if rowid is None or not near:
        return set()
    from .copies import is_copy

    texts = catalog.article_texts([rowid, *near])
    mine = texts.get(rowid, "")[:_COMPARED_CHARS]
    return {other for other in near if is_copy(mine, texts.get(other, "")[:_COMPARED_CHARS])}
