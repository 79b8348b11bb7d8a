"""The Markdown block structure that passages, highlights and cards follow.

Only what changes where a sentence may start or end, or how a card shows it: fenced code
(CommonMark fences: ``` or ~~~, closed by the same character at least as long, or by the end of
the document), ATX and setext headings, and link reference definitions, which a rendered page
hides (its HTML, comments included, is :mod:`qa.mdpage`'s). Inline Markdown is the cards' concern
(:mod:`qa.render`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from functools import lru_cache

from .types import uncompressed

FENCE, CODE, HEADING, UNDERLINE, TEXT = "fence", "code", "heading", "underline", "text"

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}#{1,6}(?:[ \t]|$)")
HEADING_MARK = re.compile(r" {0,3}#{1,6}[ \t]+")  # what opens a heading's line ("## "), for .match
_UNDERLINE = re.compile(r"^ {0,3}(?:=+|--+)[ \t]*$")
_BACKTICK_RUN = re.compile(r"`+")
_DEFINITION = re.compile(r"^ {0,3}\[(?!\^)[^\]\n]+\]:[ \t]*\S+(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*$")
_ITEM = re.compile(r"^[ \t]*(?:[-*+][ \t]|\d{1,9}[.)][ \t]|\|)")


def _step(fence: str | None, line: str) -> tuple[str | None, bool]:
    """The open fence after ``line`` and whether the line is a fence's own line."""
    m = _FENCE.match(line)
    if m is None:
        return fence, False
    marker, rest = m.group(1), m.group(2)
    if fence is None:
        if marker[0] == "`" and "`" in rest:  # not a fence: an inline code span at a line start
            return None, False
        return marker, True
    if marker[0] == fence[0] and len(marker) >= len(fence) and not rest.strip():
        return None, True
    return fence, False


def line_kinds(lines: Sequence[str], in_code: bool = False) -> list[str]:
    """Each line's kind: ``fence`` (a fence's opening or closing line), ``code`` (inside a
    fence), ``heading`` (an ATX heading, or a setext heading's text), ``underline`` (a setext
    heading's underline) or ``text``. ``in_code``: the lines start inside a fence (of backticks,
    as far as its closing line is concerned)."""
    kinds: list[str] = []
    fence: str | None = "```" if in_code else None
    for line in lines:
        was = fence
        fence, own = _step(fence, line)
        if own:
            kinds.append(FENCE)
        elif was is not None:
            kinds.append(CODE)
        elif _ATX.match(line):
            kinds.append(HEADING)
        elif (_UNDERLINE.match(line) and kinds and kinds[-1] == TEXT and lines[len(kinds) - 1].strip()
              and not _ITEM.match(lines[len(kinds) - 1])):
            kinds[-1] = HEADING
            kinds.append(UNDERLINE)
        else:
            kinds.append(TEXT)
    return kinds


def without_hidden(text: str) -> str:
    """``text`` with its link reference definitions (``[label]: https://...``, the URLs behind
    ``[label]`` links, which a rendered page does not show) blanked with spaces, so every offset
    and line stays; outside fenced code only. (HTML comments and tags: :mod:`qa.mdpage`.)"""
    if "]:" not in text:
        return text
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    kinds = line_kinds(lines)
    hidden: list[tuple[int, int]] = []
    # A definition cannot interrupt a paragraph: it follows a blank line, a heading or another one.
    after_break = True
    for i, line in enumerate(lines):
        defined = kinds[i] == TEXT and after_break and _DEFINITION.match(line) is not None
        if defined:
            hidden.append((starts[i], starts[i] + len(line)))
        after_break = defined or not line.strip() or kinds[i] in (HEADING, UNDERLINE, FENCE)
    out, pos = [], 0
    for a, b in hidden:
        out += [text[pos:a], " " * (b - a)]
        pos = b
    out.append(text[pos:])
    return "".join(out)


def fence_for(code: str) -> str:
    """A Markdown fence for ``code``: three backticks, or one more than its longest run of them."""
    return "`" * max(3, 1 + max(map(len, _BACKTICK_RUN.findall(code)), default=0))


