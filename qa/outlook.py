"""Outlook's saved messages (.msg): each read as the message it is, by :mod:`qa.mail`.

A ``.msg`` (Outlook's "Save as", or a message dragged out of Outlook into a folder) is an OLE
compound file of MAPI properties (MS-OXMSG), read with olefile. Its subject, sender, times,
internet headers, plain and HTML bodies (or a body kept only as compressed Rich Text) and
attachments are put back together as the email
message they were, which :func:`qa.mail.read_message` then reads as it reads an ``.eml``: a
reply without the message it quotes, a signature left out, attached documents (a forwarded
``.msg`` too) as articles of their own. Its reference is the file (``:1``).
"""

from __future__ import annotations

import codecs
import contextlib
import email.policy
import email.utils
import os
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.parser import HeaderParser

from .mail import MAX_MESSAGE_BYTES, read_message
from .types import Article, Skip
from .walk import ReadStats

# MAPI property ids (MS-OXPROPS)
_SUBJECT, _HEADERS, _BODY, _HTML, _MESSAGE_ID = 0x0037, 0x007D, 0x1000, 0x1013, 0x1035
_RTF = 0x1009  # the body as compressed Rich Text: some messages keep it alone
_SENDER_NAMES = (0x0C1A, 0x0042)  # the sender, then whom it was sent for
_SENDER_ADDRESSES = (0x5D01, 0x0C1F, 0x0065)  # SMTP first: 0x0C1F may be an Exchange "/O=..." path
_TIMES = (0x0039, 0x0E06, 0x3007)  # sent, delivered, created
_CODEPAGES = (0x3FDE, 0x3FFD)  # of the HTML body, of the message's 8-bit strings
_ATTACH_NAMES, _ATTACH_DATA, _EMBEDDED = (0x3707, 0x3704, 0x3001), 0x3701, "__substg1.0_3701000D"
_SYSTIME, _LONG = 0x0040, 0x0003
# Bytes before a properties stream's 16-byte entries: a message's, an attached message's, an
# attachment's
_TOP, _INNER, _ATTACHMENT = 32, 24, 8
_MAX_DEPTH = 5  # messages attached in messages attached in ...


def read_msg(given: str, absolute: str, stats: ReadStats) -> Iterator[Article]:
    """A saved Outlook message's articles: the message's, then its attached documents'."""
    import olefile

    try:
        size = os.path.getsize(absolute)
        ole_file = olefile.isOleFile(absolute)
    except OSError as exc:
        stats.skipped.append(Skip(given, None, f"cannot read: {exc}"))
        return
    if size > MAX_MESSAGE_BYTES:
        stats.skipped.append(Skip(given, None, f"message too large (over {MAX_MESSAGE_BYTES // 2**20} MB)"))
        return
    if not ole_file:
        stats.skipped.append(Skip(given, None, "not an Outlook message (not an OLE compound file)"))
        return
    with olefile.OleFileIO(absolute) as ole:
        if not ole.exists("__properties_version1.0"):
            stats.skipped.append(Skip(given, None, "not an Outlook message (no message properties in it)"))
            return
        message = _message(ole, [], _TOP, 0)
    yield from read_message(given, absolute, message.as_bytes(), stats)


def _message(ole, where: list[str], header: int, depth: int) -> EmailMessage:
    """The message stored at ``where`` (the file's root, or an attachment's storage) as email."""
    fixed = _fixed(ole, where, header)
    strings = _codec(_long(fixed, _CODEPAGES[1]))
    props = _props(ole, where, strings)
    msg = EmailMessage(policy=email.policy.default)
    # compat32: the headers as the strings they are, none parsed (and failing) before it is set
    headers = HeaderParser(policy=email.policy.compat32).parsestr(props[_HEADERS]) \
        if isinstance(props.get(_HEADERS), str) else {}
    sender = _first(props, _SENDER_NAMES)
    address = next((a for a in (props.get(p) for p in _SENDER_ADDRESSES) if isinstance(a, str) and "@" in a), None)
    if sender or address:
        _put(msg, "From", email.utils.formataddr((sender or "", address or "")))  # "Ann Lee <>": a name alone
    else:
        _put(msg, "From", headers.get("from"))
    _put(msg, "Subject", _first(props, (_SUBJECT,)))
    sent = next((t for t in (_time(fixed, p) for p in _TIMES) if t is not None), None)
    _put(msg, "Date", headers.get("date") or (email.utils.format_datetime(sent) if sent else None))
    _put(msg, "Message-Id", headers.get("message-id") or _first(props, (_MESSAGE_ID,)))
    _put(msg, "In-Reply-To", headers.get("in-reply-to"))
    _put(msg, "Archived-At", headers.get("archived-at"))
    html = props.get(_HTML)
    if isinstance(html, bytes):
        html = html.decode(_codec(_long(fixed, _CODEPAGES[0])) or strings or "utf-8", "replace")
    plain = _first(props, (_BODY,))
    if not plain and not (isinstance(html, str) and html.strip()):
        plain = _rtf_body(props.get(_RTF))
    msg.set_content(plain or "")
    if isinstance(html, str) and html.strip():
        msg.add_alternative(html, subtype="html")
    for storage in _attachments(ole, where):
        _attach(ole, msg, [*where, storage], strings, depth)
    return msg


