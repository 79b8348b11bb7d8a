"""The language a collection is written in, from the function words of articles in some of its
files: a new index not told its language (``--language``) takes it, so German articles are stemmed and
split as German without asking."""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TypeVar

from .lexical import LANGUAGE, Analyzer, languages
from .text import fold, words

SAMPLE_CHARS = 40_000  # of the articles' text, at most 5,000 each: a few files read twice
_PER_ARTICLE = 5_000
SAMPLE_FILES = 16  # spread over the collection, so its first folder does not decide alone
T = TypeVar("T")
MIN_WORDS = 300  # fewer: too little to tell, English
# Another language is taken when its function words are at least this share of the words read
# and this many times as many as English's (which share "in", "is", "was" with Dutch, say).
MIN_SHARE, OVER_ENGLISH = 0.1, 1.5
_LETTERS = re.compile(r"[^\W\d_]+")


def candidates() -> list[str]:
    """Languages with both a stemmer and a list of function words."""
    from stop_words import AVAILABLE_LANGUAGES

    return sorted(set(languages()) & set(AVAILABLE_LANGUAGES) | {LANGUAGE})


def language_of_text(text: str) -> str:
    """The language whose function words ``text`` uses most, if clearly another than English;
    else English."""
    tokens = words(text)
    if len(tokens) < MIN_WORDS:
        return LANGUAGE
    counts = Counter(tokens)
    hits = {}
    for language in candidates():
        stop = Analyzer(language).stopwords
        hits[language] = sum(n for w, n in counts.items() if w in stop or fold(w) in stop)
    best = max(sorted(hits), key=hits.__getitem__)
    if best != LANGUAGE and hits[best] >= MIN_SHARE * len(tokens) and hits[best] >= OVER_ENGLISH * hits[LANGUAGE]:
        return best
    return LANGUAGE


@cache
def _function_words(language: str) -> frozenset[str]:
    return Analyzer(language).stopwords


def reads_as_another(question: str, language: str) -> bool:
    """Whether ``question`` uses none of ``language``'s function words and two or more of
    another's ("¿Cuándo reabre la biblioteca?" of English articles): too few words to name the
    language, enough to tell it is not the index's. A capitalised word past the first is a name's
    ("El Niño", "Die Hard"), not counted."""
    tokens = [w.lower() for i, w in enumerate(_LETTERS.findall(question)) if i == 0 or not w[0].isupper()]

    def used(lang: str) -> int:
        stop = _function_words(lang)
        return sum(w in stop or fold(w) in stop for w in tokens)

    return not used(language) and any(used(other) >= 2 for other in candidates() if other != language)


def language_of_articles(paths: Sequence[str], one_per_file: bool = False) -> str:
    """The language of the articles of ``paths``: of the first ones read in up to
    :data:`SAMPLE_FILES` of its files, picked at random (the same ones each time) from all of them."""
    from .readers import ReadStats, read_articles
    from .walk import iter_files

    texts: list[str] = []
    picked = _sample(iter_files(list(paths), ReadStats()), SAMPLE_FILES)
    for given, _ in picked:
        read = read_articles([given], ReadStats(), one_per_file=one_per_file)
        left = SAMPLE_CHARS // len(picked)  # a file's share: one long file does not decide alone
        try:
            for article in read:
                texts.append(article.text[: min(_PER_ARTICLE, left)])
                left -= len(texts[-1])
                if left <= 0:
                    break
        finally:
            read.close()
    return language_of_text("\n".join(texts))


def _sample(items: Iterable[T], k: int) -> list[T]:
    """``k`` of ``items`` picked uniformly in one pass (reservoir sampling, seeded: the same
    items give the same pick), in their order."""
    rng = random.Random(0)
    kept: list[tuple[int, T]] = []
    for i, item in enumerate(items):
        if i < k:
            kept.append((i, item))
        elif (j := rng.randrange(i + 1)) < k:
            kept[j] = (i, item)
    return [item for _, item in sorted(kept, key=lambda pair: pair[0])]
