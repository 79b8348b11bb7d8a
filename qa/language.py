"""The language a collection is written in, from the function words of its first articles: a
new index not told its language (``--language``) takes it, so German articles are stemmed and
split as German without asking."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .lexical import LANGUAGE, Analyzer, languages
from .text import fold, words

SAMPLE_CHARS = 40_000  # of the first articles' text, at most 5,000 each: a few files read twice
_PER_ARTICLE = 5_000
MIN_WORDS = 300  # fewer: too little to tell, English
# Another language is taken when its function words are at least this share of the words read
# and this many times as many as English's (which share "in", "is", "was" with Dutch, say).
MIN_SHARE, OVER_ENGLISH = 0.1, 1.5


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


def language_of_articles(paths: Sequence[str], one_per_file: bool = False) -> str:
    """The language of the articles of ``paths``, from the first ones read."""
    from .readers import ReadStats, read_articles

    read = read_articles(list(paths), ReadStats(), one_per_file=one_per_file)
    texts, size = [], 0
    try:
        for article in read:
            texts.append(article.text[:_PER_ARTICLE])
            size += len(texts[-1])
            if size >= SAMPLE_CHARS:
                break
    finally:
        read.close()
    return language_of_text("\n".join(texts))
