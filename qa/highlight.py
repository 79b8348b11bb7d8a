"""Which sentences of a passage answer the question.

A sentence's score mixes three signals measured on SQuAD (see benchmarks/RESULTS.md): the
question's tokens matched to the sentence's tokens (:mod:`qa.tokens`), the cosine between the
question and the sentence's contextual vector (pooled from the passage's own token embeddings),
both stored at index time so nothing but the question is encoded at query time; and the
weighted share of the question's content words (Porter stems) the sentence contains, each word
weighted by its IDF over the index (document frequencies from the BM25 index) divided by the
number of the passage's sentences containing it. Passages indexed without tokens (by an
embedder that gives none, or before tokens were stored) mix the last two only. The question's
words that are in the article's title count little in either word signal (``TITLE_WORD_WEIGHT``,
``TITLE_WORD_ALONE_WEIGHT``).
A table's row holds its header row's words and tokens too (``| 2023 | 18,500 m3 |`` answers "How
much silt was removed in 2023?" under ``| Year | Silt removed |``); headings, header rows and
rules name what follows and are never the highlight. Nor is a sentence that asks a question
(an FAQ's "How fast does silt return?", a column's "So what went wrong?"): it shares the
question's words and answers nothing; its score goes to the sentence after it, the answer an
FAQ or a writer gives next, unless that one asks too. Words the question quotes (``"free
ferry"``, :mod:`qa.phrases`) put the best of the sentences holding them first: that is what was
asked about (SQuAD dev's 96 quoting questions: the answer in the top sentence 84 times, 82 without).
A "why" question's sentences giving a cause ("because", "due to") score a little more (``CAUSE_BONUS``),
as do a "how many" or "when" question's giving a number or a date (``KIND_BONUS``, :mod:`qa.answerspan`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from . import answerspan, phrases, sentvec, tokens
from .cardtitle import title_heading_end
from .catalog import PassageRow
from .markdown import TABLE_RULE
from .types import Highlight

if TYPE_CHECKING:
    from .lexical import LexicalIndex
    from .tokens import QuestionTokens

# Shares of (tokens, sentence cosine, words), and of (cosine, words) without tokens. Measured
# on SQuAD dev (top sentence of the gold paragraph holds the answer): 0.884 and 0.869.
WEIGHTS = (0.7, 0.1, 0.2)
_ASKS = re.compile(r"[?？؟][\"'”’»)\]*_]*\s*$")  # a sentence ending in a question mark (any script's)
DENSE_SHARE = 0.7
# Measured on SQuAD dev (benchmarks/RESULTS.md), top 5 hits: gold-paragraph hits whose top
# highlight holds the answer 0.887 (0.889 with no floor); hits without the answer that show a
# highlight 0.352 (1.000 with no floor; in a side run, 0.45 with a floor of 0.7, 0.25 with 0.8).
# With weak hits' highlights hidden as well (below): 0.881 and 0.320; with title words left
# out as well (TITLE_WORD_WEIGHT): 0.885 and 0.283 (0.894 and 1.000 without the two rules).
HIT_FLOOR = 0.75
# A question's words found in the article's title name what the article is about, which all its
# sentences share whether they repeat it or not ("How popular is López Obrador?" of an article
# whose first sentence, its title, names him, and whose answer says "his support"): they count
# this much in the token and word signals, unless the question has no other word. Measured on
# SQuAD dev (as above, all 10,570 questions): weighted 1 (as before) 0.882, 0.5 0.886, 0.25
# 0.888, 0.1 0.889, 0 0.888; on ../shared/seeds, 22 questions written
# before this was tried, the answer in the top highlight 16 times at 1, 17 at 0.1, 20 at 0.
TITLE_WORD_WEIGHT = 0.0
# ... unless the passage holds none of the question's other words: then the title's are nearly
# all there is to go by ("Why did the council close the bridge?" of "Old Harbour Bridge closes
# for two years of repairs", which never names the council, highlighted "The bridge opened in
# 1931." for the question's "did the"). Not where the title is the passage's first sentence (a
# .txt story's): that sentence would hold them all ("How popular is Ilse Varga?", whose answer
# says "approval rating"). SQuAD dev as above: 0.888 at 0 and at 0.1, 0.887 at 0.25, 0.886 at
# 1; the seeds' questions (their titles are first sentences) 37 of 38.
TITLE_WORD_ALONE_WEIGHT = 0.1


# A Markdown or page heading (ATX, or text over a setext underline): a heading that repeats the
# question's words ("## Who objects") took the highlight from the sentences under it.
_HEADING = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)|[^\n]+\n {0,3}(?:=+|-+)[ \t]*$")
# A code fence's own line (```python, ~~~, MyST's ```{caution}): a page shows none of it
_FENCE_LINE = re.compile(r"[ \t]*(?:`{3,}[^`\n]*|~{3,}[^\n]*)")
_ROW = re.compile(r"[ \t]*\|.*\|[ \t]*")


# A hit is weak (nothing in it seems to answer) when the IDF-weighted share of the question's
# terms it contains plus its best sentence's cosine to the question is below WEAK_BELOW; with
# no vectors to compare, when the share alone is below WEAK_COVERAGE_BELOW. Set on the bundled
# model so that 2% of the top hits of questions that have an answer in the index (SQuAD dev,
# SciFact train) are weak: benchmarks/RESULTS.md gives what they flag on questions that have none.
WEAK_BELOW = 0.75
WEAK_COVERAGE_BELOW = 0.27

QUOTED_MARGIN = 0.001  # what a sentence holding the quoted words is put above the others by (> rounding)

# A "why" question asks for a cause, which a sentence gives with a word such as "because": such
# sentences score this much more. For "Why did Berlin Huguenots switch to German from French in
# their services?" the sentence repeating its words ("The Berlin Huguenots preserved the French
# language in their church services ...") took the highlight from the one giving the reason
# ("... in protest against the occupation of Prussia by Napoleon"). SQuAD dev's 159 such
# questions: the answer in the top highlight of the gold paragraph 129 -> 133 times (5 gained,
# 1 lost; each half of them gained; 0.2: 136, with no gain on the second half). Not "since" or
# "so that" (a time: "the lowest level since records began"; they changed no SQuAD answer).
CAUSE_BONUS = 0.1
# Likewise a question asking for a number, a date or a quantity (qa.answerspan: "How many...",
# "When...", "How far...") is answered by a sentence giving one (that the question does not
# give itself). SQuAD dev's 1,919 such questions: the answer in the gold paragraph's top
# highlight 1,759 -> 1,813 times (0.1: 1,803; 0.2: 1,810; 0.3: 1,794; each half of them gained
# alike), all 10,570 questions 0.888 -> 0.893.
KIND_BONUS = 0.15
_WHY = re.compile(r"\bwhy\b|\bwhat (?:is|was|are|were) the reasons?\b", re.IGNORECASE)
_CAUSE = re.compile(r"\b(?:because|due to|owing to|as a result|result(?:s|ed|ing)? (?:in|from)|caused|"
                    r"in order to|so as to|in protest|reasons?|therefore|thus|hence|leads? to|led to)\b", re.IGNORECASE)


def weak(coverage: float, cosine: float | None) -> bool:
    """Whether a hit seems not to answer (see ``WEAK_BELOW``): a cosine of None means no vectors."""
    if cosine is None:
        return coverage < WEAK_COVERAGE_BELOW
    return coverage + cosine < WEAK_BELOW


def best_cosine(row: PassageRow, qvec: np.ndarray | None, passage: float | None) -> float | None:
    """The passage's best sentence cosine to the question (``passage``, its own cosine, where
    it has no sentence vectors); None without a question vector."""
    if qvec is None:
        return None
    vecs = sentence_vectors(row, len(qvec))
    return float((vecs @ qvec).max()) if vecs is not None and len(vecs) else passage


def sentence_vectors(row: PassageRow, dim: int) -> np.ndarray | None:
    if not row.sentence_vectors:
        return None
    try:
        vecs = sentvec.decode(row.sentence_vectors, dim)
    except ValueError:
        return None
    return vecs if len(vecs) == len(row.sentences) else None


class RankedPassage(NamedTuple):
    """A passage's sentences as highlights, best first, and its ``strength``: what
    :func:`highlights_of_hits` compares across hits, its best sentence's score; for a passage
    opening with its title as its first sentence (a ``.txt`` story's), that sentence's with the
    title's words counted in full, if higher. The title's words count for little in ranking a
    passage's sentences (``TITLE_WORD_WEIGHT``), but such a title is the story's lede, as much
    an answer as another hit's sentence holding the same words ("460 Marxists ... met for the
    Montreal Marxist Winter School" showed no highlight under a hit whose text only named the
    school)."""

    sentences: list[Highlight]
    strength: float


def rank_sentences(
    question: str, qvec: np.ndarray | None, rows: Sequence[PassageRow], lexicon: LexicalIndex,
    qtokens: QuestionTokens | None = None,
) -> list[list[Highlight]]:
    """Per passage, its sentences as highlights, best first. ``qtokens``: the question's
    normalised token embeddings (:func:`qa.embedder.encode_questions`), if the embedder gives them."""
    return [r.sentences for r in rank_passages(question, qvec, rows, lexicon, qtokens)]


def rank_passages(
    question: str, qvec: np.ndarray | None, rows: Sequence[PassageRow], lexicon: LexicalIndex,
    qtokens: QuestionTokens | None = None,
) -> list[RankedPassage]:
    """:func:`rank_sentences` with each passage's strength (:class:`RankedPassage`)."""
    terms = sorted(lexicon.query(question))
    idf = np.array(lexicon.idf(terms), dtype=np.float64)
    analyse = lexicon.analyzer
    token_terms = _token_terms(question, qtokens.spans, analyse) if qtokens is not None else []
    wanted = phrases.wanted(question, analyse)
    why = bool(_WHY.search(question))
    kind = answerspan.asked_kind(question, lexicon)
    out: list[RankedPassage] = []
    for row in rows:
        texts = [row.text[a - row.char_start : b - row.char_start] for a, b in row.sentences]
        analysed = [analyse(t) for t in texts]
        has = np.array([[t in words for t in terms] for words in map(set, analysed)],
                       dtype=np.float64).reshape(len(texts), len(terms))
        header, rule = _table_headers(texts) if row.markup != "plain" else ([None] * len(texts), [])
        for i, h in enumerate(header):  # a table's row holds its columns' names too
            if h is not None:
                has[i] = np.maximum(has[i], has[h])
        title = frozenset(analyse(row.title))
        in_title = np.array([t in title for t in terms], dtype=bool)
        # Scored as ranked, and for a passage opening with its title as its first sentence, with
        # the title's words counted in full too (for its strength: RankedPassage).
        lede = bool(texts) and row.markup == "plain" and row.char_start == 0 and bool(
            title_heading_end(row.text, row.title, "plain"))
        vecs = sentence_vectors(row, len(qvec)) if qvec is not None else None
        scores = []
        others = lede or bool((has.any(axis=0) & ~in_title).any())  # (TITLE_WORD_ALONE_WEIGHT)
        ranking = 1.0 if in_title.all() else TITLE_WORD_WEIGHT if others else TITLE_WORD_ALONE_WEIGHT
        for discount in (ranking, *((1.0,) if lede else ())):
            # A question word in many of the passage's sentences (its topic) points less to the
            # answering one: weight by IDF over the index and by 1 / sentences containing it.
            weight = idf * np.where(in_title, discount, 1.0) / np.maximum(has.sum(axis=0), 1)
            lexical = has @ weight / (weight.sum() or 1.0)
            matched = None
            if qtokens is not None:  # a token of a title word (a stopword's is in no title) counts less
                shares = np.array([discount if t and t <= title else 1.0 for t in token_terms])
                matched = tokens.scores(qtokens.vectors, row.sentence_tokens, len(texts), shares, header)
            if vecs is None:
                score = lexical
            elif matched is None:
                score = DENSE_SHARE * (vecs @ qvec) + (1 - DENSE_SHARE) * lexical
            else:
                score = WEIGHTS[0] * matched + WEIGHTS[1] * (vecs @ qvec) + WEIGHTS[2] * lexical
            if row.markup != "plain":
                fences = [bool(_FENCE_LINE.fullmatch(t)) for t in texts]
                score = _headings_passed_on(score, [_opens_heading(row.text, a - row.char_start) for a, _ in row.sentences],
                                            fences)
                score[[h for h in header if h is not None] + rule] = 0.0  # they name what the rows hold
                score[fences] = 0.0
            if why:
                score = score + CAUSE_BONUS * np.array([bool(_CAUSE.search(t)) for t in texts])
            if kind is not None:
                score = score + KIND_BONUS * np.array([bool(answerspan.candidates(kind, question, t)) for t in texts])
            score = _questions_passed_on(score, texts)
            if wanted:
                joined = [phrases.spaced(words) for words in analysed]
                score = _quoted_first(score, np.array([sum(w in j for w in wanted) for j in joined]))
            scores.append(score)
        score = scores[0]
        strength = max(float(score.max()) if len(texts) else 0.0, float(scores[-1][0]) if lede else 0.0)
        ranked = [Highlight(t, a, b, round(float(s), 4))
                  for (a, b), t, s in zip(row.sentences, texts, score, strict=True)]
        ranked.sort(key=lambda h: (-h.score, h.char_start))
        out.append(RankedPassage(ranked, strength))
    return out


