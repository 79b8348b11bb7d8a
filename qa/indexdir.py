"""The index directory: a manifest pointing at one complete generation of files.

Layout::

    index/default/
      manifest.json        format, model, dimension, settings, counts, and the live generation
      gen-000007/          catalog.sqlite, sentences-*.bin, passages.faiss, articles.faiss, lexical.*
      .write.lock          held by the one process writing

A write builds ``gen-N.tmp/`` from a copy of the live generation (the catalog is copied only
once something is written to it; segments of sentence vectors, never written again, are linked),
renames it to ``gen-N`` and then replaces ``manifest.json`` atomically. A crash at any point
leaves the old manifest and its generation untouched; leftovers are removed by the next writer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
from typing import Any

from .errors import IndexCorruptError, IndexLockedError, IndexMismatchError, IndexNotFoundError, InputError
from .segments import link_or_copy, segment_number

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CATALOG = "catalog.sqlite"
PASSAGE_VECTORS = "passages.faiss"
ARTICLE_VECTORS = "articles.faiss"
LOCK = ".write.lock"
UPLOADS = "uploads"  # articles added through the web UI live inside their index folder
UNPACKED = "unpacked"  # the archives named to `qa index`, each unpacked into a folder (qa.unpacked)
# Each write makes these anew from the old generation's files (read in place), so they are not copied.
REWRITTEN = ("lexical.", "passages.ivfdata", "passages.trained.faiss", "articles.ivfdata",
             "articles.trained.faiss")
_GEN = re.compile(r"^gen-(\d{6})(\.tmp)?$")
_LIVE = re.compile(r"^gen-\d{6}$")


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def looks_like_index(path: str) -> bool:
    """Whether the folder ``path`` is an index (a writer's lock, or a manifest beside a generation),
    so a walk over articles can leave its catalog, vocabulary and model export alone."""
    if os.path.exists(os.path.join(path, LOCK)):
        return True
    if not os.path.isfile(os.path.join(path, MANIFEST)):
        return False
    try:
        return any(_GEN.match(name) for name in os.listdir(path))
    except OSError:
        return False


# What an index folder holds, whole or left by an interrupted first build (and hidden files: a
# folder made in Finder has its .DS_Store).
_OWN = re.compile(r"^(?:manifest\.json|files\.sqlite.*|gen-\d{6}(?:\.tmp)?|models|journal|uploads|unpacked|\..*)$")


def refuse_a_foreign_folder(path: str) -> None:
    """A new index goes into a new or empty folder (or one its interrupted build left), never
    among other files: the articles' own folder given for the index would get its files mixed in."""
    if os.path.exists(path) and not os.path.isdir(path):
        raise InputError(f"{path} is a file, not a folder for an index: give a folder's path (a new one is made)")
    if not os.path.isdir(path) or os.path.exists(os.path.join(path, MANIFEST)):
        return
    others = sorted(name for name in os.listdir(path) if not _OWN.match(name))
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise InputError(f"{path} holds no index but other files ({shown}): give a new or empty folder "
                         "for the index, so that its files do not mix with them")


def read_manifest(directory: str) -> dict[str, Any]:
    path = os.path.join(directory, MANIFEST)
    if not os.path.exists(path):
        from .journal import pending

        hint = ""
        resumable = pending(directory)
        if resumable:
            hint = (f" An interrupted first build left {resumable} embedded passages there;"
                    " run the same `qa index` again to resume it.")
        elif leftovers(directory):
            hint = (" An interrupted first build left partial files there; the next"
                    " `qa index` removes them.")
        raise IndexNotFoundError(
            f"no index at {directory} (no {MANIFEST}). Build one with: qa index PATH --index {directory}."
            + hint
        )
    try:
        with open(path, encoding="utf-8") as fh:
            manifest = json.load(fh)
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read {path}: {exc}. The index is damaged (its writes never leave it so): "
                                f"build it again, into a new folder or after deleting {directory}") from exc
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index {directory} has format version {version}; this article-qa reads version "
            f"{FORMAT_VERSION}. Rebuild it: qa index PATH --index {directory} (into a new folder)"
        )
    for key in ("model", "dimension", "generation"):
        if key not in manifest:
            raise IndexCorruptError(f"{path} lacks {key!r}; rebuild the index")
    # The manifest names a folder to open: only ever a generation folder inside this index.
    if not isinstance(manifest["generation"], str) or not _LIVE.match(manifest["generation"]):
        raise IndexCorruptError(f"{path} names an invalid generation {manifest['generation']!r}")
    if not isinstance(manifest["dimension"], int) or not 0 < manifest["dimension"] <= 65536:
        raise IndexCorruptError(f"{path} gives an invalid dimension {manifest['dimension']!r}")
    return manifest


