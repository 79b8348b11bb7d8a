"""What a PDF says about itself: its header, its information dictionary (title, author,
dates), and why PDFium could not open it."""

from __future__ import annotations

import datetime as dt
import re

_JUNK_TITLE = re.compile(r"(?i)^(?:untitled|microsoft \w+ - |slide \d|document\d*$)|\.(?:docx?|pdf|tex|dvi|indd|rtf|odt|qxd)$")


def is_pdf(head: bytes) -> bool:
    """Whether a file's first 1,024 bytes hold a PDF's header (readers accept it anywhere there)."""
    return b"%PDF-" in head[:1024]


def why_unreadable(message: str) -> str:
    """The reason a skip gives for PDFium's refusal to open a file."""
    if "password" in message.lower():
        return "the PDF is encrypted: it needs a password (save a copy without one to index it)"
    why = message.rsplit("PDFium:", 1)[-1].strip(" ().")
    return f"a damaged PDF: PDFium could not open it ({why[:1].lower() + why[1:]})"


def meta_text(value: str | None) -> str | None:
    """A title or author from the PDF's metadata, unless a tool's placeholder or a file name."""
    value = " ".join((value or "").split())
    if sum(c.isalpha() for c in value) < 2 or len(value) > 250 or _JUNK_TITLE.search(value):
        return None
    return value


def pdf_date(value: str | None) -> str | None:
    """``D:20250208122313Z`` as ``2025-02-08``."""
    m = re.match(r"D:((?:19|20)\d\d)(\d\d)(\d\d)", value or "")
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None
