"""reStructuredText (Sphinx and Python documentation, READMEs) as the Markdown its page shows.

A ``.rst`` file read as plain text kept its markup: section titles ran into the paragraphs
under them ("Installation ============ Run pip install"), ``.. code-block:: python`` and its code
were prose, and roles showed as written (``:func:`os.path.join```). Written as Markdown, line
for line, the Markdown reader then gives it what a page gives: titles as headings (levels in
the order their underline styles first appear, as docutils assigns them), so a hit names its
section; code blocks (``.. code-block::``, a paragraph's closing ``::``) as fenced code, so no
sentence runs into code; admonitions (``.. note::``) as a bold label and their text; roles and
links as their text. Directives a page shows no text for (``toctree``, ``image``, targets,
substitution definitions) and comments are blanked. No line is added or removed before the
last, so references stay lines of the file.
"""

from __future__ import annotations

import re

_ADORNMENT = re.compile(r"([!-/:-@\[-`{-~])\1{2,}[ \t]*")  # ==== ---- ~~~~ (punctuation repeated)
_DIRECTIVE = re.compile(r"( *)\.\.[ \t]+([\w:-]+)::[ \t]*(.*)")
_COMMENT = re.compile(r"( *)\.\.(?:[ \t]|$)")
_CODE_DIRECTIVES = frozenset({"code-block", "code", "sourcecode", "literalinclude", "highlight", "doctest",
                              "testcode", "testoutput", "math", "parsed-literal"})
_ADMONITIONS = frozenset({"note", "warning", "tip", "important", "caution", "danger", "attention", "hint",
                          "error", "seealso", "deprecated", "versionadded", "versionchanged", "admonition",
                          "todo", "topic", "sidebar", "rubric"})
_NO_TEXT = frozenset({"toctree", "image", "include", "raw", "index", "highlight", "meta", "contents", "sectnum",
                      "section-numbering", "currentmodule", "module", "default-role", "role", "tabularcolumns",
                      "title", "footer", "header", "target-notes", "rst-class", "program"})
_SIGNATURES = frozenset({"function", "method", "classmethod", "staticmethod", "attribute", "property", "data",
                         "exception", "decorator", "decoratormethod", "envvar", "option", "describe", "object",
                         "command", "variable", "class", "type", "member", "macro", "struct", "enum", "var"})
# What an admonition's label says, as Sphinx shows it; the argument (a version, a title) follows.
LABELS = {"versionadded": "New in version", "versionchanged": "Changed in version",
          "deprecated": "Deprecated since version", "seealso": "See also", "admonition": ""}
_FIELD = re.compile(r":([^:`\s][^:`]*):(?:[ \t]+(.*))?[ \t]*")  # ":date: 2024-03-05"
_OPTION = re.compile(r"[ \t]+:[\w -]+:")
# Inline markup: a role (:func:`x`, :ref:`text <label>`), a link (`text <url>`_), a reference
# (`text`_, word_), a substitution's bars left as written.
_ROLE = re.compile(r":[\w:.+-]+:`([^`]+?)`")
_LINK = re.compile(r"`((?:[^`<\\]|\\.)+?)\s*<([^`>]+)>`__?")  # its text may hold \< and \>
_REFERENCE = re.compile(r"`([^`]+)`__?|(?<=[A-Za-z0-9])_(?=[\s.,;:!?)]|$)")


def is_rst(head: bytes) -> bool:
    """Whether a ``.txt`` file whose first bytes are ``head`` is written in reStructuredText, as
    Django's and CMake's documentation sources are: a directive opening a line (``.. note::``),
    or two roles (``:ref:`...```), which no article written as plain text holds."""
    return bool(_DIRECTIVE_LINE.search(head, 0, 8192)) or len(_ROLE_USE.findall(head, 0, 8192)) >= 2


_DIRECTIVE_LINE = re.compile(rb"^[ \t]*\.\.[ \t]+[A-Za-z][\w:-]*::(?:[ \t]|$)", re.M)
_ROLE_USE = re.compile(rb":[a-z][\w:+.-]*:`[^`\s]")


def as_markdown(text: str) -> str:
    """The text as Markdown, line for line (a code block at the very end is closed on a line
    of its own after the last)."""
    return page(text)[0]


