"""Sentence-aware passages sized in the embedding model's own tokens."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from .types import Passage

TokenCounter = Callable[[Sequence[str]], list[int]]
_PARAGRAPH = re.compile(r"\n[ \t\r]*\n")
_LINE = re.compile(r"\n")
RUNAWAY = 1000  # characters: a "sentence" this long with line breaks in it is the splitter failing


@lru_cache(maxsize=1)
def _segment():
    from sentencex import segment

    return segment


def split_sentences(text: str, line_blocks: bool = False) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (whitespace around them excluded).

    Paragraphs (blank-line separated) never share a sentence; with ``line_blocks`` every line is
    one (an HTML page's text: a heading, paragraph, list item or table row a line), otherwise a
    single newline is the source's wrapping. sentencex gives the sentence strings; their spans
    are found in order from a cursor, so they stay exact even for repeated sentences.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in [*(_LINE if line_blocks else _PARAGRAPH).finditer(text), None]:
        end = match.start() if match else len(text)
        if line_blocks:
            _split_paragraph(text, start, end, spans)
        else:  # a list item or table row is a block of its own, wrapped or not
            lines = text[start:end].split("\n")
            offsets = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=start))
            cuts = [o for o, first in zip(offsets, block_starts(lines), strict=True) if first]
            for a, b in zip(cuts, [*cuts[1:], end], strict=True):
                _split_paragraph(text, a, b, spans)
        if match:
            start = match.end()
    return spans


_BULLET = re.compile(r"[ \t]*(?:[-*+\u2022][ \t]|1[.)][ \t]|\|)")
_NUMBER_ONLY = re.compile(r"\s*\d{1,3}[.)]\s*")
_NUMBERED = re.compile(r"[ \t]*\d{1,3}[.)][ \t]")


def block_starts(lines: Sequence[str]) -> list[bool]:
    """Which lines of a paragraph start a block: the first, a list item or a table row, and the
    line after a row; the others are wrapping. As in CommonMark, a number opens a list item only
    as "1." or once a list has begun ("O\n2. Diatomic" in a formula is wrapping)."""
    starts, in_list, after_row = [], False, False
    for i, line in enumerate(lines):
        row = line.lstrip().startswith("|")
        item = bool(_BULLET.match(line)) and not row or in_list and bool(_NUMBERED.match(line))
        starts.append(i == 0 or item or row or after_row)
        in_list = (in_list or item) and not row
        after_row = row
    return starts


def _split_paragraph(text: str, start: int, end: int, out: list[tuple[int, int]],
                     by_lines: bool = True) -> None:
    # A single newline inside a paragraph is line wrapping, not a sentence end; a space of the
    # same length keeps every offset valid.
    para = text[start:end].replace("\r", " ").replace("\n", " ")
    if not para.strip():
        return
    cursor = 0
    pieces = list(_segment()("en", para)) if len(para) > 1 else [para]
    for i in range(len(pieces) - 1, 0, -1):  # a list item's number is not a sentence ("1." "Feed")
        if _NUMBER_ONLY.fullmatch(pieces[i - 1]):
            pieces[i - 1:i + 1] = [pieces[i - 1] + pieces[i]]
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        found = para.find(piece, cursor)
        if found < 0:  # the splitter altered the text; keep the rest as one sentence
            rest = para[cursor:]
            lead = len(rest) - len(rest.lstrip())
            if rest.strip():
                out.append((start + cursor + lead, start + cursor + len(rest.rstrip())))
            return
        if by_lines and len(piece) > RUNAWAY and "\n" in text[start + found:start + found + len(piece)]:
            # The splitter ran on past every sentence end (an unbalanced quote in code): its
            # lines are split on their own instead, not cut at arbitrary words later.
            line_start = start + found
            for line in re.finditer(r"[^\n]+", text[start + found:start + found + len(piece)]):
                _split_paragraph(text, line_start + line.start(), line_start + line.end(), out, False)
        else:
            out.append((start + found, start + found + len(piece)))
        cursor = found + len(piece)


def _split_long(
    text: str, span: tuple[int, int], tokens: int, limit: int
) -> list[tuple[tuple[int, int], int]]:
    """Cut a sentence longer than ``limit`` tokens at word boundaries into pieces that fit."""
    words = [m.span() for m in re.finditer(r"\S+", text[span[0] : span[1]])]
    per_piece = max(1, int(len(words) * limit / max(tokens, 1) * 0.9))
    out = []
    for i in range(0, len(words), per_piece):
        group = words[i : i + per_piece]
        piece = (span[0] + group[0][0], span[0] + group[-1][1])
        out.append((piece, max(1, tokens * len(group) // len(words))))
    return out


def chunk(
    text: str,
    count_tokens: TokenCounter,
    target_tokens: int = 200,
    max_tokens: int = 256,
    overlap_sentences: int = 1,
    line_blocks: bool = False,
) -> list[Passage]:
    """Split an article into passages of about ``target_tokens`` tokens, never above ``max_tokens``.

    Consecutive passages share ``overlap_sentences`` sentences so an answer that straddles a
    boundary is whole in one of them. A short article is one passage. ``line_blocks``: see
    :func:`split_sentences`.
    """
    target_tokens = max(1, min(target_tokens, max_tokens))
    spans = split_sentences(text, line_blocks)
    if not spans:
        return []
    counts = count_tokens([text[a:b] for a, b in spans])
    units: list[tuple[tuple[int, int], int]] = []
    for span, n in zip(spans, counts, strict=True):
        units.extend(_split_long(text, span, n, max_tokens) if n > max_tokens else [(span, n)])

    windows: list[list[int]] = []
    i = 0
    while i < len(units):
        window = [i]
        total = units[i][1]
        j = i + 1
        while j < len(units) and total + units[j][1] <= target_tokens:
            window.append(j)
            total += units[j][1]
            j += 1
        windows.append(window)
        if j >= len(units):
            break
        # Step back for overlap, but always make progress.
        i = max(j - overlap_sentences, i + 1)

    # A tiny tail is folded into the previous window when that still fits.
    if len(windows) > 1:
        tail = [u for u in windows[-1] if u not in windows[-2]]
        prev_total = sum(units[u][1] for u in windows[-2])
        tail_total = sum(units[u][1] for u in tail)
        if tail_total < target_tokens // 4 and prev_total + tail_total <= max_tokens:
            windows[-2] = windows[-2] + tail
            windows.pop()

    passages = []
    for ordinal, window in enumerate(windows):
        start, end = units[window[0]][0][0], units[window[-1]][0][1]
        passages.append(
            Passage(
                ordinal=ordinal,
                text=text[start:end],
                char_start=start,
                char_end=end,
                line_offset_start=text.count("\n", 0, start),
                line_offset_end=text.count("\n", 0, end),
                sentences=tuple(units[u][0] for u in window),
            )
        )
    return passages
