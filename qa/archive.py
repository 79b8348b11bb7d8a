"""A ``.zip`` upload unpacked into the uploads folder, its folders kept.

Exports come zipped: Slack's (``users.json`` beside one folder per channel), Notion's, Google
Takeout's, Substack's. Uploaded file by file, an export loses the folders its reader needs (a
Slack message names its writer from the ``users.json`` above its channel folder) and a person
has to pick hundreds of files. An archive is unpacked into a folder of its own under safe names,
only the files of kinds that are read, within limits on size and count, into a hidden folder
first: a failed or interrupted unpacking leaves nothing the next walk would read.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import uuid
import zipfile
from collections import Counter
from dataclasses import dataclass, field

from .errors import InputError
from .walk import EXTENSIONS

MAX_BYTES = 4 << 30  # unpacked, all files together
MAX_FILES = 200_000
_UNSAFE = re.compile(r"[^\w\-. ()]+")
_JUNK = ("__MACOSX",)  # the resource forks macOS's Archive Utility adds beside every file


@dataclass(frozen=True)
class Unpacked:
    """What :func:`unpack` wrote."""

    folder: str  # the archive's folder under the uploads folder
    files: int  # files written, of kinds that are read
    left: dict[str, int] = field(default_factory=dict)  # files not written, by kind (".png": 12)

    def line(self, name: str) -> str:
        from .types import ignored_kinds

        left = sum(self.left.values())
        return (f"{name}: unpacked {self.files} file{'s' * (self.files != 1)} into {self.folder}"
                + (f"; {left} left in the archive{ignored_kinds(self.left.items())}" if left else ""))


def unpack(archive: str, uploads: str, name: str | None = None, max_bytes: int = MAX_BYTES,
           max_files: int = MAX_FILES) -> Unpacked:
    """Unpack the files of ``archive`` that are read into a new folder under ``uploads`` named
    after it (``name``, else the archive's file name); an existing folder of that name is kept
    and the new one numbered (``export-2``), as uploaded files are.

    Raises:
        InputError: the file is no zip archive, is damaged, or unpacks beyond the limits; then
            nothing is left behind.
    """
    stem = _component(os.path.splitext(os.path.basename(name or archive))[0]) or "archive"
    os.makedirs(uploads, exist_ok=True)
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


def _extract(archive: str, work: str, max_bytes: int, max_files: int) -> tuple[int, Counter[str]]:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{os.path.basename(archive)} is not a zip archive that can be read ({exc})") from exc
    left: Counter[str] = Counter()
    written = total = 0
    taken: set[str] = set()
    with zf:
        # Thunderbird's folders named with a dot (Project v1.2): known by the .msf beside them,
        # which is unpacked with them so that the walk knows them too
        members = {i.filename: i for i in zf.infolist()}
        dotted = {n for n in members if os.path.splitext(n.rsplit("/", 1)[-1])[1] and f"{n}.msf" in members
                  and _mailbox(zf, members[n])}
        dotted |= {f"{n}.msf" for n in dotted}
        for info in zf.infolist():
            if info.is_dir():
                continue
            parts = [p for p in re.split(r"[/\\]+", info.filename) if p not in ("", ".", "..")]
            base = parts[-1] if parts else ""
            kind = _kind(parts, info)
            if (kind == _NO_EXTENSION and _mailbox(zf, info)) or info.filename in dotted:
                kind = None  # Thunderbird's Inbox, Apple Mail's mbox
            if kind:
                left[kind] += 1
                continue
            if written >= max_files:
                raise InputError(f"{os.path.basename(archive)} holds more than {max_files:,} files to read; "
                                 "unpack it yourself and index its folder with `qa index`")
            path = _free(os.path.join(work, *map(_component, parts[:-1]), _component(base)), taken)
            try:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with zf.open(info) as src, open(path, "xb") as dst:
                    # Counted as read, not as the archive declares: a crafted header can lie.
                    while chunk := src.read(1 << 20):
                        total += len(chunk)
                        if total > max_bytes:
                            raise InputError(f"{os.path.basename(archive)} unpacks to more than "
                                             f"{max_bytes / (1 << 30):.1f} GiB; unpack it yourself and "
                                             "index its folder with `qa index`")
                        dst.write(chunk)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError,
                    OSError, EOFError) as exc:  # damaged, encrypted, an unknown compression
                raise InputError(f"cannot unpack {info.filename!r} from {os.path.basename(archive)}: {exc}") from exc
            written += 1
    return written, left


def _kind(parts: list[str], info: zipfile.ZipInfo) -> str | None:
    """Why a member is not unpacked (None: it is)."""
    if not parts or any(p in _JUNK for p in parts):
        return "macOS metadata (__MACOSX)"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "links"
    if any(p.startswith(".") for p in parts):
        return "hidden"
    ext = os.path.splitext(parts[-1])[1].lower()
    if not parts[-1].lower().endswith(EXTENSIONS):
        return ext or _NO_EXTENSION
    return None


_NO_EXTENSION = "without an extension"


def _mailbox(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    from .mail import is_mbox

    try:
        with zf.open(info) as fh:
            return is_mbox(fh.read(1024))
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):  # reported when unpacked
        return False


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
