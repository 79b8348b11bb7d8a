"""An archive (``.zip``, or a ``.tar``, ``.tar.gz``, ``.tgz``...) unpacked into a folder, its folders kept.

Exports come zipped: Slack's (``users.json`` beside one folder per channel), Notion's, Google
Takeout's (or as a .tgz, Takeout's other choice), Substack's. Uploaded file by file, an export loses the folders its reader needs (a
Slack message names its writer from the ``users.json`` above its channel folder) and a person
has to pick hundreds of files. An archive is unpacked into a folder of its own under safe names,
only the files of kinds that are read, within limits on size and count, into a hidden folder
first: a failed or interrupted unpacking leaves nothing the next walk would read.
"""

from __future__ import annotations

import io
import lzma
import os
import re
import shutil
import stat
import tarfile
import time
import uuid
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from typing import IO

from .errors import InputError
from .tweets import KEPT
from .types import ARCHIVES
from .walk import EXTENSIONS

MAX_BYTES = 4 << 30  # unpacked, all files together
MAX_FILES = 200_000
_UNSAFE = re.compile(r"[^\w\-. ()]+")
_JUNK = ("__MACOSX",)  # the resource forks macOS's Archive Utility adds beside every file
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, tarfile.TarError, NotImplementedError, RuntimeError,
            OSError, EOFError, zlib.error, lzma.LZMAError)


def is_archive_name(name: str) -> bool:
    return name.lower().endswith(ARCHIVES)


def archive_stem(name: str) -> str:
    """The archive's file name without its extension, both parts of ``.tar.gz``."""
    base = os.path.basename(name)
    for ext in sorted(ARCHIVES, key=len, reverse=True):
        if base.lower().endswith(ext):
            return base[: -len(ext)]
    return os.path.splitext(base)[0]


@dataclass(frozen=True)
class Unpacked:
    """What :func:`unpack` wrote."""

    folder: str  # the archive's folder under the uploads folder
    files: int  # files written, of kinds that are read
    left: dict[str, int] = field(default_factory=dict)  # files not written, by kind (".png": 12)

    def line(self, name: str) -> str:
        from .summaries import ignored_kinds

        left = sum(self.left.values())
        return (f"{name}: unpacked {self.files} file{'s' * (self.files != 1)} into {self.folder}"
                + (f"; {left} left in the archive{ignored_kinds(self.left.items())}" if left else ""))


