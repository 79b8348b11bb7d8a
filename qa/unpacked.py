"""An archive named to ``qa index`` (or ``Library.build``/``update``): indexed as its folder.

Exports come zipped (Slack's, Google Takeout's, Notion's, Substack's; Takeout's also as .tgz):
a ``.zip``, ``.tar``, ``.tar.gz``/``.tgz``, ``.tar.bz2`` or ``.tar.xz``. The archive is unpacked
as the web page's uploads are (:func:`qa.archive.unpack`: only files of kinds that are read,
within limits, under safe names) into ``INDEX/unpacked/NAME``, and that folder is indexed in its
place, so references point at files a person can open. Each archive keeps its folder: the
archive's path, size and time are recorded beside it (``unpacked/.archives.json``), so naming it
again reads nothing new when it is unchanged, and when it changed (a newer export saved over
the old) it is unpacked again into a fresh folder that then takes the old one's place, and the
update adds, changes and removes articles as the new export has them. ``qa remove export.zip``
takes its articles out and deletes its folder.

Folders are unpacked and swapped under the index's write lock, which an update holds while it
reads them: a second ``qa index export.zip`` never replaces a folder another process is reading,
and two never race for one name. Under it, what a crash mid-unpack left (hidden
``.unpacking-*`` and ``.old-*`` folders) is deleted.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .archive import is_archive_name, unpack
from .errors import InputError
from .indexdir import LOCK_WAIT, write_lock
from .indexdir import UNPACKED as FOLDER
from .types import Skip

if TYPE_CHECKING:
    from .catalog import Catalog
    from .summaries import IndexSummary

REGISTRY = ".archives.json"
_WORK = (".unpacking-", ".old-", REGISTRY + ".")  # a crash's leftovers: staging, swapped out, registry


@dataclass
class Resolved:
    """``paths`` with each archive named in them replaced by its folder."""

    paths: list[str]
    lines: list[str] = field(default_factory=list)  # what unpacking did, to print before the summary
    skipped: list[Skip] = field(default_factory=list)  # archives that could not be unpacked
    folders: dict[str, str] = field(default_factory=dict)  # archive (as given) -> its folder

    def with_summary(self, summary: IndexSummary) -> IndexSummary:
        """The summary saying too what unpacking the archives named did, and which could not be."""
        if not self.lines and not self.skipped:
            return summary
        return dataclasses.replace(summary, unpacked=tuple(self.lines), skipped=(*self.skipped, *summary.skipped))


def is_archive(path: str) -> bool:
    return is_archive_name(os.fspath(path)) and os.path.isfile(path)


def resolve(paths: list[str], index: str) -> Resolved:
    """Unpack the archives in ``paths`` that are new or changed; give their folders in their place.

    An archive that cannot be unpacked is reported in ``skipped``: its folder from an earlier
    unpacking is indexed as it is (its articles are kept), and with none it is left out.

    Raises:
        InputError: nothing is left to index (every path was an archive that could not be unpacked).
        IndexLockedError: another process kept writing to the index for ``LOCK_WAIT`` seconds.
    """
    out = Resolved([])
    if not any(is_archive(os.fspath(p)) for p in paths):
        out.paths = [os.fspath(p) for p in paths]
        return out
    with _locked(index) as root:
        _resolve(paths, root, out)
    if not out.paths:
        raise InputError("nothing to index: " + "; ".join(f"{s.path}: {s.reason}" for s in out.skipped))
    return out


def _resolve(paths: list[str], root: str, out: Resolved) -> None:
    registry = _read(root)
    for given in map(os.fspath, paths):
        if not is_archive(given):
            out.paths.append(given)
            continue
        source = os.path.realpath(given)
        st = os.stat(source)
        name = next((n for n, e in registry.items() if e.get("archive") == source), None)
        folder = os.path.join(root, name) if name else None
        if folder and os.path.isdir(folder) and registry[name].get("stamp") == [st.st_size, st.st_mtime_ns]:
            out.lines.append(f"{given}: unchanged since it was unpacked into {folder}")
        else:
            try:
                done = _unpacked(given, root, name)
            except InputError as exc:
                if folder and os.path.isdir(folder):
                    out.skipped.append(Skip(given, None, f"{exc}; the articles unpacked from it before are kept"))
                else:
                    out.skipped.append(Skip(given, None, str(exc)))
                    continue
            else:
                name = os.path.basename(done.folder)
                folder = os.path.join(root, name)
                registry[name] = {"archive": source, "stamp": [st.st_size, st.st_mtime_ns]}
                _write(root, registry)
                out.lines.append(done.line(given).replace(done.folder, folder))
        out.paths.append(folder)
        out.folders[given] = folder


def for_removal(paths: list[str], index: str, catalog: Catalog) -> tuple[list[str], list[str]]:
    """The paths whose articles ``qa remove`` takes out, and the archives' folders it deletes
    after: an archive named to ``qa index`` stands for its folder; a path that names nothing
    the index holds from the current folder may be written as ``qa info`` lists sources (as
    given when indexed, from wherever that was): those files."""
    resolved, folders = [], []
    for given in map(os.fspath, paths):
        if is_archive_name(given) and (folder := folder_of(given, index)):
            folders.append(folder)
            given = folder
        as_listed = [] if catalog.holds(os.path.abspath(given)) else catalog.paths_of(given)
        resolved += as_listed or [given]
    return resolved, folders


def folder_of(archive: str, index: str) -> str | None:
    """The folder an archive was unpacked into for this index, if it was."""
    source = os.path.realpath(archive)
    root = os.path.join(index, FOLDER)
    name = next((n for n, e in _read(root).items() if e.get("archive") == source), None)
    return os.path.join(root, name) if name and os.path.isdir(os.path.join(root, name)) else None


def forget(folder: str, index: str) -> None:
    """Delete an archive's folder (its articles are out of the index) and its record."""
    with _locked(index) as root:
        registry = _read(root)
        registry.pop(os.path.basename(folder), None)
        _write(root, registry)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _locked(index: str) -> Iterator[str]:
    """The index's write lock held, a crash's leftovers cleared; gives the archives' folder."""
    lock = write_lock(index, LOCK_WAIT)
    try:
        root = os.path.join(index, FOLDER)
        for name in os.listdir(root) if os.path.isdir(root) else ():
            if name.startswith(_WORK):
                target = os.path.join(root, name)
                if os.path.isdir(target) and not os.path.islink(target):
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    os.remove(target)
        yield root
    finally:
        lock.release()


