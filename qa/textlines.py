"""A file's lines as text, streamed: UTF-8, else the file's own legacy encoding, each problem
reported once and the rest of the file read."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .encoding import LEGACY, SAMPLE_BYTES, decode, display_name, legacy_encoding
from .types import Skip

if TYPE_CHECKING:
    from .walk import ReadStats

MAX_ARTICLE_BYTES = 32 * 2**20  # one article: a block, a record, a whole .md or .html file


def opened(path: str):
    """The file to read, in binary: through gzip or bzip2 when it is one (``articles.jsonl.gz``,
    ``pages-articles.xml.bz2``)."""
    if path.lower().endswith(".gz"):
        import gzip

        return gzip.open(path, "rb")
    if path.lower().endswith(".bz2"):
        import bz2

        return bz2.open(path, "rb")
    return open(path, "rb")  # noqa: SIM115 - the caller closes it


def read_lines(given: str, fh, stats: ReadStats, before: int = 0) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of a binary file, streamed. A line that is not UTF-8 or longer than
    one article may be comes as None; the first undecodable line is reported once per file.
    ``before``: lines read before ``fh``'s position (numbered on from there)."""
    reported = False
    number = before
    while True:
        raw = fh.readline(MAX_ARTICLE_BYTES + 1)
        if not raw:
            return
        number += 1
        if len(raw) > MAX_ARTICLE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # drain the rest without holding it
                raw = fh.readline(1 << 20)
            stats.skipped.append(Skip(given, number, f"line longer than {MAX_ARTICLE_BYTES // 2**20} MB; skipped"))
            yield number, None
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        line = decode_line(raw, given, stats)
        if line is None and not reported:
            stats.skipped.append(Skip(given, number, f"{undecodable(given, stats)}; that part skipped"))
            reported = True
        yield number, None if line is None else line.rstrip("\r\n")


def decode_line(raw: bytes, given: str, stats: ReadStats) -> str | None:
    """UTF-8, else the file's own legacy encoding (:mod:`qa.encoding`), reported per file."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    encoding = stats.encodings.get(given)
    if encoding is None:
        try:
            with open(os.path.abspath(given), "rb") as fh:
                sample = fh.read(SAMPLE_BYTES)
        except OSError:
            sample = raw
        encoding = stats.encodings[given] = legacy_encoding(sample)
    text = decode(raw, encoding)
    if text is not None and (not stats.legacy or stats.legacy[-1] != given):
        stats.legacy.append(given)
    return text


def undecodable(given: str, stats: ReadStats) -> str:
    return f"undecodable bytes (neither UTF-8 nor {display_name(stats.encodings.get(given, LEGACY))})"


def decode_lines(given: str, data: bytes, stats: ReadStats) -> list[str | None]:
    """All lines of a whole-file article (see :func:`read_lines`)."""
    return [line for _, line in read_lines(given, io.BytesIO(data), stats)]
