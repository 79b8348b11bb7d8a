"""Which files a walk over the user's paths reads, and the counters a read fills."""

from __future__ import annotations

import os
import re
import stat
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from . import slack
from .enex import ENEX
from .feeds import FEEDS, is_feed
from .indexdir import UNPACKED, UPLOADS, looks_like_index
from .jats import is_jats
from .mediawiki import WIKITEXT
from .subtitles import SUBTITLES
from .textlines import opened
from .tweets import is_posts
from .types import (
    ARCHIVES,
    BZIPPED,
    DOCX,
    EPUB,
    GZIPPED,
    MAIL,
    MARKDOWN,
    MHTML,
    MSG,
    NOTEBOOK,
    NXML,
    ODS,
    ODT,
    PAGES,
    PDF,
    PPTX,
    RTF,
    WEBARCHIVE,
    XLSX,
    Skip,
    is_page,
)

EXTENSIONS = (".txt", *GZIPPED, *BZIPPED, *MARKDOWN, *WIKITEXT, *SUBTITLES, ".jsonl", ".json", ".csv", ".tsv", *PAGES, *MHTML, WEBARCHIVE, NXML, NOTEBOOK, PDF, DOCX, ODT, PPTX, RTF, EPUB, *MAIL, MSG, *FEEDS, ENEX, *XLSX, ODS)
# Word processors' other formats: what makes them readable
_XML = (".xml", ".xml.gz", *BZIPPED)  # read only when a feed, a journal article or a wiki's dump
_SAVE_AS = dict.fromkeys((".doc", ".wpd"), " (save as .docx)") | {
    ".pages": " (export as .docx)", ".mobi": " (convert to .epub)", ".azw3": " (convert to .epub)",
    ".ppt": " (save as .pptx)", ".key": " (export as .pptx)", ".xls": " (save as .xlsx)",
    ".numbers": " (export as .xlsx)"}
# The folder a browser saves beside a page ("Save page as... complete"): its scripts, styles,
# images and embedded frames, not articles. Named after the page, in the browser's language.
_SAVED_PAGE_FILES = re.compile(r"(.+)[_-](files|dateien|fichiers|archivos|file|bestanden|arquivos|pliki|filer)",
                               re.I)


@dataclass
class ReadStats:
    """Counters filled while reading."""

    files: int = 0
    # Files named (on the command line, or picked in the web UI: an index's uploads/), not met
    # in a folder; and the pages met in one that ask not to be indexed, passed over (qa.pagemeta).
    named: set[str] = field(default_factory=set)
    noindex: list[str] = field(default_factory=list)
    # Files (and folders) passed over, by kind: "hidden", ".png", "in an index folder"...
    ignored: Counter[str] = field(default_factory=Counter)
    skipped: list[Skip] = field(default_factory=list)
    seen_paths: set[str] = field(default_factory=set)
    # Files that exist but could not be read to the end (I/O error, reader failure): an update
    # keeps the articles it indexed from them before, since it cannot tell which are gone.
    unread: set[str] = field(default_factory=set)
    # Files with text that is not UTF-8 (reported, so a wrong guess is seen), and the legacy
    # encoding each was read in (qa.encoding).
    legacy: list[str] = field(default_factory=list)
    encodings: dict[str, str] = field(default_factory=dict)
    # Files read to the end without a problem: absolute path -> (path as given, os.stat before
    # reading, time.time_ns() of that stat), for qa.filestamps; and the files an update found
    # unchanged and did not open.
    whole: dict[str, tuple[str, os.stat_result, int]] = field(default_factory=dict)
    unchanged: set[str] = field(default_factory=set)
    # What reading each of those files left out (a message without text, a malformed record):
    # the same bytes leave out the same, so it is recorded with the file's stamp and said again
    # by an update that does not read the file.
    file_skips: dict[str, list[Skip]] = field(default_factory=dict)
    # Files whose reading another file decided (an article left out as its id was taken):
    # read again by the next update, stamp or not.
    reread: set[str] = field(default_factory=set)
    # Mailboxes and JSON Lines files read to their end: where, and the hash of what was read (qa.grown).
    tails: dict[str, str] = field(default_factory=dict)
    grown: set[str] = field(default_factory=set)  # those read only past where their last reading ended
    # What the part of such a file read before left out, said with what the rest leaves out; and
    # what each file's reading left out, one by one (alike ones are said as one: qa.readers).
    carried: dict[str, list[Skip]] = field(default_factory=dict)
    unmerged: dict[str, list[Skip]] = field(default_factory=dict)

    @property
    def ignored_files(self) -> int:
        return sum(self.ignored.values())


