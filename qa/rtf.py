"""Rich Text (.rtf: TextEdit's and WordPad's own format, Word's "Rich Text Format"), by striprtf.

striprtf turns the document into its text: paragraphs a line, a table's cells ended by ``|``,
a field (a link) by the text it shows; fonts, styles, pictures and the document's information
are left out. Around it: headings are the paragraphs Word and LibreOffice give an outline level,
and short paragraphs all in bold without a full stop (TextEdit and WordPad save no heading
styles), both marked before striprtf reads the file, as it drops formatting; tables are written as
Markdown's, title, author, keywords and creation date come from the ``{\\info}`` group, and
pictures' hexadecimal data is cut before tokenising (striprtf reads it a character at a time).
References are paragraphs, as a .docx's are: ``letter.rtf:¶3-5`` (qa.blocks).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from .blocks import Block, written
from .dates import name_date
from .records import article_from
from .types import Article, Skip
from .walk import ReadStats

MAX_RTF_BYTES = 256 * 2**20  # pictures inside make a file far bigger than its text
_CODEPAGE = re.compile(rb"\\ansicpg(\d+)")
# A picture's data: long lines of hexadecimal digits (a hash in the text is one short run)
_HEX_DATA = re.compile(r"(?:[0-9a-fA-F]{32,}[\r\n]*){8,}")
_OUTLINE = re.compile(r"\\outlinelevel([0-8])(?![0-9a-z])")
_MARK = 0xE000  # a private-use character per heading level, put where the paragraph's level is set
_MARKS = re.compile("[\ue000-\ue008]")
_BOLD_ON, _BOLD_OFF = "\ue010", "\ue011"  # put where bold begins and ends, groups' ends too
_BOLD_MARKS = re.compile(f"[{_BOLD_ON}{_BOLD_OFF}]")
_TOKEN = re.compile(r"\\([a-zA-Z]+)(-?\d+)? ?|\\.|[{}]|[^\\{}]+", re.S)
_SENTENCE_END = re.compile(r"[.!?;,:]$")
_MAX_BOLD_HEADING = 90  # characters: a longer bold paragraph is emphasis, not a heading
_INFO_FIELD = re.compile(r"\{\\(title|subject|author|keywords)\s+((?:[^{}\\]|\\.|\\[a-z]+-?\d* ?)*)\}")
_CREATED = re.compile(r"\\creatim\s*\\yr(\d{4})\s*\\mo(\d{1,2})\s*\\dy(\d{1,2})")
# striprtf shows a link's target after its text when a field is written without a space
# (TextEdit's "{\fldinst{HYPERLINK ...}}"); a document shows the text alone
_LINK_FIELD = re.compile(r"\\fldinst\{")
_UC_BARE = re.compile(r"\\uc(?![0-9-])")  # \uc without its number: striprtf fails on it


def read_rtf(given: str, absolute: str, data: bytes, stats: ReadStats) -> Iterator[Article]:
    """A Rich Text document as one article."""
    from striprtf.striprtf import rtf_to_text

    if not data.lstrip().startswith(b"{\\rtf"):
        stats.skipped.append(Skip(given, None, "not a Rich Text document (it does not open with {\\rtf)"))
        return
    rtf = _decoded(data)
    info = _info(rtf, rtf_to_text)
    rtf = _HEX_DATA.sub("", rtf)
    rtf = _OUTLINE.sub(lambda m: m.group(0) + _marker(chr(_MARK + int(m.group(1)))), rtf)
    rtf = _bold_marked(rtf)
    text = _text(rtf)
    blocks = _blocks(text, tables="\\cell" in rtf)
    if not blocks:
        stats.skipped.append(Skip(given, None, "no text in the document"))
        return
    body, anchors = written(blocks)
    title = info.get("title") or (blocks[0].text if blocks[0].kind == "heading" else None)
    rec = {"title": title, "author": info.get("author"), "date": name_date(absolute) or info.get("date"),
           "tags": [t.strip() for t in re.split(r"[,;]", info.get("keywords", "")) if t.strip()],
           "metadata": {"subject": info["subject"]} if info.get("subject") else {}}
    article = article_from(rec, given, absolute, 0, body, title, anchors[0][1], lines_mapped=True, markup="page")
    yield dataclasses.replace(article, line_anchors=anchors)


def rtf_text(data: bytes) -> str:
    """The text of a Rich Text document, its paragraphs a line each (an Outlook message's body
    kept as RTF, the HTML it may encapsulate shown as its text)."""
    return _text(_HEX_DATA.sub("", _decoded(data)))


def _text(rtf: str) -> str:
    from striprtf.striprtf import rtf_to_text

    rtf = _UC_BARE.sub(r"\\uc1", _LINK_FIELD.sub(r"\\fldinst {", rtf))
    return _whole_characters(rtf_to_text(rtf, errors="replace"))


def _decoded(data: bytes) -> str:
    """RTF is 7-bit text, its other characters escaped; a writer that puts them in raw writes
    them in UTF-8 or in the document's code page."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        page = _CODEPAGE.search(data[:4096])
        try:
            return data.decode(f"cp{int(page.group(1))}" if page else "cp1252", errors="replace")
        except LookupError:
            return data.decode("cp1252", errors="replace")


