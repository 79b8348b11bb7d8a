"""How a file's bytes become text: UTF-8, and the encoding a file that is not UTF-8 was written in.

Bytes that are not UTF-8 are read as Windows-1252 when the text around them is in a Latin script
(what older Windows tools and spreadsheets wrote, and what browsers read "Latin-1" as), byte by
byte, so a UTF-8 file with a stray byte keeps its UTF-8. Statistical charset guessers misread
short Western texts (charset-normalizer took French and English for cp775), so they are not
asked about those. A file in a legacy encoding of another script (Windows-1251 or KOI8-R
Cyrillic, Greek, Hebrew, Arabic, Shift-JIS, GBK, EUC-KR...) is told apart by its shape: most of
its bytes above 0x7F are not UTF-8 and come in runs (whole words), where Western text has an
accented letter here and there. For those charset-normalizer names the encoding, from a sample.
A file that starts with a UTF-16 byte order mark (Excel's "Unicode text", PowerShell's ``>``)
is turned into UTF-8 as it is read.
"""

from __future__ import annotations

import codecs
import re
import tempfile
from typing import BinaryIO

LEGACY = "cp1252"  # for text in a Latin script that is not UTF-8
SAMPLE_BYTES = 1 << 20
_HIGH = bytes(range(0x80, 0x100))
_RUN = re.compile(rb"[\x80-\xff]{3,}")
_NAMES = {"cp1250": "Windows-1250", "cp1251": "Windows-1251", "cp1252": "Windows-1252",
          "cp1253": "Windows-1253", "cp1254": "Windows-1254", "cp1255": "Windows-1255",
          "cp1256": "Windows-1256", "cp1257": "Windows-1257", "cp1258": "Windows-1258",
          "cp932": "Shift-JIS (cp932)", "cp949": "EUC-KR (cp949)"}


def _legacy_bytes(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    return exc.object[exc.start:exc.end].decode(LEGACY), exc.end  # undefined in cp1252: raises


codecs.register_error("article-qa.cp1252", _legacy_bytes)


def display_name(encoding: str) -> str:
    """``cp1251`` -> ``Windows-1251``: the name people know an encoding by."""
    name = codecs.lookup(encoding).name
    return _NAMES.get(name, name.upper().replace("_", "-"))


def legacy_encoding(sample: bytes) -> str:
    """The encoding of a file that is not UTF-8, from a sample of its bytes (see the module)."""
    high = len(sample) - len(sample.translate(None, _HIGH))
    bad = len(sample) - len(sample.decode("utf-8", "ignore").encode("utf-8"))
    if bad < 16 or bad < high // 2:  # UTF-8 with stray bytes, or a few accented letters
        return LEGACY
    if sum(map(len, _RUN.findall(sample))) < high // 2:  # accents inside Latin words
        return LEGACY
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return codecs.lookup(best.encoding).name if best is not None else LEGACY


def decode(raw: bytes, encoding: str) -> str | None:
    """A line of a file that :func:`legacy_encoding` named ``encoding``; None if it is not that
    either (the caller reports the part it skips)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        if encoding == LEGACY:
            return raw.decode("utf-8", "article-qa.cp1252")
        return raw.decode(encoding)
    except UnicodeDecodeError:
        return None


def utf16_as_utf8(fh: BinaryIO) -> BinaryIO:
    """A file that starts with a UTF-16 byte order mark, as UTF-8 (a temporary copy, spilled to
    disk past 32 MB), so the line readers work on it unchanged; other files as they are."""
    fh.seek(0)
    bom = fh.read(2)
    fh.seek(0)
    if bom not in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return fh
    out = tempfile.SpooledTemporaryFile(max_size=32 * 2**20)  # noqa: SIM115 (the caller closes it)
    decoder = codecs.getincrementaldecoder("utf-16")("replace")
    while chunk := fh.read(1 << 20):
        out.write(decoder.decode(chunk).encode("utf-8"))
    out.write(decoder.decode(b"", final=True).encode("utf-8"))
    out.seek(0)
    return out