# Code as static site generators' templates write it: Jekyll's Liquid {% highlight ruby %} ...
# {% endhighlight %}, Hugo's {{< highlight go "linenos=table" >}} ... {{< /highlight >}}.
_TEMPLATE_OPEN = re.compile(r" {0,3}(?:\{%-?\s*highlight\s+([\w+#.-]+)[^%]*-?%\}"
                            r"|\{\{[<%]\s*highlight\s+([\w+#.-]+)[^>%]*[>%]\}\})[ \t]*")
_TEMPLATE_CLOSE = re.compile(r" {0,3}(?:\{%-?\s*endhighlight\s*-?%\}|\{\{[<%]\s*/highlight\s*[>%]\}\})[ \t]*")


def template_fences(text: str) -> str:
    """The text with a template's highlight tags, each on a line of its own, as the Markdown
    fences a generator renders them as (```` ```ruby ````), line for line: their code is then
    code for passages, highlights and cards, and HTML in it is not taken for the page's tags.
    Tags inside fenced code (a post showing them) stay as written."""
    if "highlight" not in text:
        return text
    lines = text.split("\n")
    kinds = line_kinds(lines)
    i = 0
    while i < len(lines):
        opened = _TEMPLATE_OPEN.fullmatch(lines[i]) if kinds[i] == TEXT else None
        end = opened and next((j for j in range(i + 1, len(lines)) if _TEMPLATE_CLOSE.fullmatch(lines[j])), None)
        if end:
            fence = fence_for("\n".join(lines[i + 1 : end]))
            lines[i], lines[end] = fence + (opened[1] or opened[2]), fence
            kinds = line_kinds(lines)
            i = end
        i += 1
    return "\n".join(lines)


# The lines that open or close a fence or make a heading: the only ones an outline needs.
_STRUCTURE = re.compile(r"^ {0,3}(?:`{3,}.*|~{3,}.*|#{1,6}(?:[ \t].*)?|(?:=+|--+)[ \t]*)$", re.M)
_PERMALINK = re.compile(r"(?<=\S)[#¶§]$")
_CLOSING = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")  # "## Install ##"


def unmarked(line: str) -> str:
    """A line without the ``## `` that opens it as a heading."""
    m = HEADING_MARK.match(line)
    return line[m.end():] if m else line


def structural(line: str) -> bool:
    """Whether a line would open or close a fence or make a heading (:func:`outline`)."""
    return _STRUCTURE.fullmatch(line) is not None


def _structure(text: str) -> list[tuple[int, tuple[int, str] | None, bool]]:
    """Each line outside code that opens or closes a fence or makes a heading: (where it
    starts, the heading as (level, text) or None, whether a fence is open after it)."""
    out: list[tuple[int, tuple[int, str] | None, bool]] = []
    fence: str | None = None
    for m in _STRUCTURE.finditer(text):
        line = m.group(0)
        was = fence
        fence, own = _step(fence, line)
        if own:
            out.append((m.start(), None, fence is not None))
        elif was is None:
            end = max(m.start() - 1, 0)  # the newline before this line
            heading = _heading(line, text[text.rfind("\n", 0, end) + 1 : end])
            if heading is not None:
                out.append((m.start(), heading, False))
    return out


def headings(text: str) -> tuple[list[tuple[int, str]], bool]:
    """The headings of ``text`` in order, as (level, heading text), and whether a fenced code
    block is still open at its end (a ``#`` line in code is no heading)."""
    found = _structure(text)
    return [h for _, h, _ in found if h is not None], bool(found) and found[-1][2]


def headings_at(text: str) -> list[tuple[int, int, str]]:
    """The headings of ``text`` outside code as (where the heading's first line starts, level, text)."""
    out = []
    for at, heading, _ in _structure(text):
        if heading is not None:
            end = text.find("\n", at)
            if not _ATX.match(text[at:end if end >= 0 else len(text)]):
                at = text.rfind("\n", 0, max(at - 1, 0)) + 1  # a setext heading: its text's line
            out.append((at, *heading))
    return out