def iter_files(paths: Iterable[str], stats: ReadStats) -> Iterator[tuple[str, str]]:
    """Yield (path as given, absolute path) of readable-looking files, recursing into folders."""
    walked: set[str] = set()  # real folders walked: each once, however many links lead to it
    paths = [os.fspath(p) for p in paths]
    # named, even where a folder named before it holds it (qa index docs docs/print.html)
    stats.named.update(os.path.abspath(p) for p in paths if os.path.isfile(p))
    for given in paths:
        if os.path.isfile(given):
            yield from _accept(given, stats, explicit=True)
        elif os.path.isdir(given):
            # Links to folders are followed (a notes folder linking a shared one), each real
            # folder once: a link back up (a loop) or to a folder already walked adds nothing.
            for root, dirs, files in os.walk(given, followlinks=True):
                real = os.path.realpath(root)
                if real in walked:
                    dirs[:] = []
                    continue
                walked.add(real)
                if looks_like_index(root):
                    # Its catalog, BM25 vocabulary and model export are not articles (they would
                    # be read as such when the index sits inside the corpus); UI uploads are.
                    stats.ignored["in an index folder"] += len(files) + sum(d not in (UPLOADS, UNPACKED) for d in dirs)
                    dirs[:] = [d for d in dirs if d in (UPLOADS, UNPACKED)]
                    continue
                pages = {os.path.splitext(f)[0] for f in files if is_page(f)}
                skipped = [d for d in dirs if d.startswith(".") or _page_files(d, pages)]
                for d in skipped:
                    stats.ignored["hidden" if d.startswith(".") else "saved with a page (its _files folder)"] += 1
                # Real folders before links, so that a file is named by its own folder where it can be.
                dirs[:] = sorted((d for d in dirs if d not in skipped),
                                 key=lambda d: (os.path.islink(os.path.join(root, d)), d))
                folder = os.path.normpath(root)  # files added in the web UI were picked one by one
                picked = os.path.basename(folder) == UPLOADS and looks_like_index(os.path.dirname(folder))
                for name in sorted(files):
                    yield from _accept(os.path.join(root, name), stats, explicit=False, named=picked)
        elif os.path.exists(given):  # a pipe (qa index <(curl ...)): its reader would wait, or seek
            stats.skipped.append(Skip(given, None, "not a regular file (a pipe, socket or device): save it "
                                                   "to a file and index that"))
        else:
            stats.skipped.append(Skip(given, None, "no such file or directory"))


def _regular(path: str) -> bool:
    """Whether ``path`` is a regular file (a link to one is); one that cannot be looked at counts
    as one, and is reported when it is read."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True


def _page_files(folder: str, pages: set[str]) -> bool:
    m = _SAVED_PAGE_FILES.fullmatch(folder)
    return bool(m) and m.group(1) in pages


def _compound_file(path: str) -> bool:
    """Whether a file opens as an OLE compound file does (an Outlook .msg is one)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    except OSError:
        return True  # reported when it is read


def _feed_file(path: str) -> bool:
    """Whether an ``.xml`` file met in a folder is a feed, a journal article (JATS) or a wiki's
    dump: most are not (build files, layouts, a gzipped sitemap), and those are passed over as
    files of an unknown kind are."""
    from .mediawiki import is_mediawiki

    try:
        with opened(path) as fh:
            head = fh.read(4096)
        return is_feed(head) or is_jats(head) or is_mediawiki(head)
    except (OSError, EOFError, zlib.error):
        return True  # reported when it is read


