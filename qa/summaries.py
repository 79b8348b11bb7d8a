"""What a build or update reports (:class:`IndexSummary`) and what an index holds (:class:`IndexInfo`)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .types import Skip

if TYPE_CHECKING:
    from .walk import ReadStats


@dataclass(frozen=True)
class IndexSummary:
    """What a build or update did."""

    read: int
    embedded: int
    kept: int
    removed: int
    duplicates: int
    skipped: tuple[Skip, ...]
    files: int
    ignored_files: int
    passages: int
    changed: bool = True  # False: nothing differed, so no new generation was written
    kept_unread: int = 0  # articles kept as they were because their file could not be read
    legacy: tuple[tuple[str, str], ...] = ()  # (file, encoding) of files that were not UTF-8
    resumed: int = 0  # passages an interrupted run had embedded, taken from its journal
    relocated: int = 0  # kept articles that moved (file, line) or whose metadata changed
    unchanged_files: int = 0  # files an update found as they were (qa.filestamps), not opened
    resplit: int = 0  # of those embedded, unchanged articles a rebuild redid (an older version split them otherwise, or kept no tokens)
    dropped_duplicates: int = 0  # duplicates recorded for files that are gone or were removed
    kept_missing: int = 0  # articles of files not found, outside the paths looked at, left as they were
    ignored: tuple[tuple[str, int], ...] = ()  # (kind, count) of ignored_files: ("hidden", 2), (".png", 1)
    unpacked: tuple[str, ...] = ()  # what became of the .zip archives named (qa.unpacked)
    grown_files: int = 0  # mailboxes, JSON Lines files read only past where their last reading ended (qa.grown)
    noindex: tuple[str, ...] = ()  # pages met in a folder that ask not to be indexed, passed over (qa.pagemeta)

    def lines(self) -> list[str]:
        about = []  # nothing ignored, nothing unchanged: nothing said
        if self.unchanged_files:
            about.append(f"{self.unchanged_files} of them unchanged since they were indexed, so not opened")
        if self.grown_files:
            about.append("1 of them read on from where its last reading ended" if self.grown_files == 1 else
                         f"{self.grown_files} of them read on from where their last readings ended")
        if self.ignored_files:
            about.append(f"{_count(self.ignored_files, 'file')} ignored{ignored_kinds(self.ignored)}")
        out = [*self.unpacked,
            f"read {_count(self.read, 'article')} from {_count(self.files, 'file')}"
            + (f" ({'; '.join(about)})" if about else ""),
            f"embedded {self.embedded}"
            + (f" ({self.resplit} of them unchanged but split or embedded anew by this version)" if self.resplit else "")
            + f", kept {self.kept} unchanged"
            + (f" ({self.relocated} of them moved or with new metadata, not embedded again)"
               if self.relocated else "")
            + f", removed {self.removed}, "
            f"{_count(self.duplicates, 'duplicate')} indexed once",
            f"skipped {len(self.skipped)}" + (":" if self.skipped else ""),
        ]
        out += skip_lines(self.skipped)
        by_encoding: dict[str, list[str]] = {}
        for path, encoding in self.legacy:
            by_encoding.setdefault(encoding, []).append(path)
        for encoding, paths in by_encoding.items():
            out.append(f"not UTF-8, so read as {encoding} (convert them to UTF-8 if their text looks "
                       f"wrong): {_some(paths)}")
        if self.noindex:
            out.append(f"not indexed, as their site marks {_count(len(self.noindex), 'page')} noindex (print, contents "
                       f"and moved pages; name a file to index it): {_some(self.noindex)}")
        if self.resumed:
            out.append(f"resumed: {_count(self.resumed, 'passage')} embedded by an interrupted run "
                       f"{'was' if self.resumed == 1 else 'were'} reused")
        if self.kept_unread:
            out.append(f"kept {_count(self.kept_unread, 'article')} of files that could not be read, "
                       "as indexed before")
        if self.kept_missing:
            out.append(f"kept {_count(self.kept_missing, 'article')} of files that were not found, where this "
                       "update did not look (a drive not mounted?): `qa index` or `qa remove` their folder to drop them")
        out.append(f"index holds {_count(self.passages, 'passage')}"
                   + ("" if self.changed else " (nothing changed: the index was left as it was)"))
        return out

    def removal_lines(self, paths: Sequence[str]) -> list[str]:
        """What :meth:`Library.remove` did, for people."""
        out = [f"removed {_count(self.removed, 'article')}"
               + (f" and {_count(self.dropped_duplicates, 'duplicate')}" if self.dropped_duplicates else "")
               + f" read from {', '.join(map(str, paths))}"]
        if self.relocated:
            out.append(f"kept {_count(self.relocated, 'article')} whose text is also in a file elsewhere, "
                       "which was read again: the article now points there (not embedded again)")
        if self.embedded:
            out.append(f"indexed {_count(self.embedded, 'article')} of files elsewhere, read again: left out "
                       "before, as the articles removed had their ids")
        out += skip_lines(self.skipped)
        out.append(f"index holds {_count(self.passages, 'passage')}")
        return out


def ignored_kinds(kinds: Iterable[tuple[str, int]], shown: int = 6) -> str:
    """``: 2 hidden, 1 .png, 1 .xml not a feed`` (most first), or nothing when none was ignored."""
    ranked = sorted(kinds, key=lambda kc: (-kc[1], kc[0]))
    if not ranked:
        return ""
    words = [f"{n} {kind}" for kind, n in ranked[:shown]]
    if len(ranked) > shown:
        words.append(f"{sum(n for _, n in ranked[shown:])} of {len(ranked) - shown} other kinds")
    return ": " + ", ".join(words)


def skip_lines(skips: Sequence[Skip], alike: int = 3) -> list[str]:
    """A summary's skipped inputs, a line each (``  path:line: reason``), those skipped for one
    reason ``alike`` times or more under it once: a messy folder's forty CSV files of numbers
    repeated the reason's 150 characters forty times."""
    by_reason: dict[str, list[Skip]] = {}
    for s in skips:
        by_reason.setdefault(s.reason, []).append(s)
    out = []
    for s in skips:
        group = by_reason[s.reason]
        if len(group) < alike:
            out.append(f"  {s}")
        elif s is group[0]:
            out.append(f"  {s.reason} ({len(group)}):")
            out += [f"    {x.path}:{x.line}" if x.line else f"    {x.path}" for x in group]
    return out


