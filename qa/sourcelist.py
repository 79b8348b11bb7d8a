"""The sources ``qa info`` and the web page's Library list: each file while there are few, their
folders when there are many."""

from __future__ import annotations

import os
from collections.abc import Sequence

SHOWN = 40  # lines; a library of thousands of files is listed by folder


def grouped(sources: Sequence[tuple[str, int]], limit: int = SHOWN) -> list[tuple[str, int, int]]:
    """(source or folder, articles, files) in the order of ``sources``: every file when there are
    at most ``limit``, else the files grouped by their folders at the deepest level that gives at
    most ``limit`` lines (a folder ends with ``/``; a file above that level stays a file)."""
    depth = folder_depth([source for source, _ in sources], limit)
    groups: dict[str, list[int]] = {}
    for source, n in sources:
        counts = groups.setdefault(group_of(source, depth), [0, 0])
        counts[0] += n
        counts[1] += 1
    return [(key, articles, files) for key, (articles, files) in groups.items()]


def folder_depth(sources: Sequence[str], limit: int = SHOWN) -> int | None:
    """How many of a path's parts name the folders :func:`grouped` lists (None: every file)."""
    if len(sources) <= limit:
        return None
    parts = [source.replace("\\", "/").split("/") for source in sources]
    deepest = max(len(p) for p in parts) - 1
    for depth in range(deepest, 0, -1):
        if len({_key(p, depth) for p in parts}) <= limit or depth == 1:
            return depth
    return None  # one component each: nothing to group by


def group_of(source: str, depth: int | None) -> str:
    """The folder (ending ``/``) that lists ``source`` at ``depth``, or the source itself."""
    return source if depth is None else _key(source.replace("\\", "/").split("/"), depth)


def _key(parts: list[str], depth: int) -> str:
    return "/".join(parts[:depth]) + "/" if len(parts) > depth else "/".join(parts)


def folder_rows(rows: Sequence[tuple[str, int, str | None, str | None, str]], depth: int
                ) -> list[tuple[str, int, int, str | None, str | None, str]]:
    """The Library's rows (source, articles, first and last date, first title) by folder at
    ``depth``: (folder or file, articles, files, first date, last date, first title)."""
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(group_of(row[0], depth), []).append(row)
    return [(key, *summed(members)) for key, members in groups.items()]


def summed(rows: Sequence[tuple[str, int, str | None, str | None, str]]
           ) -> tuple[int, int, str | None, str | None, str]:
    """Library rows as one: articles, files, the earliest and latest date, the first title."""
    return (sum(r[1] for r in rows), len(rows), min((r[2] for r in rows if r[2]), default=None),
            max((r[3] for r in rows if r[3]), default=None), rows[0][4])


Row = tuple[str, int, str | None, str | None, str]  # source, articles, first and last date, first title


def library_rows(sources: Sequence[Row], missing: set[str], uploads: str, find: str = "", limit: int = 1000,
                 titled: set[str] = frozenset()) -> list[Row]:
    """The web page's Library: ``sources`` whose path or first title holds ``find`` (any case), or
    that are ``titled`` (an article of theirs has a title that holds it: a story in a long file);
    over ``limit`` of them a row a folder (its source ends ``/ (N files)``, a click removes it
    whole); else a row a file, an unpacked upload's files under a row of their own (the archive,
    ``uploads`` being the uploads folder's path with its separator) and a file in ``missing``
    said to be gone.
    """
    if find := find.strip().lower():
        sources = [row for row in sources
                   if find in row[0].lower() or find in (row[4] or "").lower() or row[0] in titled]
    depth = folder_depth([row[0] for row in sources], limit)
    if depth is not None:
        return [(key + (f" ({files:,} files)" if key.endswith("/") else ""), n, first, last, title)
                for key, n, files, first, last, title in folder_rows(sources, depth)]

    def archive_of(src: str) -> str | None:
        rest = src[len(uploads):] if src.startswith(uploads) else ""
        return uploads + rest.split(os.sep, 1)[0] + os.sep if os.sep in rest else None

    held: dict[str, list] = {}
    for row in sources:
        if folder := archive_of(row[0]):
            held.setdefault(folder, []).append(row)
    rows: list[Row] = []
    for src, n, first, last, title in sources:
        folder = archive_of(src)
        if folder in held:
            articles, files, start, end, name = summed(held.pop(folder))
            rows.append((f"{folder} (uploaded archive, {files} file{'s' * (files != 1)})", articles, start, end, name))
        rows.append((src + (" (file not found)" if src in missing else ""), n, first, last, title))
    return rows
