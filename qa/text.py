"""Question words: what lexical search and highlighting look for."""

from __future__ import annotations

import re
import unicodedata

import regex

# Common English function words: dropping them from OR-queries keeps BM25 on the content words
# and avoids walking the longest posting lists.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves""".split()
)
# Characters that show as nothing: soft hyphens in web pages, zero-width spaces and joiners in
# copied text, a stray byte-order mark. Inside a word, not between words.
INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
# Letters, digits and the marks written on letters (Indic vowel signs and viramas are parts of a
# word: \w alone cut "क्षेत्र" into four letters).
_WORD = regex.compile(rf"[\p{{L}}\p{{N}}\p{{M}}_{INVISIBLE}]+")
# What "patient's", "isn't", "we'd", "they'll", "I'm", "you're", "we've" add to a word: as words
# of their own ("s" stems to "") they would match every passage with a possessive in it.
_CLITIC = re.compile(r"(?<=\w)(?:n['\u2019]t|['\u2019](?:s|d|ll|m|re|ve))\b", re.IGNORECASE)


# Marks readers leave out: Latin accents, Hebrew points, Arabic vowel signs (not the vowel
# signs of Indic scripts, which are letters' parts).
MARKS = re.compile("[\u0300-\u036f\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7\u064b-\u065f\u0670]")


def fold(token: str) -> str:
    """A word without the marks readers leave out ("cuándo" as "cuando")."""
    if token.isascii():
        return token
    return unicodedata.normalize("NFC", MARKS.sub("", unicodedata.normalize("NFD", token)))


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


# A number written with its separators ("2.0", "4,200", "10:20"): one word as a question shows it.
_NUMBER = regex.compile(rf"\p{{N}}+(?:[.,:/]\p{{N}}+)+(?![\p{{L}}\p{{N}}])|{_WORD.pattern}")


def content_words(question: str, numbers: bool = False, stopwords: frozenset[str] = STOPWORDS) -> list[str]:
    """The question's words that are not stopwords, in order, as it spells them (the first
    spelling of each, whatever its case). ``numbers``: a number with separators is one word
    ("version 2.0" names "2.0", not "2" and "0"), as a person reads it. ``stopwords``: the
    language's (qa.lexical.Analyzer), English by default."""
    seen: dict[str, str] = {}
    for w in (_NUMBER if numbers else _WORD).findall(_CLITIC.sub("", question)):
        low = w.lower()
        if low not in stopwords and fold(low) not in stopwords:
            seen.setdefault(low, w)
    return list(seen.values())


def only_common_words(question: str, stopwords: frozenset[str] = STOPWORDS) -> bool:
    """Whether the question has words, but only stopwords ("What is it?"): it says nothing of
    what it asks about."""
    return not content_words(question, stopwords=stopwords) and bool(words(_CLITIC.sub("", question)))


def query_terms(question: str, stopwords: frozenset[str] = STOPWORDS) -> list[str]:
    """Content words of a question in order, lower-cased (all words when it has no content word)."""
    content = [w.lower() for w in content_words(question, stopwords=stopwords)]
    return content or list(dict.fromkeys(words(_CLITIC.sub("", question))))