def page(text: str, document: bool = True) -> tuple[str, dict[str, str]]:
    """:func:`as_markdown`, and the document's bibliographic fields: the field list opening it,
    before or after its title (a Pelican post's ``:date:``, ``:tags:``, ``:authors:``, ``:summary:``),
    which docutils takes for the document's own, not text (its lines are blanked). ``document``:
    False for a directive's body, which has no such fields."""
    lines = text.split("\n")
    out = list(lines)
    styles: list[tuple[str, bool]] = []  # title adornments in the order met: their levels
    fields: dict[str, str] = {}
    opening = document  # no text met yet: a field list here is the document's
    i = 0
    while i < len(lines):
        line = lines[i]
        title = _title(lines, i)
        if title is not None:
            over, char = title
            if (char, over) not in styles:
                styles.append((char, over))
            at = i + 1 if over else i
            out[i] = out[at + 1] = ""
            out[at] = "#" * min(styles.index((char, over)) + 1, 6) + " " + _inline(lines[at].strip())
            opening = opening and len(styles) == 1
            i = at + 2
            continue
        if opening and (field := _FIELD.fullmatch(line)):
            end = _block_end(lines, i, 0)
            fields.setdefault(field.group(1).strip().lower(),
                              " ".join([field.group(2) or "", *(x.strip() for x in lines[i + 1:end])]).strip())
            out[i:end] = [""] * (end - i)
            i = end
            continue
        # A comment or a target (".. _post:") before the title leaves it the document's.
        opening = opening and (not line.strip() or bool(_COMMENT.match(line)) and ".. [" not in line)
        if directive := _DIRECTIVE.match(line):
            i = _directive(lines, out, i, directive)
        elif comment := _COMMENT.match(line):
            if line.lstrip().startswith(".. ["):  # a footnote or citation: shown, with its label
                out[i] = comment.group(1) + _inline(line.lstrip()[3:])
                i += 1
                continue
            end = _block_end(lines, i, len(comment.group(1)))  # a comment, a target (.. _label:)
            out[i:end] = [""] * (end - i)
            i = end
        elif line.rstrip().endswith("::"):
            # A paragraph's closing "::" opens a literal block: "Example::" shows "Example:",
            # "the bucket. ::" "the bucket." (docutils drops a "::" set apart, and one alone)
            before = line.rstrip()[:-2]
            out[i] = _inline(before + ":" if before and not before[-1].isspace() else before.rstrip())
            i = _literal(lines, out, i, opener=False)
        else:
            out[i] = _inline(line)
            if _term(lines, i):  # "``paths``" over its definition reads "`paths`: A JSON object..."
                out[i] = out[i].rstrip() + ("" if _TERM_END.search(out[i].rstrip()) else ":")
            i += 1
    return "\n".join(out), fields


def _term(lines: list[str], i: int) -> bool:
    """Whether line i is a definition list's term: a line with its definition indented under it
    (not a list item's or a field's first line), after a blank line or the definition before."""
    line = lines[i]
    if i + 1 >= len(lines) or not line.strip() or not lines[i + 1].strip() or _NOT_TERM.match(line):
        return False
    indent = len(line) - len(line.lstrip())
    if len(lines[i + 1]) - len(lines[i + 1].lstrip()) <= indent:
        return False
    return i == 0 or not lines[i - 1].strip() or len(lines[i - 1]) - len(lines[i - 1].lstrip()) > indent


def _title(lines: list[str], i: int) -> tuple[bool, str] | None:
    """(overlined, adornment character) when a section title starts at line i: its text
    underlined, and perhaps overlined, with one punctuation character repeated at least as long."""
    line = lines[i]
    if i > 0 and lines[i - 1].strip():  # a title follows a blank line
        return None
    if _ADORNMENT.fullmatch(line) and i + 2 < len(lines):
        text, under = lines[i + 1], lines[i + 2]
        if (text.strip() and not _ADORNMENT.fullmatch(text) and under.rstrip() == line.rstrip()
                and len(line.rstrip()) >= len(text.strip())):
            return True, line[0]
    if (i + 1 < len(lines) and line.strip() and not line[0].isspace() and not _ADORNMENT.fullmatch(line)
            and _ADORNMENT.fullmatch(lines[i + 1]) and len(lines[i + 1].rstrip()) >= len(line.rstrip())):
        return False, lines[i + 1][0]
    return None


def _directive(lines: list[str], out: list[str], i: int, m: re.Match) -> int:
    indent, name, argument = m.group(1), m.group(2).lower(), m.group(3).strip()
    if name in _CODE_DIRECTIVES:
        out[i] = ""
        after = _literal(lines, out, i, opener=True, language=argument.split()[0] if argument else "")
        if name == "parsed-literal":  # its markup is rendered: `Run Tests`_ is a link's text
            out[i + 1:after] = [_parsed(x) for x in out[i + 1:after]]
        return after
    end = _block_end(lines, i, len(indent))
    kind = name.rsplit(":", 1)[-1]  # py:function, c:macro: a domain's
    if kind in _NO_TEXT or kind.startswith("auto"):  # toctree, image, automodule...: no text a reader reads
        out[i:end] = [""] * (end - i)
        return end
    if name in _ADMONITIONS:
        label, text = LABELS.get(name, name.capitalize()), argument
        if name.startswith(("version", "deprecated")):  # "3.22", or "3.22 what changed"
            version, _, text = argument.partition(" ")
            label = f"{label} {version}"
        elif not label:  # .. admonition:: Its title
            label, text = argument, ""
        # "New in version 3.7." alone, as Sphinx says it when nothing follows
        stop = "." if name.startswith("version") and not text.strip() and end == i + 1 else ":"
        out[i] = f"{indent}**{_inline(label)}{stop}** {_inline(text.strip())}".rstrip()
    elif kind in _SIGNATURES and argument:  # an API's entry: its signature, then what it does
        out[i] = f"{indent}`{argument}`"
    else:  # only, figure (its caption), glossary, list-table...: the text they hold
        out[i] = ""
    j = i + 1
    while j < end and _OPTION.match(lines[j]):
        out[j] = ""
        j += 1
    # The body dedented (indented by four it would read as code) and read as a document of its
    # own: a tab's code block or a directive nested in a container is what it is at the top.
    # with the blank line under it, if any, where a code block ending it closes its fence
    stop = end + 1 if end < len(lines) and not lines[end].strip() else end
    body = lines[j:stop]
    cut = min((len(x) - len(x.lstrip()) for x in body if x.strip()), default=0)
    read = page("\n".join(x[cut:] for x in body), document=False)[0].split("\n") if j < end else []
    # (at the file's end, a code block ending it is closed on a line after the last, as at the top)
    if j < end and (len(read) == len(body) or stop == len(lines) and len(read) == len(body) + 1):
        out[j:stop] = read
        return stop
    for k in range(j, end):  # a code block ending it with no line under it to close on: its lines as text
        out[k] = _inline(lines[k].strip())
    return end