def _some(paths: Sequence[str], shown: int = 5) -> str:
    return ", ".join(paths[:shown]) + (f" and {len(paths) - shown} more" if len(paths) > shown else "")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


@dataclass(frozen=True)
class IndexInfo:
    """What :meth:`Library.info` reports."""

    path: str
    model: str
    dimension: int
    index_kind: str
    ann: dict[str, Any]
    backend: str
    articles: int
    passages: int
    duplicates: int
    settings: dict[str, Any]
    format_version: int
    package_version: str
    created: str
    updated: str
    disk_bytes: int
    sources: tuple[tuple[str, int], ...]
    article_ann: dict[str, Any]  # the article vectors' approximate index ({}: exact)
    tags: tuple[tuple[str, int], ...] = ()  # each tag and its articles, most first
    authors: tuple[tuple[str, int], ...] = ()  # each author and their articles, most first
    model_bytes: int = 0  # of disk_bytes, the model files made for the index (models/: ONNX, int8)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def summary_of(read: int, embedded: int, kept: int, removed: int, duplicates: int, stats: ReadStats,
               passages: int, kept_unread: int, changed: bool = True, resumed: int = 0,
               relocated: int = 0, resplit: int = 0, dropped_duplicates: int = 0,
               kept_missing: int = 0) -> IndexSummary:
    """What a build or update did, from its counts and what reading found."""
    from .encoding import display_name

    return IndexSummary(read=read, embedded=embedded, kept=kept, removed=removed, duplicates=duplicates,
                        skipped=tuple(stats.skipped), files=stats.files,
                        ignored_files=stats.ignored_files, ignored=tuple(stats.ignored.items()),
                        passages=passages, changed=changed,
                        kept_unread=kept_unread,
                        legacy=tuple((p, display_name(stats.encodings[p])) for p in dict.fromkeys(stats.legacy)),
                        resumed=resumed, relocated=relocated, unchanged_files=len(stats.unchanged),
                        grown_files=len(stats.grown), noindex=tuple(stats.noindex),
                        resplit=resplit, dropped_duplicates=dropped_duplicates, kept_missing=kept_missing)