def outline(text: str) -> tuple[list[tuple[int, str]], bool]:
    """The headings in force at the end of ``text``, outermost first, and whether a fenced code
    block is still open there."""
    found, in_code = headings(text)
    chain: list[tuple[int, str]] = []
    for heading in found:
        _push(chain, heading)
    return chain, in_code


def _push(chain: list[tuple[int, str]], heading: tuple[int, str]) -> None:
    while chain and chain[-1][0] >= heading[0]:
        chain.pop()
    if heading[1]:
        chain.append(heading)


# File names that say nothing of what the file is about.
_GENERIC_NAMES = frozenset(("readme", "index", "home", "untitled"))
_GENERIC_FOLDERS = _GENERIC_NAMES | frozenset(("docs", "doc", "content", "src", "site", "uploads"))  # the web page's
_WORD = re.compile(r"[^\W\d_]{3}")  # a name with a word in it, not "5f3a2b" or "2024-03-01"
_POST = re.compile(r"\d{4}-\d\d-\d\d-([^\s.]+)")  # a Jekyll post: 2024-03-05-harbour-dredging


def title(text: str, path: str | None = None) -> str | None:
    """The first top-level heading (``# Title`` or underlined with ``=``) outside code, as plain
    text (:func:`plain`). Without one: a second-level heading that opens the text (``## Use
    cases`` as a title, not ``### Introduction``); else the name of the file at ``path``
    without its extension, as a notes app (Obsidian) titles a note, or for a ``README`` or
    ``index`` the name of its folder (a project, a page bundle), unless that names nothing
    either (``docs``, ``5f3a2b``); else the first heading, else None."""
    found = ((level, heading) for level, heading in headings(text)[0] if plain(heading))  # rendered as met
    first = next(found, None)
    best = first[1] if first and first[0] == 1 else next((heading for level, heading in found if level == 1), None)
    if best is None:
        opens = (first is not None and first[0] <= 2
                 and line_kinds(text.lstrip("\n").split("\n", 2)[:2])[0] == HEADING)
        name = file_title(path) if path and not opens else None
        if name:
            return name
        best = first[1] if first else None
    return plain(best) if best is not None else None


_ITEM_MARK = re.compile(r"[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")


def lead(text: str) -> str:
    """What a note opens with, as plain text to take a title from: its first paragraph, or the
    first item of a list (an outliner's note is one: Logseq), without its bullet or checkbox."""
    first = text.lstrip("\n").split("\n\n", 1)[0]
    if m := _ITEM_MARK.match(first):
        first = first[m.end():].split("\n", 1)[0]
    return plain(first)


def file_title(path: str) -> str | None:
    """What a file's name (or, for a README or index, its folder's) calls it; None if nothing."""
    path = os.path.abspath(uncompressed(path))
    for name, generic in ((os.path.splitext(os.path.basename(path))[0], _GENERIC_NAMES),
                          (os.path.basename(os.path.dirname(path)), _GENERIC_FOLDERS)):
        if not _WORD.search(name):
            return None
        if re.sub(r"[\W\d_]", "", name).lower() not in generic:
            if post := _POST.fullmatch(name):  # titled from its slug, as Jekyll does: "Harbour Dredging"
                return " ".join(word[:1].upper() + word[1:] for word in post[1].split("-") if word)
            return name if " " in name else name.replace("_", " ")  # an uploaded "My_Notes.md"
    return None


# An inline tag as notes apps write it (Obsidian, Logseq, Bear): after a space or at a line's
# start, letters, digits, _ - / with a letter among them (#2024 and issue #123 are no tags);
# not `C#`, a URL's #fragment, `&#39;` or Rust's `#[derive]`.
_TAG = re.compile(r"(?<!\S)#([\w/-]*[^\W\d_][\w/-]*)")
_CODE_SPAN = re.compile(r"(`+).+?\1")


_INDENTED_TAG = re.compile(r"^(?: {4}|\t).*#", re.M)


