"""Hybrid retrieval: dense and BM25 candidates, score fusion, per-article grouping, highlights."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from . import phrases, sentvec, tokens
from .catalog import Catalog, PassageRow
from .copies import distinct
from .embedder import encode_questions
from .errors import InputError, at_least_one
from .hits import hits_of
from .types import Hit, reference

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .embedder import Embedder
    from .lexical import LexicalIndex
    from .store import FaissStore

MODES = ("hybrid", "dense", "lexical")
# Shares of the fused score (tuned on SciFact train and SQuAD dev; see benchmarks/RESULTS.md):
# the passage's cosine, its best sentence's cosine (contextual sentence vectors), BM25, and the
# share of the question's adjacent word pairs found side by side (LexicalIndex.pair_share); and
# where the index holds sentence tokens, the question's tokens matched to the passage's
# (qa.tokens.passage_scores).
PASSAGE_WEIGHT, SENTENCE_WEIGHT, LEXICAL_WEIGHT, PAIR_WEIGHT = 0.1, 0.5, 0.4, 0.05
WEIGHTS = PASSAGE_WEIGHT + SENTENCE_WEIGHT + LEXICAL_WEIGHT + PAIR_WEIGHT  # fused scores in 0..1
TOKEN_WEIGHT = 0.2
MIN_CANDIDATES = 100
COPY_WINDOW = 20  # copies are left out of the first this many hits (qa.copies)
FUSION_DEPTH = 100  # the top this many of each list set the min-max scale of both scores
# The share of a whole-question match's BM25 (LexicalIndex.ideal) at which the best lexical
# candidate counts in full; less, in proportion (0.6-0.9 measured alike on SciFact and SQuAD).
LEXICAL_CEILING = 0.8
PAIR_DEPTH = 30  # candidates (best by the other signals) whose word pairs and tokens are counted
MAX_QUESTION_CHARS = 4000


@dataclass(frozen=True)
class Filters:
    """Restrict results. ``source`` is a glob on the source path (or a folder: its files); dates are ISO ``YYYY-MM-DD``;
    ``tags``: articles with all of them; ``author``: articles whose author (a post's, a message's
    sender, a document's) contains it, in any case (``lena`` finds Lena Marsh)."""

    source: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    tags: tuple[str, ...] = ()
    author: str | None = None

    @classmethod
    def coerce(cls, value: Filters | dict | None) -> Filters | None:
        if value is None or isinstance(value, Filters):
            return value
        if isinstance(value, dict):
            unknown = set(value) - {"source", "date_from", "date_to", "tags", "author"}
            if unknown:
                raise InputError(f"unknown filter(s) {sorted(unknown)}; use source, date_from, date_to, tags, author")
            tags = value.get("tags") or ()
            return cls(value.get("source") or None, value.get("date_from") or None,
                       value.get("date_to") or None, (tags,) if isinstance(tags, str) else tuple(tags),
                       (value.get("author") or "").strip() or None)
        raise InputError("filters must be a qa.Filters or a dict")

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value not in (None, "") and not _is_date_prefix(value):
                # "date from": the words of the web page's label and the CLI's --date-from alike
                raise InputError(f"{name.replace('_', ' ')} {value!r} is not a date: give YYYY-MM-DD "
                                 "(or YYYY-MM, or YYYY)")
        # Dates are compared as text; date_to matches everything it is a prefix of.
        if self.date_from and self.date_to and self.date_from[: len(self.date_to)] > self.date_to:
            raise InputError(f"date from {self.date_from} is after date to {self.date_to}: nothing could match")

    def active(self) -> bool:
        return bool(self.source or self.date_from or self.date_to or self.tags or self.author)


def _is_date_prefix(value: object) -> bool:
    import datetime as dt

    if not isinstance(value, str):
        return False
    filled = {4: value + "-01-01", 7: value + "-01", 10: value}.get(len(value))
    try:
        return filled is not None and dt.date.fromisoformat(filled).isoformat() == filled
    except ValueError:
        return False


@dataclass
class _Candidate:
    pid: int
    dense: float | None = None
    lexical: float | None = None
    dense_rank: int | None = None
    lexical_rank: int | None = None
    score: float = 0.0


def clean_question(question: str) -> str:
    if not isinstance(question, str):
        raise InputError("the question must be text")
    q = " ".join("".join(ch if ch.isprintable() else " " for ch in question).split())
    if not q:
        raise InputError("the question is empty; type a question")
    if not any(ch.isalnum() for ch in q):  # "???": nothing to look for, yet the nearest would come back sure
        raise InputError(f"the question {q[:40]!r} has no words; type a question")
    if len(q) > MAX_QUESTION_CHARS:  # at a space: a word cut in two would be looked for, and "missing"
        cut = q[: MAX_QUESTION_CHARS + 1]
        q = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUESTION_CHARS]
    return q


