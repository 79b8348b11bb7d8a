"""Which sentences of a passage answer the question.

A sentence's score mixes two signals measured on SQuAD (see benchmarks/RESULTS.md):
the cosine between the question and the sentence's contextual vector (stored at index time,
pooled from the passage's own token embeddings, so nothing is encoded at query time), and the
weighted share of the question's content words (Porter stems) the sentence contains, each word
weighted by its IDF over the index (document frequencies from the BM25 index) divided by the
number of the passage's sentences containing it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .catalog import PassageRow
from .types import Highlight

if TYPE_CHECKING:
    from .lexical import LexicalIndex

DENSE_SHARE = 0.7
# Measured on SQuAD dev (benchmarks/RESULTS.md), top 5 hits: gold-paragraph hits whose top
# highlight holds the answer 0.879 (0.880 with no floor); hits without the answer that show a
# highlight 0.426 (1.000 with no floor).
HIT_FLOOR = 0.7


def decode_vectors(blob: bytes, dim: int) -> np.ndarray:
    """Sentence vectors as stored in the catalog (float16 rows) as float32."""
    return np.frombuffer(blob, dtype=np.float16).reshape(-1, dim).astype(np.float32)


def sentence_vectors(row: PassageRow, dim: int) -> np.ndarray | None:
    if not row.sentence_vectors:
        return None
    vecs = decode_vectors(row.sentence_vectors, dim)
    return vecs if len(vecs) == len(row.sentences) else None


def rank_sentences(
    question: str, qvec: np.ndarray | None, rows: Sequence[PassageRow], lexicon: LexicalIndex
) -> list[list[Highlight]]:
    """Per passage, its sentences as highlights, best first."""
    qterms = set(lexicon.query(question))
    total = len(lexicon)
    idf = {t: math.log(1 + (total - df + 0.5) / (df + 0.5))
           for t, df in zip(qterms, lexicon.document_frequencies(qterms), strict=True)}
    analyse = lexicon.analyzer
    out: list[list[Highlight]] = []
    terms = sorted(qterms)
    for row in rows:
        texts = [row.text[a - row.char_start : b - row.char_start] for a, b in row.sentences]
        has = np.array([[t in words for t in terms] for words in map(set, map(analyse, texts))],
                       dtype=np.float64).reshape(len(texts), len(terms))
        # A question word in many of the passage's sentences (its topic) points less to the
        # answering one: weight by IDF over the index and by 1 / sentences containing it.
        weight = np.array([idf[t] for t in terms]) / np.maximum(has.sum(axis=0), 1)
        lexical = has @ weight / (weight.sum() or 1.0)
        vecs = sentence_vectors(row, len(qvec)) if qvec is not None else None
        score = lexical if vecs is None else DENSE_SHARE * (vecs @ qvec) + (1 - DENSE_SHARE) * lexical
        ranked = [Highlight(t, a, b, round(float(s), 4))
                  for (a, b), t, s in zip(row.sentences, texts, score, strict=True)]
        ranked.sort(key=lambda h: (-h.score, h.char_start))
        out.append(ranked)
    return out


def top_highlights(ranked: list[Highlight]) -> tuple[Highlight, ...]:
    """The best sentence, and the runner-up when it scores nearly as well."""
    if not ranked:
        return ()
    return tuple(h for h in ranked[:2] if h.score >= 0.9 * ranked[0].score)


def highlights_of_hits(ranked: Sequence[list[Highlight]]) -> list[tuple[Highlight, ...]]:
    """Each hit's highlights, or none when its best sentence scores below ``HIT_FLOOR`` of the
    best sentence among all the hits (or not above 0): a weak hit's "best" sentence would look
    like an answer to a reader skimming the highlights, and it rarely is one."""
    best = max((r[0].score for r in ranked if r), default=0.0)
    return [top_highlights(r) if r and r[0].score > 0 and r[0].score >= HIT_FLOOR * best else ()
            for r in ranked]
