"""Articles like another one: found by id or by the reference ``ask`` prints, or like a text."""

from __future__ import annotations

import os
import re

from .errors import InputError, NotFoundError
from .types import ArticleHit


def article_rowid(catalog, ref: str, path: str) -> int:
    """An article by id, or by the reference ``ask`` prints for it (``file``, ``file:line``);
    ``path``: the index's, for the error message."""
    rowid = catalog.article_rowid(ref)
    if rowid is not None:
        return rowid
    m = re.fullmatch(r"(.+?):(\d+)(?:-\d+)?", ref)
    given, line = (m[1], int(m[2])) if m else (ref, None)
    rows = catalog.articles_in(given, os.path.abspath(given))
    if line is not None:  # the article the line falls in; a line before the first: the first
        rows = [r for r in rows if r[1] <= line][-1:] or rows[: int(line >= 1)]
    if not rows:
        raise NotFoundError(f"no article with id or reference {ref!r} in {path}")
    if len(rows) > 1:
        refs = ", ".join(f"{given}:{r[1]}" for r in rows[:3])
        raise InputError(f"{given} holds {len(rows)} articles: name one by its line, "
                         f"as in {refs}{', ...' if len(rows) > 3 else ''}")
    return catalog.article_rowid(rows[0][0])


def text_vector(embedder, text: str, chunk_tokens: int):
    """A text's vector as an article's is made: the normalised mean of its passages'."""
    import numpy as np

    from .chunker import chunk

    if not isinstance(text, str) or not text.strip():
        raise InputError("the text to compare is empty")
    passages = chunk(text, embedder.count_tokens, chunk_tokens, embedder.max_tokens)
    vecs = embedder.encode([p.text for p in passages] or [text])
    mean = vecs.mean(axis=0)
    return (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)


def nearest_articles(catalog, article_store, qvec, k: int, exclude: int | None = None) -> list[ArticleHit]:
    """The ``k`` articles nearest ``qvec``, never the article ``exclude`` (a row id) or its
    duplicates (the same text under another id)."""
    import numpy as np

    exclude_hash = catalog.articles_brief([exclude])[exclude][6] if exclude is not None else None
    n = min(article_store.count(), k + (exclude is not None) + 10)
    scores, ids = article_store.search(qvec[None, :].astype(np.float32), max(n, 1))
    rows = catalog.articles_brief([int(i) for i in ids[0] if i >= 0])
    out: list[ArticleHit] = []
    for s, rowid in zip(scores[0], ids[0], strict=True):
        row = rows.get(int(rowid))
        if row is None or int(rowid) == exclude or (exclude_hash and row[6] == exclude_hash):
            continue
        out.append(ArticleHit(rank=len(out) + 1, score=round(float(s), 6), article_id=row[0], title=row[1],
                              source=row[2], line_start=row[3], url=row[4], date=row[5]))
        if len(out) == k:
            break
    return out