def leftovers(directory: str) -> list[str]:
    """Folders an interrupted write left behind (removed by the next writer), sorted."""
    live = None
    try:
        with open(os.path.join(directory, MANIFEST), encoding="utf-8") as fh:
            live = json.load(fh).get("generation")
    except (OSError, ValueError, AttributeError):
        pass
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return sorted(n for n in names if _GEN.match(n) and n != live)


def remove_unpublished(directory: str) -> bool:
    """Remove a folder that a failed first build created, if nothing was ever published there
    and it holds no embedded passages to resume from (:mod:`qa.journal`).

    Only under the write lock, taken without waiting: another process writing there (one that
    raced to create the same new index) keeps its folder. The lock file goes last; filelock
    retries a lock taken on an unlinked file, so a waiter cannot end up writing beside another.
    Returns whether the folder was removed.
    """
    from filelock import FileLock, Timeout

    from .journal import pending

    lock_path = os.path.join(directory, LOCK)
    lock = FileLock(lock_path)
    try:
        lock.acquire(timeout=0)
    except (Timeout, OSError):
        return False
    try:
        if os.path.exists(os.path.join(directory, MANIFEST)) or pending(directory):
            return False
        for name in os.listdir(directory):
            if name != LOCK:
                target = os.path.join(directory, name)
                if os.path.isdir(target) and not os.path.islink(target):
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    os.remove(target)
        os.remove(lock_path)
        os.rmdir(directory)
        return True
    except OSError:
        return False
    finally:
        lock.release()


def check_model(manifest: dict[str, Any], model: str | None, dim: int | None, where: str) -> None:
    if model is not None and model != manifest["model"]:
        raise IndexMismatchError(
            f"index {where} was built with model {manifest['model']!r}, not {model!r}. "
            f"Open it without --model, or build a new index into another folder."
        )
    if dim is not None and dim != manifest["dimension"]:
        raise IndexMismatchError(
            f"index {where} holds {manifest['dimension']}-dimensional vectors but the model gives "
            f"{dim}; rebuild the index with this model into another folder."
        )


def check_backend(manifest: dict[str, Any], backend: str | None, where: str) -> None:
    """A write embeds with the backend that made the index's vectors: int8 and fp32 vectors of
    the same model differ a little, and an index holding both could say which it is of neither."""
    from .embedder import BACKENDS  # a custom embedder object has none of these: not compared

    built = manifest.get("backend", "torch")  # indexes from before backends: torch
    if backend in BACKENDS and built in BACKENDS and backend != built:
        raise IndexMismatchError(
            f"index {where} holds vectors made with the {built} backend; embedding with {backend} "
            f"would mix the two. Update it with --backend {built} (or none); to re-embed with "
            f"{backend}, build into a new folder. Questions may use another backend: "
            f"qa ask --backend {backend} --index {where}."
        )


def generation_dir(directory: str, manifest: dict[str, Any]) -> str:
    path = os.path.join(directory, manifest["generation"])
    if not os.path.isdir(path):
        raise IndexCorruptError(f"{path} named by the manifest is missing; rebuild the index")
    return path