def _unpacked(given: str, root: str, name: str | None):
    """Unpack into a fresh folder beside the others, then put it where the archive's old one was
    (a crash in between leaves the old folder, or none: the next run unpacks again)."""
    staging = os.path.join(root, f".unpacking-{uuid.uuid4().hex}")
    try:
        done = unpack(given, staging, name=None)
        taken = set(_read(root)) | {n for n in os.listdir(root) if not n.startswith(".")}
        if name is None:  # a new archive: its file's name, numbered if another archive has it
            stem = os.path.basename(done.folder)
            name, n = stem, 1
            while name in taken:
                n += 1
                name = f"{stem}-{n}"
        target = os.path.join(root, name)
        old = os.path.join(root, f".old-{uuid.uuid4().hex}")
        if os.path.isdir(target):
            os.rename(target, old)
        os.rename(done.folder, target)
        shutil.rmtree(old, ignore_errors=True)
        return type(done)(target, done.files, done.left)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _read(root: str) -> dict[str, dict]:
    try:
        with open(os.path.join(root, REGISTRY), encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write(root: str, registry: dict[str, dict]) -> None:
    os.makedirs(root, exist_ok=True)
    tmp = os.path.join(root, f"{REGISTRY}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(registry, fh, indent=1)
    os.replace(tmp, os.path.join(root, REGISTRY))