def _whole_characters(text: str) -> str:
    """striprtf gives a character beyond the BMP (``\\u-10179?\\u-8704?``: an emoji) as its two
    UTF-16 halves; they are joined, and a half alone is replaced, as SQLite stores UTF-8."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _info(rtf: str, rtf_to_text) -> dict[str, str]:
    """Title, subject, author, keywords and creation date from the document's ``{\\info}`` group."""
    start = rtf.find("{\\info")
    if start < 0:
        return {}
    depth, end = 0, start
    for end in range(start, min(len(rtf), start + 65536)):
        depth += {"{": 1, "}": -1}.get(rtf[end], 0)
        if depth == 0:
            break
    group = rtf[start:end + 1]
    page = re.search(r"\\ansicpg\d+", rtf[:4096])
    out = {}
    for name, value in _INFO_FIELD.findall(group):
        shown = _whole_characters(rtf_to_text("{\\rtf1\\ansi" + (page.group(0) if page else "") + " " + value + "}",
                                              errors="replace"))
        if shown := " ".join(shown.split()):
            out[name] = shown
    if created := _CREATED.search(group):
        y, m, d = (int(x) for x in created.groups())
        if 1 <= m <= 12 and 1 <= d <= 31:
            out["date"] = f"{y:04d}-{m:02d}-{d:02d}"
    return out


def _marker(char: str) -> str:
    """RTF that striprtf shows as ``char`` (a private-use character), whatever ``\\uc`` is in force."""
    return "{\\uc1\\u" + str(ord(char)) + "?}"


def _bold_marked(rtf: str) -> str:
    """The document with a mark where its text turns bold and where it stops being bold: by
    ``\\b``, ``\\b0``, ``\\plain``, and at the end of a group that was bold inside (``{\\b word}``)."""
    out, stack, bold = [], [], False
    for m in _TOKEN.finditer(rtf):
        out.append(m.group(0))
        word, now = m.group(1), bold
        if m.group(0) == "{":
            stack.append(bold)
        elif m.group(0) == "}":
            now = stack.pop() if stack else False
        elif word == "b":
            now = m.group(2) in (None, "") or int(m.group(2)) != 0
        elif word == "plain":
            now = False
        if now != bold:
            bold = now
            out.append(_marker(_BOLD_ON if bold else _BOLD_OFF))
    return "".join(out)


def _all_bold(lines: list[str]) -> list[bool]:
    """For each line, whether every character it shows is bold (the state goes on across lines)."""
    out, bold = [], False
    for line in lines:
        shown = plain = False
        for ch in line:
            if ch in (_BOLD_ON, _BOLD_OFF):
                bold = ch == _BOLD_ON
            elif not ch.isspace() and not _MARKS.match(ch):
                shown = True
                plain = plain or not bold
        out.append(shown and not plain)
    return out


def _blocks(text: str, tables: bool) -> list[Block]:
    """A paragraph a block, numbered; an outline level's mark makes a heading, and so does a
    short paragraph all in bold without a full stop (the least heading) in a document that is not
    all bold; a line of cells ended by ``|`` in a document with tables is a table's row, the first
    of a run its header."""
    lines = text.split("\n")
    bold = _all_bold(lines)
    some_plain = not all(b for b, line in zip(bold, lines, strict=True) if _BOLD_MARKS.sub("", line).strip())
    out: list[Block] = []
    for line, in_bold in zip(lines, bold, strict=True):
        mark = _MARKS.search(line)
        line = " ".join(_BOLD_MARKS.sub("", _MARKS.sub("", line)).split())
        if not line:
            continue
        number = len(out) + 1
        if tables and line.endswith("|"):
            cells = [c.strip() for c in line[:-1].split("|")]
            header = not out or out[-1].kind != "row"
            out.append(Block("row", "| " + " | ".join(cells) + " |", number, header=header))
        elif mark:
            out.append(Block("heading", line, number, level=min(ord(mark.group(0)) - _MARK + 1, 6)))
        elif in_bold and some_plain and len(line) <= _MAX_BOLD_HEADING and not _SENTENCE_END.search(line):
            out.append(Block("heading", line, number, level=0))
        else:
            out.append(Block("para", line, number))
    return out
