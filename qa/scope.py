"""Which indexed articles a write covers: paths given, files to read again, and what is refused
before anything changes."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence

from .catalog import Catalog
from .errors import InputError
from .filestamps import FileStamps
from .readers import EXTENSIONS
from .summaries import ignored_kinds
from .walk import ReadStats


def refuse_unknown_paths(given: Sequence[str], roots: Sequence[str], indexed: list[str]) -> None:
    """A path that does not exist is a typo unless the index holds articles from it (then the
    folder was removed, and the update removes its articles): refused before anything is read."""
    missing = [g for g, r in zip(given, roots, strict=True) if not os.path.exists(r)]
    unknown = [g for g in missing if not any(in_roots(p, [os.path.abspath(g)]) for p in indexed)]
    if unknown:
        raise InputError(f"no such file or directory: {', '.join(map(str, unknown))} (and the index holds "
                         "nothing from there); check the path. Nothing was changed.")


def refuse_not_indexed(given: Sequence[str], roots: Sequence[str], indexed: list[str]) -> None:
    """Removing a path the index holds nothing from is a typo, or the wrong index."""
    unknown = [g for g, r in zip(given, roots, strict=True) if not any(in_roots(p, [r]) for p in indexed)]
    if unknown:
        raise InputError(f"the index holds no article from {', '.join(map(str, unknown))}; `qa info` lists "
                         "the files it holds articles from. Nothing was changed.")


def orphaned_duplicates(catalog: Catalog, existing: list[tuple], going: set[int], read: set[str],
                        in_scope: Callable[[str], bool], stamps: FileStamps,
                        one_per_file: bool) -> list[tuple[str, str, bool]]:
    """(path as given, absolute path, one article per file) of the files outside the scope, not
    read, that hold a duplicate of an article about to be removed."""
    going_ids = {row[1] for row in existing if row[0] in going}
    found = []
    for path, rows in catalog.duplicates_by_path().items() if going_ids else ():
        if (path in read or in_scope(path) or not os.path.exists(path)
                or not any(row[1] in going_ids for row in rows)):
            continue
        given, per_file = stamps.read_as(path) or (rows[0][2], one_per_file)
        found.append((given if os.path.abspath(given) == path else path, path, per_file))
    return found


def refuse_nothing_read(read: int, files: int, stats: ReadStats, paths: Sequence[str],
                        new_index: bool) -> None:
    """Every given file failed (or, for a new index, none held an article): a mistake to report,
    not an index to publish, so a script sees the failure and the index stays as it was.
    ``read`` and ``files``: the articles and files found under ``paths``."""
    if read:
        return
    # A folder that was removed is no failure: an update removes its articles. A new index from
    # paths that could not be read (a pipe given) says why.
    if files or (new_index and stats.skipped):
        shown = "; ".join(map(str, stats.skipped[:3])) + ("; ..." if len(stats.skipped) > 3 else "")
        raise InputError(f"no article could be read from {', '.join(map(str, paths))}: {shown}. "
                         "Fix or remove those files. Nothing was changed.")
    if new_index:
        raise InputError(f"found no article files in {', '.join(map(str, paths))} ({stats.ignored_files} "
                         f"files ignored{ignored_kinds(stats.ignored.items())}; read are {' '.join(EXTENSIONS)}, "
                         "an .xml file only if it is a feed); nothing was indexed")


def in_roots(path: str, roots: Sequence[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)
