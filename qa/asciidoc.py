"""AsciiDoc (.adoc, .asciidoc: Asciidoctor's documentation, which GitHub and GitLab render) read as the Markdown its page shows.

As Org and reStructuredText are (:mod:`qa.org`, :mod:`qa.rst`), a file is rewritten line for line
into Markdown, so a passage's reference stays the file's lines (``guide.adoc:40-52``) and the
Markdown reader's sections, code and tables apply: ``== Section`` titles become ``##`` headings,
``[source,java]`` listing and literal blocks fenced code, a ``|===`` table a table (its rows at
its first lines), admonitions (``NOTE:``, ``[TIP]``) ``**Note:**``, quotes quotes, list items
Markdown's; links, cross references, images and keys show their text, ``{attribute}``
references their value. What a rendered page does not show is blanked, its line kept: attribute
entries (the title, author, date, keywords and description are the article's), comments and
comment blocks, block attribute and anchor lines, include and conditional directives,
passthrough blocks and delimiter lines.
"""

from __future__ import annotations

import csv
import re

_SECTION = re.compile(r"^(={1,6}|#{1,6})\s+(\S.*?)\s*$")
_ATTRIBUTE = re.compile(r"^:(!?\w[\w-]*!?):(?:\s+(.*?))?\s*$")
_BLOCK_ATTRIBUTES = re.compile(r"^\[(.*)\]\s*$")
_BLOCK_TITLE = re.compile(r"^\.([^.\s].*)$")
_DELIMITER = re.compile(r"^(-{4,}|\.{4,}|={4,}|\*{4,}|_{4,}|\+{4,}|/{4,}|--|[|,:!]={3,})\s*$")
_DIRECTIVE = re.compile(r"^(?:include|ifdef|ifndef|ifeval|endif)::.*\[.*\]\s*$")
_ITEM = re.compile(r"^\s*(\*{1,5}|-|\.{1,5})\s+(.*)$")
_TERM = re.compile(r"^(\S.*?)(:{2,4}|;;)(?:\s+(.*))?$")
_ADMONITION = re.compile(r"^(NOTE|TIP|IMPORTANT|WARNING|CAUTION):\s+(.*)$")
# Where a cell opens: "|", after its spec if it has one (2+| a colspan, a| AsciiDoc content)
_CELL = re.compile(r"(?:(?:^|(?<=\s))(?:(\d+)(?:\.\d+)?([+*])|\.\d+\+)?(?:[<^>](?:\.[<^>])?)?[adehlmsv]?)?(?<!\\)\|")
_ADMONITIONS = ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION")
_AUTHOR_EMAIL = re.compile(r"\s*<[^>]*>")
_REVISION = re.compile(r"^(?:v?\d[\w.-]*\s*,\s*)?([^:,]+?)\s*(?::.*)?$")  # "v1.0, 2024-03-05: Remark"
# Inline macros and marks, in the order they are replaced
_INLINE = [
    (re.compile(r"footnote(?:ref)?:\w*\[(?:[^\]\\]|\\.)*\]"), ""),
    (re.compile(r"\bimage:{1,2}[^\s\[]*\[([^\],]*)[^\]]*\]"), r"\1"),
    (re.compile(r"\b(?:kbd|btn):\[([^\]]*)\]"), r"\1"),
    (re.compile(r"\bmenu:([^\s\[]+)\[([^\]]*)\]"), r"\1 > \2"),
    (re.compile(r"\bxref:([^\s\[]+)\[([^\]]+)\]"), r"\2"),
    (re.compile(r"\bxref:([^\s\[#]+?)(?:\.adoc)?(?:#[^\s\[]*)?\[\]"), r"\1"),
    (re.compile(r"<<([^,>]+),\s*([^>]+)>>"), r"\2"),
    (re.compile(r"<<([^,>]+)>>"), r"\1"),
    (re.compile(r"\blink:([^\s\[]+)\[([^\],\]]+)[^\]]*\]"), r"[\2](\1)"),
    (re.compile(r"\blink:([^\s\[]+)\[\]"), r"\1"),
    (re.compile(r"\b((?:https?|ftp|mailto):[^\s\[]+)\[([^\],\]]+)[^\]]*\]"), r"[\2](\1)"),
    (re.compile(r"\b((?:https?|ftp):[^\s\[]+)\[\]"), r"\1"),
    (re.compile(r"`\+([^`]*?)\+`"), r"`\1`"),  # `+*.war+`: literal code
    (re.compile(r"\({3}[^)]*\){3}"), ""),  # an index term, not shown
    (re.compile(r"\({2}([^)]*)\){2}"), r"\1"),  # an index term, shown
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]*?\S)\*(?![\w*])"), r"**\1**"),  # *strong*
    (re.compile(r"(?<![\w_])_(?=\S)([^_\n]*?\S)_(?![\w_])"), r"*\1*"),  # _emphasis_
    (re.compile(r"(?<![\w#])#(?=\S)([^#\n]*?\S)#(?![\w#])"), r"\1"),  # #highlight#
    (re.compile(r"\s\+$"), ""),  # a hard line break
]


