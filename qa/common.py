"""What an article and one found like it have in common: the words both use that the rest of the
index rarely does, as the found article spells them ("Cuba, Russian, investments"). A similar
article is found by meaning alone (its mean passage vector); these words let a person see at a
glance why, or that a match is loose (two reports sharing only "Tuesday").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from .lexical import WORD

if TYPE_CHECKING:
    from .lexical import LexicalIndex

_DIGIT = re.compile(r"\d")
SHOWN = 5
LOOKED_AT = 50_000  # characters of each text: a book's opening chapters say what it is about
COMMON_SHARE = 0.5  # a term in more passages than this share says nothing about a pair
TOP_SHARE = 0.5  # a word weighing less than this share of the best one is left out: filler


def words_in_common(text: str, others: Sequence[str], lexicon: LexicalIndex, shown: int = SHOWN
                    ) -> list[tuple[str, ...]]:
    """Per text of ``others``, the words it shares with ``text``, the most telling first: by
    IDF over the index, times the log of how often the rarer of the two uses it (a shared
    topic, not one shared word); numbers, function words and words in more than half the
    passages left out."""
    mine, _ = _terms(text, lexicon)
    out = []
    for other in others:
        theirs, spelt = _terms(other, lexicon)
        shared = sorted(t for t in mine if t in theirs)
        if not shared:
            out.append(())
            continue
        frequency = np.array(lexicon.document_frequencies(shared), dtype=np.float64)
        weight = lexicon.idf(shared) * np.log1p([min(mine[t], theirs[t]) for t in shared])
        weight[frequency > COMMON_SHARE * len(lexicon)] = 0.0
        order = [i for i in np.argsort(-weight, kind="stable") if weight[i] > 0 and weight[i] >= TOP_SHARE * weight.max()]
        out.append(tuple(_as_written(max(spelt[shared[i]].items(), key=lambda f: f[1])[0], other)
                         for i in order[:shown]))
    return out


def _as_written(word: str, text: str) -> str:
    """``word`` in lower case if its capital is only ever one opening a sentence ("Shipping
    lines have begun..."), as a name's is not ("Valmora", "the Valmora dockworkers")."""
    if not word[:1].isupper() or not word[1:].islower():
        return word
    within = re.search(r"[^\W\d_][,;]? +" + re.escape(word) + r"\b", text[:LOOKED_AT])
    return word if within else word.lower()


def _terms(text: str, lexicon: LexicalIndex) -> tuple[Counter[str], dict[str, dict[str, int]]]:
    """A text's terms with their counts, and each term's spellings in it with theirs."""
    stop = lexicon.analyzer.stopwords
    kept = [(word, low, n) for word, n in Counter(WORD.findall(text[:LOOKED_AT])).items()
            if (low := word.lower()) not in stop and len(low) >= 3 and not _DIGIT.search(low)]
    lows = list({low for _, low, _ in kept})
    stems = dict(zip(lows, lexicon.analyzer.each(lows), strict=True))
    counts: Counter[str] = Counter()
    spelt: dict[str, dict[str, int]] = {}
    for word, low, n in kept:
        for term in stems[low]:
            counts[term] += n
            forms = spelt.setdefault(term, {})
            forms[word] = forms.get(word, 0) + n
    return counts, spelt
