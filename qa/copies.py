"""Copies among the hits: the same text read from two files (an article saved as a page and
exported as a record, a note's HTML and JSON in one export, a story two outlets ran) would fill
two places with one answer. The later copy is left out; the hit it copies names it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

# A passage whose word 4-grams are nearly all in another's is a copy of (part of) it: a few
# lines of header or footer around the same text (a date, a label) leave it one. A story and
# its update differ in a sentence or more and stay apart. Too short to tell (under 12 words):
# only the same words in the same order.
CONTAINED = 0.9
_SHINGLE = 4
_MIN_WORDS = 12
_WORD = re.compile(r"\w+")


def _shingles(text: str) -> tuple[tuple[str, ...], set]:
    words = tuple(_WORD.findall(text.lower()))
    return words, set(zip(*(words[i:] for i in range(_SHINGLE)), strict=False))  # the shortest ends it


def is_copy(a: str, b: str) -> bool:
    """Whether one text is (nearly) contained in the other, word for word."""
    return bool(distinct([0, 1], {0: a, 1: b}, {0: 0, 1: 1}, 2)[1][0])


def distinct(order: Sequence[int], texts: dict[int, str], articles: dict[int, int],
             k: int) -> tuple[list[int], dict[int, list[int]], list[int]]:
    """The first ``k`` passage ids of ``order`` that copy none kept before them (passages of
    one article are never each other's copies); for each kept one, the ids in ``order`` that
    copy it (after the k-th too); and the ids after the k-th that copy none, in order."""
    kept: list[int] = []
    rest: list[int] = []
    copies: dict[int, list[int]] = {}
    sizes: dict[int, int] = {}
    short: dict[tuple[str, ...], int] = {}  # a short kept passage's words -> it
    holders: dict[tuple, list[int]] = {}  # each shingle -> the kept passages that have it
    for pid in order:
        words, shingles = _shingles(texts.get(pid, ""))
        mine = articles.get(pid)
        if len(words) < _MIN_WORDS:
            original = short.get(words)
        else:
            shared = Counter(other for s in shingles for other in holders.get(s, ()))
            original = next((other for other in kept if other in shared and articles.get(other) != mine
                             and shared[other] >= CONTAINED * min(len(shingles), sizes[other])), None)
        if original is not None and articles.get(original) != mine:
            copies[original].append(pid)
        elif len(kept) == k:
            rest.append(pid)
        else:
            kept.append(pid)
            copies[pid], sizes[pid] = [], len(shingles)
            if len(words) < _MIN_WORDS:
                short.setdefault(words, pid)
            for s in shingles:
                holders.setdefault(s, []).append(pid)
    return kept, copies, rest