def adoc_page(text: str) -> tuple[str, dict]:
    """The file's text as Markdown, line for line, and what its header and attributes say
    (title, author, date, tags from ``:keywords:``, description)."""
    lines = text.split("\n")
    out = [""] * len(lines)
    meta: dict = {}
    attributes: dict[str, str] = {}
    header = _header(lines, meta, attributes)
    if header:  # the title line, as a Markdown file's first heading
        at = next(n for n, line in enumerate(lines) if _SECTION.match(line))
        out[at] = "# " + _inline(meta["title"], attributes)
    stack: list[str] = []  # open delimited blocks: their delimiter lines
    kinds: list[str] = []  # and what each is: listing, quote, comment...
    pending = ""  # the block attribute line before a block: [source,python], [NOTE], [%header]
    i = header
    while i < len(lines):
        line = lines[i]
        raw = kinds[-1] if kinds else ""
        if raw in ("listing", "literal", "comment", "pass"):
            if line.rstrip() == stack[-1]:
                out[i] = "```" if raw in ("listing", "literal") else ""
                stack.pop()
                kinds.pop()
            elif raw in ("listing", "literal"):
                out[i] = line
            i += 1
            continue
        if m := _DELIMITER.match(line):
            delimiter = m.group(1)
            if stack and delimiter == stack[-1]:
                stack.pop()
                kinds.pop()
            elif delimiter[0] in "|,:!":  # a table: its rows at its first lines
                end = next((j for j in range(i + 1, len(lines)) if lines[j].rstrip() == delimiter), len(lines) - 1)
                for j, row in enumerate(_table(lines[i + 1:end], pending, delimiter[0]), start=i):
                    out[j] = _inline(row, attributes)
                i, pending = end + 1, ""
                continue
            else:
                kind = _block_kind(delimiter, pending)
                stack.append(delimiter)
                kinds.append(kind)
                if kind in ("listing", "literal"):
                    out[i] = "```" + _language(pending)
                elif kind in _ADMONITIONS:
                    kinds[-1] = "admonition"
                    pending = kind
                    i += 1
                    continue
            pending = ""
            i += 1
            continue
        if line.startswith("//") and not line.startswith("///"):
            i += 1
            continue
        if m := _ATTRIBUTE.match(line):
            _attribute(m.group(1), m.group(2) or "", meta, attributes)
            i += 1
            continue
        if (m := _BLOCK_ATTRIBUTES.match(line)) and not line.startswith("[["):
            pending = m.group(1)
            i += 1
            continue
        if line.startswith("[[") and line.rstrip().endswith("]]") or _DIRECTIVE.match(line) or \
                line.strip() in ("+", "<<<", "'''", "---", "***"):
            i += 1
            continue
        shown = _shown(line, attributes)
        if pending in _ADMONITIONS and line.strip():
            shown = f"**{pending.title()}:** {shown}"
        if line.strip():
            pending = ""
        out[i] = ("> " + shown if shown.strip() else ">") if "quote" in kinds else shown
        i += 1
    return "\n".join(out), meta


def _header(lines: list[str], meta: dict, attributes: dict[str, str]) -> int:
    """The document header (``= Title``, an author line, a revision line, attribute entries up
    to the first blank line) read into ``meta``; where the body starts. Its title line is kept."""
    i = 0
    while i < len(lines) and (not lines[i].strip() or lines[i].startswith("//")):
        i += 1
    if i >= len(lines) or not (m := _SECTION.match(lines[i])) or m.group(1) not in ("=", "#"):
        return 0
    meta["title"] = m.group(2)
    i += 1
    for role in ("author", "revision"):  # the lines after the title that are not attributes
        if i >= len(lines) or not lines[i].strip() or lines[i].startswith((":", "//")):
            break
        if role == "author":
            meta["author"] = _AUTHOR_EMAIL.sub("", lines[i]).strip().replace("; ", ", ")
        elif (rev := _REVISION.match(lines[i].strip())) and re.search(r"\d{4}", rev.group(1)):
            meta.setdefault("date", rev.group(1))
        i += 1
    while i < len(lines) and lines[i].strip() and (lines[i].startswith("//") or _ATTRIBUTE.match(lines[i])):
        if m := _ATTRIBUTE.match(lines[i]):
            _attribute(m.group(1), m.group(2) or "", meta, attributes)
        i += 1
    return i


def _attribute(name: str, value: str, meta: dict, attributes: dict[str, str]) -> None:
    name = name.strip("!").lower()
    attributes[name] = value
    if name in ("author", "description") and value:
        meta[name] = value
    elif name in ("revdate", "date", "page-date") and value:
        meta["date"] = value
    elif name in ("keywords", "tags", "page-tags") and value:
        meta.setdefault("tags", []).extend(t.strip() for t in value.split(",") if t.strip())
    elif name == "doctitle" and value:
        meta["title"] = value


