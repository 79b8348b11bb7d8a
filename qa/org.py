"""Org files (.org: Emacs Org mode, Logseq, Orgzly, Beorg): read as the Markdown their page shows.

An Org file is rewritten line for line into Markdown, so a passage's reference stays the lines
of the file (``notes.org:12-18``) and the Markdown reader's sections, code and tables apply:
headings (``** TODO [#A] Ferry times :travel:``) lose their star count to ``##`` and their
keyword, priority and tags (the tags become the article's); ``#+BEGIN_SRC``/``#+BEGIN_EXAMPLE``
blocks become fenced code, ``#+BEGIN_QUOTE`` a quote; links show their description; a table's
``|---+---|`` rule is Markdown's. What Org does not show or export is blanked, its line kept:
``#+KEYWORD:`` lines (title, author, date and file tags are the article's), comments, property
and logbook drawers, planning lines (``SCHEDULED:``), comment blocks and ``COMMENT`` subtrees.
The format is read line by line, as Org itself reads it; orgparse would give the tree but not
the lines rewritten in place, which the references need.
"""

from __future__ import annotations

import re

_KEYWORD = re.compile(r"^\s*#\+(\w+):\s*(.*?)\s*$")
_HEADING = re.compile(r"^(\*+)\s+(.*?)\s*$")
_HEADING_TAGS = re.compile(r"\s+(:(?:[\w@#%]+:)+)\s*$")
_PRIORITY = re.compile(r"^\[#[A-Za-z0-9]\]\s*")
_COMMENT = re.compile(r"^\s*#(?:\s|$)")
_DRAWER = re.compile(r"^\s*:([\w-]+):\s*$")
_PLANNING = re.compile(r"^\s*(?:(?:SCHEDULED|DEADLINE|CLOSED):\s*[<\[][^>\]]*[>\]]\s*)+$")
_BLOCK = re.compile(r"^(\s*)#\+(begin|end)_(\w+)\s*(.*?)\s*$", re.I)
_LINK = re.compile(r"\[\[([^\]]+)\](?:\[([^\]]+)\])?\]")
_VERBATIM = re.compile(r"(?<![\w=~])([=~])(\S(?:.*?\S)?)\1(?![\w=~])")
_TABLE_RULE = re.compile(r"^(\s*)\|-[-+|]*\s*$")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_TODO_DEFAULT = ("TODO", "DONE")
FILE_TAGS, HEADING_TAGS = "\x00file_tags", "\x00heading_tags"  # not fields of the article's


def org_page(text: str) -> tuple[str, dict]:
    """The file's text as Markdown, line for line, and what its keywords say (title, author,
    date, tags: its ``#+FILETAGS`` and its headings' tags); under :data:`FILE_TAGS` its
    ``#+FILETAGS`` alone and under :data:`HEADING_TAGS` each heading's, by line."""
    lines = text.split("\n")
    meta: dict = {}
    todo = set(_TODO_DEFAULT)
    for line in lines:  # the keywords a heading's first word may be (#+TODO: NEXT WAIT | DONE)
        if (m := _KEYWORD.match(line)) and m.group(1).lower() in ("todo", "seq_todo", "typ_todo"):
            todo |= {w.split("(")[0] for w in m.group(2).split() if w != "|"}
    tags: list[str] = []
    heading_tags: dict[int, list[str]] = {}  # line -> its heading's tags, for a date tree's days
    out: list[str] = []
    block: str | None = None  # the block being read: "src", "quote", "comment"...
    drawer = False
    cut = 0  # inside a COMMENT subtree: the level of its heading
    for line in lines:
        heading = _HEADING.match(line)
        if cut and not (heading and len(heading.group(1)) <= cut):
            out.append("")
            continue
        cut = 0
        if block is not None:
            out.append(_in_block(line, block))
            if (m := _BLOCK.match(line)) and m.group(2).lower() == "end" and m.group(3).lower() == block:
                block = None
            continue
        if drawer:
            drawer = not re.match(r"^\s*:END:\s*$", line, re.I)
            out.append("")
            continue
        if heading:
            level, rest = len(heading.group(1)), heading.group(2)
            if found := _HEADING_TAGS.search(rest):
                heading_tags[len(out)] = [t for t in found.group(1).split(":") if t]
                tags += heading_tags[len(out)]
                rest = rest[:found.start()]
            first, _, after = rest.partition(" ")
            if first in todo:
                rest = after
            if rest.startswith("COMMENT") and rest[7:8] in ("", " "):
                cut = level
                out.append("")
                continue
            rest = _PRIORITY.sub("", rest.strip())
            out.append("#" * min(level, 6) + " " + _inline(rest) if rest else "")
            continue
        if m := _BLOCK.match(line):
            out.append(_block_start(m))
            if m.group(2).lower() == "begin":
                block = m.group(3).lower()
            continue
        if m := _KEYWORD.match(line):
            _keyword(m.group(1).lower(), m.group(2), meta)
            out.append("")
        elif _COMMENT.match(line) or _PLANNING.match(line):
            out.append("")
        elif _DRAWER.match(line) and not re.match(r"^\s*:END:\s*$", line, re.I):
            drawer = True
            out.append("")
        elif m := _TABLE_RULE.match(line):
            out.append(m.group(1) + "|" + "|".join("---" for _ in range(max(line.count("+") + 1, 1))) + "|")
        else:
            out.append(_inline(line))
    meta[FILE_TAGS] = meta.get("tags", [])
    meta["tags"] = list(dict.fromkeys([*meta[FILE_TAGS], *tags]))
    meta[HEADING_TAGS] = heading_tags
    return "\n".join(out), meta


def _keyword(name: str, value: str, meta: dict) -> None:
    if name in ("title", "author", "description") and value:
        meta[name] = f"{meta[name]} {value}" if name == "title" and name in meta else value
    elif name == "date" and value:
        found = _DATE.search(value)
        meta["date"] = found.group(1) if found else value
    elif name in ("filetags", "tags", "keywords") and value:
        meta.setdefault("tags", []).extend(t for t in re.split(r"[:,\s]+", value) if t)


def _block_start(m: re.Match) -> str:
    """A block's opening or closing line as Markdown writes it."""
    indent, edge, kind, args = m.group(1), m.group(2).lower(), m.group(3).lower(), m.group(4)
    if kind in ("src", "example", "export"):
        return indent + "```" + (args.split()[0] if edge == "begin" and kind == "src" and args else "")
    return ""


def _in_block(line: str, kind: str) -> str:
    if (m := _BLOCK.match(line)) and m.group(3).lower() == kind and m.group(2).lower() == "end":
        return _block_start(m)
    if kind in ("src", "example", "export"):
        return line[1:] if line.startswith(",*") or line.startswith(",#+") else line  # Org's escapes
    if kind == "comment":
        return ""
    if kind == "quote":
        return "> " + _inline(line) if line.strip() else ">"
    return _inline(line)


def _inline(line: str) -> str:
    """Links as their description (a web link as Markdown's), ``=code=`` and ``~code~`` as code."""
    def link(m: re.Match) -> str:
        target, desc = m.group(1), m.group(2)
        if re.match(r"https?://", target):
            return f"[{desc or target}]({target})"
        return desc or target.removeprefix("file:")

    return _VERBATIM.sub(lambda m: f"`{m.group(2)}`", _LINK.sub(link, line))
