"""Copies among the hits: the same text read from two files (an article saved as a page and
exported as a record, a note's HTML and JSON in one export, a story two outlets ran) would fill
two places with one answer. The later copy is left out; the hit it copies names it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

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
    texts = {0: a, 1: b}
    return bool(distinct([0, 1], lambda ids: {i: (texts[i], i) for i in ids}, 2)[1][0])


def _contains(shared: int, mine: int, theirs: int) -> bool:
    return shared > 0 and shared >= CONTAINED * min(mine, theirs)


def distinct(order: Sequence[int], read: Callable[[Sequence[int]], dict[int, tuple[str, int]]],
             window: int) -> tuple[list[int], dict[int, list[int]], list[int]]:
    """``order`` (passage ids, best first) without copies among its first ``window`` that copy
    none before them. ``read`` gives ids' (text, article); passages of one article are never
    each other's copies. Returns those ``window`` (fewer when ``order`` runs out), for each the
    ids that copy it (among as many again after them too), and the ids after them that are no
    copy, then the rest of ``order`` unread, in order."""
    kept: list[int] = []
    rest: list[int] = []
    copies: dict[int, list[int]] = {}
    shingled: dict[int, set] = {}  # each kept passage's shingles
    seen: set = set()  # all of them: most passages share too few with it to copy any, told at C speed
    smallest = 0  # the fewest shingles a kept passage has
    short: dict[tuple[str, ...], int] = {}  # a short kept passage's words -> it
    texts: dict[int, tuple[str, int]] = {}
    after = 0  # ids read after the window filled
    for i, pid in enumerate(order):
        if len(kept) == window:
            if after == window:
                return kept, copies, rest + list(order[i:])
            after += 1
        if pid not in texts:  # in batches: a window's worth at a time
            texts.update(read(order[i : i + 2 * window]))
        text, mine = texts.get(pid, ("", None))
        words, shingles = _shingles(text)
        original = None
        if len(words) < _MIN_WORDS:
            original = short.get(words)
        elif _contains(len(shingles & seen), len(shingles), smallest):
            original = next((other for other in kept if texts[other][1] != mine and _contains(
                len(shingles & shingled[other]), len(shingles), len(shingled[other]))), None)
        if original is not None and texts[original][1] != mine:
            copies[original].append(pid)
        elif len(kept) == window:
            rest.append(pid)
        else:
            if shingles:
                smallest = min(smallest or len(shingles), len(shingles))
            kept.append(pid)
            copies[pid], shingled[pid] = [], shingles
            if len(words) < _MIN_WORDS:
                short.setdefault(words, pid)
            seen |= shingles
    return kept, copies, rest
