"""Sentence-aware passages sized in the embedding model's own tokens."""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from functools import lru_cache

from . import markdown as markdown_blocks
from .types import Passage

TokenCounter = Callable[[Sequence[str]], list[int]]
_PARAGRAPH = re.compile(r"\n[ \t\r]*\n")
_LINE = re.compile(r"\n")
PIECE = 100_000  # characters a token count takes at once
RUNAWAY = 1000  # characters: a "sentence" this long with line breaks in it is the splitter failing

# sentencex's code for each language qa.lexical can stem (Snowball's names): its rules know a
# language's abbreviations and ordinals ("am 3. März" is no sentence end in German).
_CODES = {"arabic": "ar", "armenian": "hy", "basque": "eu", "catalan": "ca", "czech": "cs", "danish": "da",
          "dutch": "nl", "dutch_porter": "nl", "english": "en", "esperanto": "eo", "estonian": "et",
          "finnish": "fi", "french": "fr", "german": "de", "greek": "el", "hindi": "hi", "hungarian": "hu",
          "indonesian": "id", "irish": "ga", "italian": "it", "lithuanian": "lt", "nepali": "ne",
          "norwegian": "no", "persian": "fa", "polish": "pl", "portuguese": "pt", "romanian": "ro",
          "russian": "ru", "serbian": "sr", "sesotho": "st", "spanish": "es", "swedish": "sv", "tamil": "ta",
          "turkish": "tr", "yiddish": "yi"}
# The language sentences are split in: an index's, set around what reads and splits its articles
# (readers title a text by its first sentence deep in the call chain, so it is not a parameter).
_LANGUAGE: ContextVar[str] = ContextVar("qa_sentence_language", default="en")


@contextmanager
def sentences_in(language: str) -> Iterator[None]:
    """Inside the block, sentences are split by ``language``'s rules (a name from
    :func:`qa.lexical.languages`; English's for one sentencex does not know)."""
    token = _LANGUAGE.set(_CODES.get(language, "en"))
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


@lru_cache(maxsize=1)
def _segment():
    from sentencex import segment

    return segment