def _rtf_body(data: object) -> str | None:
    """A body kept only as compressed RTF (MS-OXRTFCP), as its text; None when it is not one."""
    if not isinstance(data, bytes):
        return None
    from compressed_rtf import decompress

    from .rtf import rtf_text

    try:
        rtf = decompress(data)
    except Exception:  # noqa: BLE001 - a damaged body (bad size, CRC, or format) is no body
        return None
    return rtf_text(rtf).strip() or None


def _put(msg: EmailMessage, name: str, value: object) -> None:
    """A header, on one line; left out when the email package cannot take it (a malformed
    Message-ID raised, and lost the whole message)."""
    text = " ".join(str(value).split()) if value else ""
    if text:
        with contextlib.suppress(ValueError, IndexError, TypeError):
            msg[name] = text


def _attach(ole, msg: EmailMessage, where: list[str], strings: str | None, depth: int) -> None:
    props = _props(ole, where, strings)
    name = _first(props, _ATTACH_NAMES)
    if ole.exists("/".join([*where, _EMBEDDED])):  # a forwarded message, itself a .msg inside
        if depth < _MAX_DEPTH:
            inner = _message(ole, [*where, _EMBEDDED], _INNER, depth + 1)
            msg.add_attachment(inner, filename=f"{(name or inner['subject'] or 'message').strip()}.eml")
        return
    data = props.get(_ATTACH_DATA)
    if isinstance(data, bytes) and name:
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)


def _attachments(ole, where: list[str]) -> list[str]:
    return sorted({e[len(where)] for e in ole.listdir(streams=True, storages=True)
                   if len(e) > len(where) + 1 and e[:len(where)] == where
                   and e[len(where)].startswith("__attach_version1.0_#")})


def _props(ole, where: list[str], strings: str | None) -> dict[int, str | bytes]:
    """The variable-length properties stored at ``where``: strings as text, binary as bytes."""
    out: dict[int, str | bytes] = {}
    for entry in ole.listdir(streams=True, storages=False):
        if len(entry) != len(where) + 1 or entry[:-1] != where:
            continue
        name = entry[-1]
        if len(name) != 20 or not name.startswith("__substg1.0_"):
            continue
        try:
            prop, kind = int(name[12:16], 16), name[16:]
        except ValueError:
            continue
        if kind not in ("001F", "001E", "0102"):
            continue
        data = ole.openstream(entry).read()
        if kind == "001F":
            out[prop] = data.decode("utf-16-le", "replace").rstrip("\0")
        elif kind == "001E":
            out[prop] = data.decode(strings or "cp1252", "replace").rstrip("\0")
        else:
            out[prop] = data
    return out


def _fixed(ole, where: list[str], header: int) -> dict[int, tuple[int, bytes]]:
    """The fixed-length properties at ``where``: id -> (type, its 8 bytes)."""
    path = "/".join([*where, "__properties_version1.0"])
    if not ole.exists(path):
        return {}
    data = ole.openstream(path).read()
    out = {}
    for at in range(header, len(data) - 15, 16):
        kind, prop = struct.unpack_from("<HH", data, at)
        out[prop] = (kind, data[at + 8 : at + 16])
    return out


def _time(fixed: dict, prop: int) -> datetime | None:
    kind, value = fixed.get(prop, (None, b""))
    if kind != _SYSTIME:
        return None
    ticks = struct.unpack("<q", value)[0]  # FILETIME: 100 ns since 1601
    try:
        return datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=ticks // 10) if ticks > 0 else None
    except OverflowError:
        return None


def _long(fixed: dict, prop: int) -> int | None:
    kind, value = fixed.get(prop, (None, b""))
    return struct.unpack("<i", value[:4])[0] if kind == _LONG else None


def _codec(codepage: int | None) -> str | None:
    """Python's codec for a Windows code page (65001 UTF-8, 28591 ISO-8859-1, 1252...)."""
    if not codepage:
        return None
    name = {65001: "utf-8", 20127: "ascii", 50220: "iso2022_jp", 51932: "euc_jp", 936: "gbk", 950: "big5",
            }.get(codepage) or (f"iso8859_{codepage - 28590}" if 28591 <= codepage <= 28606 else f"cp{codepage}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _first(props: dict, ids: tuple[int, ...]) -> str | None:
    return next((v.strip() for v in (props.get(p) for p in ids) if isinstance(v, str) and v.strip()), None)
