"""MediaWiki's wikitext as the Markdown its page shows, each line tagged with the line it came from.

mwparserfromhell parses the wikitext; this walks its nodes and writes what a reader of the page
sees: headings as ``##``, lists, tables as Markdown tables, an infobox as a list of its fields,
link texts, and the text of the few inline templates that carry words (``{{lang|fr|...}}``,
``{{convert|5|km}}``, dates). Footnotes (``<ref>``), files, categories (they become the
article's tags), comments, galleries and all other templates (navigation boxes, citations,
maintenance notices) are left out, as a plain-text export of the page leaves them.
Every Markdown line knows the wikitext line it starts on, so a dump's references are its lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Heading, HTMLEntity, Tag, Template, Text, Wikilink

_MAGIC = re.compile(r"__[A-Z]+__")
_DROPPED_TAGS = {"ref", "references", "gallery", "imagemap", "timeline", "graph", "templatedata",
                 "score", "mapframe", "maplink", "categorytree", "includeonly", "indicator", "section"}
_CODE_TAGS = {"pre", "syntaxhighlight", "source"}
_RAW_TAGS = {"nowiki", "math", "chem", "ce", "code", "tt", "kbd", "samp"}
_INTERLANGUAGE = re.compile(r"[a-z]{2,3}(?:-[a-z]+)*")
_DATE_TEMPLATE = re.compile(r"(?:birth|death|start|end|release|film|dissolution) (?:date|year)")
_DATE_PART = re.compile(r"\d{1,4}")
# Templates that stand for a character, or show (the first of) their words, a list, a quote
_CHARACTERS = {"mdash": "—", "ndash": "–", "snd": " – ", "spaced ndash": " – ", "nbsp": "\u00a0",
               "thinsp": "\u2009", "'": "'", "-": ""}
_FIRST = {"nowrap", "nobr", "small", "smaller", "big", "larger", "em", "strong", "abbr", "sic", "mvar",
          "math", "var", "flag", "flagcountry", "nihongo", "not a typo", "proper name", "nobold", "noitalic"}
_LISTS = {"plainlist", "plain list", "flatlist", "flat list", "unbulleted list", "ubl", "hlist",
          "bulleted list", "blist", "ordered list", "collapsible list"}
_QUOTES = {"quote", "blockquote", "cquote", "quotation", "quote box", "rquote", "quote frame"}
# An infobox's fields of pictures, maps and layout, which show no words
_UNSHOWN_FIELDS = ("image", "caption", "alt", "logo", "signature", "map", "pushpin", "coordinates", "coor",
                   "module", "embed", "footnotes", "seal", "coat_of_arms", "flag", "blank", "locator", "upright",
                   "width", "size", "border", "mapframe", "grid_", "dot_")
_EMPTY_ITEM = re.compile(r"\s*(?:-|1\.)\s*")  # a list item whose text was all template
_EMPTY_BRACKETS = re.compile(r"\s*\(\s*[,;]?\s*\)")  # what a template left: "Keel Bay () is"
_BRACKET_OPENING = re.compile(r"\(\s*[,;]\s*")  # and "Ada ({{IPAc-en|...}}; born 1815)"


@dataclass
class Page:
    """A page's Markdown: its lines, the wikitext line (0-based) each starts on, its categories."""

    lines: list[str] = field(default_factory=list)
    at: list[int] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Names:
    """The wiki's own names of the File and Category namespaces (``Datei``, ``Kategorie``), from
    its dump's ``<siteinfo>``; the English and canonical ones always count."""

    files: set[str] = field(default_factory=lambda: {"file", "image"})
    categories: set[str] = field(default_factory=lambda: {"category"})


def page(wikitext: str, names: Names | None = None) -> Page:
    """The page ``wikitext`` shows, as Markdown lines tagged with their wikitext lines."""
    out = _Writer(names or Names())
    out.block(mwparserfromhell.parse(wikitext), 0)
    out.end_line()
    shown = out.page
    keep = _kept(shown.lines)
    shown.lines = [line for line, k in zip(shown.lines, keep, strict=True) if k]
    shown.at = [at for at, k in zip(shown.at, keep, strict=True) if k]
    return shown