# Mail programs' folders of deleted and junk mail (Thunderbird, Apple Mail, Outlook, Takeout labels)
_BINNED_MAIL = {"trash", "junk", "spam", "bulk mail", "deleted messages", "deleted items"}


def _binned_mail(path: str) -> bool:
    """A mailbox of deleted or junk mail met in a folder: Thunderbird's ``Trash`` (and the
    folders under it, in ``Trash.sbd``), Apple Mail's ``Junk.mbox/mbox``, Takeout's
    ``Spam.mbox``. Named on the command line, it is read."""
    lower = path.lower()
    if lower.endswith(EXTENSIONS) and not lower.endswith(".mbox"):  # every file comes here: most are not mail
        return False
    parts = os.path.abspath(path).split(os.sep)
    name = parts[-2] if parts[-1].lower() == "mbox" and len(parts) > 1 else parts[-1]  # Apple Mail's
    stem, ext = os.path.splitext(name)
    if ext.lower() == ".mbox":
        return stem.lower() in _BINNED_MAIL
    # A file without an extension reaches here only as a mailbox (qa.walk._accept sniffed it)
    under = {p.lower() for p in parts[:-1]} & {f"{b}.sbd" for b in _BINNED_MAIL}
    return not ext and (stem.lower() in _BINNED_MAIL or bool(under))


def is_mailbox(path: str) -> bool:
    """Whether a file of no kind that is read is a mailbox, read as an ``.mbox``: one without an
    extension (Thunderbird's ``Inbox``, the ``mbox`` in an Apple Mail export), or one beside its
    Thunderbird summary (``Project v1.2`` beside ``Project v1.2.msf``: the dot is the name's)."""
    from .mail import is_mbox

    if os.path.splitext(os.path.basename(path))[1] and not os.path.exists(path + ".msf"):
        return False
    try:
        with open(path, "rb") as fh:
            return is_mbox(fh.read(1024))
    except OSError:
        return False


def _accept(path: str, stats: ReadStats, explicit: bool, named: bool = False) -> Iterator[tuple[str, str]]:
    name = os.path.basename(path)
    kind = None
    if explicit and name.lower().endswith(ARCHIVES):
        stats.skipped.append(Skip(path, None, "an archive: qa index, Library.build and update unpack one "
                                  "(qa.unpacked); this reader does not"))
        return
    if not explicit and name.startswith("."):
        kind = "hidden"
    elif not _regular(path):  # a named pipe (opening it waits for a writer), a socket, a device
        kind = "not a regular file (a pipe, socket or device)"
    elif not explicit and name.startswith("~$"):  # Word's, Excel's, PowerPoint's while the document is open
        kind = "an Office owner file (~$)"
    elif not name.lower().endswith(EXTENSIONS) and not is_mailbox(path) and not is_posts(path):
        kind = os.path.splitext(name)[1].lower() or "without an extension"
        kind += _SAVE_AS.get(kind, "")
    elif not explicit and name.lower().endswith(_XML) and not _feed_file(path):
        kind = ".xml not a feed"
    elif not explicit and name.lower().endswith(MSG) and not _compound_file(path):
        kind = ".msg not an Outlook message"  # Tcl's and gettext's message catalogues are text
    elif not explicit and slack.is_listing(path):
        kind = slack.LISTING_KIND
    elif not explicit and _binned_mail(path):
        kind = "mail in a Trash or Junk folder"
    if kind:
        stats.ignored[kind] += 1
        return
    absolute = os.path.abspath(path)
    if absolute in stats.seen_paths:  # named twice (a folder and a file or folder in it): read once
        return
    stats.files += 1
    stats.seen_paths.add(absolute)
    if named:
        stats.named.add(absolute)
    yield path, absolute


