"""Did you mean: a question's misspelt words, spelt as the index's passages spell them.

A word of five letters or more that no passage holds (its stem is not in the full-text index),
written in lower case after its first letter (not an acronym such as ``ComYMV``), is taken for a
misspelling when a stem one edit away (a letter left out, added, changed, or two swapped) is held
by a passage: the one most passages hold, written as a passage holding it writes it, when that
spelling is one edit from the question's word too (so ``Goverment``, whose stem is one from
``over``, is left alone). A word the embedding model's vocabulary holds as one token, or holds
so without an English ending or prefix (:func:`word_forms`), is a word, not a typo (``hearth``,
when the passages have only ``earth``; ``lightening``). Nothing is changed in the search: the
question as corrected is offered. SQuAD dev's 10,570 questions: 166 are offered one, in a
sample of 40, 34 fixing a real typo as meant (``similair``, ``undestanding``), 4 as another
word (``palce`` -> ``palace``), 2 naming a word the articles lack (``amass`` -> ``mass``);
benchmarks/spelling.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .catalog import Catalog
    from .lexical import LexicalIndex

# letters only; not a -word left out, nor "wouldn" of "wouldn't"
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]{5,}(?![\w'’-])")
READ = 3  # passages read for how a stem is written
# English endings and prefixes a word takes (not "d" or "in": "sould", "insite" are typos)
_ENDINGS = ("s", "es", "ed", "er", "ers", "r", "ing", "ening", "en", "n", "men", "ian", "ly")
_PREFIXES = ("un", "non", "re", "dis", "pre", "over", "under", "mis")


def corrected(question: str, lexicon: LexicalIndex, catalog: Catalog,
              known: Callable[[str], bool] = lambda word: False) -> str | None:
    """The question with each word taken for a misspelling written as the index writes the word
    it is most likely; None when there is none. ``known(word)``: whether it is a word all the
    same (the embedding model's vocabulary holds it whole: "hearth", which the index may lack)."""
    out = question
    for m in reversed(list(_WORD.finditer(question))):
        word = m.group()
        if word[1:] != word[1:].lower():
            continue
        stems = lexicon.analyzer(word)
        if len(stems) != 1 or stems[0] in lexicon.analyzer.stopwords or lexicon.document_frequencies(stems)[0]:
            continue
        near = [c for c in _edits(stems[0]) if c in lexicon.vocab]
        held = [(df, c) for df, c in zip(lexicon.document_frequencies(near), near, strict=True) if df]
        if not held or known(word):
            continue
        spelt = _written(max(held)[1], word, lexicon, catalog)
        if spelt is not None:  # "Dockworkers" opening the question
            spelt = spelt[0].upper() + spelt[1:] if word[0].isupper() else spelt
            out = out[: m.start()] + spelt + out[m.end():]
    return out if out != question else None


def word_forms(word: str) -> list[str]:
    """``word`` and the words it may be made of with an ending or a prefix ("lightening": "light";
    "Californian": "california"; "unmodified": "modified"), four letters or more (five before
    "-ian", a name's ending: "Darwinian", not "captian" or "Kievian" as "capt" + "ian"): a
    vocabulary holding one of them whole holds a word, not a typo."""
    low = word.lower()
    forms = {word, low}
    forms.update(low[: -len(s)] for s in _ENDINGS if low.endswith(s) and len(low) - len(s) >= (5 if s == "ian" else 4))
    forms.update(low[len(p):] for p in _PREFIXES if low.startswith(p) and len(low) - len(p) >= 4)
    return sorted(forms)


def _edits(stem: str) -> set[str]:
    """Every string one edit from ``stem`` (Norvig's), with the letters a-z and its own."""
    letters = set("abcdefghijklmnopqrstuvwxyz") | set(stem)
    splits = [(stem[:i], stem[i:]) for i in range(len(stem) + 1)]
    out = {a + b[1:] for a, b in splits if b}
    out |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    out |= {a + c + b[1:] for a, b in splits if b for c in letters}
    out |= {a + c + b for a, b in splits for c in letters}
    return out


def _written(stem: str, word: str, lexicon: LexicalIndex, catalog: Catalog) -> str | None:
    """The spelling of ``stem`` in a passage holding it nearest ``word``, if one edit from it: as
    a passage writes it within a sentence (a name's capital, "Kiprop"), else in lower case (not
    "Unknown" as it opens a sentence; "McDonald" kept)."""
    rows = catalog.passages([int(i) for i in lexicon.having([stem])[:READ]], vectors=False)
    spellings = {(row.text[a:b], _opens(row.text, a)) for row in rows.values()
                 for term, a, b in lexicon.analyzer.terms_at(row.text) if term == stem}
    best = min(spellings, key=lambda s: (_distance(s[0].lower(), word.lower()), s[1], not s[0].islower(), s[0]),
               default=None)
    if best is None or _distance(best[0].lower(), word.lower()) > 1:
        return None
    spelt, opening = best
    return spelt.lower() if opening and spelt[1:].islower() else spelt


def _opens(text: str, at: int) -> bool:
    """Whether the word at ``at`` opens a sentence (or a line, a quotation): its capital says nothing."""
    before = text[:at].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?:\n"


def _distance(a: str, b: str) -> int:
    """Edits from ``a`` to ``b``: letters left out, added or changed, or two side by side
    swapped ("seige": one edit from "siege"; the optimal string alignment distance)."""
    d = [[i + j if not i * j else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]