def _kept(lines: list[str]) -> list[bool]:
    """Which lines stay: not the blank ones that open or close the page, nor a heading with
    nothing under it (a References section whose list a template made)."""
    keep = [True] * len(lines)
    for i in range(len(lines) - 1, -1, -1):
        level = len(lines[i]) - len(lines[i].lstrip("#"))
        if level and lines[i][level:level + 1] == " ":
            after = (j for j in range(i + 1, len(lines)) if keep[j] and lines[j].strip())
            following = next(after, None)
            nxt = lines[following] if following is not None else ""
            if following is None or (nxt.startswith("#") and len(nxt) - len(nxt.lstrip("#")) <= level):
                keep[i] = False
    for order in (range(len(lines)), range(len(lines) - 1, -1, -1)):
        for i in order:
            if lines[i].strip() and keep[i]:
                break
            keep[i] = False
    return keep


class _Writer:
    def __init__(self, names: Names) -> None:
        self.names = names
        self.page = Page()
        self.line = ""  # the Markdown line being written
        self.line_at: int | None = None  # the wikitext line it started on
        self.in_list = False  # the line opened with a list marker: the next marker nests
        self.fresh = False  # lines of their own were just written: the rest of their line is no blank line
        self.loose = False  # the last line was a list item, a table row or a definition
        self.own = False  # this line is a definition's (";", ":"), a paragraph of its own

    def end_line(self) -> None:
        if self.line_at is not None and not _EMPTY_ITEM.fullmatch(self.line):
            self.page.lines.append(_BRACKET_OPENING.sub("(", _EMPTY_BRACKETS.sub("", self.line)).rstrip())
            self.page.at.append(self.line_at)
            self.loose = (self.in_list or self.own) and bool(self.line.strip())
        self.line, self.line_at, self.in_list, self.own = "", None, False, False

    def start_line(self, at: int) -> None:
        if self.loose:  # a paragraph right after a list or a table would be read as part of it
            self.page.lines.append("")
            self.page.at.append(at)
        self.line_at, self.loose = at, False

    def write(self, text: str, at: int) -> None:
        """Text as it flows: each newline in it ends a line, the next starting a line further."""
        pieces = text.split("\n")
        for n, piece in enumerate(pieces):
            if n:
                self.end_line()
                at += 1
            if self.line_at is None:
                piece = piece.lstrip()
                if not piece:
                    if n < len(pieces) - 1:
                        if not self.fresh:  # a blank line, which parts paragraphs; not a block's own line's end
                            self.line_at = at
                        self.fresh = False
                    continue
                self.start_line(at)
            elif not self.line.strip() or self.line.endswith(" "):  # after a list marker, a space
                piece = piece.lstrip()
            self.line += piece
            self.fresh = False

    def lines(self, rows: list[tuple[str, int]], loose: bool = False) -> None:
        """Lines of their own (a table, a heading, code): after what is written, before what follows.
        ``loose``: they are a list or a table, which a paragraph after them must not run into."""
        if self.line_at is not None:
            self.end_line()
        if self.loose and rows:
            self.start_line(rows[0][1])
            self.line_at = None
        for text, at in rows:
            self.page.lines.append(text)
            self.page.at.append(at)
        self.fresh = True
        self.loose = loose and bool(rows)

    def block(self, code, at: int) -> None:
        """Nodes at the page's level, where headings, lists and tables are."""
        for node in code.nodes:
            source = str(node)
            if isinstance(node, Text):
                self.write(_MAGIC.sub("", source), at)
            elif isinstance(node, Heading):
                title = self.inline(node.title).strip()
                self.lines([(f"{'#' * min(node.level, 6)} {title}", at)] if title else [])
            elif isinstance(node, Tag) and node.wiki_markup and str(node.tag) in ("li", "dt", "dd"):
                self.marker(str(node.tag), str(node.wiki_markup), at)
            elif isinstance(node, Tag) and str(node.tag).lower() == "table":
                self.lines(self.table(node, at), loose=True)
            elif isinstance(node, Tag) and str(node.tag).lower() in _CODE_TAGS and node.contents is not None:
                self.lines(_code(source, str(node.contents), at))
            elif (isinstance(node, Tag) and node.contents is not None and not node.wiki_markup
                  and str(node.tag).lower() not in _DROPPED_TAGS | _RAW_TAGS and "\n" in str(node.contents)):
                inner = source.find(str(node.contents))  # a <div>, <center>, <blockquote> of paragraphs
                self.block(node.contents, at + source[:max(inner, 0)].count("\n"))
            elif isinstance(node, Template) and _name(node).startswith("infobox"):
                self.lines(self.infobox(node, at), loose=True)
            else:
                self.write(self.inline_node(node), at)
            at += source.count("\n")

    def marker(self, tag: str, markup: str, at: int) -> None:
        if tag == "dd" and self.line.strip() and not self.in_list:  # "; term : its definition"
            self.line = self.line.rstrip() + " —"
            return
        if self.line_at is None:
            if markup in "*#":
                self.line_at, self.loose = at, False
            else:
                self.start_line(at)
                self.own = True
            self.line = ""
        depth = len(self.line) // 2 if self.in_list else 0
        self.line = "  " * depth + ("1. " if markup == "#" else "- " if markup == "*" else "")
        self.in_list = markup in "*#"

    def inline(self, code) -> str:
        """Nodes inside a line (a link's text, a table cell): their text on one line."""
        return " ".join("".join(self.inline_node(n) for n in code.nodes).split())

    def inline_node(self, node) -> str:
        if isinstance(node, Text):
            return _MAGIC.sub("", str(node))
        if isinstance(node, HTMLEntity):
            return node.normalize()
        if isinstance(node, Wikilink):
            return self.link(node)
        if isinstance(node, ExternalLink):
            return self.inline(node.title) if node.title is not None else "" if node.brackets else str(node.url)
        if isinstance(node, Template):
            return self.template(node)
        if isinstance(node, Tag):
            tag = str(node.tag).lower()
            if tag in _DROPPED_TAGS or node.contents is None:
                return " " if tag == "br" else ""
            if tag in _RAW_TAGS | _CODE_TAGS:
                return str(node.contents)
            return self.inline(node.contents)
        if isinstance(node, Comment):
            return ""
        return ""  # a template's parameter ({{{1}}}): nothing outside a template

    def link(self, node) -> str:
        title = str(node.title).strip()
        shown = title.startswith(":")  # [[:Category:Ships]] is a link to the category
        prefix = title.lstrip(":").split(":", 1)[0].strip().lower() if ":" in title else ""
        if not shown and prefix in self.names.categories:
            name = title.split(":", 1)[1].split("|")[0].strip()
            if name and name not in self.page.categories:
                self.page.categories.append(name)
            return ""
        if not shown and prefix in self.names.files:
            return ""
        if not shown and node.text is None and _INTERLANGUAGE.fullmatch(prefix):  # [[de:Ada Lovelace]]
            return ""
        if node.text is not None:
            return self.inline(node.text)
        return title.lstrip(":")

    def template(self, node) -> str:
        """The words of the templates that hold some inline; nothing for the rest."""
        name = _name(node)
        if name in _CHARACTERS:
            return _CHARACTERS[name]
        positional = [p.value for p in node.params if not p.showkey]
        if name in _LISTS:  # {{Plainlist|\n* a\n* b}}, {{Hlist|a|b}}: an infobox's "a, b"
            items = (line.lstrip("*#:; ") for value in positional for line in str(value).split("\n"))
            return ", ".join(shown for item in items if (shown := self.inline(mwparserfromhell.parse(item))))
        values = [self.inline(value) for value in positional]
        named = {str(p.name).strip().lower(): p.value for p in node.params if p.showkey}
        if name in _QUOTES:
            quoted = named.get("text") or named.get("quote")
            return self.inline(quoted) if quoted is not None else values[0] if values else ""
        if (name in ("lang", "langx", "transl", "transliteration") or name.startswith("lang-")) and values:
            return values[-1]
        if name in _FIRST and values:
            return values[0]
        if name == "sortname" and values:
            return " ".join(values[:2])
        if name == "val" and values:
            unit = named.get("u") or named.get("ul")
            return values[0] + (" " + self.inline(unit) if unit is not None else "")
        if name == "frac" and values:
            return "/".join(values)
        if name in ("convert", "cvt") and values:
            ranged = len(values) > 3 and values[1] in ("-", "–", "to", "and", "or", "x", "by")
            return f"{values[0]}{'–' if values[1] in ('-', '–') else ' ' + values[1] + ' '}{values[2]} {values[3]}" \
                if ranged else " ".join(values[:2])
        if _DATE_TEMPLATE.match(name):
            numbers = [v for v in values if _DATE_PART.fullmatch(v)][:3]
            return "-".join(f"{int(v):02d}" if i else v for i, v in enumerate(numbers))
        if name in ("as of", "circa", "c."):
            return ("As of " if name == "as of" else "c. ") + " ".join(values[:1])
        return ""

    def infobox(self, node, at: int) -> list[tuple[str, int]]:
        """An infobox as the list of fields a reader sees beside the article: ``- Born: 1815``."""
        rows, source = [], str(node)
        for param in node.params:
            if not param.showkey:
                continue
            value = self.inline(param.value)
            key = " ".join(str(param.name).replace("_", " ").split())
            if value and key and not key.lower().replace(" ", "_").startswith(_UNSHOWN_FIELDS):
                where = source.find(str(param))
                rows.append((f"- {key[0].upper()}{key[1:]}: {value}", at + source[:max(where, 0)].count("\n")))
        return rows

    def table(self, node, at: int) -> list[tuple[str, int]]:
        """A wikitable as a Markdown table, a row a line at the row's line; its caption first."""
        rows: list[tuple[list[str], int, bool]] = []  # cells, line, all header cells
        caption = None
        source, offset, line = str(node), 0, at

        def line_of(part) -> int:  # parts are asked for in order: newlines counted once
            nonlocal offset, line
            where = source.find(str(part), offset)
            if where > offset:
                line += source.count("\n", offset, where)
                offset = where
            return line

        loose: list = []  # cells before the first |- are the first row's
        for child in node.contents.nodes:
            if not isinstance(child, Tag):
                continue
            tag = str(child.tag).lower()
            if tag == "tr":
                cells = [c for c in child.contents.nodes if isinstance(c, Tag) and str(c.tag).lower() in ("td", "th")]
                if cells:
                    line_of(child)
                    rows.append(([self.cell(c) for c in cells], line_of(cells[0]),
                                 all(str(c.tag).lower() == "th" for c in cells)))
            elif tag in ("td", "th"):
                text = self.cell(child)
                if not loose and not rows and tag == "td" and text.startswith("+"):  # |+ a caption
                    caption = (text[1:].strip(), line_of(child))
                    continue
                if not loose:
                    rows.append(([], line_of(child), True))
                loose.append(child)
                rows[-1][0].append(text)
                rows[-1] = (rows[-1][0], rows[-1][1], rows[-1][2] and tag == "th")
        rows = [r for r in rows if any(r[0])]
        if not rows:
            return [caption] if caption and caption[0] else []
        width = max(len(cells) for cells, _, _ in rows)
        out = [caption, ("", caption[1])] if caption and caption[0] else []
        header, head_at, is_header = rows[0]
        if not is_header:  # no heading row: an empty one, as Markdown needs one
            header, head_at = [""] * width, rows[0][1]
        else:
            rows = rows[1:]
        pad = [""] * width
        out.append(("| " + " | ".join((header + pad)[:width]) + " |", head_at))
        out.append(("|" + "---|" * width, head_at))
        out += [("| " + " | ".join((cells + pad)[:width]) + " |", line) for cells, line, _ in rows]
        return out

    def cell(self, node) -> str:
        return self.inline(node.contents).replace("|", "\\|") if node.contents is not None else ""


def _code(source: str, contents: str, at: int) -> list[tuple[str, int]]:
    """``<pre>``/``<syntaxhighlight>`` as fenced code, each line at its own line."""
    first = at + source[:max(source.find(contents), 0)].count("\n") + len(contents) - len(contents.lstrip("\n"))
    code = contents.strip("\n").split("\n")
    fence = "````" if any(line.lstrip().startswith("```") for line in code) else "```"
    return [(fence, first), *((line, first + i) for i, line in enumerate(code)), (fence, first + len(code) - 1)]


def _name(template) -> str:
    return " ".join(str(template.name).replace("_", " ").split()).lower()