def _indented_code(text: str) -> set[int]:
    """The lines of indented code blocks (four spaces in, outside a list), by markdown-it-py's
    CommonMark parse: an item's nested line is indented as much and is no code."""
    return {i for t in _parser().parse(text) if t.type == "code_block" and t.map for i in range(*t.map)}


def inline_tags(text: str) -> tuple[str, ...]:
    """The ``#tags`` written in a note's text outside code, without their ``#``, each once
    (the first spelling of those equal but for case), in order."""
    if "#" not in text:
        return ()
    lines = text.split("\n")
    found: dict[str, str] = {}
    code = _indented_code(text) if _INDENTED_TAG.search(text) else set()
    for i, (line, kind) in enumerate(zip(lines, line_kinds(lines), strict=True)):
        if kind in (TEXT, HEADING) and "#" in line and i not in code:
            for m in _TAG.finditer(_CODE_SPAN.sub(" ", line)):
                tag = m.group(1).strip("/-")
                found.setdefault(tag.lower(), tag)
    return tuple(found.values())


WIKILINK = re.compile(r"(!?)\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]*))?\]\]")  # [[Page#Part|shown]]
# Embedded files a notes app shows as themselves, not as text (Obsidian's accepted formats)
_MEDIA = re.compile(r"\.(?:png|jpe?g|gif|bmp|svg|webp|avif|heic|tiff?|pdf|mp3|wav|m4a|ogg|3gp|flac|webm|mp4|mkv|mov|ogv)$",
                    re.IGNORECASE)
_SIZE = re.compile(r"\s*\d+(?:\s*x\s*\d+)?\s*")  # ![[photo.png|300]], |640x480


def embedded(m: re.Match) -> str | None:
    """A :data:`WIKILINK` match's text if it embeds an image, a sound, a video or a PDF: its
    alt text, as a Markdown image shows it, none for a bare file or a size; else None."""
    embed, target, shown = m.groups()
    if not (embed and _MEDIA.search(target.split("#")[0].strip())):
        return None
    return "" if shown is None or _SIZE.fullmatch(shown) else shown


def _wikilink(m: re.Match) -> str:
    media = embedded(m)
    if media is not None:
        return media
    _, target, shown = m.groups()
    return shown or target.replace("#", " › ").strip()


def wikilinks_as_text(text: str) -> str:
    """Wiki links (Obsidian, Foam: ``[[Page]]``, ``[[Page#Part|shown text]]``) as the text a
    notes app shows for them; an embedded image, sound, video or PDF (``![[photo.png]]``) as
    its alt text only (``![[photo.png|The pier]]``), as a Markdown image shows."""
    if "[[" not in text:
        return text
    return WIKILINK.sub(_wikilink, text)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False})


def plain(inline: str, code: str = "", images: bool = False) -> str:
    """A heading's text without its inline Markdown: code spans (between ``code`` marks), links
    and wiki links as their text, emphasis dropped, images (badges) left out or, with
    ``images``, as their alt text (as a card shows them)."""
    parts: list[str] = []
    prose = ""  # text since the last code span: a wiki link's brackets may be several tokens
    for block in _parser().parseInline(inline):
        for token in block.children or ():
            if token.type == "code_inline":
                parts += [wikilinks_as_text(prose), code + token.content + code]
                prose = ""
            elif token.type == "text" or (images and token.type == "image"):
                prose += token.content
            elif token.type in ("softbreak", "hardbreak"):
                prose += " "
    return " ".join("".join([*parts, wikilinks_as_text(prose)]).split())


def _heading(line: str, previous: str) -> tuple[int, str] | None:
    """(level, text) when ``line`` makes a heading: an ATX heading, or a setext underline below
    a line of paragraph text (``previous``)."""
    if _ATX.match(line):
        marks = line.lstrip(" ")
        level = len(marks) - len(marks.lstrip("#"))
        return level, _CLOSING.sub("", marks[level:]).strip()
    if (_UNDERLINE.match(line) and previous.strip() and not _ATX.match(previous)
            and not _FENCE.match(previous) and not _UNDERLINE.match(previous) and not _ITEM.match(previous)):
        return (1 if line.strip()[0] == "=" else 2), previous.strip()
    return None


