"""Evernote's export (``.enex``): each note an article, streamed note by note.

A note's text is ENML (XHTML in a CDATA section), read as a record's HTML is; its title, tags,
created date, author and source URL come with it. Attachments (base64 ``<resource>`` data, most of
an export's bytes) are dropped as each note is read, so memory stays bounded by one note.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .pagelines import sentence_lines
from .records import record_article, shows_text
from .types import Article, Skip
from .xmlstream import PullReader

if TYPE_CHECKING:
    from .walk import ReadStats

ENEX = ".enex"
# What the line scan looks for outside CDATA: where a note opens and closes, and its content.
_ENML = re.compile(r"<(/?)en-note\b")  # ENML's root: a <div> to the HTML reader
# A checkbox, as Evernote shows it ticked or not; to an HTML reader an unknown empty element.
_TODO = re.compile(r"<en-todo\b([^>]*?)/?>(?:</en-todo>)?")
_CHECKED = re.compile(r"""\bchecked\s*=\s*["']true["']""")
_TOKEN = re.compile(rb"<note[\s>]|</note\s*>|<content[\s>]|<!\[CDATA\[")


def read_enex(given: str, absolute: str, stats: ReadStats) -> Iterator[Article]:
    """Each note with text as an article; its passages point at the lines of its content."""
    with open(absolute, "rb") as fh:  # a first pass for lines, which the parser does not give ends of
        lines = _note_lines(fh)
    # An export declares Evernote's DTD by URL: never fetched, no entity it might define resolved.
    with open(absolute, "rb") as fh:
        notes = PullReader(fh.read, "note")
        for position, note in enumerate(notes):
            note_line, content_line = lines[position] if position < len(lines) else (1, None)
            article = _article(given, absolute, position, note, note_line, content_line, stats)
            if article is not None:
                yield article
    notes.report(given, absolute, stats, "Evernote export", "notes")


def _article(given, absolute, position, note, note_line, content_line, stats) -> Article | None:
    def text(path: str) -> str | None:
        found = note.findtext(path)
        return found.strip() if found and found.strip() else None

    content = note.findtext("content") or ""
    if not shows_text(content):
        stats.skipped.append(Skip(given, content_line or note_line, "note has no text"))
        return None
    content = _TODO.sub(lambda m: "[x] " if _CHECKED.search(m[1]) else "[ ] ", content)  # lines kept
    record = {"title": text("title"), "text": _ENML.sub(r"<\1div", content), "date": text("created"),
              "author": text("note-attributes/author"), "url": text("note-attributes/source-url"),
              "tags": [t.text.strip() for t in note.iterfind("tag") if t.text and t.text.strip()]}
    updated = text("updated")
    if updated:
        record["updated"] = updated
    article = record_article(given, absolute, position, note_line, {k: v for k, v in record.items() if v}, stats)
    if article is None or content_line is None:
        return article
    anchors = sentence_lines(content.encode("utf-8"), article.text)
    if not anchors:
        return article
    anchors = tuple((offset, content_line + n - 1) for offset, n in anchors)
    return dataclasses.replace(article, line_start=anchors[0][1], lines_mapped=True, line_anchors=anchors)


def _note_lines(fh) -> list[tuple[int, int | None]]:
    """For each note, in order: the line it opens on and the line its ``<content>`` opens on,
    where the content's text (CDATA and the blank before it) begins; found by a scan of the
    file's lines that skips what CDATA sections hold."""
    out: list[tuple[int, int | None]] = []
    in_cdata = False
    note_line, content_line = 1, None
    for number, line in enumerate(fh, 1):
        pos = 0
        while True:
            if in_cdata:
                end = line.find(b"]]>", pos)
                if end < 0:
                    break
                in_cdata, pos = False, end + 3
                continue
            m = _TOKEN.search(line, pos)
            if m is None:
                break
            token, pos = m.group(), m.end()
            if token == b"<![CDATA[":
                in_cdata = True
            elif token.startswith(b"<note"):
                note_line, content_line = number, None
            elif token.startswith(b"<content"):
                content_line = number
            else:
                out.append((note_line, content_line))
    return out
