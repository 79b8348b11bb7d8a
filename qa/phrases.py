"""Words in quotes in a question must be in a passage side by side, as a search box takes them.

``Who called the bridge "a lifeline for the island"?`` finds only passages holding those words
in that order (after the lexical analysis every search makes: any case, accents, line breaks and
punctuation between them, a word's endings, as "bridges" is found for "bridge"), ranked as the
whole question ranks them. Where no passage holds them (a title remembered not quite as it is:
"Walking in Fresno" for "Walking Into Fresno") the question is asked as if unquoted, and
:func:`notice` says so. Quotes that hold no word (``""``) ask for nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

# "…", “…”, „…“ (German), «…» (French), as a keyboard or a phone types them; within one line
_QUOTED = re.compile(r'"([^"\n]*)"|“([^”“\n]*)”|„([^„“”\n]*)[“”]|«([^«»\n]*)»')
_BATCH = 2000  # passages read at once to look for the words side by side
# Passages looked through at most (about 50 µs each): words most passages hold ("in the") are
# looked for among those that score best for the question.
MAX_LOOKED_AT = 5000


# -word, -"words": passages holding them are left out; after a space or at the start ("e-mail",
# "-5 degrees" are none), a word starting with a letter
_LEFT_OUT = re.compile(r'(?<!\S)-(?:"([^"\n]*)"|“([^”“\n]*)”|([^\W\d_][^\s"“”]*))')


def quoted(question: str) -> list[str]:
    """The phrases quoted in ``question``, as written, each once (not those to leave out)."""
    found = [next(g for g in m.groups() if g is not None).strip() for m in _QUOTED.finditer(question)
             if not _LEFT_OUT.match(question, m.start() - 1)]
    return list(dict.fromkeys(p for p in found if any(ch.isalnum() for ch in p)))


def spaced(terms: Sequence[str]) -> str:
    """Terms joined by spaces, a space at each end: a text holds a phrase's words side by side
    when its ``spaced`` terms hold the phrase's."""
    return f" {' '.join(terms)} "


def wanted(question: str, analyzer) -> list[str]:
    """The phrases quoted in ``question``, :func:`spaced` (their terms)."""
    return [spaced(terms) for p in quoted(question) if (terms := analyzer(p))]


def places(question: str, text: str, analyzer) -> tuple[tuple[int, int], ...]:
    """Where ``text`` has a phrase quoted in ``question``: (start, end) of each place, in order,
    cut where it goes on to the next line (a mark stays within a line); empty when the question
    quotes none or ``text`` holds none."""
    terms = [t for p in quoted(question) if (t := analyzer(p))]
    if not terms:
        return ()
    found = analyzer.terms_at(text)
    words = [term for term, _, _ in found]
    spans: set[tuple[int, int]] = set()
    for phrase in terms:
        for i in range(len(words) - len(phrase) + 1):
            if words[i:i + len(phrase)] == phrase:
                start, end = found[i][1:]
                for _, a, b in found[i + 1:i + len(phrase)]:
                    if "\n" in text[end:a]:
                        spans.add((start, end))
                        start = a
                    end = b
                spans.add((start, end))
    # places that overlap ("free ferry" and "ferry service" in "free ferry service") as one
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return tuple(merged)


def left_out(question: str) -> tuple[str, list[str]]:
    """``question`` without its ``-word`` and ``-"words"``, and those words, each once: passages
    holding them (in their text or title, words side by side) are to be left out."""
    found: list[str] = []

    def cut(m: re.Match) -> str:
        found.append(next(g for g in m.groups() if g is not None).strip())
        return " "

    rest = " ".join(_LEFT_OUT.sub(cut, question).split())
    return rest, list(dict.fromkeys(p for p in found if any(ch.isalnum() for ch in p)))


def holding_any(phrases: Sequence[str], lexicon, read: Callable[[Sequence[int]], dict]) -> np.ndarray:
    """The passages (ids, sorted) holding any of ``phrases`` (a word, or words side by side) in
    their text or title; every candidate is looked through, however many."""
    found = [np.zeros(0, dtype=np.int64)]
    for phrase in phrases:
        terms = lexicon.analyzer(phrase)
        have = lexicon.having(terms) if terms else found[0]
        found.append(_held(have, [spaced(terms)], lexicon.analyzer, read)[0] if len(terms) > 1 else have)
    return np.unique(np.concatenate(found))


def holding(question: str, lexicon, read: Callable[[Sequence[int]], dict],
            allowed: np.ndarray | None) -> tuple[np.ndarray, int] | None:
    """The passages (ids, sorted) that hold every phrase quoted in ``question``, among
    ``allowed`` (None: all), and how many articles they are in; None when it quotes none.

    Candidates are the passages whose postings have each phrase's words (:meth:`LexicalIndex.having`);
    their texts, read by ``read`` (passage ids -> catalog rows), are then looked through for the
    words in order, in the passage or its article's title (the :data:`MAX_LOOKED_AT` that score
    best for the question, when more hold the words).
    """
    phrases = [(p, terms) for p in quoted(question) if (terms := lexicon.analyzer(p))]
    if not phrases:
        return None
    ids = None
    for phrase, terms in phrases:  # candidates by the phrase's rarer words ("the" is in most)
        have = lexicon.having(list(lexicon.query(phrase)) or terms)
        ids = have if ids is None else np.intersect1d(ids, have, assume_unique=True)
    if allowed is not None:
        ids = np.intersect1d(ids, allowed)
    if len(ids) > MAX_LOOKED_AT:
        scores = np.asarray(lexicon.lookup(lexicon.scores(question), ids.tolist()))
        ids = np.sort(ids[np.argsort(-scores, kind="stable")[:MAX_LOOKED_AT]])
    return _held(ids, [spaced(terms) for _, terms in phrases], lexicon.analyzer, read)


def _held(ids: np.ndarray, wanted: list[str], analyzer, read) -> tuple[np.ndarray, int]:
    """Those of ``ids`` whose text or title holds every one of ``wanted`` (each
    :func:`spaced`), sorted, and how many articles they are in."""
    kept, articles = [], set()
    for start in range(0, len(ids), _BATCH):
        rows = read([int(i) for i in ids[start:start + _BATCH]])
        for pid, row in rows.items():
            text, title = spaced(analyzer(row.text)), None
            for want in wanted:
                if want in text:
                    continue
                if title is None:
                    title = spaced(analyzer(row.title or ""))
                if want not in title:
                    break
            else:
                kept.append(pid)
                articles.add(row.article_rowid)
    return np.array(sorted(kept), dtype=np.int64), len(articles)


def unheld(question: str, hits: Sequence, analyzer) -> list[str]:
    """The phrases quoted in ``question`` that the first of ``hits`` does not hold: then no
    passage does, and the hits are those of the question as if unquoted (:func:`holding`)."""
    if not hits:
        return []
    text = spaced(analyzer(hits[0].text))
    title = spaced(analyzer(hits[0].title or ""))
    return [p for p in quoted(question) if (terms := analyzer(p))
            and spaced(terms) not in text and spaced(terms) not in title]


def notice(question: str, hits: Sequence, analyzer) -> str | None:
    """What to say first when no passage holds a phrase the question quotes."""
    missing = unheld(question, hits, analyzer)
    if not missing:
        return None
    shown = " or ".join(f"“{p}”" for p in missing)
    return (f"No passage holds {shown} as quoted (words in quotes are looked for side by side, in "
            "that order): these are the passages nearest to the question without the quotes.")
