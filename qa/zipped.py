"""Documents that are zip packages (.docx, .odt, .epub): why one cannot be opened, before it is."""

from __future__ import annotations

import zipfile

from .types import Skip

# The password-protected Office file and the Word 97-2003 file are OLE compound files, not zips.
OLE = b"\xd0\xcf\x11\xe0"


def refused(absolute: str, kind: str, ext: str, limit: int) -> str | None:
    """Why the file is no ``kind`` package to open (empty, not a zip, unpacking past ``limit``
    bytes: a zip bomb is refused by its members' sizes, before anything is unpacked), or None."""
    try:
        with open(absolute, "rb") as fh:
            head = fh.read(8)
        if not head:
            return "empty file"
        if head.startswith(OLE) and ext in (".docx", ".odt", ".pptx", ".xlsx"):
            old = {".pptx": "PowerPoint 97-2003 deck", ".xlsx": "Excel 97-2003 workbook"}.get(ext, "Word 97-2003 document")
            return (f"a password-protected or {old} (not the {ext} format): "
                    f"save a copy as {ext} without a password to index it")
        if not zipfile.is_zipfile(absolute):
            return f"not {kind} ({ext} files are zip packages, and this is not one)"
        with zipfile.ZipFile(absolute) as z:
            unpacked = sum(m.file_size for m in z.infolist())
    except (OSError, zipfile.BadZipFile) as exc:
        return f"cannot read: {getattr(exc, 'strerror', None) or exc}"
    if unpacked > limit:
        return f"file too large ({unpacked / 2**20:.1f} MB unpacked, limit {limit / 2**20:.1f} MB)"
    return None


def skipped(given: str, absolute: str, stats, kind: str, ext: str, limit: int) -> bool:
    """Whether the file is refused (:func:`refused`): if so, the reason is in ``stats``."""
    why = refused(absolute, kind, ext, limit)
    if why:
        stats.skipped.append(Skip(given, None, why))
        if why.startswith("cannot read"):
            stats.unread.add(absolute)
    return why is not None


def opendocument_refused(z: zipfile.ZipFile, kind: str, noun: str) -> str | None:
    """Why an OpenDocument package (an .odt, an .ods) is not read: it has no ``content.xml``, or
    its parts are encrypted; None when it can be. ``kind``: "text"; ``noun``: "document"."""
    names = set(z.namelist())
    if "content.xml" not in names:
        return f"not an OpenDocument {kind} (no content.xml in it)"
    if b"encryption-data" in (z.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""):
        return f"the {noun} is password-protected (save a copy without a password to index it)"
    return None
