"""MyST Markdown (Sphinx's and Jupyter Book's) as its rendered page shows it, line for line.

A MyST page writes directives as fences with a name in braces and roles as a name in braces
before a code span::

    ```{caution}
    The exact structure of pip's cache is an implementation detail.
    ```

    Many projects use {file}`requirements.txt` files; see {ref}`the guide <install-guide>`.

Read as plain Markdown, an admonition's text was code (a highlight a line of it, the card a code
block) and its fence line ```` ```{caution} ```` a sentence; a role showed its braces. The page
shows an admonition as a labelled paragraph and a container (a tab, a dropdown, a card) as its
title and content. So their fences become that label ("Caution:", "New in version 20.1:",
a tab's "Linux") and blank lines, their option lines (``:class: tip``, a ``---`` block) blank,
and their content the Markdown it is; a role becomes its text as reStructuredText's do
(:func:`qa.rst.role_text`: ``requirements.txt`` as code, a ``{ref}`` its text). Other
directives (``{code-block}``, ``{toctree}``, ``{eval-rst}``, ``{image}``) stay fences, and
nothing inside fenced code changes.
"""

from __future__ import annotations

import re

from .rst import LABELS as _LABELS

_OPEN = re.compile(r"( {0,3})(`{3,}|~{3,})\{([\w:-]+)\}[ \t]*(.*?)[ \t]*")
_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)")
_OPTION = re.compile(r"[ \t]*:[\w-]+:(?:[ \t].*)?")
# A role, or a code span (whose braces are code: left as written)
_ROLE = re.compile(r"\{([\w:.+-]+)\}`([^`\n]+)`|(`+)[^`\n]*?\3")
_ADMONITIONS = frozenset({"note", "warning", "tip", "caution", "attention", "danger", "error", "hint", "important",
                          "todo", *_LABELS})
_CONTAINERS = frozenset({"tab", "tab-item", "tab-set", "dropdown", "card", "grid", "grid-item", "grid-item-card",
                         "div", "container", "sidebar", "topic", "margin", "only", "rubric", "epigraph",
                         "pull-quote", "highlights"})
_OURS = _ADMONITIONS | _CONTAINERS


def myst_page(text: str) -> str:
    """``text`` with MyST's admonitions, containers and roles as its page shows them."""
    if "{" not in text:
        return text
    lines = text.split("\n")
    stack: list[tuple[str, int, bool]] = []  # open fences: marker, length, whether ours (rewritten)
    i = -1
    while (i := i + 1) < len(lines):
        line = lines[i]
        fence = _FENCE.fullmatch(line)
        closes = bool(fence and stack and fence.group(1)[0] == stack[-1][0] and len(fence.group(1)) >= stack[-1][1]
                      and not fence.group(2).strip())
        if stack and not stack[-1][2]:  # inside fenced code: only its closing fence counts
            if closes:
                stack.pop()
            continue
        opened = _OPEN.fullmatch(line)
        if opened and opened.group(3).lower() in _OURS:
            indent, marker, name, argument = opened.groups()
            stack.append((marker[0], len(marker), True))
            lines[i] = indent + _label(name.lower(), argument) if argument or name.lower() in _ADMONITIONS else ""
            i = _options_blanked(lines, i + 1) - 1
            continue
        if closes:  # the end of one of ours: a blank line
            stack.pop()
            lines[i] = ""
            continue
        if fence:
            marker, rest = fence.groups()
            if not (marker[0] == "`" and "`" in rest):  # a fence of code opens (not an inline span)
                stack.append((marker[0], len(marker), False))
                continue
        if "{" in line:
            lines[i] = _roles(line)
    return "\n".join(lines)


def _options_blanked(lines: list[str], start: int) -> int:
    """Blanks a directive's options from ``start`` (``:class: tip`` lines, or a block between
    ``---`` lines); returns the line after them."""
    if start < len(lines) and lines[start].strip() == "---":
        end = next((j for j in range(start + 1, len(lines)) if lines[j].strip() == "---"), None)
        if end is not None:
            lines[start : end + 1] = [""] * (end + 1 - start)
            return end + 1
    while start < len(lines) and _OPTION.fullmatch(lines[start]):
        lines[start] = ""
        start += 1
    return start


def _label(name: str, argument: str) -> str:
    if name in _CONTAINERS:
        return argument
    label = _LABELS.get(name, name.capitalize())
    return f"{label} {argument}".strip() + ":" if label else f"{argument}:"


def _roles(line: str) -> str:
    """Roles outside code spans as their text."""
    from .rst import role_text

    return _ROLE.sub(lambda m: role_text(f":{m.group(1)}:", m.group(2)) if m.group(1) else m.group(), line)
