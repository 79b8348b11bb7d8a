"""Uploaded files: copied into the index's uploads folder under names that cannot leave it."""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from collections.abc import Callable

from .errors import QAError
from .readers import EXTENSIONS
from .tweets import POSTS
from .types import BZIPPED, GZIPPED
from .walk import is_mailbox


def safe_name(name: str, mailbox: bool = False) -> str:
    """A file name that cannot leave the uploads folder: no separators, dots or odd characters.
    ``mailbox``: the file is a mailbox (Thunderbird's ``Inbox`` has no extension): ``.mbox``."""
    stem, ext = _split(os.path.basename(unicodedata.normalize("NFC", name).replace("\\", "/")))
    # Letters and digits of any script stay ("Über uns", "議事録": the name a reference shows)
    stem = re.sub(r"[^\w-]+", "_", stem).strip("_.")[:80]
    while len(stem.encode()) > 200:  # a file name is at most 255 bytes
        stem = stem[:-1]
    stem = stem or "upload"
    if ext.lower() in EXTENSIONS or POSTS.search(stem + ext):  # an X archive's tweets.js too
        return stem + ext.lower()
    return stem + (".mbox" if mailbox else ".txt")


def _split(name: str) -> tuple[str, str]:
    """A name's stem and extension, a compressed kind's whole: ``dump`` and ``.jsonl.gz``."""
    if compound := next((e for e in GZIPPED + BZIPPED if name.lower().endswith(e)), None):
        return name[:-len(compound)], compound
    return os.path.splitext(name)


def store_uploads(paths: list[str], folder: str) -> list[str]:
    """Copy uploaded files into ``folder`` under safe, unique names; returns the new paths."""
    os.makedirs(folder, exist_ok=True)
    stored = []
    for src in paths:
        name = safe_name(os.path.basename(src), mailbox=is_mailbox(src))
        stem, ext = _split(name)
        dst, n = os.path.join(folder, name), 1
        while os.path.exists(dst):
            n += 1
            dst = os.path.join(folder, f"{stem}-{n}{ext}")
        real = os.path.realpath(dst)
        if os.path.dirname(real) != os.path.realpath(folder):  # belt and braces
            raise QAError(f"refusing to write outside the uploads folder: {name!r}")
        shutil.copyfile(src, real)
        stored.append(real)
    return stored


def unkept(stored: list[str], skipped, holds: Callable[[str], bool]) -> list[str]:
    """Uploaded files that could not be read at all are deleted from the uploads folder (they are
    its copies; the user's files are where they were), so that later uploads do not name them
    again; the lines that say so. ``holds(path)``: whether the index holds articles from the
    file, as it does from one whose reader said what it left out (a dump's redirects)."""
    names = []
    said = {os.path.realpath(s.path) for s in skipped if s.line is None}.intersection(stored)
    for path in sorted(p for p in said if not holds(os.path.abspath(p))):
        try:
            os.remove(path)
            names.append(os.path.basename(path))
        except OSError:
            continue
    return [f"not kept in the uploads folder, as they could not be read: {', '.join(sorted(names))}"] if names else []
