"""Which sentences of a passage answer the question: lexical overlap mixed with dense similarity."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .catalog import STOPWORDS, PassageRow
from .types import Highlight

if TYPE_CHECKING:
    from .embedder import Embedder

DENSE_SHARE = 0.5
_WORD = re.compile(r"\w+", re.UNICODE)


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def terms(text: str) -> set[str]:
    return {_stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS}


def rank_sentences(
    question: str,
    qvec: np.ndarray | None,
    rows: Sequence[PassageRow],
    embedder: Embedder | None,
) -> list[list[Highlight]]:
    """Per passage, its sentences as highlights, best first.

    The score mixes the share of the question's content words a sentence contains with the
    cosine between sentence and question embeddings (when an embedder is given).
    """
    spans: list[tuple[int, int, int]] = []
    texts: list[str] = []
    for i, row in enumerate(rows):
        for a, b in row.sentences:
            spans.append((i, a, b))
            texts.append(row.text[a - row.char_start : b - row.char_start])
    if not texts:
        return [[] for _ in rows]
    qterms = terms(question)
    overlap = np.array([len(qterms & terms(t)) / max(len(qterms), 1) for t in texts])
    if embedder is not None and qvec is not None:
        score = DENSE_SHARE * (embedder.encode(texts) @ qvec) + (1 - DENSE_SHARE) * overlap
    else:
        score = overlap
    out: list[list[Highlight]] = [[] for _ in rows]
    for (i, a, b), t, s in zip(spans, texts, score, strict=True):
        out[i].append(Highlight(t, a, b, round(float(s), 4)))
    for ranked in out:
        ranked.sort(key=lambda h: (-h.score, h.char_start))
    return out


def top_highlights(ranked: list[Highlight]) -> tuple[Highlight, ...]:
    """The best sentence, and the runner-up when it scores nearly as well."""
    if not ranked:
        return ()
    return tuple(h for h in ranked[:2] if h.score >= 0.9 * ranked[0].score)