def split_sentences(text: str, line_blocks: bool = False, markdown: bool = False) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (whitespace around them excluded).

    Paragraphs (blank-line separated) never share a sentence; with ``line_blocks`` every line is
    one (an HTML page's text: a heading, paragraph, list item or table row a line), otherwise a
    single newline is the source's wrapping. With ``markdown``, a heading is one sentence and so
    is each line of fenced code (its indentation kept), whatever blank lines it holds.
    sentencex gives the sentence strings; their spans are found in order from a cursor, so they
    stay exact even for repeated sentences.
    """
    if not markdown:
        return _prose_sentences(text, 0, len(text), line_blocks)
    return [span for span, _ in _markdown_sentences(text, line_blocks)]


def _markdown_sentences(text: str, line_blocks: bool = False) -> list[tuple[tuple[int, int], str]]:
    """Sentence spans with their kind (:mod:`qa.markdown`; ``text`` for prose, whose lines are
    blocks with ``line_blocks``)."""
    out: list[tuple[tuple[int, int], str]] = []
    lines = text.split("\n")
    offsets = list(itertools.accumulate((len(line) + 1 for line in lines), initial=0))
    kinds = markdown_blocks.line_kinds(lines)
    prose = None  # where the current run of ordinary lines began
    for i, (line, kind) in enumerate(zip(lines, kinds, strict=True)):
        if kind == markdown_blocks.TEXT:
            prose = offsets[i] if prose is None else prose
            continue
        if prose is not None:
            out += [(s, markdown_blocks.TEXT) for s in _prose_sentences(text, prose, offsets[i], line_blocks)]
            prose = None
        if kind == markdown_blocks.UNDERLINE:
            continue
        stripped = line.rstrip()
        lead = 0 if kind == markdown_blocks.CODE else len(stripped) - len(stripped.lstrip())
        if stripped.strip():
            end = offsets[i] + len(stripped)
            if kind == markdown_blocks.HEADING and i + 1 < len(kinds) and kinds[i + 1] == markdown_blocks.UNDERLINE:
                end = offsets[i + 1] + len(lines[i + 1].rstrip())  # the underline belongs to it
            out.append(((offsets[i] + lead, end), kind))
    if prose is not None:
        out += [(s, markdown_blocks.TEXT) for s in _prose_sentences(text, prose, len(text), line_blocks)]
    return out


def _prose_sentences(text: str, begin: int, stop: int, line_blocks: bool) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = begin
    for match in [*(_LINE if line_blocks else _PARAGRAPH).finditer(text, begin, stop), None]:
        end = match.start() if match else stop
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
_EMPHASIS_CLOSER = re.compile(r"[*_~]{1,3}(?=\s|$)")
_NUMBER_ONLY = re.compile(r"\s*\d{1,3}[.)]\s*")
_NUMBERED = re.compile(r"[ \t]*\d{1,3}[.)][ \t]")
_WORDLIKE = re.compile(r"[^\W_]")
_SHORT_WORD_END = re.compile(r"(?:^|\s)([^\W\d_]{1,3})\.\s*$")  # "M. ", "Dr. ": a title or an initial if capital


def block_starts(lines: Sequence[str]) -> list[bool]:
    """Which lines of a paragraph start a block: the first, a list item or a table row, and the
    line after a row; the others are wrapping. As in CommonMark, a number opens a list item only
    as "1." or once a list has begun ("O\n2. Diatomic" in a formula is wrapping); or below an
    indented line, the rest of an item whose number came before (a passage that starts inside
    a list)."""
    starts, in_list, after_row, indent = [], False, False, 0
    for i, line in enumerate(lines):
        row = line.lstrip().startswith("|")
        numbered = bool(_NUMBERED.match(line)) and (in_list or _indent(line) < indent)
        item = bool(_BULLET.match(line)) and not row or numbered
        starts.append(i == 0 or item or row or after_row)
        in_list = (in_list or item) and not row
        after_row, indent = row, _indent(line)
    return starts


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _pieces(para: str) -> list[str]:
    """sentencex's sentences of a paragraph, by the current language's rules. Another
    language's rules do not end a sentence after a title or an initial that English's know
    ("M. Dupont", "Dr. Martin": French's do), where English's go on."""
    language = _LANGUAGE.get()
    pieces = list(_segment()(language, para))
    if language == "en" or len(pieces) < 2 or "".join(pieces) != para:
        return pieces
    ends = set(itertools.accumulate(map(len, _segment()("en", para))))
    out, at = [pieces[0]], len(pieces[0])  # at: where the piece after out's last begins
    for piece in pieces[1:]:
        short = _SHORT_WORD_END.search(out[-1])
        if short and short[1][0].isupper() and at not in ends:
            out[-1] += piece
        else:
            out.append(piece)
        at += len(piece)
    return out


def _split_paragraph(text: str, start: int, end: int, out: list[tuple[int, int]],
                     by_lines: bool = True) -> None:
    # A single newline inside a paragraph is line wrapping, not a sentence end; a space of the
    # same length keeps every offset valid.
    para = text[start:end].replace("\r", " ").replace("\n", " ")
    if not para.strip():
        return
    cursor = 0
    pieces = _pieces(para) if len(para) > 1 else [para]
    for i in range(1, len(pieces)):
        # Emphasis closed right after a sentence's stop ends that sentence: the splitter keeps a
        # closing quote or bracket, but began the next with the star of "*The Times.*".
        if (closer := _EMPHASIS_CLOSER.match(pieces[i])) and not pieces[i - 1][-1:].isspace():
            pieces[i - 1] += closer.group(0)
            pieces[i] = pieces[i][closer.end():]
    for i in range(len(pieces) - 1, 0, -1):  # a list item's number is not a sentence ("1." "Feed")
        if _NUMBER_ONLY.fullmatch(pieces[i - 1]):
            pieces[i - 1:i + 1] = [pieces[i - 1] + pieces[i]]
    for i in range(len(pieces) - 1, -1, -1):
        # Nor is what has no word in it: a table row's closing bar after its last sentence is the
        # end of the one before; an image's "!" glued to its "[alt](src)" the start of the next.
        if len(pieces) > 1 and not _WORDLIKE.search(pieces[i]):
            glued = i + 1 < len(pieces) and pieces[i] == pieces[i].rstrip()
            at = i if glued or i == 0 else i - 1
            pieces[at:at + 2] = [pieces[at] + pieces[at + 1]]
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


def _count(count_tokens: TokenCounter, texts: list[str]) -> list[int]:
    """Token counts, a text longer than ``PIECE`` characters (a run with no sentence end)
    counted a piece at a time, cut at whitespace, which no token spans: a tokenizer holding a
    12 MB text's 2.6 million tokens at once took 1.4 GB."""
    short = [i for i, t in enumerate(texts) if len(t) <= PIECE]
    if len(short) == len(texts):
        return count_tokens(texts)
    out = [0] * len(texts)
    for i, n in zip(short, count_tokens([texts[i] for i in short]), strict=True):
        out[i] = n
    for i, t in enumerate(texts):
        if len(t) <= PIECE:
            continue
        start = 0
        while start < len(t):
            end = min(start + PIECE, len(t))
            cut = t.rfind(" ", start + 1, end) if end < len(t) else end
            end = cut if cut > start else end
            out[i] += count_tokens([t[start:end]])[0]
            start = end
    return out


def chunk(
    text: str,
    count_tokens: TokenCounter,
    target_tokens: int = 200,
    max_tokens: int = 256,
    overlap_sentences: int = 1,
    line_blocks: bool = False,
    markdown: bool = False,
) -> list[Passage]:
    """Split an article into passages of about ``target_tokens`` tokens, never above ``max_tokens``.

    Consecutive passages share ``overlap_sentences`` sentences so an answer that straddles a
    boundary is whole in one of them. A short article is one passage. ``line_blocks`` and
    ``markdown``: see :func:`split_sentences`.
    """
    target_tokens = max(1, min(target_tokens, max_tokens))
    if markdown or line_blocks:  # a page's headings and code are marked as Markdown's (qa.htmlpage)
        kinds_of = _markdown_sentences(text, line_blocks)
    else:
        kinds_of = [(s, "") for s in split_sentences(text)]
    if not kinds_of:
        return []
    counts = _count(count_tokens, [text[a:b] for (a, b), _ in kinds_of])
    units: list[tuple[tuple[int, int], int]] = []
    kinds: list[str] = []
    for (span, kind), n in zip(kinds_of, counts, strict=True):
        pieces = _split_long(text, span, n, max_tokens) if n > max_tokens else [(span, n)]
        units += pieces
        kinds += [kind] * len(pieces)

    # Markdown (and a page): a heading starts its section's passage when the passage so far is
    # half full, and no passage ends with a heading or a fence's opening line (its text is in the
    # next one).
    heads = [kind == markdown_blocks.HEADING for kind in kinds]
    fences = itertools.count()  # fence lines alternate: opening, closing, opening...
    leads = [h or kind == markdown_blocks.FENCE and next(fences) % 2 == 0 for h, kind in zip(heads, kinds, strict=True)]
    windows: list[list[int]] = []
    i = 0
    while i < len(units):
        window = [i]
        total = units[i][1]
        j = i + 1
        while (j < len(units) and total + units[j][1] <= target_tokens
               and not (heads[j] and total >= target_tokens // 2)):
            window.append(j)
            total += units[j][1]
            j += 1
        while len(window) > 1 and leads[window[-1]]:
            window.pop()
            j -= 1
        windows.append(window)
        if j >= len(units):
            break
        # Step back for overlap, but always make progress, and not back over a new section.
        i = max(j - overlap_sentences, i + 1)
        i = next((s for s in range(j, i, -1) if heads[s]), i)

    # A tiny tail is folded into the previous window when that still fits.
    if len(windows) > 1:
        tail = [u for u in windows[-1] if u not in windows[-2]]
        prev_total = sum(units[u][1] for u in windows[-2])
        tail_total = sum(units[u][1] for u in tail)
        if tail_total < target_tokens // 4 and prev_total + tail_total <= max_tokens:
            windows[-2] = windows[-2] + tail
            windows.pop()

    # Line offsets by bisection: counting from the start for every passage made a long article
    # (a 12 MB text, 8,772 passages) take 30 s here.
    breaks = [m.start() for m in _LINE.finditer(text)]
    passages = []
    for ordinal, window in enumerate(windows):
        start, end = units[window[0]][0][0], units[window[-1]][0][1]
        passages.append(
            Passage(
                ordinal=ordinal,
                text=text[start:end],
                char_start=start,
                char_end=end,
                line_offset_start=bisect.bisect_left(breaks, start),
                line_offset_end=bisect.bisect_left(breaks, end),
                sentences=tuple(units[u][0] for u in window),
            )
        )
    return passages