def _opens_heading(text: str, at: int) -> bool:
    """Whether the sentence at ``at`` is a heading: its line, read from the line's start (a
    paragraph indented past a heading's marks, as readers write a ``# comment``, is none)."""
    line = text.rfind("\n", 0, at) + 1
    return not text[line:at].strip() and _HEADING.match(text, line) is not None


def _table_headers(texts: Sequence[str]) -> tuple[list[int | None], list[int]]:
    """Per sentence, the header row of the table it is a body row of (its index), or None; and
    the tables' rules (``|---|---|``). A table's rows are sentences of their own."""
    header: list[int | None] = [None] * len(texts)
    rules, current = [], None
    for i, t in enumerate(texts):
        if TABLE_RULE.fullmatch(t):
            rules.append(i)
            current = i - 1 if i and _ROW.fullmatch(texts[i - 1]) else None
        elif current is not None and _ROW.fullmatch(t):
            header[i] = current
        else:
            current = None
    return header, rules


def _headings_passed_on(score: np.ndarray, heading: list[bool], fences: list[bool] | None = None) -> np.ndarray:
    """Scores where a heading's goes to the first sentence under it (if more than its own) and
    the heading's is 0: "## Who objects" names what follows and answers nothing, while the
    sentence that opens its section ("Fishermen worry that ...") shares no word with the
    question the heading matched. A code fence's line is passed over: the code under it is that sentence."""
    score = np.array(score, dtype=np.float64)
    skip = [h or bool(fences and fences[j]) for j, h in enumerate(heading)]
    for i in np.flatnonzero(heading):
        after = next((j for j in range(i + 1, len(heading)) if not skip[j]), None)
        if after is not None:
            score[after] = max(score[after], score[i])
        score[i] = 0.0
    return score