def unpack(archive: str, uploads: str, name: str | None = None, max_bytes: int = MAX_BYTES,
           max_files: int = MAX_FILES) -> Unpacked:
    """Unpack the files of ``archive`` that are read into a new folder under ``uploads`` named
    after it (``name``, else the archive's file name); an existing folder of that name is kept
    and the new one numbered (``export-2``), as uploaded files are.

    Raises:
        InputError: the file is no zip or tar archive, is damaged, or unpacks beyond the limits; then
            nothing is left behind.
    """
    stem = _component(archive_stem(name or archive)) or "archive"
    os.makedirs(uploads, exist_ok=True)
    _clear_stale(uploads)
    work = os.path.join(uploads, f".unpacking-{uuid.uuid4().hex}")
    try:
        written, left = _extract(archive, work, max_bytes, max_files)
        if not written:
            raise InputError(f"{name or archive} holds no file of a kind that is read "
                             f"({' '.join(EXTENSIONS)}); nothing was added")
        folder, n = os.path.join(uploads, stem), 1
        while os.path.lexists(folder):
            n += 1
            folder = os.path.join(uploads, f"{stem}-{n}")
        inside = os.listdir(work)
        # A folder zipped whole ("Local Folders.zip" holding "Local Folders/..."): its files,
        # not a folder of the same name inside the archive's
        top = os.path.join(work, inside[0]) if len(inside) == 1 else None
        same = top is not None and os.path.isdir(top) and not os.path.islink(top) and inside[0].lower() == stem.lower()
        os.rename(top if same else work, folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return Unpacked(folder, written, dict(left))


STALE = 24 * 3600  # seconds: an unpacking this old was cut short by a crash, not still running


def _clear_stale(uploads: str) -> None:
    """Delete what an unpacking cut short left (a hidden ``.unpacking-*`` folder a day old)."""
    now = time.time()
    for entry in os.scandir(uploads):
        if entry.name.startswith(".unpacking-") and entry.is_dir(follow_symlinks=False):
            with suppress(OSError):
                if now - entry.stat(follow_symlinks=False).st_mtime > STALE:
                    shutil.rmtree(entry.path, ignore_errors=True)


def _extract(archive: str, work: str, max_bytes: int, max_files: int) -> tuple[int, Counter[str]]:
    left: Counter[str] = Counter()
    written = total = 0
    taken: set[str] = set()
    current = None
    try:
        with _members(archive) as (names, members):
            # Thunderbird's folders named with a dot (Project v1.2): known by the .msf beside
            # them, which is unpacked with them so that the walk knows them too
            dotted = {n for n in names if os.path.splitext(n.rsplit("/", 1)[-1])[1] and f"{n}.msf" in names}
            for member in members:
                if member.is_dir:
                    continue
                current = member.name
                parts = [p for p in re.split(r"[/\\]+", member.name) if p not in ("", ".", "..")]
                base = parts[-1] if parts else ""
                kind = "links" if member.is_link else _kind(parts)
                if member.name.endswith(".msf") and member.name[:-4] in dotted:
                    kind = None
                sniff = kind == _NO_EXTENSION or (kind is not None and member.name in dotted)
                if kind and not sniff:
                    left[kind] += 1
                    continue
                with member.open() as src:
                    head = src.read(1024)
                    if sniff and not _is_mbox(head):  # Thunderbird's Inbox, Apple Mail's mbox are read
                        left[kind] += 1
                        continue
                    if written >= max_files:
                        raise InputError(f"{os.path.basename(archive)} holds more than {max_files:,} files to read; "
                                         "unpack it yourself and index its folder with `qa index`")
                    path = _free(os.path.join(work, *map(_component, parts[:-1]), _component(base)), taken)
                    os.makedirs(os.path.dirname(path), exist_ok=True)
                    with open(path, "xb") as dst:
                        # Counted as read, not as the archive declares: a crafted header can lie.
                        chunk = head
                        while chunk:
                            total += len(chunk)
                            if total > max_bytes:
                                raise InputError(f"{os.path.basename(archive)} unpacks to more than "
                                                 f"{max_bytes / (1 << 30):.1f} GiB; unpack it yourself and "
                                                 "index its folder with `qa index`")
                            dst.write(chunk)
                            chunk = src.read(1 << 20)
                written += 1
                current = None
    except _DAMAGED as exc:  # damaged, encrypted, an unknown compression
        what = f"{current!r} from " if current else ""
        raise InputError(f"cannot unpack {what}{os.path.basename(archive)}: {exc or type(exc).__name__}") from exc
    return written, left


@dataclass(frozen=True)
class _Member:
    name: str
    is_dir: bool
    is_link: bool  # or another file that is not a regular one (a device, a FIFO)
    open: Callable[[], IO[bytes]]


@contextmanager
def _members(archive: str) -> Iterator[tuple[set[str], Iterator[_Member]]]:
    """The archive's member names, then its members in order, a zip's or a tar's (compressed or
    not): a tar is read twice, once for its names and once streamed, never seeking back in it."""
    try:
        if zipfile.is_zipfile(archive):
            zf = zipfile.ZipFile(archive)
        elif tarfile.is_tarfile(archive):
            zf = None
        else:
            raise InputError(f"{os.path.basename(archive)} is not a zip or tar archive")
    except (zipfile.BadZipFile, OSError, tarfile.TarError) as exc:
        raise InputError(f"{os.path.basename(archive)} is not an archive that can be read ({exc})") from exc
    if zf is not None:
        with zf:
            yield set(zf.namelist()), (
                _Member(i.filename, i.is_dir(), stat.S_ISLNK(i.external_attr >> 16), partial(zf.open, i))
                for i in zf.infolist())
        return
    with tarfile.open(archive, "r:*") as tf:
        names = set(tf.getnames())
    with tarfile.open(archive, "r|*") as tf:
        yield names, (_Member(m.name, m.isdir(), not m.isfile() and not m.isdir(), partial(_tar_file, tf, m))
                      for m in tf)


def _tar_file(tf, member) -> IO[bytes]:
    return tf.extractfile(member) or io.BytesIO()


def _kind(parts: list[str]) -> str | None:
    """Why a member is not unpacked (None: it is)."""
    if not parts or any(p in _JUNK for p in parts):
        return "macOS metadata (__MACOSX)"
    if any(p.startswith(".") for p in parts):
        return "hidden"
    ext = os.path.splitext(parts[-1])[1].lower()
    if not parts[-1].lower().endswith(EXTENSIONS) and not KEPT.search(parts[-1]):  # an X archive's posts are read
        return ext or _NO_EXTENSION
    return None


_NO_EXTENSION = "without an extension"


def _is_mbox(head: bytes) -> bool:
    from .mail import is_mbox

    return is_mbox(head)


def _component(part: str) -> str:
    """One path component that stays one: no separators, no leading dots, no control characters."""
    safe = _UNSAFE.sub("_", part).strip(" .")[:120]
    return safe or "_"


def _free(path: str, taken: set[str]) -> str:
    """``path``, numbered when two members' safe names are the same."""
    stem, ext = os.path.splitext(path)
    n = 1
    while path.lower() in taken:
        n += 1
        path = f"{stem}-{n}{ext}"
    taken.add(path.lower())
    return path