def _fsync_dir(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(path: str) -> None:
    for name in os.listdir(path):
        with open(os.path.join(path, name), "rb") as fh:
            os.fsync(fh.fileno())
    _fsync_dir(path)


LOCK_WAIT = 30.0  # seconds a write waits for another process's to finish


def write_lock(directory: str, timeout: float = LOCK_WAIT):
    """The index's write lock (a ``filelock.FileLock``), acquired; the caller releases it.

    Raises:
        IndexLockedError: another process held it for ``timeout`` seconds.
    """
    from filelock import FileLock, Timeout

    os.makedirs(directory, exist_ok=True)
    lock = FileLock(os.path.join(directory, LOCK))
    try:
        lock.acquire(timeout=timeout)
    except Timeout as exc:
        raise IndexLockedError(
            f"another process is writing to {directory} (waited {timeout:.0f} s); "
            "try again when it has finished"
        ) from exc
    return lock


class Writer:
    """Exclusive write access to an index directory, publishing one new generation.

    Use as a context manager; call :meth:`publish` to make the new generation live. Leaving the
    block without publishing discards the work and leaves the index as it was.
    """

    def __init__(self, directory: str, lock_timeout: float = LOCK_WAIT) -> None:
        self.directory = directory
        self._lock_timeout = lock_timeout
        self.previous: dict[str, Any] | None = None
        self.work = ""
        self.old = ""  # the live generation's directory, if any: read-only
        self.stale_removed: list[str] = []

    def __enter__(self) -> Writer:
        self._lock = write_lock(self.directory, self._lock_timeout)
        try:
            if os.path.exists(os.path.join(self.directory, MANIFEST)):
                self.previous = read_manifest(self.directory)
            self._clean_stale()
            number = int(self.previous["generation"][4:]) + 1 if self.previous else 1
            self.generation = f"gen-{number:06d}"
            self.work = os.path.join(self.directory, self.generation + ".tmp")
            os.makedirs(self.work)
            if self.previous:
                self.old = generation_dir(self.directory, self.previous)
                for name in os.listdir(self.old):
                    if segment_number(name) is not None:  # never written again: shared
                        link_or_copy(os.path.join(self.old, name), os.path.join(self.work, name))
                    elif not name.startswith(REWRITTEN) and name != CATALOG:  # see catalog_source
                        shutil.copyfile(os.path.join(self.old, name), os.path.join(self.work, name))
        except BaseException:
            self._lock.release()
            raise
        return self

    def _clean_stale(self) -> None:
        live = self.previous["generation"] if self.previous else None
        for name in os.listdir(self.directory):
            if _GEN.match(name) and name != live:
                shutil.rmtree(os.path.join(self.directory, name), ignore_errors=True)
                self.stale_removed.append(name)
        tmp = os.path.join(self.directory, MANIFEST + ".tmp")
        if os.path.exists(tmp):
            os.remove(tmp)

    def path(self, name: str) -> str:
        return os.path.join(self.work, name)

    @property
    def catalog_source(self) -> str | None:
        """The live catalog, for :class:`qa.catalog.Catalog` to copy on its first write (an
        update that changes nothing then copies nothing); ``publish`` copies it if none was."""
        return os.path.join(self.old, CATALOG) if self.old else None

    def publish(self, manifest: dict[str, Any]) -> None:
        if self.catalog_source and not os.path.exists(self.path(CATALOG)):
            shutil.copyfile(self.catalog_source, self.path(CATALOG))
        _fsync_tree(self.work)
        final = os.path.join(self.directory, self.generation)
        os.rename(self.work, final)
        manifest = {**manifest, "format_version": FORMAT_VERSION, "generation": self.generation}
        tmp = os.path.join(self.directory, MANIFEST + ".tmp")
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=2, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, os.path.join(self.directory, MANIFEST))
        _fsync_dir(self.directory)
        self.work = ""
        if self.previous:
            # Readers that opened the old generation keep their open files (POSIX unlink).
            shutil.rmtree(os.path.join(self.directory, self.previous["generation"]), ignore_errors=True)

    def __exit__(self, *exc) -> None:
        try:
            if self.work and os.path.isdir(self.work):
                shutil.rmtree(self.work, ignore_errors=True)
        finally:
            self._lock.release()


def disk_bytes(path: str) -> int:
    """Bytes of the files under ``path``; a file a writer removes meanwhile (an old generation) counts 0."""
    size = 0
    for root, _, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                size += os.path.getsize(os.path.join(root, name))
    return size