def search_many(
    catalog: Catalog,
    store: FaissStore,
    lexicon: LexicalIndex,
    embedder: Embedder | None,
    questions: list[str],
    k: int,
    mode: str,
    filters: Filters | None,
    per_article: int,
    highlights: bool = True,
) -> list[list[Hit]]:
    if mode not in MODES:
        raise InputError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    k, per_article = at_least_one(k, "k"), at_least_one(per_article, "per_article")
    # "-word" and '-"words"' leave out the passages holding them; the rest is the question
    asked = [phrases.left_out(clean_question(q)) for q in questions]
    if any(not rest for rest, _ in asked):
        raise InputError("the question only leaves words out (-word); add what to look for")
    questions = [rest for rest, _ in asked]
    allowed = allowed_rows = allowed_sql = None
    if filters is not None and filters.active():
        allowed_sql = catalog.filter_sql(filters.source, filters.date_from, filters.date_to, filters.tags,
                                         filters.author)
        allowed = np.asarray(catalog.ids_for(allowed_sql), dtype=np.int64)
        if len(allowed) == 0:
            return [[] for _ in questions]
        allowed_rows = lexicon.mask(allowed)
    total = store.count() if allowed is None else len(allowed)
    qvecs = qtokens = None
    if mode != "lexical" and embedder is not None:
        qvecs, qtokens = encode_questions(embedder, questions)
    results = []
    articles = None
    for i, question in enumerate(questions):
        reader = _Read(catalog)
        n = max(MIN_CANDIDATES, k * per_article * 2)
        room = min(k, COPY_WINDOW)  # more than k, for copies left out (qa.copies)
        among, among_rows, among_total, among_articles = allowed, allowed_rows, total, None
        if asked[i][1]:
            gone = phrases.holding_any(asked[i][1], lexicon, reader.passages)
            among = np.setdiff1d(lexicon.pids if allowed is None else allowed, gone, assume_unique=True)
            if not len(among):
                results.append([])
                continue
            among_rows, among_total = lexicon.mask(among), len(among)
        # "words in quotes" side by side; where no passage holds them, the question as if unquoted
        held = phrases.holding(question, lexicon, reader.passages, among)
        if held is not None and len(held[0]):
            among, among_articles = held
            among_rows, among_total = lexicon.mask(among), len(among)
        while True:
            cands = _candidates(reader, store, lexicon, qvecs[i] if qvecs is not None else None,
                                qtokens[i] if qtokens is not None else None,
                                question, n, mode, among, among_rows)
            while True:
                grouped = _group(cands, reader, k + room, per_article)
                picked, copies = _distinct(grouped, reader, k)
                if len(picked) >= k or len(grouped) < k + room:
                    break
                room += k + room - len(picked)  # copies took their places: as many more of these
            if len(picked) >= k or n >= among_total:
                break
            # Fewer articles than k (a long book alone, a narrow filter): once each has its
            # share there is no more to find, and growing the candidates to the whole index
            # took a 12 MB article's 8,772 passages 1.2 s a question.
            if among_articles is None and articles is None:
                articles = catalog.article_count(allowed_sql)
            if len(grouped) >= (articles if among_articles is None else among_articles) * per_article:
                break
            n *= 4
        results.append(hits_of(picked, reader, lexicon, question, qvecs[i] if qvecs is not None else None,
                             qtokens[i] if qtokens is not None else None, highlights, copies))
    return results


