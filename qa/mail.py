"""Email: a message (.eml) or a mailbox of them (.mbox: Gmail's Takeout, Thunderbird, Apple Mail)
as articles, each message one. Newsletters are articles that arrive by mail.

A message is parsed by Python's own ``email`` package (headers decoded, any charset, MIME
parts); its HTML part is read as an HTML page is (trafilatura: a newsletter's layout tables,
"View in browser" and "Unsubscribe" lines are left out, its headings and lists kept), else its
plain text. Title: the subject; author: the sender's name; date: its Date header; tags: Gmail's
labels (``X-Gmail-Labels``); URL: its ``Archived-At`` (a list archive's copy). A mailbox is read
message by message, so memory stays bounded by one message; a message's reference is the line
of its mailbox where it starts (``All mail.mbox:18234``).
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import email.utils
import re
from collections.abc import Iterator

from .records import make_id, record_article
from .types import Article, Skip
from .walk import ReadStats

MAX_MESSAGE_BYTES = 64 * 2**20  # attachments included: they are dropped, but parsed to be
_ESCAPED = re.compile(rb"^>(>*From )")  # mboxrd's quoting of a body line opening with "From "
_LABELS_LEFT_OUT = {"opened", "unread", "archived", "important", "starred", "inbox", "sent"}


def read_mail(given: str, absolute: str, fh, stats: ReadStats, dates=None) -> Iterator[Article]:
    """Each message with text as an article; ``fh``: the file, opened in binary."""
    seen: set[str] = set()
    if absolute.lower().endswith(".mbox"):
        messages = _messages(fh)
    else:
        raw = fh.read(MAX_MESSAGE_BYTES + 1)
        messages = iter([(1, raw if len(raw) <= MAX_MESSAGE_BYTES else None)])
    for position, (line, raw) in enumerate(messages):
        if raw is None:
            stats.skipped.append(Skip(given, line, f"message too large (over {MAX_MESSAGE_BYTES // 2**20} MB)"))
            continue
        article = _article(given, absolute, position, line, raw, stats, seen)
        if article is not None:
            yield article


def _messages(fh) -> Iterator[tuple[int, bytes | None]]:
    """(line it starts on, its bytes) of each message of a mailbox: a message opens with a
    "From " line at the file's start or after a blank line (mbox), a line not its own; None for
    one too large."""
    start, lines, size, blank, started = 1, [], 0, True, False
    for number, line in enumerate(fh, 1):
        if blank and line.startswith(b"From "):
            if started:
                yield start, (b"".join(lines) if size <= MAX_MESSAGE_BYTES else None)
            start, lines, size, started, blank = number, [], 0, True, False
            continue
        if not started:  # a file that does not open with "From ": one message
            start, started = number, True
        size += len(line)
        if size <= MAX_MESSAGE_BYTES:
            lines.append(_ESCAPED.sub(rb"\1", line))
        blank = not line.strip()
    if started:
        yield start, (b"".join(lines) if size <= MAX_MESSAGE_BYTES else None)


def _article(given, absolute, position, line, raw: bytes, stats: ReadStats, seen: set[str]) -> Article | None:
    from .htmlpage import read_html

    msg = email.message_from_bytes(raw, policy=email.policy.default)
    body = msg.get_body(preferencelist=("html", "plain"))
    try:
        content = body.get_content() if body is not None else None
    except (LookupError, ValueError):  # an unknown charset or a broken transfer encoding
        content = body.get_payload(decode=True).decode("utf-8", "replace") if body is not None else None
    if not isinstance(content, str) or not content.strip():
        stats.skipped.append(Skip(given, line, "message has no text"))
        return None
    record = {"title": _header(msg, "subject"), "author": _sender(msg), "date": _date(msg),
              "url": _header(msg, "archived-at", "<>"), "tags": _labels(msg)}
    if body.get_content_type() == "text/html":
        hidden = ReadStats()  # a newsletter without main text is said below, once
        page = next(read_html(given, absolute, content.encode("utf-8"), hidden), None)
        if page is None:
            stats.skipped.append(Skip(given, line, "message has no text"))
            return None
        record["text"], markup = page.text, "page"  # headings and lists as an HTML page's
    else:
        record["text"], markup = content.replace("\r\n", "\n"), None
    msgid = _header(msg, "message-id", "<>")
    key = msgid if msgid and msgid not in seen else f"{msgid}\x1f{position}"
    seen.add(key)
    record["id"] = make_id(absolute, key)
    article = record_article(given, absolute, position, line, {k: v for k, v in record.items() if v}, stats)
    return dataclasses.replace(article, markup=markup) if article is not None and markup else article


def _header(msg, name: str, strip: str = "") -> str | None:
    try:
        value = msg.get(name)
    except (ValueError, IndexError):  # a header the parser cannot make sense of
        return None
    value = " ".join(str(value).split()).strip(strip + " ") if value is not None else ""
    return value or None


def _sender(msg) -> str | None:
    name, address = email.utils.parseaddr(_header(msg, "from") or "")
    return name or address or None


def _date(msg) -> str | None:
    value = _header(msg, "date")
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat() if value else None
    except (TypeError, ValueError):
        return value


def _labels(msg) -> list[str]:
    labels = [t.strip() for t in (_header(msg, "x-gmail-labels") or "").split(",")]
    return [t for t in labels if t and t.lower() not in _LABELS_LEFT_OUT]