def _block_kind(delimiter: str, pending: str) -> str:
    style = pending.split(",")[0].strip().lstrip("%").lower() if pending else ""
    if delimiter.startswith("-") and len(delimiter) > 2 or style in ("source", "listing"):
        return "listing"
    if delimiter.startswith("."):
        return "literal"
    if delimiter.startswith("/"):
        return "comment"
    if delimiter.startswith("+"):
        return "pass"
    if style.upper() in _ADMONITIONS:
        return style.upper()
    if delimiter.startswith("_") or style in ("quote", "verse"):
        return "quote"
    return "open"  # an example, a sidebar, an open block: their text as it is


def _language(pending: str) -> str:
    parts = [p.strip() for p in pending.split(",")]
    return parts[1] if len(parts) > 1 and parts[0].lstrip("%") in ("source", "") and "=" not in parts[1] else ""


def _shown(line: str, attributes: dict[str, str]) -> str:
    """A line of text as Markdown: a section title, a block title, an admonition, a list item
    or a definition, or a paragraph's line."""
    if m := _SECTION.match(line):
        return "#" * len(m.group(1)) + " " + _inline(m.group(2), attributes)
    if m := _BLOCK_TITLE.match(line):
        return f"**{_inline(m.group(1), attributes)}**"
    if m := _ADMONITION.match(line):
        return f"**{m.group(1).title()}:** {_inline(m.group(2), attributes)}"
    if m := _ITEM.match(line):
        marks = m.group(1)
        depth = len(marks) - 1 if marks != "-" else 0
        return "  " * depth + ("1. " if marks.startswith(".") else "- ") + _inline(m.group(2), attributes)
    if (m := _TERM.match(line)) and "://" not in m.group(1):
        term = _inline(m.group(1), attributes)
        return f"- **{term}**" + (": " + _inline(m.group(3), attributes) if m.group(3) else "")
    return _inline(line, attributes)


def _inline(text: str, attributes: dict[str, str]) -> str:
    text = re.sub(r"\{([\w-]+)\}", lambda m: attributes.get(m.group(1).lower(), m.group(0)), text)
    for pattern, replacement in _INLINE:
        text = pattern.sub(replacement, text)
    return text


def _table(body: list[str], pending: str, separator: str) -> list[str]:
    """A table's lines as Markdown rows, one a line from its first: header (or an empty one),
    rule, rows. Cells begin at ``|`` (a cell's spec before it, ``2+|`` or ``a|``, left out), or
    are split at ``,`` or ``:`` (CSV and DSV tables); a row is as many cells as the ``cols``
    attribute or its first line says. The first line is the header when the attributes say so
    or a blank line follows it, as Asciidoctor reads it."""
    cells: list[list] = []  # [text, columns it spans]
    per_line: list[int] = []  # columns each line opens (0: a blank line)
    for line in body:
        if not line.strip():
            per_line.append(0)
            continue
        if separator in ",:":
            found = [[c, 1] for c in (next(csv.reader([line])) if separator == "," else line.split(":"))]
        else:
            marks = list(_CELL.finditer(line))
            if cells and (not marks or line[:marks[0].start()].strip()):  # a cell's text goes on
                cells[-1][0] += " " + line[:marks[0].start() if marks else len(line)]
            found = []
            for k, m in enumerate(marks):
                n = int(m.group(1)) if m.group(1) else 1
                text = line[m.end():marks[k + 1].start() if k + 1 < len(marks) else len(line)]
                found += [[text, n]] if m.group(2) == "+" else [[text, 1]] * (n if m.group(2) == "*" else 1)
        per_line.append(sum(span for _, span in found) or -1)  # -1: a cell's text going on
        cells += [list(c) for c in found]
    if not cells:
        return []
    cols = _columns(pending) or next((n for n in per_line if n > 0), 1)
    rows: list[list[str]] = [[]]
    width = 0
    for text, span in cells:
        if width >= cols:
            rows.append([])
            width = 0
        rows[-1] += [" ".join(text.split()).replace("|", "\\|")] + [""] * (span - 1)
        width += span
    options = pending.lower()
    if "noheader" in options:
        header = False
    elif "%header" in options or re.search(r"options\s*=\s*\"?[^\"\]]*header", options):
        header = True
    else:
        header = len(per_line) > 1 and per_line[0] == cols and per_line[1] == 0
    head = rows.pop(0) if header else [""] * cols
    room = len(body)  # the table's lines, less the header's and the rule's, are its rows'
    if len(rows) > room:  # several rows to a line: the last takes the rest
        rows = rows[:room - 1] + [sum(rows[room - 1:], [])] if room > 0 else []
    pad = [""] * cols
    return ["| " + " | ".join((head + pad)[:cols]) + " |", "|" + "---|" * cols,
            *("| " + " | ".join((row + pad)[:max(cols, len(row))]) + " |" for row in rows)]


def _columns(pending: str) -> int | None:
    m = re.search(r'cols\s*=\s*"?([^",\]]+(?:,[^",\]]+)*)"?', pending)
    if not m:
        return None
    spec = m.group(1).strip()
    if re.fullmatch(r"\d+", spec):
        return int(spec)
    if star := re.fullmatch(r"(\d+)\*.*", spec):
        return int(star.group(1))
    return len(spec.split(","))