class _Read:
    """The catalog as one question reads it: each passage read once. Fusion reads the best
    candidates, the copies check and the hits mostly the same ones again."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._rows: dict[int, PassageRow] = {}
        self._with_vectors: set[int] = set()

    def passages(self, ids: Sequence[int], vectors: bool = False) -> dict[int, PassageRow]:
        """As :meth:`Catalog.passages`."""
        unread = [p for p in ids if p not in (self._with_vectors if vectors else self._rows)]
        if unread:
            self._rows.update(self._catalog.passages(unread, vectors=vectors))
            if vectors:
                self._with_vectors.update(unread)
        return {p: self._rows[p] for p in ids if p in self._rows}

    def __getattr__(self, name: str):
        return getattr(self._catalog, name)


def _candidates(catalog, store, lexicon, qvec, qtokens, question, n, mode, allowed,
                allowed_rows) -> list[_Candidate]:
    """Dense and lexical candidates, each with both scores (fusion needs the two for every one).

    ``allowed``: passage ids that pass the filters, ``allowed_rows`` the same as a mask over the
    lexical index's rows (None: no filter).
    """
    cands: dict[int, _Candidate] = {}
    if mode in ("hybrid", "dense") and qvec is not None and store.count():
        scores, ids = store.search(qvec[None, :], n, allowed)
        for rank, (s, pid) in enumerate(zip(scores[0], ids[0], strict=True), 1):
            if pid >= 0:
                cands[int(pid)] = _Candidate(int(pid), dense=float(s), dense_rank=rank)
    top = []
    if mode in ("hybrid", "lexical"):
        bm25 = lexicon.scores(question)
        if allowed_rows is not None:
            bm25[~allowed_rows] = 0.0
        top = lexicon.top(bm25, n)
        dense_only = list(cands.values())
        for c, s in zip(dense_only, lexicon.lookup(bm25, (c.pid for c in dense_only)), strict=True):
            c.lexical = s  # 0 when no word of the question occurs in it
    for rank, (pid, s) in enumerate(top, 1):
        c = cands.setdefault(pid, _Candidate(pid))
        c.lexical, c.lexical_rank = s, rank
    if mode == "dense":
        for c in cands.values():
            c.score = c.dense
    elif mode == "lexical":
        for c in cands.values():
            c.score = c.lexical
    else:
        _fuse(list(cands.values()), catalog, store, lexicon, question, qvec, qtokens)
    return sorted(cands.values(), key=lambda c: (-c.score, c.pid))


def _fuse(cands: list[_Candidate], catalog, store, lexicon, question: str, qvec, qtokens) -> None:
    """Min-max-normalised score fusion, with both scores computed for every candidate."""
    if not cands:
        return
    missing_dense = [c for c in cands if c.dense is None]
    if missing_dense and qvec is not None:
        vecs = store.reconstruct([c.pid for c in missing_dense])
        for c, s in zip(missing_dense, vecs @ qvec, strict=True):
            c.dense = float(s)
    for c in cands:
        if c.lexical is None:
            c.lexical = 0.0
        if c.dense is None:
            c.dense = 0.0
    d = np.array([c.dense for c in cands])
    lx = np.array([c.lexical for c in cands])
    best = _best_sentence(catalog, [c.pid for c in cands], qvec, d)
    pool = np.array([_in_pool(c.dense_rank) or _in_pool(c.lexical_rank) for c in cands])
    # A pool that did not fill holds every passage there is (a small collection, a narrow
    # filter): its worst is no stand-in for "unrelated", so scales start at 0 (no match, no
    # similarity) below it. Else a second of two hits scored 0 whatever it held; ranking small
    # filtered sets of SciFact this way measured better (nDCG@10 0.7482 vs 0.7418, small_pools.py).
    floor = int(pool.sum()) < FUSION_DEPTH
    lexical = _scale(lx, lx[pool], floor)
    # The best BM25 among them counts in full only if it matches most of the question: one word
    # of five (a wildfire "spread across" the forest for "How can people get across the river
    # during the closure?") is no lexical evidence, whatever it scales to.
    whole = LEXICAL_CEILING * lexicon.ideal(question)
    if pool.any() and whole > lx[pool].max() > 0:
        lexical *= lx[pool].max() / whole
    fused = (PASSAGE_WEIGHT * _scale(d, d[pool], floor) + SENTENCE_WEIGHT * _scale(best, best[pool], floor)
             + LEXICAL_WEIGHT * lexical)
    # Word pairs need the passages analysed (~0.1 ms each): only the top PAIR_DEPTH by the other
    # signals, scaled among themselves; measured as good as all candidates, at a fifth the cost.
    top = np.argsort(-fused, kind="stable")[:PAIR_DEPTH]
    ids = [cands[i].pid for i in top]
    rows = catalog.passages(ids, vectors=qtokens is not None)  # text as the lexical index analysed it
    pairs = lexicon.pair_share(question, [f"{rows[p].title}\n{rows[p].text}" if p in rows else ""
                                          for p in ids])
    fused[top] += PAIR_WEIGHT * _scale(pairs, pairs, floor)
    total = WEIGHTS
    matched = _token_scores(qtokens, [rows.get(p) for p in ids])
    # The same top, scaled among themselves. Only when every one of them has tokens: in an index
    # an older version wrote and this one updated, only the passages added since have them, and
    # counting the others' as 0 would rank them below the new ones for that alone.
    if matched is not None and not np.isnan(matched).any():
        fused[top] += TOKEN_WEIGHT * _scale(matched, matched, floor)
        total += TOKEN_WEIGHT
    fused /= total
    for c, s in zip(cands, fused, strict=True):
        c.score = float(s)


def _token_scores(qtokens, rows) -> np.ndarray | None:
    """The question's tokens matched to each passage's (None: no tokens on either side)."""
    if qtokens is None:
        return None
    blobs = [r.sentence_tokens if r is not None else None for r in rows]
    if not any(blobs):
        return None  # an index built by an embedder that gives no tokens, or before them
    return tokens.passage_scores(qtokens.vectors, blobs, [len(r.sentences) if r is not None else 0 for r in rows])


def _best_sentence(catalog, ids: list[int], qvec, fallback: np.ndarray) -> np.ndarray:
    """Each passage's best sentence cosine; the passage cosine where no sentence vectors exist."""
    if qvec is None:
        return fallback.copy()
    blobs = catalog.sentence_vector_blobs(ids)
    have = [i for i, pid in enumerate(ids) if pid in blobs]
    out = fallback.copy()
    if have:  # one product for all candidates, then a max per passage
        vecs, starts = sentvec.decode_many([blobs[ids[i]] for i in have], len(qvec))
        out[have] = np.maximum.reduceat(vecs @ qvec, starts)
    return out


