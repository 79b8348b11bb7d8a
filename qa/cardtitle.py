"""What of a passage a card (or ``qa ask``) leaves out because the title above it says it: a
first heading or line that repeats the title, a first sentence that is the title, the words a
title cut short holds, or the whole of a one-sentence note."""

from __future__ import annotations

import re

from . import markdown
from .types import Hit

_TITLE_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]+([^\n]*?)(?:[ \t]+#+)?[ \t]*(?:\n|$)\s*")
_SENTENCE_END = re.compile(r"[.!?。！？][\"'”’»)\]]*$")
_TITLE_SETEXT = re.compile(r"[ \t]*([^\n]+)\n {0,3}(?:=+|--+)[ \t]*(?:\n|$)\s*")  # Title\n=====


def title_heading_end(text: str, title: str, markup: str) -> int:
    """Where a passage's text starts after a first heading that repeats the title (the card
    shows the title above it): a Markdown heading, a page's first line, or else a first sentence
    (a text titled by its first sentence: a story in a ``.txt``, a record or a note without a
    title, a headline over its story), or the words of it a title cut short holds (the text goes
    on from there: :func:`continues_title`); 0 when there is none, or nothing follows it."""
    if markup == "page":
        first, newline, _ = text.partition("\n")
        if newline and markdown.unmarked(first).strip() == title.strip():
            return len(first) + 1
    elif markup == "markdown":
        m = _TITLE_HEADING.match(text) or _TITLE_SETEXT.match(text)
        if m and markdown.plain(m.group(1)) == " ".join(title.split()):
            return m.end()
    return _title_sentence_end(text, title)


def continues_title(text: str, title: str, start: int) -> bool:
    """Whether text shown from ``start`` goes on from a title cut short (``... cutting power to
    two…`` over ``…valleys. Rescue teams ...``): then it is shown opening with "…"."""
    return start > 0 and title.rstrip().endswith("…") and not text[:start].rstrip().endswith("…")


def _title_sentence_end(text: str, title: str) -> int:
    from .chunker import split_sentences

    wanted = " ".join(title.split())
    if not wanted or not text.lstrip().startswith(wanted.split(" ", 1)[0]):
        return 0  # most passages: no sentence splitting for them
    if wanted.endswith("…") and len(wanted) > 1:  # a long first sentence's opening words
        return _opening_words_end(text, wanted[:-1])
    if _SENTENCE_END.search(wanted):
        # A title that ends a sentence and opens the text is its first sentence, whichever
        # language's rules found it (the index's, at reading: "am 3. März" ends none in German).
        return _opening_words_end(text, wanted)
    lead = len(text) - len(text.lstrip())
    spans = split_sentences(text[: lead + len(title) * 2 + 200])
    if not spans or " ".join(text[spans[0][0]:spans[0][1]].split()) != wanted:
        return 0
    after = len(text) - len(text[spans[0][1]:].lstrip())
    return after if after < len(text) else 0  # a passage of the title alone is shown whole


def _opening_words_end(text: str, words: str) -> int:
    """Where text goes on after opening with ``words`` (and a space): 0 if it does not, or
    nothing follows them."""
    parts = words.split()
    m = re.match(r"\s*" + r"\s+".join(map(re.escape, parts)) + r"(?=\s)\s*", text) if parts else None
    return m.end() if m and m.end() < len(text) else 0


def is_whole_text(hit: Hit) -> bool:
    """A hit whose text is its title (a one-sentence note or post): a card says it once."""
    return " ".join(hit.text.split()) == " ".join(hit.title.split()) and not hit.table_header
