"""Jupyter notebooks (.ipynb): their Markdown cells as Markdown, their code cells as fenced code.

A notebook is JSON; the one json module reads it, and :func:`qa.jsonpos.element_lines` finds
where each cell's source lines are in the file (Jupyter writes one line of source per line of
JSON), so a passage's reference is the lines of the notebook a person opens in an editor or
finds by a cell's text (``analysis.ipynb:40-52``). A code cell's text outputs follow it, as a
rendered notebook shows them: what it printed and its results' text (a number, a table's text,
Markdown), the first 40 lines of each; pictures, HTML, errors, warnings and raw cells are left
out. Title: the notebook's
``title`` metadata, else its first heading, else its file's name; authors from its ``authors``
metadata (as Jupyter Book and nbconvert write them).
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .dates import name_date
from .jsonpos import element_lines
from .markdown import fence_for
from .markdown import title as markdown_title
from .mdpage import entities, shown
from .records import article_from
from .types import NOTEBOOK, Article, Skip

if TYPE_CHECKING:
    from .walk import ReadStats

__all__ = ["NOTEBOOK", "read_notebook"]

MAX_OUTPUT_LINES = 40  # of an output: a result's, not a training run's log
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # a coloured log's escapes


def read_notebook(given: str, absolute: str, data: bytes, stats: ReadStats) -> Iterator[Article]:
    """A notebook as one article, its lines those of its cells' sources in the file."""
    try:
        text = data.decode("utf-8-sig")
        notebook = json.loads(text)
        cells = notebook["cells"] if isinstance(notebook, dict) else None
    except (UnicodeDecodeError, ValueError, KeyError) as exc:
        stats.skipped.append(Skip(given, None, f"not a readable Jupyter notebook ({type(exc).__name__}: {exc})"))
        return
    if not isinstance(cells, list):
        stats.skipped.append(Skip(given, None, "not a Jupyter notebook version 4 or later (no list of cells)"))
        return
    meta = notebook.get("metadata") if isinstance(notebook.get("metadata"), dict) else {}
    info = meta.get("language_info") if isinstance(meta.get("language_info"), dict) else {}
    kernel = meta.get("kernelspec") if isinstance(meta.get("kernelspec"), dict) else {}
    language = str(info.get("name") or kernel.get("language") or "")
    starts = element_lines(text, ("cells",))
    offsets = [0, *(m.end() for m in re.finditer("\n", text))]
    lines: list[str] = []
    line_numbers: list[int] = []  # the line of the file each line of the text is on

    def put(line: str, at: int) -> None:
        lines.append(line)
        line_numbers.append(at)

    for n, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("markdown", "code"):
            continue
        source = cell.get("source", "")
        parts = source if isinstance(source, list) else [source]
        body = "".join(p for p in parts if isinstance(p, str))
        if not body.strip():
            continue
        own, at = _placed(body, parts, _source_lines(text, offsets, starts, n, len(parts)))
        if lines:
            put("", at[0])
        if cell["cell_type"] == "code":
            fence = fence_for(body)
            put(fence + language, at[0])
            for line, line_at in zip(own, at, strict=True):
                put(line, line_at)
            put(fence, at[-1])
            # Its outputs below it, at its last line: Jupyter writes them above the source in the
            # file, and a passage's lines must run forward
            for markdown, out in _outputs(cell):
                out_lines = "".join(out).rstrip("\n").split("\n")[:MAX_OUTPUT_LINES]
                fence = "" if markdown else fence_for("\n".join(out_lines))
                for line in ["", *([fence] if fence else []), *out_lines, *([fence] if fence else [])]:
                    put(line, at[-1])
        else:
            for line, line_at in zip(own, at, strict=True):
                put(line, line_at)
    body = entities(shown("\n".join(lines)))  # raw HTML in Markdown cells as a rendered notebook shows it
    if not body.strip():
        stats.skipped.append(Skip(given, None, "no text in the notebook (no Markdown or code cells with text)"))
        return
    anchors: list[tuple[int, int]] = []
    size = 0
    for line, at in zip(body.split("\n"), line_numbers, strict=True):  # the same lines, not the same lengths
        if not anchors or anchors[-1][1] != at:
            anchors.append((size, at))
        size += len(line) + 1
    authors = meta.get("authors")
    names = [a.get("name") if isinstance(a, dict) else a for a in authors] if isinstance(authors, list) else []
    title = meta.get("title") if isinstance(meta.get("title"), str) else None
    title = title or markdown_title(body, absolute)
    rec = {"title": title, "author": ", ".join(str(x) for x in names if x) or None, "date": name_date(absolute),
           "metadata": {"language": language} if language else {}}
    article = article_from(rec, given, absolute, 0, body, title, anchors[0][1], lines_mapped=True, markup="markdown")
    yield dataclasses.replace(article, line_anchors=tuple(anchors))


def _placed(body: str, parts: list, where: list[int]) -> tuple[list[str], list[int]]:
    """A cell's lines and the line of the file each is on: a line of the source's own at its
    line; a string holding several lines (a notebook written by another tool) keeps them all on
    its one."""
    own = body.rstrip("\n").split("\n")
    at = [where[min(i, len(where) - 1)] for i in _part_of_line(parts, len(own))] if where else [1] * len(own)
    return own, at


def _outputs(cell: dict) -> Iterator[tuple[bool, list[str]]]:
    """A code cell's outputs with text, as (whether Markdown, their text in parts): what it
    printed (not to stderr: warnings) and the text of its results and displays (Markdown, else
    plain text: a table's text, not its HTML); not errors or pictures. A log's colours are left
    out, and of a line a progress bar rewrote (``\\r``) its last state is kept."""
    outputs = cell.get("outputs")
    for output in outputs if isinstance(outputs, list) else ():
        if not isinstance(output, dict):
            continue
        data = output.get("data") if isinstance(output.get("data"), dict) else {}
        mime = next((m for m in ("text/markdown", "text/plain") if m in data), None)
        if output.get("output_type") == "stream" and output.get("name") == "stdout":
            value, markdown = output.get("text"), False
        elif output.get("output_type") in ("execute_result", "display_data") and mime:
            value, markdown = data[mime], mime == "text/markdown"
        else:
            continue
        parts = [_ANSI.sub("", p).rstrip("\n").split("\r")[-1] + "\n" * p.endswith("\n")
                 for p in (value if isinstance(value, list) else [value]) if isinstance(p, str)]
        if "".join(parts).strip():
            yield markdown, parts


def _source_lines(text: str, offsets: list[int], starts: list[int], n: int, parts: int) -> list[int]:
    """The line of the file each element of cell ``n``'s source list starts on ([] if not found).
    ``offsets``: where each line of the file starts; ``starts``: the line each cell starts on."""
    if n >= len(starts):
        return []
    begin = offsets[starts[n] - 1]
    end = offsets[starts[n + 1] - 1] if n + 1 < len(starts) else len(text)
    found = element_lines(text[begin:end], ("source",))
    if not found:  # a source written as one string (or a cell sharing its line): that line
        at = text.find('"source"', begin, end)
        return [text.count("\n", 0, at) + 1] if at >= 0 else [starts[n]]
    return [starts[n] - 1 + line for line in found][:parts]


def _part_of_line(parts: list, count: int) -> list[int]:
    """For each of the ``count`` lines of a cell's source, the element of its list it is in."""
    out, element = [], 0
    for i, part in enumerate(parts):
        if not isinstance(part, str):
            continue
        pieces = part.count("\n") + (0 if part.endswith("\n") else 1)
        out += [i] * max(pieces, 0)
        element = i
    return (out + [element] * count)[:count]
