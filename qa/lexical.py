"""BM25 over a sparse term-by-passage matrix: the lexical half of hybrid search.

SQLite FTS5 scored every passage that shares a word with the question through a per-row
callback, so a question cost O(matching passages) in interpreted steps: ~90 ms at 100k
passages. Here a question costs one vectorised pass over the posting lists of its terms.

The matrix holds raw term counts, not BM25 weights, because document frequencies and the mean
passage length change with every update; weights are computed per question from the posting
lists it touches. The scoring is FTS5's ``bm25()`` formula (Robertson IDF floored at 1e-6, b 0.75,
title and text counted as one field) with term-frequency saturation k1 = 0.45 instead of FTS5's
fixed 1.2: a second or third occurrence of a question word says little about a short passage.

Files, one set per generation (plain ``.npy`` arrays, loaded without pickle; the two big ones
memory-mapped so a cold start reads only the postings a question needs; written column by
column in bounded memory by :mod:`qa.postings`)::

    lexical.pids.npy     int64 [N]     passage id of each row, ascending
    lexical.lengths.npy  int32 [N]     tokens in each passage (title + text)
    lexical.indptr.npy   int64 [V+1]   column starts (CSC)
    lexical.rows.npy     int32 [nnz]   row of each posting
    lexical.tf.npy       uint16 [nnz]  count of the term in that row
    lexical.vocab.txt    V lines       the terms, in column order
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import regex

from .errors import IndexCorruptError, InputError
from .text import INVISIBLE, MARKS, STOPWORDS, content_words, fold, only_common_words, query_terms

# Tuned with the fusion weights on SciFact train and SQuAD dev (benchmarks/RESULTS.md): any
# k1 in 0.3-0.6 gave hybrid nDCG@10 +0.003 to +0.006 on both over FTS5's 1.2.
K1 = 0.45
B = 0.75
IDF_FLOOR = 1e-6  # FTS5's: terms in more than half the passages still count, barely
PREFIX = "lexical."
ARRAYS = {"pids": np.int64, "lengths": np.int32, "indptr": np.int64, "rows": np.int32, "tf": np.uint16}
_MAPPED = ("rows", "tf")
# Words of a question's form, not of what it asks ("how many", "what year", "what type of",
# "what is it called", "where is it located", "what did she say"): a passage that answers
# states the year or the name, it does not repeat the word asking for it, so a hit lacking
# one is not missing anything ("missing: year" was shown on right answers). Still searched:
# as stopwords they moved the sample strike question's highlight off its answer (the share of
# the other words grew). By language.
_ENGLISH_FORMS = ("many", "much", "type", "types", "kind", "kinds", "sort", "name", "named", "called",
                  "year", "date", "number", "percentage", "percent", "proportion", "fraction", "long", "often",
                  "whose", "located", "according", "else", "besides",
                  "say", "said", "happen", "happened", "happens", "mean", "means")
# ... and after "how" only: "how deep", "how old" ask for a depth or an age, "the old mill" does not.
_ENGLISH_HOW = re.compile(r"\bhow\s+(far|deep|tall|high|old|big|large|wide|fast|heavy|hot|cold|warm|cool|early|late|soon)\b", re.I)
_QUESTION_FORMS = {"english": frozenset(_ENGLISH_FORMS), "french": frozenset({"combien"}),
                   "german": frozenset({"wieviel", "wieviele"}), "dutch": frozenset({"hoeveel"}),
                   "spanish": frozenset({"cuántos", "cuánta", "cuántas"}), "norwegian": frozenset({"mye"}),
                   "portuguese": frozenset({"quanto", "quantos", "quanta", "quantas"}),
                   "finnish": frozenset({"montako"})}
# Function words missing from stop-words' lists (2018.7.23): question words ("when", "which" are
# English stopwords; else every Dutch hit lacked "Wanneer"), and what is left of an article or a
# pronoun elided before a vowel (Catalan's "l'any", "d'ells", "s'ha": words "l", "d", "s").
_ELIDED = ("l", "d", "s", "n", "m", "t")
_LIST_GAPS = {"french": ("quoi", "lequel", "laquelle", "lesquels", "lesquelles"), "catalan": _ELIDED,
              "italian": ("quando", "quali", *_ELIDED[1:]), "portuguese": ("quais",),
              "dutch": ("wanneer", "waar", "waarom", "welke", "welk"),
              "danish": ("hvornår", "hvorfor", "hvem", "hvilken", "hvilket", "hvilke"),
              "norwegian": ("hvilket",), "russian": ("какие",)}
# Scripts written without spaces between words (Chinese, Japanese, Thai) or with particles
# joined to them (Korean): a letter run there is a phrase, not a word, so "missing" would list
# the whole question.
_UNSPACED = re.compile("[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits: FTS5 unicode61's token characters
# Beyond ASCII a word also holds the marks written on its letters: the vowel signs and viramas
# of Indic scripts are parts of a word ("क्षेत्र" was cut into four one-letter terms).
WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}\p{M}]*")
# The terms Analyzer gives, by version, as a manifest records it: 1 cut words at marks and kept
# invisible characters and compatibility forms. An index of another version is analysed anew
# on its next write.
VERSION = 2
# A word holding a character that shows as nothing ("co\u00adoperative") must match the word typed.
_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))
_ODD = re.compile(MARKS.pattern[:-1] + "\u0130" + "".join(map(chr, _INVISIBLE)) + "]")


LANGUAGE = "english"  # Porter's stemmer, as indexes before languages were analysed


def languages() -> list[str]:
    """The languages whose stemmers PyStemmer (Snowball) has: ``german``, ``french``, ..."""
    import Stemmer

    return sorted(set(Stemmer.algorithms()) - {"porter"})


class Analyzer:
    """Lower-cased letter/digit runs, Latin diacritics removed, stemmed (PyStemmer): English by
    Porter's stemmer, another language (an index's ``language`` setting) by its Snowball stemmer.

    Text that is not ASCII is first brought to Unicode's compatibility form (NFKD) without its
    invisible characters, so what reads as the same word is the same term: the "\ufb01" ligature
    of text copied from a PDF as "fi", full-width letters and digits as ASCII ones.
    """

    def __init__(self, language: str = LANGUAGE) -> None:
        import Stemmer

        if language != LANGUAGE and language not in languages():
            raise InputError(f"no stemmer for the language {language!r}; one of: {', '.join(languages())}")
        self.language = language
        self._stem = Stemmer.Stemmer("porter" if language == LANGUAGE else language, 100_000)
        words = language.removesuffix("_porter")  # Dutch's words whichever Dutch stemmer
        self.stopwords = STOPWORDS if language == LANGUAGE else _stopwords(words)
        self.question_form = _QUESTION_FORMS.get(words, frozenset())

    def __call__(self, text: str) -> list[str]:
        if text.isascii():
            tokens = _TOKEN.findall(text.lower())
        elif unicodedata.is_normalized("NFKC", text) and not _ODD.search(text):
            tokens = [fold(t) for t in WORD.findall(text.lower())]  # what the path below gives
        else:
            # Marks go from the whole text, not per token: a mark splits a letter run, and
            # lower-casing "İ" puts one between "i" and the rest of its word.
            text = unicodedata.normalize("NFKD", text.translate(_INVISIBLE)).lower()
            text = unicodedata.normalize("NFC", MARKS.sub("", text))
            tokens = WORD.findall(text)
        return [s for s in self._stem.stemWords(tokens) if s]  # Porter stems "s" to ""

    def each(self, words: Sequence[str]) -> list[list[str]]:
        """Each word's terms, as analysing it alone gives them; lower-case ASCII words (most)
        stemmed in one call."""
        out: list[list[str]] = [[] for _ in words]
        plain = [i for i, w in enumerate(words) if w.isascii() and w.isalnum() and w.islower()]
        for i, stem in zip(plain, self._stem.stemWords([words[i] for i in plain]), strict=True):
            out[i] = [stem] if stem else []
        for i in set(range(len(words))).difference(plain):
            out[i] = self(words[i])
        return out

    def terms_at(self, text: str) -> list[tuple[str, int, int]]:
        """The terms of ``text`` with the (start, end) of the word each comes from, a word
        analysed alone (as a whole text is, but for a word split by an invisible character)."""
        return [(term, m.start(), m.end()) for m in WORD.finditer(text) for term in self(m.group())]


def _stopwords(language: str) -> frozenset[str]:
    """A language's function words (stop-words' list; English's where it has none: a question
    in another language loses nothing to them)."""
    from stop_words import StopWordError, get_stop_words

    try:
        listed = {w.lower() for w in get_stop_words(language)} | set(_LIST_GAPS.get(language, ()))
    except StopWordError:
        return STOPWORDS
    # and as a word typed without its accents reads (some lists spell "cuando" for "cuándo"):
    # content_words compares a word's folded form too
    return frozenset(listed | {fold(w) for w in listed})


@dataclass(frozen=True)
class Postings:
    """The matrix in CSC form plus what scoring needs per row."""

    pids: np.ndarray
    lengths: np.ndarray
    indptr: np.ndarray
    rows: np.ndarray
    tf: np.ndarray
    terms: tuple[str, ...]


class LexicalIndex:
    """BM25 scores of every passage for a question, as one vector aligned with :attr:`pids`."""

    def __init__(self, postings: Postings, analyzer: Analyzer | None = None, k1: float = K1) -> None:
        self.p = postings
        self.k1 = k1
        self.pids = postings.pids
        self.analyzer = analyzer or Analyzer()
        self.vocab = {t: i for i, t in enumerate(postings.terms)}
        n = len(postings.pids)
        avgdl = float(postings.lengths.sum()) / n if n else 1.0
        # The length part of BM25's denominator, per row, for the current collection.
        self._norm = k1 * (1 - B + B * postings.lengths.astype(np.float64) / max(avgdl, 1e-9))

    def __len__(self) -> int:
        return len(self.pids)

    # --- questions -------------------------------------------------------------------------
    def query(self, question: str) -> Counter[str]:
        """The question's terms with their counts (stopwords dropped, as FTS5 queries were)."""
        return Counter(self.analyzer(" ".join(query_terms(question, self.analyzer.stopwords))))

    def pair_share(self, question: str, texts: Iterable[str]) -> np.ndarray:
        """Per text, the share of the question's adjacent word pairs (analysed, stopwords kept:
        "donated by", "the land") that occur side by side in it: phrase evidence BM25's bag of
        words cannot see."""
        q = self.analyzer(question)
        pairs = set(pairwise(q))
        if not pairs:
            return np.zeros(len(list(texts)))
        out = []
        for text in texts:
            t = self.analyzer(text)
            out.append(len(pairs.intersection(pairwise(t))) / len(pairs))
        return np.array(out, dtype=np.float64)

    def missing(self, question: str, texts: Iterable[str]) -> list[tuple[str, ...]]:
        """Per text, the question's content words (as the question spells them) it does not
        contain once both are analysed: "strikes" is found in "strike", "Cordoba" in "Córdoba"."""
        forms = self.analyzer.question_form
        if self.analyzer.language == LANGUAGE:
            forms = forms | {w.lower() for w in _ENGLISH_HOW.findall(question)}
        asked = [(w, stems) for w in content_words(question, numbers=True, stopwords=self.analyzer.stopwords)
                 if w.lower() not in forms and not _UNSPACED.search(w)
                 and (stems := self.analyzer(w))]
        out = []
        for text in texts:
            have = set(self.analyzer(text))
            out.append(tuple(w for w, stems in asked if not have.issuperset(stems)))
        return out

    def coverage(self, question: str, texts: Iterable[str]) -> list[float]:
        """Per text, the share of the question's terms it contains, each term weighted by its
        IDF (:meth:`idf`; a term no passage has weighs most): how much of what the question is
        about the text mentions at all. 1.0 for a question without terms; 0.0 for one of
        stopwords only ("what is it?": what it is about, no text can say). Letter runs of scripts
        written without spaces are left out, as in :meth:`missing` (a run is a phrase)."""
        texts = list(texts)
        if only_common_words(question, self.analyzer.stopwords):
            return [0.0] * len(texts)
        terms = sorted(t for t in self.query(question) if not _UNSPACED.search(t))
        idf = self.idf(terms)
        out = []
        for text in texts:
            have = set(self.analyzer(text))
            found = np.array([t in have for t in terms], dtype=bool)
            out.append(float(idf[found].sum() / idf.sum()) if terms else 1.0)
        return out

    def idf(self, terms: Iterable[str]) -> np.ndarray:
        """A positive IDF per (analysed) term, over the index's passages: BM25+'s
        log(1 + (N - df + 0.5) / (df + 0.5)), never 0 for a term in every passage."""
        n = len(self)
        return np.array([np.log(1 + (n - df + 0.5) / (df + 0.5))
                         for df in self.document_frequencies(terms)], dtype=np.float64)

    def _postings_of(self, question: str) -> Iterator[tuple[int, float, int, int]]:
        """(count in the question, BM25 IDF, postings start, end) of each question term the
        index holds."""
        n = len(self.pids)
        for term, count in self.query(question).items():
            col = self.vocab.get(term)
            if col is None:
                continue
            start, end = int(self.p.indptr[col]), int(self.p.indptr[col + 1])
            if end > start:
                yield count, max(np.log((n - (end - start) + 0.5) / (end - start + 0.5)), IDF_FLOOR), start, end

    def ideal(self, question: str) -> float:
        """The BM25 score of a passage of average length holding each of the question's words
        (those the index holds) once: what a match of the whole question scores."""
        return float(sum(count * idf for count, idf, _, _ in self._postings_of(question)))

    def scores(self, question: str) -> np.ndarray:
        """BM25 score of every row; 0 where no term of the question occurs."""
        out = np.zeros(len(self.pids), dtype=np.float64)
        for count, idf, start, end in self._postings_of(question):
            rows = self.p.rows[start:end]
            f = self.p.tf[start:end].astype(np.float64)
            out[rows] += count * idf * f * (self.k1 + 1) / (f + self._norm[rows])
        return out

    def document_frequencies(self, terms: Iterable[str]) -> list[int]:
        """How many passages contain each (analysed) term."""
        ptr = self.p.indptr
        cols = [self.vocab.get(t) for t in terms]
        return [0 if c is None else int(ptr[c + 1] - ptr[c]) for c in cols]

    def having(self, terms: Iterable[str]) -> np.ndarray:
        """Ids (sorted) of the passages that hold every (analysed) term, in their text or title."""
        ptr = self.p.indptr
        cols = [self.vocab.get(t) for t in set(terms)]
        if not cols or None in cols:
            return np.zeros(0, dtype=np.int64)
        rows = None
        for c in sorted(cols, key=lambda c: ptr[c + 1] - ptr[c]):  # the rarest first
            have = np.asarray(self.p.rows[int(ptr[c]):int(ptr[c + 1])])
            rows = have if rows is None else np.intersect1d(rows, have, assume_unique=True)
            if not len(rows):
                break
        return np.sort(self.pids[rows]).astype(np.int64)

    def mask(self, pids: np.ndarray) -> np.ndarray:
        """Rows whose passage is in ``pids``."""
        return np.isin(self.pids, pids)

    def lookup(self, scores: np.ndarray, pids: Iterable[int]) -> list[float]:
        """Scores of given passages (0 for ids not in the index)."""
        want = np.fromiter(pids, dtype=np.int64)
        if len(self.pids) == 0:
            return [0.0] * len(want)
        pos = np.minimum(np.searchsorted(self.pids, want), len(self.pids) - 1)
        found = self.pids[pos] == want
        return np.where(found, scores[pos], 0.0).tolist()

    def top(self, scores: np.ndarray, n: int) -> list[tuple[int, float]]:
        """The ``n`` best (passage id, score) with a positive score, ties broken by id."""
        hit = np.flatnonzero(scores > 0)
        if len(hit) > n:
            cut = np.partition(scores[hit], len(hit) - n)[len(hit) - n]
            hit = hit[scores[hit] >= cut]
        order = np.lexsort((self.pids[hit], -scores[hit]))[:n]
        return list(zip(self.pids[hit[order]].tolist(), scores[hit[order]].tolist(), strict=True))

    # --- building ---------------------------------------------------------------------------
    @classmethod
    def build(cls, passages: Iterable[tuple[int, str]], analyzer: Analyzer | None = None) -> LexicalIndex:
        """Index ``(passage id, text)`` pairs (ids ascending), in memory."""
        return _in_memory(empty_postings(), np.zeros(0, dtype=bool), passages, analyzer or Analyzer(), K1)

    def updated(self, keep: np.ndarray, added: Iterable[tuple[int, str]]) -> LexicalIndex:
        """A new in-memory index: the rows whose passage id is in ``keep``, plus ``added``
        passages (ids above every kept id). Only the added text is analysed. (Index writes
        use :func:`qa.postings.write`, which goes straight to files.)"""
        return _in_memory(self.p, self.mask(keep), added, self.analyzer, self.k1)

    # --- files -----------------------------------------------------------------------------
    @staticmethod
    def exists(directory: str) -> bool:
        return os.path.exists(os.path.join(directory, f"{PREFIX}vocab.txt"))

    @classmethod
    def load(cls, directory: str, mapped: bool = True, analyzer: Analyzer | None = None,
             k1: float = K1) -> LexicalIndex:
        """The postings in ``directory``; ``mapped``: the two big arrays memory-mapped."""
        try:
            arrays = {
                name: np.load(os.path.join(directory, f"{PREFIX}{name}.npy"), allow_pickle=False,
                              mmap_mode="r" if mapped and name in _MAPPED else None)
                for name in ARRAYS
            }
            with open(os.path.join(directory, f"{PREFIX}vocab.txt"), encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise IndexCorruptError(f"cannot read the lexical index in {directory}: {exc}") from exc
        terms = tuple(text.split("\n")) if text else ()
        postings = Postings(terms=terms, **arrays)
        problem = _shape_problem(postings)
        if problem:
            raise IndexCorruptError(f"lexical index in {directory} is damaged: {problem}; rebuild the index")
        return cls(postings, analyzer, k1)

    def check(self, passage_ids: np.ndarray) -> list[str]:
        """Problems found when comparing the postings with each other and with the catalog."""
        problem = _shape_problem(self.p)
        if problem:
            return [f"lexical index is damaged: {problem}"]
        problems = []
        if len(self.p.rows) and int(np.max(self.p.rows)) >= len(self.pids):
            problems.append("lexical index has postings for rows that do not exist")
        if not np.array_equal(self.pids, np.sort(np.asarray(passage_ids, dtype=np.int64))):
            problems.append("lexical index and catalog hold different passages")
        return problems


def empty_postings() -> Postings:
    return Postings(np.zeros(0, np.int64), np.zeros(0, np.int32), np.zeros(1, np.int64),
                    np.zeros(0, np.int32), np.zeros(0, np.uint16), ())


def _shape_problem(p: Postings) -> str | None:
    for name, dtype in ARRAYS.items():
        array_ = getattr(p, name)
        if array_.dtype != dtype or array_.ndim != 1:
            return f"{name} is not a one-dimensional {np.dtype(dtype).name} array"
    n, v = len(p.pids), len(p.terms)
    if len(p.lengths) != n or len(p.indptr) != v + 1:
        return "array sizes do not agree"
    if p.indptr[0] != 0 or p.indptr[-1] != len(p.rows) or len(p.rows) != len(p.tf):
        return "posting offsets do not agree"
    if n and np.any(np.diff(p.pids) <= 0):
        return "passage ids are not ascending"
    if v and np.any(np.diff(p.indptr) < 0):
        return "posting offsets go backwards"
    return None


def _in_memory(old: Postings, keep: np.ndarray, added: Iterable[tuple[int, str]],
               analyzer: Analyzer, k1: float) -> LexicalIndex:
    import tempfile

    from .postings import write

    with tempfile.TemporaryDirectory(prefix="qa-lexical-") as tmp:
        write(tmp, old, keep, added, analyzer)
        return LexicalIndex.load(tmp, mapped=False, analyzer=analyzer, k1=k1)
