"""Whether a ``.txt`` file is one document with headings rather than a file of articles.

A ``.txt`` file is by default one article per blank-line-separated block. A README.txt or a
release's notes (Git's ``RelNotes/2.23.0.txt``) are one document whose headings stand in blocks
of their own::

    Git 2.23 Release Notes
    ======================

    Updates since v2.22
    -------------------

     * Two new commands "git switch" and "git restore" are introduced...

Read as blocks, "Git 2.23 Release Notes" was an article with no text, every list item another,
cut off from the release and the section it belongs to. Such a file is read as Markdown, which
its headings are written in: one article, its headings the sections of its passages.

A heading here is one Markdown would read as one, and one a person writes as one: an ATX
heading (``# Notes``, ``## Install``; not one of a run of comment lines, each opening with
``#``) or a line of at most 120 characters underlined with at least three ``=`` or ``-``, and
at least a third as many as the line's characters (a paragraph's last line with a short rule
drawn under it, to part one article from the next, is no heading). The file is a
document when a block is a heading alone, or when its first block opens with a heading and
not every block does (a file of articles each opening with its underlined title stays one
article a block).
"""

from __future__ import annotations

import re

_ATX = re.compile(r" {0,3}#{1,6}[ \t]+\S")
_UNDERLINE = re.compile(r" {0,3}(=+|-+)[ \t]*")
_NOT_TEXT = re.compile(r" {0,3}(?:#|[-*+][ \t]|\d{1,9}[.)][ \t]|`{3}|~{3}|>|\||=|-)")
_LONGEST = 120
HEAD = 8192  # the bytes of a file looked at


def _underlined(text: str, rule: str) -> bool:
    """Whether ``rule`` under the line ``text`` makes it a setext heading."""
    m = _UNDERLINE.fullmatch(rule)
    if m is None or _NOT_TEXT.match(text) or not text.strip():
        return False
    words, marks = len(text.strip()), len(m.group(1))
    return marks >= max(3, words // 3) and words <= _LONGEST


def _opens(block: list[str]) -> bool:
    """Whether a block opens with a heading (not a run of comment lines: ``# Lines have a length limit``)."""
    first = block[0]
    if _ATX.match(first):
        return len(first.strip()) <= _LONGEST and not (len(block) > 1 and block[1].lstrip().startswith("#"))
    return len(block) > 1 and _underlined(first, block[1])


def _alone(block: list[str]) -> bool:
    return _opens(block) and len(block) == (1 if _ATX.match(block[0]) else 2)


def is_headed(head: bytes, whole: bool) -> bool:
    """Whether a ``.txt`` file whose first bytes are ``head`` is a document with headings.

    Args:
        head: the file's first bytes (its first 8 KB, say), UTF-8 or near enough.
        whole: whether ``head`` is the whole file; if not, its last block may be cut short and
            is not looked at.
    """
    lines = head.decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    if not whole or not blocks[-1]:
        blocks.pop()
    if not blocks:
        return False
    return any(map(_alone, blocks)) or (_opens(blocks[0]) and not all(map(_opens, blocks)))
