"""Email: messages (.eml) and mailboxes (.mbox) as articles, newsletters read as pages (qa.mail)."""

from __future__ import annotations

from email.message import EmailMessage

import qa
import qa.mail
from qa.readers import ReadStats, read_articles

NEWSLETTER = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Harbour Weekly #42</title></head><body>
<table width="100%" role="presentation"><tr><td align="center"><table width="600" role="presentation">
<tr><td style="font-size:11px"><a href="https://example.com/view">View in browser</a></td></tr>
<tr><td><h1>The dredger is back</h1>
<p>After three years away, the dredger Marlow returned to the inner basin on Monday. Crews will remove 18,500 cubic
metres of silt before the winter floods.</p>
<p>The harbour board says the work will keep the channel open for the ferries, which had run aground at low tide.</p>
<h2>What it costs</h2><p>The work costs 1.9 million, paid from the port’s reserve fund.</p></td></tr>
<tr><td><table role="presentation"><tr><td><a href="https://example.com/share">Share</a></td>
<td><a href="https://example.com/tw">Tweet</a></td></tr></table></td></tr>
<tr><td style="font-size:11px">You are receiving this because you subscribed. <a href="https://example.com/unsub">
Unsubscribe</a></td></tr></table></td></tr></table></body></html>"""


def message(subject: str, sender: str, date: str, plain: str | None = None, html: str | None = None,
            headers: dict[str, str] | None = None, attachment: bytes | None = None) -> bytes:
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["To"], msg["Date"] = subject, sender, "ann@example.org", date
    msg["Message-ID"] = f"<{abs(hash(subject))}@example.com>"
    for name, value in (headers or {}).items():
        msg[name] = value
    if plain is not None:
        msg.set_content(plain)
    if html is not None:
        if plain is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    if attachment is not None:
        msg.add_attachment(attachment, maintype="application", subtype="pdf", filename="report.pdf")
    return bytes(msg)


def mbox(*messages: bytes) -> bytes:
    """A mailbox as Gmail's Takeout writes one: each message after its "From " line, a body's
    own "From " lines quoted as ">From "."""
    out = b""
    for raw in messages:
        body = b"\n".join(b">" + ln if ln.startswith((b"From ", b">From ")) else ln
                          for ln in raw.replace(b"\r\n", b"\n").split(b"\n"))
        out += b"From 1790000000000000000@xxx Mon Mar 04 09:00:00 +0000 2024\n" + body.rstrip(b"\n") + b"\n\n"
    return out


def test_a_mailbox_is_read_message_by_message_a_newsletter_as_its_page_shows_it(tmp_path):
    box = mbox(
        message("Harbour Weekly #42: the dredger is back", '"Harbour Weekly" <news@harbour.example>',
                "Mon, 04 Mar 2024 09:00:00 +0000", plain="View this email in your browser.", html=NEWSLETTER,
                headers={"X-Gmail-Labels": "Newsletters,Opened,Category Updates",
                         "Archived-At": "<https://harbour.example/weekly/42>"}),
        message("Ferry times", "Bob Stone <bob@example.org>", "Tue, 05 Mar 2024 10:30:00 +0100",
                plain="The ferry leaves at nine.\n\nFrom Monday it leaves at ten.\n",
                attachment=b"%PDF-1.7 " + bytes(2000)),
        message("Only a picture", "c@example.org", "Wed, 06 Mar 2024 08:00:00 +0000", html='<img src="x.png">'),
    )
    (tmp_path / "All mail.mbox").write_bytes(box)
    stats = ReadStats()
    news, ferry = read_articles([str(tmp_path / "All mail.mbox")], stats)
    assert news.title == "Harbour Weekly #42: the dredger is back" and news.markup == "page"
    assert news.text.split("\n") == [
        "# The dredger is back",
        "After three years away, the dredger Marlow returned to the inner basin on Monday. Crews will remove "
        "18,500 cubic metres of silt before the winter floods.",
        "The harbour board says the work will keep the channel open for the ferries, which had run aground at "
        "low tide.",
        "## What it costs",
        "The work costs 1.9 million, paid from the port’s reserve fund.",
    ]  # no "View in browser", "Share", "Unsubscribe"
    assert (news.author, news.date, news.tags, news.url, news.line_start) == (
        "Harbour Weekly", "2024-03-04", ("Newsletters", "Category Updates"), "https://harbour.example/weekly/42", 1)
    # a body's line that opens with "From " is the body's, unquoted; the attachment is not read
    assert ferry.text == "The ferry leaves at nine.\n\nFrom Monday it leaves at ten."
    assert (ferry.title, ferry.author, ferry.date, ferry.markup) == ("Ferry times", "Bob Stone", "2024-03-05", None)
    lines = box.split(b"\n")
    assert lines[ferry.line_start - 1].startswith(b"From ") and ferry.line_start > 1
    [skip] = stats.skipped
    assert skip.reason == "message has no text" and lines[skip.line - 1].startswith(b"From ")


def test_a_message_file_and_one_too_large(tmp_path, monkeypatch, fake):
    (tmp_path / "note.eml").write_bytes(message("Crane", "Ann Lee <ann@example.org>", "Thu, 07 Mar 2024 12:00:00 +0000",
                                                plain="The new crane lifts forty tonnes from the quay."))
    (tmp_path / "big.eml").write_bytes(message("Big", "a@example.org", "Thu, 07 Mar 2024 12:00:00 +0000",
                                               plain="word " * 10_000))
    monkeypatch.setattr(qa.mail, "MAX_MESSAGE_BYTES", 20_000)
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False)
    [hit] = lib.ask("crane forty tonnes", k=1, mode="lexical")
    assert (hit.reference, hit.title, hit.date, hit.author) == (f"{tmp_path / 'note.eml'}:1", "Crane", "2024-03-07",
                                                                "Ann Lee")
    assert [s.reason for s in lib.last_summary.skipped] == ["message too large (over 0 MB)"]
