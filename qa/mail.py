"""Email: a message (.eml) or a mailbox of them (.mbox: Gmail's Takeout, Thunderbird, Apple Mail)
as articles, each message one. Newsletters are articles that arrive by mail.

A message is parsed by Python's own ``email`` package (headers decoded, any charset, MIME
parts); its HTML part is read as an HTML page is (trafilatura: a newsletter's layout tables,
"View in browser" and "Unsubscribe" lines are left out, its headings and lists kept), else its
plain text. Title: the subject; author: the sender's name; date: its Date header; tags: Gmail's
labels (``X-Gmail-Labels``; Spam and Trash are left out); URL: its ``Archived-At`` (a list
archive's copy). A reply is read without the message it quotes (quotequail finds it), which the
mailbox holds already, and a message without its signature. A mailbox is read message by message, so memory stays bounded by one
message; a message's reference is the line of its mailbox where it starts (``All mail.mbox:18234``).

A message's attached documents (a PDF report, a .docx, a forwarded message) are read by their
own readers and become articles of their own, dated, signed and tagged as their message and
referenced by its line, titled ``report.pdf (in: Subject)`` (a book's chapters
``book.epub: Chapter (in: Subject)``). A mailbox need not be named
``.mbox``: Thunderbird's folder files (``Inbox``) and Apple Mail's exported ``mbox`` have no
extension and are known by their first line (:func:`is_mbox`).
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import email.utils
import os
import re
import tempfile
from collections.abc import Iterator

from .grown import Tail, tracked
from .records import make_id, record_article
from .types import (
    DOCX,
    EPUB,
    MARKDOWN,
    MHTML,
    MSG,
    ODT,
    PAGES,
    PDF,
    PPTX,
    RTF,
    WEBARCHIVE,
    Article,
    Skip,
    markup_of,
)
from .walk import ReadStats

MAX_MESSAGE_BYTES = 64 * 2**20  # attachments included
# Attachments read: documents, not data (a .csv's rows would each be an article) or pictures
ATTACHED = (PDF, DOCX, ODT, PPTX, RTF, EPUB, ".txt", *MARKDOWN, *PAGES, *MHTML, WEBARCHIVE, ".eml", MSG)
_FROM_LINE = re.compile(rb"From \S+ +\S.*\d\d:\d\d")  # "From sender weekday month day hh:mm:ss year"
_HEADER = re.compile(rb"[!-9;-~]+:")
# A subject's reply and forward prefixes, as mail programs write them in their languages
_REPLY = re.compile(r"\s*(re|aw|sv|vs|antw|odp|ynt|atb|r|rif|res|回复|答复|回覆)\s*(\[\d+\])?\s*[:：]", re.I)
_FORWARD = re.compile(r"\s*(fwd?|wg|tr|rv|enc|doorst|vl|i|转发|轉寄)\s*(\[\d+\])?\s*[:：]", re.I)
_TAGS = re.compile(r"<[^>]*>")

_ESCAPED = re.compile(rb"^>(>*From )")  # mboxrd's quoting of a body line opening with "From "
_LABELS_LEFT_OUT = {"opened", "unread", "archived", "important", "starred", "inbox", "sent"}
_BINNED = {"spam", "trash"}  # messages left out
_SIGNATURE_LINES = 15  # below a "-- " line, at most: a longer part is the message's own text


def is_mbox(head: bytes) -> bool:
    """Whether a file opening with ``head`` is a mailbox: a "From " line with a time, then
    header lines (so a letter's text opening "From Monday on ..." is not one)."""
    lines = head.replace(b"\r\n", b"\n").split(b"\n", 3)
    return (len(lines) > 2 and _FROM_LINE.match(lines[0]) is not None
            and all(_HEADER.match(line) for line in lines[1:3]))


def read_mail(given: str, absolute: str, fh, stats: ReadStats, dates=None, resume: Tail | None = None
              ) -> Iterator[Article]:
    """Each message with text, and each document attached to it, as an article; ``fh``: the
    file, opened in binary; a file not named ``.eml`` is a mailbox. ``resume``: where a reading
    of the same mailbox ended, its messages kept (:mod:`qa.grown`): read on from there."""
    seen: set[str] = set()
    tail = None
    if not absolute.lower().endswith(".eml"):
        tail = resume if resume is not None else Tail() if tracked(absolute) else None
        if resume is not None:
            fh.seek(resume.size)
        messages = _messages(fh, tail)
    else:
        raw = fh.read(MAX_MESSAGE_BYTES + 1)
        messages = iter([(1, raw if len(raw) <= MAX_MESSAGE_BYTES else None)])
    taken = resume.taken if resume is not None else frozenset()
    for position, (line, raw) in enumerate(messages, resume.items if resume is not None else 0):
        if raw is None:
            stats.skipped.append(Skip(given, line, f"message too large (over {MAX_MESSAGE_BYTES // 2**20} MB)"))
            continue
        yield from _articles(given, absolute, position, line, raw, stats, seen, taken)
    if tail is not None:  # read to its end: a later reading may go on from here
        stats.tails[absolute] = tail.record()


def read_message(given: str, absolute: str, raw: bytes, stats: ReadStats) -> Iterator[Article]:
    """One message's articles from its bytes (an Outlook message put back together: qa.outlook),
    referenced by the file's first line."""
    yield from _articles(given, absolute, 0, 1, raw, stats, set())


def _messages(fh, tail: Tail | None = None) -> Iterator[tuple[int, bytes | None]]:
    """(line it starts on, its bytes) of each message of a mailbox: a message opens with a
    "From " line at the file's start or after a blank line (mbox), a line not its own; None for
    one too large. ``tail``: what was read before ``fh``'s position, which it goes on counting."""
    start, lines, size, blank, started = 1, [], 0, True, False
    for number, line in enumerate(fh, 1 + (tail.lines if tail is not None else 0)):
        if tail is not None:
            tail.add(line)
        if blank and line.startswith(b"From "):
            if tail is not None:
                tail.items += started
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
        if tail is not None:
            tail.items += 1
        yield start, (b"".join(lines) if size <= MAX_MESSAGE_BYTES else None)


def _articles(given, absolute, position, line, raw: bytes, stats: ReadStats, seen: set[str],
              taken: frozenset[str] = frozenset()) -> Iterator[Article]:
    """A message's article (when it has text), then its attachments'."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    if _BINNED & {t.lower() for t in _labels(msg)}:  # Gmail's Takeout "All mail Including Spam and Trash.mbox"
        stats.skipped.append(Skip(given, line, "a message in Gmail's Spam or Trash (X-Gmail-Labels)"))
        return
    if _expunged(msg):
        stats.skipped.append(Skip(given, line, "a message deleted or moved in Thunderbird, still in the file until "
                                               "the folder is compacted (X-Mozilla-Status)"))
        return
    record = {"title": _header(msg, "subject"), "author": _sender(msg), "date": _date(msg),
              "url": _header(msg, "archived-at", "<>"), "tags": _labels(msg)}
    msgid = _header(msg, "message-id", "<>")
    # Told apart from an earlier message with the same Message-ID: in this reading, or in the
    # one this reading goes on from.
    key = msgid if msgid and msgid not in seen and make_id(absolute, msgid) not in taken else f"{msgid}\x1f{position}"
    seen.add(key)
    body = msg.get_body(preferencelist=("html", "plain"))
    text, markup = _body(given, absolute, body, _is_reply(msg))
    if text:
        record["id"] = make_id(absolute, key)
        article = record_article(given, absolute, position, line, {**{k: v for k, v in record.items() if v}, "text": text},
                                 stats)
        if article is not None:
            yield dataclasses.replace(article, markup=markup) if markup else article
    attached = 0
    for index, part in enumerate(msg.iter_attachments()):
        for number, found in enumerate(_attachment(given, absolute, line, part, record, stats)):
            attached += 1
            yield dataclasses.replace(found, article_id=make_id(absolute, f"{key}\x1f{index}\x1f{number}"))
    if not text and not attached:
        stats.skipped.append(Skip(given, line, "message has no text"))


def _body(given: str, absolute: str, body, reply: bool) -> tuple[str | None, str | None]:
    """A message body's text and markup: an HTML one as its page shows it ("page"), else plain;
    a reply's without the message it quotes below it."""
    from .htmlpage import read_html

    try:
        content = body.get_content() if body is not None else None
    except (LookupError, ValueError):  # an unknown charset or a broken transfer encoding
        content = body.get_payload(decode=True).decode("utf-8", "replace") if body is not None else None
    if not isinstance(content, str) or not content.strip():
        return None, None
    html = body.get_content_type() == "text/html"
    if reply:
        content = _unquoted(content, html)
    content = _unsigned(content, html)
    if html:
        hidden = ReadStats()  # a newsletter without main text is said, once, as a message without
        page = next(read_html(given, absolute, content.encode("utf-8"), hidden), None)
        return (page.text, "page") if page is not None else (None, None)  # headings and lists kept
    return content.replace("\r\n", "\n"), None


def _expunged(msg) -> bool:
    """Thunderbird's mark on a message deleted, or moved to another folder, whose bytes stay in
    its folder's file until the folder is compacted (Expunged, 0x0008), or deleted on its IMAP
    server (IMAPDeleted, 0x00200000 of X-Mozilla-Status2)."""
    for name, flag in (("x-mozilla-status", 0x0008), ("x-mozilla-status2", 0x00200000)):
        try:
            if int(_header(msg, name) or "0", 16) & flag:
                return True
        except ValueError:
            continue
    return False


def _is_reply(msg) -> bool:
    """A reply, by its headers (In-Reply-To) or its subject (``Re:``, ``AW:``...); not a forward."""
    subject = _header(msg, "subject") or ""
    if _FORWARD.match(subject):
        return False
    return bool(_REPLY.match(subject) or _header(msg, "in-reply-to"))


def _unquoted(content: str, html: bool) -> str:
    """A reply's own text: the quoted message below it (Gmail's "On ... wrote:" and ``>`` lines,
    Apple Mail's and Thunderbird's cited blockquote, Outlook's "From: ... Sent: ..." header)
    left out, as it is the earlier message's text, which the mailbox holds under its own sender
    and date. A reply written between the quoted lines keeps them: its answers need them."""
    import quotequail

    try:
        found = quotequail.unwrap_html(content) if html else quotequail.unwrap(content)
    except Exception:  # noqa: BLE001 - a parser's failure on odd markup: the text as it is
        return content
    top, bottom = ("html_top", "html_bottom") if html else ("text_top", "text_bottom")
    if not found or found.get("type") not in ("reply", "forward") or found.get(bottom):
        return content
    own = found.get(top) or ""
    return own if _TAGS.sub("", own).strip() else content  # nothing of its own: as it is


def _unsigned(content: str, html: bool) -> str:
    """The message without its signature: below a ``-- `` line (the delimiter mail programs
    write, RFC 3676), or Gmail's and Thunderbird's signature element in HTML. A name, a title and
    a phone number in every message would match questions about them and say nothing new."""
    if not html:
        lines = content.split("\n")
        cut = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].rstrip("\r") == "-- "), None)
        if cut is not None and len(lines) - cut > _SIGNATURE_LINES:  # more than a signature: text
            cut = None
        own = "\n".join(lines[:cut]) if cut is not None else content
        return own if own.strip() else content
    if "signature" not in content:  # parsed only where it may hold one
        return content
    import lxml.html
    from lxml import etree

    try:
        page = lxml.html.document_fromstring(content)
    except (etree.ParserError, ValueError):
        return content
    found = page.xpath(" | ".join(f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]"
                                   for name in ("gmail_signature", "gmail_signature_prefix", "moz-signature")))
    for element in found:
        element.drop_tree()
    return lxml.html.tostring(page, encoding="unicode") if found else content