def sections(text: str, passages: Sequence[tuple[int, str]], title: str) -> list[tuple[tuple[str, ...], bool]]:
    """For passages of one article (where each starts in ``text``, and its text): the headings
    it sits under (outermost first; not the heading that is the article's title nor those
    above it, nor those a heading opening the passage closes) and whether it starts inside
    fenced code. One pass over the article, however many passages."""
    events = _structure(text)
    order = sorted(range(len(passages)), key=lambda i: passages[i][0])
    out: list[tuple[tuple[str, ...], bool]] = [((), False)] * len(passages)
    chain: list[tuple[int, str]] = []
    in_code, e = False, 0
    for i in order:
        start, passage = passages[i]
        while e < len(events) and events[e][0] < start:
            _, heading, in_code = events[e]
            if heading is not None:
                _push(chain, heading)
            e += 1
        out[i] = (_shown(chain, passage, title, in_code), in_code)
    return out


def table_header(text: str, start: int, passage: str) -> str | None:
    """The header row and rule of the table a passage opens inside (``| Operator | Note |`` and
    ``|---|---|`` above its first row in the article), so that a card can name the columns of a
    passage cut from a long table; None when the passage opens with no table row, or with the
    header itself."""
    first = passage.split("\n", 1)[0]
    if not _ROW_LINE.fullmatch(first) or TABLE_RULE.fullmatch(first) or text.rfind("\n", 0, start) != start - 1:
        return None
    rows: list[str] = []
    end = start - 1  # the newline ending the line above
    while end > 0:
        begin = text.rfind("\n", 0, end) + 1
        if not _ROW_LINE.fullmatch(text[begin:end]):
            break
        rows.append(text[begin:end].strip())
        end = begin - 1
    if len(rows) >= 2 and TABLE_RULE.fullmatch(rows[-2]):
        return f"{rows[-1]}\n{rows[-2]}"
    return None


_ROW_LINE = re.compile(r"[ \t]*\|.*\|[ \t]*")
TABLE_RULE = re.compile(r"[ \t]*\|(?:[ \t]*:?-+:?[ \t]*\|)+[ \t]*")  # |---|:--:| under a header row


def section(before: str, passage: str, title: str) -> tuple[tuple[str, ...], bool]:
    """:func:`sections` of one passage, from the article's text up to it (``before``)."""
    return sections(before + passage, [(len(before), passage)], title)[0]


def _shown(chain: list[tuple[int, str]], passage: str, title: str, in_code: bool) -> tuple[str, ...]:
    if not in_code:
        lines = passage.lstrip("\n").split("\n", 2)
        opening = _heading(lines[0], "") or (_heading(lines[1], lines[0]) if len(lines) > 1 else None)
        if opening is not None:
            chain = [h for h in chain if h[0] < opening[0]]
    # The title heading, and a site's headings above it, are what the card's title says (a
    # page read before version 9 of the readers may end its headings in a permalink's "#"),
    # however its case or hyphens differ ("What is Ownership?" titles "What Is Ownership?").
    names = [_key(plain(name)) for _, name in chain]
    title = _key(title)
    for each in (names, [_PERMALINK.sub("", name) for name in names]):  # "C#" is a title first
        if title in each:
            chain, names = chain[each.index(title) + 1 :], names[each.index(title) + 1 :]
            break
    # A heading saying again what the one above it says (a book's print page opens each chapter
    # with the chapter's name and then its own first heading) adds nothing to where a passage is.
    # A heading's lines are one line in its section's name (rustdoc's where clauses)
    return tuple(" ".join(name.split()) for i, (_, name) in enumerate(chain) if names[i] != (names[i - 1] if i else title))


_DASHES = str.maketrans("-\u2010\u2011\u2012\u2013\u2014\u2019", "      '")


def _key(heading: str) -> str:
    """A heading as a reader tells headings apart: not by case, hyphens or spacing."""
    return " ".join(heading.casefold().translate(_DASHES).split())
