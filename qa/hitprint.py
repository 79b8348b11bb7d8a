"""A hit as ``qa ask`` prints it in a terminal: reference, title, scores, the highlighted
sentence and the passage, as a web card shows them (headings without their marks, no fences)."""

from __future__ import annotations

import dataclasses
import os
import re
import sys
import textwrap
from collections.abc import Callable

from .markdown import CODE, HEADING
from .types import Around, Hit, lines_of

WIDTH = 100
SHOWN = 400  # characters of a passage; of the text before and after it, CONTEXT
CONTEXT = 300
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")


def print_hit(h: Hit, mode: str, context: Around | None = None) -> None:
    """Print one hit; ``context``: the text before and after it (:meth:`qa.Library.around`)."""
    from .cardtitle import continues_title, is_whole_text, title_heading_end

    said = ", ".join(x for x in (h.author, h.date) if x)  # who and when, as a card says it
    ref = h.reference + (f"  {shown_url(h)}" if h.url else "") + (f"  ({said})" if said else "")
    ranks = " · ".join(f"{name} #{r}" if r else f"{name} –"  # not among its candidates
                       for name, r in (("dense", h.dense_rank), ("lexical", h.lexical_rank)))
    print(f"{h.rank}. {ref}")
    whole = is_whole_text(h)  # a one-sentence note or post: its text once, marked if the answer
    if not whole:
        print(f"   {' › '.join((h.title, *h.section))}")
    missing = f" · missing: {' '.join(h.missing)}" if h.missing else ""
    weak = " · weak match" if h.weak else ""
    print(f"   score {h.score:.3f} ({mode}; {ranks}){missing}{weak} · article {h.article_id}")
    if h.copies:  # the same text in other files, left out of the list
        print(textwrap.fill("also in " + ", ".join(h.copies), WIDTH, initial_indent="   ", subsequent_indent="     "))
    marked, at = _quoted_marked(h)
    for hl in h.highlights[:1]:
        span = at(hl.char_start - h.char_start, False), at(hl.char_end - h.char_start, True)
        sentence = " ".join(shown_text(marked, *span).split())
        print(_styled(textwrap.fill(f"» {sentence}", WIDTH, initial_indent="   ", subsequent_indent="     ")))
    if context and context.before:
        _print_excerpt("before", context.before, tail=True)
    if not (whole and h.highlights):  # else the » line is its text
        header = f"{h.table_header.split(chr(10))[0]} " if h.table_header else ""  # its table's column names
        # a first heading that repeats the title (printed above) is left out, as a card leaves it
        start = 0 if header or whole else title_heading_end(h.text, h.title, h.markup)
        goes_on = "…" if continues_title(h.text, h.title, start) else ""  # from a title cut short
        _print_passage(shown_lines(marked, at(start, False)), header + goes_on)
    if context and context.after:
        _print_excerpt("after", context.after, tail=False)
    print()


def _print_passage(lines: list[tuple[str, str]], lead: str) -> None:
    """A passage's lines, up to :data:`SHOWN` characters: a heading on its own line (bold on a
    terminal), code as it is, a paragraph (or list item, or table row) wrapped."""
    left = SHOWN
    bold, plain_ = ("\033[1m", "\033[0m") if terminal() else ("", "")
    for i, (kind, line) in enumerate(lines):
        line = lead + line if i == 0 else line
        cut = len(line) > left
        if cut:
            line = line[:left].rpartition(" ")[0] or line[:left]
        if kind == HEADING:
            print(_styled(f"   {bold}{line}{'…' if cut else ''}{plain_}", after=bold))
        elif kind == CODE:
            print(_styled(f"   {line[: WIDTH - 4]}{'…' if cut or len(line) > WIDTH - 4 else ''}"))
        else:
            print(_styled(textwrap.fill(line + ("…" if cut else ""), WIDTH, initial_indent="   ",
                                        subsequent_indent="   ")))
        left -= len(line)
        if cut or left <= 0:
            if not cut and i + 1 < len(lines):
                print("   …")
            return


# The words a question quotes, between placeholders until the text is wrapped; then, on a
# terminal, bold and underlined, as a card shows them.
_QUOTED, _QUOTED_END = "\ue006", "\ue007"
_STYLE, _UNSTYLE = "\033[1;4m", "\033[22;24m"


def _quoted_marked(h: Hit) -> tuple[Hit, Callable[[int, bool], int]]:
    """On a terminal, the hit with its quoted words (:attr:`qa.Hit.quoted`) and its answer
    (:attr:`qa.Hit.answer`) between placeholders, and where an offset in its text is in the
    marked one (at an end: after a mark there)."""
    places = sorted((max(a - h.char_start, 0), min(b - h.char_start, len(h.text)))
                    for a, b in (*h.quoted, *([h.answer] if h.answer else [])))
    places = [(a, b) for a, b in places if a < b]
    if not places or not terminal():
        return h, lambda x, _end: x
    text = h.text.translate({ord(_QUOTED): "\ufffd", ord(_QUOTED_END): "\ufffd"})
    parts, at = [], 0
    for a, b in places:
        a = max(a, at)  # overlapping places are marked as one
        if a < b:
            parts += [text[at:a], _QUOTED, text[a:b], _QUOTED_END]
            at = b
    parts.append(text[at:])
    marks = [x for a, b in places for x in (a, b)]

    def moved(x: int, end: bool) -> int:
        return x + sum(m < x or (end and m == x) for m in marks)

    return dataclasses.replace(h, text="".join(parts)), moved