def _in_pool(rank: int | None) -> bool:
    return rank is not None and rank <= FUSION_DEPTH


def _scale(x: np.ndarray, ref: np.ndarray, floor: bool = False) -> np.ndarray:
    """Min-max scaling over the reference pool: the union of both lists' top ``FUSION_DEPTH``;
    with ``floor``, from 0 where the pool's minimum is above it.

    A fixed pool, not every candidate fetched, so a passage's fused score does not change with
    how many results were asked for.
    """
    if len(ref) == 0:
        return np.zeros_like(x)
    lo, hi = float(ref.min()), float(ref.max())
    if floor:
        lo = min(lo, 0.0)
    if hi > lo:
        return (x - lo) / (hi - lo)
    # One candidate, or all alike (a narrow filter, a tiny corpus): a signal they all have counts
    # in full, rather than scoring the only match 0.
    return np.where(x >= hi, 1.0, 0.0) if hi > 0 else np.zeros_like(x)


def _group(cands, catalog, k, per_article) -> list[_Candidate]:
    """The best candidates, at most ``per_article`` per article, until ``k``."""
    picked, per = [], {}
    articles = catalog.article_rowids([c.pid for c in cands])  # ids only: no text read here
    for c in cands:
        article = articles.get(c.pid)
        if article is None or per.get(article, 0) >= per_article:
            continue
        per[article] = per.get(article, 0) + 1
        picked.append(c)
        if len(picked) == k:
            break
    return picked


def _distinct(grouped: list[_Candidate], catalog, k: int) -> tuple[list[_Candidate], dict[int, tuple[str, ...]]]:
    """The first ``k`` that copy no better one (:mod:`qa.copies`), looked for among the first
    ``COPY_WINDOW`` kept (and as many after them): the places a person reads, at a cost bulk
    retrieval (k=100) need not pay. With the references of the copies each stands for."""
    rows = {}

    def read(ids):
        rows.update(catalog.passages(ids))
        return {p: (r.text, r.article_rowid) for p, r in rows.items() if p in ids}

    kept, copies, rest = distinct([c.pid for c in grouped], read, min(k, COPY_WINDOW))
    by_id = {c.pid: c for c in grouped}
    return [by_id[p] for p in kept + rest][:k], {
        p: tuple(reference(rows[c].source, rows[c].line_start, rows[c].line_end) for c in cs)
        for p, cs in copies.items() if cs}
