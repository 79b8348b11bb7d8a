"""A document without lines (a Word or OpenDocument file) written as page text: a block a line.

A reader turns the document into blocks (paragraphs, headings, list items, table rows, code
lines), each with the number of the paragraph it is; :func:`written` writes them as an HTML
page's extracted text is written (markup "page": headings as Markdown's, tables as rows under
their rule, code fenced), with the offsets where each paragraph starts, its reference.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .markdown import fence_for, structural


@dataclass
class Block:
    kind: str  # "para", "heading", "item", "row", "code"
    text: str
    number: int  # its paragraph number: the reference
    level: int = 0  # a heading's, styled; 0: a bold paragraph's, the least
    header: bool = False  # a table's first row


def written(blocks: list[Block]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The text, a block a line, and (offset, paragraph number) where each paragraph starts; a
    heading of level 0 (a short paragraph in bold) is one level below the deepest styled one."""
    styled = [b.level for b in blocks if b.kind == "heading" and b.level]
    least = min(max(styled, default=0) + 1, 6)
    lines: list[str] = []
    anchors: list[tuple[int, int]] = []
    size = 0
    for i, b in enumerate(blocks):
        prev = blocks[i - 1].kind if i else None
        if b.kind == "code":
            if prev != "code":
                run = itertools.takewhile(lambda c: c.kind == "code", blocks[i:])
                lines.append(fence := fence_for("\n".join(c.text for c in run)))
                size += len(fence) + 1
        elif prev == "code":
            lines.append(fence)
            size += len(fence) + 1
        if b.kind == "heading":
            piece = "#" * (b.level or least) + " " + b.text
        elif b.kind == "para":
            # A paragraph that would read as a heading or fence is indented past it (qa.pdf)
            piece = "\n".join("    " + ln if structural(ln) else ln for ln in b.text.split("\n"))
        else:
            piece = b.text
        if not anchors or anchors[-1][1] != b.number:
            anchors.append((size, b.number))
        lines.append(piece)
        size += len(piece) + 1
        if b.header:
            rule = "|" + "---|" * b.text.count(" | ") + "---|"
            lines.append(rule)
            size += len(rule) + 1
    if blocks and blocks[-1].kind == "code":
        lines.append(fence)
    return "\n".join(lines), tuple(anchors)


def table_rows(reader, rows: Sequence, cell_texts: Callable[[object], list[str]]) -> list[Block]:
    """A table's rows as blocks ``| a | b |``, the first its header. ``reader.count`` (paragraphs
    so far) goes up by one for a row with text, whatever its cells hold: a row is a paragraph,
    as it is written. ``cell_texts``: a row's cells' texts (read by ``reader``, which counts)."""
    out: list[Block] = []
    for i, row in enumerate(rows):
        before = reader.count
        shown = cell_texts(row)
        reader.count = before + (reader.count > before)
        if reader.count > before:
            out.append(Block("row", "| " + " | ".join(c.replace("|", "/") for c in shown) + " |", reader.count,
                             header=not out and i == 0))
    return out


def enclosing(element, tag: str):
    """The nearest ancestor with this tag (the table a row or cell is of, not one nested in it)."""
    parent = element.getparent()
    while parent is not None and parent.tag != tag:
        parent = parent.getparent()
    return parent