def _literal(lines: list[str], out: list[str], i: int, opener: bool, language: str = "") -> int:
    """The block indented past line i after a blank line, fenced: the first blank line opens the
    fence and the blank line after the block closes it (at the file's end, a line added does).
    ``opener``: line i is a directive, whose option lines are left out. The line after it all."""
    base = len(lines[i]) - len(lines[i].lstrip())
    j = i + 1
    while opener and j < len(lines) and _OPTION.match(lines[j]):
        out[j] = ""
        j += 1
    k = j
    while k < len(lines) and not lines[k].strip():
        k += 1
    if k == j or k == len(lines) or len(lines[k]) - len(lines[k].lstrip()) <= base:
        return j  # no block (a directive with no body, "::" closing a line of prose)
    end = _block_end(lines, k - 1, base)
    if end < len(lines) and lines[end].strip():
        return end  # text right under the block, no blank line to close a fence on: left as lines
    fence = " " * base + "```"
    out[j] = fence + language
    out[k:end] = lines[k:end]
    if end == len(lines):
        out.append(fence)
    else:
        out[end] = fence
    return end + 1


def _block_end(lines: list[str], i: int, indent: int) -> int:
    """The line after the lines after line i indented past ``indent`` (blank lines between
    them included, not those after)."""
    end = j = i + 1
    while j < len(lines):
        if lines[j].strip():
            if len(lines[j]) - len(lines[j].lstrip()) <= indent:
                break
            end = j + 1
        j += 1
    return end


def _inline(line: str) -> str:
    """Outside code spans: roles as their text (:func:`os.path.join` as code, a :ref: its
    label's text), links as Markdown's, references as their text."""
    if "`" not in line and "_" not in line:
        return line
    parts = _CODE_SPAN.split(line)
    for n in range(0, len(parts), 2):
        part = _ROLE.sub(lambda m: role_text(m.group(0), m.group(1)), parts[n])
        part = _LINK.sub(lambda m: f"[{m.group(1).strip()}]({m.group(2).strip()})", part)
        parts[n] = _REFERENCE.sub(lambda m: m.group(1) or "", part)
    return "".join(parts)


def _parsed(line: str) -> str:
    """A parsed literal's line (code whose markup is rendered): roles, links and references as
    their text, strong and emphasis without their stars."""
    line = _ROLE.sub(lambda m: role_text(":ref:", m.group(1)), line)
    line = _LINK.sub(lambda m: m.group(1).strip(), line)
    line = re.sub(r"`([^`]+)`__?", r"\1", line)  # a word's reference (word_) may be code: kept
    return _EMPHASIS.sub(r"\2", line).replace("\\<", "<").replace("\\>", ">")


def role_text(role: str, content: str) -> str:
    """A role's text as a page shows it: ``os.path.join`` as code, a ``:ref:`` its label's text."""
    shown = re.sub(r"\s*<[^<>]*>$", "", content).lstrip("~!") or content
    return shown if role.startswith(_PLAIN_ROLES) else f"`{shown}`"


_PLAIN_ROLES = (":ref:", ":doc:", ":term:", ":abbr:", ":guilabel:", ":menuselection:", ":dfn:", ":sup:", ":sub:")
_CODE_SPAN = re.compile(r"(``.+?``)")
_NOT_TERM = re.compile(r"[ \t]*(?:[-*+\u2022][ \t]|(?:\d+|#|[A-Za-z]|[ivxlcdm]+)[.)][ \t]|\(\w+\)[ \t]|:|\.\.|\||>>>)")
_TERM_END = re.compile(r"[.:;,!?]$")
_EMPHASIS = re.compile(r"(\*\*?)(\S(?:.*?\S)?)\1(?![\w*])")