def _styled(text: str, after: str = "") -> str:
    """Wrapped text with its quoted words' placeholders as terminal styles: a mark open at a
    line's end is closed there and opened again after the next line's indent. ``after``: the
    style to go back to after a mark (a heading's bold)."""
    if _QUOTED not in text and _QUOTED_END not in text:
        return text
    out, on = [], False
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        styled = line[:indent] + (_STYLE if on else "")
        for c in line[indent:]:
            if c in (_QUOTED, _QUOTED_END):
                on = c == _QUOTED
                styled += _STYLE if on else _UNSTYLE + after
            else:
                styled += c
        out.append(styled + (_UNSTYLE + after if on else ""))
    return "\n".join(out)


def _print_excerpt(side: str, excerpt, tail: bool) -> None:
    """The text before a passage (its end, next to the passage) or after it (its start)."""
    words = " ".join(shown_text(excerpt).split())
    if len(words) > CONTEXT:
        words = "…" + words[-CONTEXT:].partition(" ")[2] if tail else words[:CONTEXT].rpartition(" ")[0] + "…"
    where = lines_of(excerpt.source, excerpt.line_start, excerpt.line_end)
    print(textwrap.fill(f"{side} · {where} · {words}", WIDTH, initial_indent="   ¦ ", subsequent_indent="   ¦ "))


def shown_text(h, start: int = 0, end: int | None = None) -> str:
    """A hit's (or an excerpt's) text, ``h.text[start:end]``, as a reader sees it: a Markdown or
    page heading without its "#"s (or its underline), and without its code fences' own lines; a
    Markdown line outside code with its inline Markdown as a card renders it (a link's text
    without its URL, emphasis marks dropped, an image's alt text; code spans keep their backticks)."""
    end = len(h.text) if end is None else end
    if h.markup == "plain":  # a page's headings and code are
        return h.text[start:end]  # marked as Markdown's (qa.htmlpage)
    return "\n".join(_inline(h, kind, part) for kind, part in _parts(h, start, end))


def shown_lines(h: Hit, start: int = 0) -> list[tuple[str, str]]:
    """(kind, line) of a hit's text from ``start`` as a terminal shows it: a heading, a line
    of code, or a paragraph (a list item, a table row, a page's line) with its wrapping joined."""
    from .chunker import block_starts
    from .markdown import TEXT

    if h.markup == "plain":
        parts = [(TEXT, p) for p in _PARAGRAPH.split(h.text[start:]) if p.strip()]
    else:
        parts = _parts(h, start, len(h.text))
    out: list[tuple[str, str]] = []
    for kind, part in parts:
        if kind != TEXT:
            out.append((kind, _inline(h, kind, part)))
            continue
        lines = part.split("\n")
        for line, starts in zip(lines, block_starts(lines) if h.markup != "page" else [True] * len(lines),
                                strict=True):
            if starts or not out or out[-1][0] != TEXT:
                out.append((TEXT, line))
            else:
                out[-1] = (TEXT, out[-1][1] + " " + line)
    shown = [(kind, line if kind == CODE else " ".join(_inline(h, kind, line).split())) for kind, line in out]
    return [(kind, line) for kind, line in shown if line.strip()]  # (a line of an image alone shows none)


def _parts(h, start: int, end: int) -> list[tuple[str, str]]:
    """(kind, text) of a Markdown or page text's span: a heading without its marks, a line of
    code, a paragraph's lines (joined by newlines); fences' and underlines' own lines left out."""
    from .markdown import FENCE, TEXT, UNDERLINE, line_kinds, unmarked

    lines = h.text.split("\n")
    shown: list[tuple[str, str]] = []
    at, blank = 0, False
    for line, kind in zip(lines, line_kinds(lines, h.starts_in_code), strict=True):
        part, at = line[max(start - at, 0) : max(end - at, 0)], at + len(line) + 1
        if kind == TEXT and not part.strip():
            blank = True  # a paragraph ends
            continue
        if not part or kind in (FENCE, UNDERLINE):
            continue
        part = unmarked(part) if kind == HEADING and part == line else part
        if shown and kind == TEXT == shown[-1][0] and not blank:  # emphasis may span a paragraph's lines
            shown[-1] = (TEXT, shown[-1][1] + "\n" + part)
        else:
            shown.append((kind, part))
        blank = False
    return shown


def _inline(h, kind: str, text: str) -> str:
    """Text as a card renders it: a Markdown paragraph's or heading's inline Markdown."""
    from .markdown import plain

    return plain(text, code="`", images=True) if kind != CODE and h.markup == "markdown" else text


def terminal() -> bool:
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


def shown_url(h: Hit) -> str:
    """The hit's URL; on a terminal, a hyperlink (OSC 8) under it to the page opened at the
    highlight (:attr:`qa.Hit.link`), which terminals without hyperlinks print as the bare URL."""
    if h.link and h.link != h.url and terminal():
        return f"\033]8;;{h.link}\033\\{h.url}\033]8;;\033\\"
    return h.url
