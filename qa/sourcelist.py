"""The sources ``qa info`` lists: each file while there are few, their folders when there are many."""

from __future__ import annotations

from collections.abc import Sequence

SHOWN = 40  # lines; a library of thousands of files is listed by folder


def grouped(sources: Sequence[tuple[str, int]], limit: int = SHOWN) -> list[tuple[str, int, int]]:
    """(source or folder, articles, files) in the order of ``sources``: every file when there are
    at most ``limit``, else the files grouped by their folders at the deepest level that gives at
    most ``limit`` lines (a folder ends with ``/``; a file above that level stays a file)."""
    if len(sources) <= limit:
        return [(source, n, 1) for source, n in sources]
    parts = [(source.replace("\\", "/").split("/"), n) for source, n in sources]
    deepest = max(len(p) for p, _ in parts) - 1
    for depth in range(deepest, 0, -1):
        groups: dict[str, list[int]] = {}
        for p, n in parts:
            key = "/".join(p[:depth]) + "/" if len(p) > depth else "/".join(p)
            counts = groups.setdefault(key, [0, 0])
            counts[0] += n
            counts[1] += 1
        if len(groups) <= limit or depth == 1:
            return [(key, articles, files) for key, (articles, files) in groups.items()]
    return [(source, n, 1) for source, n in sources]  # one component each: nothing to group by