def _questions_passed_on(score: np.ndarray, texts: Sequence[str]) -> np.ndarray:
    """Scores where a question's goes to the sentence after it (if more than its own, and that
    sentence asks nothing) and the question's is 0."""
    asks = [bool(_ASKS.search(t)) for t in texts]
    if not any(asks):
        return score
    score = np.array(score, dtype=np.float64)
    for i in np.flatnonzero(asks):
        if i + 1 < len(texts) and not asks[i + 1]:
            score[i + 1] = max(score[i + 1], score[i])
        score[i] = 0.0
    return score


def _quoted_first(score: np.ndarray, holds: np.ndarray) -> np.ndarray:
    """Scores where the sentences holding the most of the quoted phrases (``holds``: how many
    each holds) are raised together, their order kept, until the best of them is just above
    every other sentence; the passage's best score stays about what it was (highlights are
    compared across hits)."""
    top = holds == holds.max()
    if not holds.max() or top.all():
        return score
    gap = score[~top].max() - score[top].max()
    if gap < 0:
        return score
    score = np.array(score, dtype=np.float64)
    score[top] += gap + QUOTED_MARGIN
    return score


def _token_terms(question: str, spans: Sequence[tuple[int, int]], analyse) -> list[frozenset[str]]:
    """For each question token (a word piece), the analysed terms of the word it lies in."""
    out = []
    for a, b in spans:
        while a > 0 and question[a - 1].isalnum():
            a -= 1
        while b < len(question) and question[b].isalnum():
            b += 1
        out.append(frozenset(analyse(question[a:b])))
    return out


def top_highlights(ranked: list[Highlight]) -> tuple[Highlight, ...]:
    """The best sentence, and the runner-up when it scores nearly as well."""
    if not ranked:
        return ()
    return tuple(h for h in ranked[:2] if h.score >= 0.9 * ranked[0].score)


def highlights_of_hits(ranked: Sequence[list[Highlight]], strengths: Sequence[float] | None = None
                       ) -> list[tuple[Highlight, ...]]:
    """Each hit's highlights, or none when its best sentence scores below ``HIT_FLOOR`` of the
    best sentence among all the hits (or not above 0): a weak hit's "best" sentence would look
    like an answer to a reader skimming the highlights, and it rarely is one. ``strengths``: what
    to compare instead of the best sentences' scores (:class:`RankedPassage`)."""
    if strengths is None:
        strengths = [r[0].score if r else 0.0 for r in ranked]
    best = max(strengths, default=0.0)
    return [top_highlights(r) if r and r[0].score > 0 and s >= HIT_FLOOR * best else ()
            for r, s in zip(ranked, strengths, strict=True)]