def _attachment(given: str, absolute: str, line: int, part, message: dict, stats: ReadStats) -> Iterator[Article]:
    """The articles of an attached document, read by its kind's reader from a file of its own;
    its problems are reported at its message's line."""
    from .readers import read_file

    name = os.path.basename((part.get_filename() or "").replace("\\", "/")).strip()
    if part.get_content_type() == "message/rfc822":
        name, payload = name or "message.eml", part.get_payload()
        data = bytes(payload[0]) if isinstance(payload, list) and payload else None
    elif name.lower().endswith(ATTACHED):
        data = part.get_payload(decode=True)
    else:
        return  # a picture, a calendar invitation, a signature
    if not data or name.strip(".") == "" or "\0" in name:
        return
    subject = message["title"] or "no subject"
    with tempfile.TemporaryDirectory(prefix="qa-attached-") as folder:
        path = os.path.join(folder, name[-200:])
        inner = ReadStats(named={path})  # sent to be read: a page asking search engines not to index it too
        try:
            with open(path, "wb") as fh:
                fh.write(data)
        except OSError as exc:  # the machine's temporary folder is full or read-only
            stats.skipped.append(Skip(given, line, f"attachment {name}: cannot write a copy to read: {exc}"))
            return
        articles = list(read_file(name, path, inner, one_per_file=True))
    for skip in inner.skipped:
        stats.skipped.append(Skip(given, line, f"attachment {name}: {skip.reason}"))
    forwarded = name.lower().endswith((".eml", MSG))  # its own sender and date; a document is the sender's
    for article in articles:
        # a forwarded message by its subject, an e-book's chapters by the book and theirs
        titled = article.title if forwarded else f"{name}: {article.title}" if len(articles) > 1 else name
        own, sent = (article.date, article.author), (message["date"], message["author"])
        (date, author), (or_date, or_author) = (own, sent) if forwarded else (sent, own)
        yield dataclasses.replace(
            article, title=f"{titled} (in: {subject})", source=given, path=absolute,
            line_start=line, lines_mapped=False, line_anchors=(), markup=markup_of(article.source, article.markup),
            url=None, date=date or or_date, author=author or or_author,
            tags=tuple(dict.fromkeys([*message["tags"], *article.tags])),
            metadata={**article.metadata, "attachment": name, "message": subject})


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
