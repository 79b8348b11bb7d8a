"""Email: messages (.eml) and mailboxes (.mbox) as articles, newsletters read as pages (qa.mail)."""

from __future__ import annotations

from email.message import EmailMessage

import pytest
from test_pdf import REPORT, write_pdf

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
        message("You won a prize", "x@spam.example", "Wed, 06 Mar 2024 09:00:00 +0000", plain="Claim it now.",
                headers={"X-Gmail-Labels": "Spam,Unread"}),
        message("Old ferry times", "Bob Stone <bob@example.org>", "Wed, 06 Mar 2024 09:00:00 +0000",
                plain="The ferry leaves at eight.", headers={"X-Gmail-Labels": "Trash,Opened"}),
    )
    (tmp_path / "All mail Including Spam and Trash.mbox").write_bytes(box)
    stats = ReadStats()
    news, ferry = read_articles([str(tmp_path / "All mail Including Spam and Trash.mbox")], stats)
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
    # a body's line that opens with "From " is the body's, unquoted
    assert ferry.text == "The ferry leaves at nine.\n\nFrom Monday it leaves at ten."
    assert (ferry.title, ferry.author, ferry.date, ferry.markup) == ("Ferry times", "Bob Stone", "2024-03-05", None)
    lines = box.split(b"\n")
    assert lines[ferry.line_start - 1].startswith(b"From ") and ferry.line_start > 1
    damaged, picture, spam, trash = stats.skipped  # the attachment is no PDF: said, at its message's line
    assert spam.reason == trash.reason == "a message in Gmail's Spam or Trash (X-Gmail-Labels)" and spam.line > 1
    assert damaged.line == ferry.line_start and damaged.reason.startswith("attachment report.pdf: a damaged PDF")
    assert picture.reason == "message has no text" and lines[picture.line - 1].startswith(b"From ")


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


def test_attached_documents_are_articles_of_their_own_referenced_by_their_message(tmp_path, fake):
    write_pdf(tmp_path / "report.pdf", REPORT)
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["Date"] = "Harbour report", "Ann Lee <ann@example.org>", "Mon, 04 Mar 2024 09:00:00 +0000"
    msg["X-Gmail-Labels"] = "Council"
    msg.set_content("Here is the report the council asked for.")
    msg.add_attachment((tmp_path / "report.pdf").read_bytes(), maintype="application", subtype="pdf",
                       filename="report.pdf")
    msg.add_attachment(b"# Minutes\n\nThe board meets monthly in the old customs house.\n", maintype="text",
                       subtype="markdown", filename="minutes.md")
    msg.add_attachment(b"\x89PNG\r\n\x1a\n" + bytes(64), maintype="image", subtype="png", filename="quay.png")
    forwarded = EmailMessage()
    forwarded["Subject"], forwarded["From"] = "Ferry times", "Bob Stone <bob@example.org>"
    forwarded["Date"] = "Fri, 01 Mar 2024 08:00:00 +0000"
    forwarded.set_content("The winter ferry leaves Keel Bay at nine.")
    msg.add_attachment(forwarded)
    (tmp_path / "report.pdf").unlink()
    box = mbox(message("Hello", "c@example.org", "Sun, 03 Mar 2024 08:00:00 +0000", plain="Hi."), bytes(msg))
    (tmp_path / "Archive.mbox").write_bytes(box)
    stats = ReadStats()
    hello, body, pdf, minutes, ferry = read_articles([str(tmp_path)], stats)
    assert not stats.skipped  # the picture passed over
    line = body.line_start
    assert box.split(b"\n")[line - 1].startswith(b"From ") and line > hello.line_start
    assert [(a.title, a.line_start, a.lines_mapped, a.date, a.author, a.tags) for a in (pdf, minutes, ferry)] == [
        ("report.pdf (in: Harbour report)", line, False, "2024-03-04", "Ann Lee", ("Council",)),
        ("minutes.md (in: Harbour report)", line, False, "2024-03-04", "Ann Lee", ("Council",)),
        ("Ferry times (in: Harbour report)", line, False, "2024-03-01", "Bob Stone", ("Council",)),
    ]  # a forwarded message keeps its own sender and date
    assert pdf.text.startswith("# Harbour Report\n") and "The crane lifts forty tonnes." in pdf.text
    assert (pdf.markup, minutes.markup, pdf.metadata["attachment"]) == ("page", "markdown", "report.pdf")
    assert len({a.article_id for a in (hello, body, pdf, minutes, ferry)}) == 5

    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False)
    [hit] = lib.ask("How much can the crane lift?", k=1, mode="lexical")
    assert (hit.reference, hit.title) == (f"{tmp_path / 'Archive.mbox'}:{line}", "report.pdf (in: Harbour report)")
    with pytest.raises(qa.InputError, match=f"Archive.mbox:{line} opens 4 articles: name one by its id"):
        lib.similar(f"{tmp_path / 'Archive.mbox'}:{line}")  # the message and its three attachments
    assert lib.similar(f"{tmp_path / 'Archive.mbox'}:{hello.line_start}", k=1)  # a message alone
    assert hit.article_id not in [s.article_id for s in lib.similar(hit.article_id)]
    again = [a.article_id for a in read_articles([str(tmp_path)], ReadStats())]
    assert again == [a.article_id for a in (hello, body, pdf, minutes, ferry)]  # an update finds them unchanged


def test_an_attached_page_is_read_though_it_asks_not_to_be_indexed(tmp_path):
    """A page someone sent is theirs to read, whatever its site says to search engines."""
    msg = EmailMessage()
    msg["Subject"], msg["From"], msg["Date"] = "Agenda", "Ann Lee <ann@example.org>", "Mon, 04 Mar 2024 09:00:00 +0000"
    msg.set_content("The agenda is attached.")
    msg.add_attachment(b"<html><head><title>Board agenda</title><meta name='robots' content='noindex'></head><body>"
                       b"<main><h1>Board agenda</h1><p>The board will vote on the dredging budget of the north channel."
                       b"</p></main></body></html>", maintype="text", subtype="html", filename="agenda.html")
    (tmp_path / "Archive.mbox").write_bytes(mbox(bytes(msg)))
    stats = ReadStats()
    _, agenda = read_articles([str(tmp_path)], stats)
    assert agenda.title == "agenda.html (in: Agenda)" and "dredging budget" in agenda.text
    assert (stats.noindex, stats.skipped) == ([], [])


def test_a_mailbox_without_an_extension_is_known_by_its_first_lines(tmp_path):
    """Thunderbird keeps each folder as a file without an extension (``Inbox``, beside its
    ``Inbox.msf``); an Apple Mail export holds a file named ``mbox``."""
    box = mbox(message("Crane", "Ann Lee <ann@example.org>", "Thu, 07 Mar 2024 12:00:00 +0000",
                       plain="The new crane lifts forty tonnes from the quay.", headers={"X-Mozilla-Status": "0001"}))
    # deleted (or moved to another folder) in Thunderbird: its bytes stay until the folder is compacted
    gone = message("Old crane", "Ann Lee <ann@example.org>", "Wed, 06 Mar 2024 12:00:00 +0000",
                   plain="The old crane lifted twenty tonnes.", headers={"X-Mozilla-Status": "0009"})
    imap = message("Older crane", "Ann Lee <ann@example.org>", "Tue, 05 Mar 2024 12:00:00 +0000",
                   plain="The first crane lifted ten tonnes.", headers={"X-Mozilla-Status2": "00200000"})
    (tmp_path / "Inbox").write_bytes(box + mbox(gone, imap))
    (tmp_path / "Inbox.msf").write_bytes(b"// <!-- <mdb:mork:z v=\"1.4\"/> -->")
    (tmp_path / "Project v1.2").write_bytes(box)  # a folder named with a dot, beside its summary
    (tmp_path / "Project v1.2.msf").write_bytes(b"// <!-- <mdb:mork:z v=\"1.4\"/> -->")
    (tmp_path / "Export.mbox").mkdir()
    (tmp_path / "Export.mbox" / "mbox").write_bytes(box)
    (tmp_path / "Trash").write_bytes(box)  # deleted and junk mail: left out when met in a folder
    (tmp_path / "Trash.sbd").mkdir()
    (tmp_path / "Trash.sbd" / "Old").write_bytes(box)
    (tmp_path / "Junk.mbox").mkdir()
    (tmp_path / "Junk.mbox" / "mbox").write_bytes(box)
    (tmp_path / "Spam.mbox").write_bytes(box)
    (tmp_path / "LICENSE").write_text("From the authors, with thanks.\nPermission is granted: to anyone.\nYes.\n")
    (tmp_path / "letter").write_text("From Monday on the ferry leaves at 09:00 sharp.\nSubject: timetable\nBye\n")
    stats = ReadStats()
    found = list(read_articles([str(tmp_path)], stats))
    assert [(a.source, a.title, a.line_start) for a in found] == [
        (str(tmp_path / "Inbox"), "Crane", 1), (str(tmp_path / "Project v1.2"), "Crane", 1),
        (str(tmp_path / "Export.mbox" / "mbox"), "Crane", 1)]
    assert stats.ignored == {"without an extension": 2, ".msf": 2, "mail in a Trash or Junk folder": 4}
    deleted, on_server = stats.skipped
    assert deleted.path == str(tmp_path / "Inbox") and "deleted or moved in Thunderbird" in deleted.reason
    assert deleted.reason == on_server.reason and deleted.line < on_server.line
    assert [a.title for a in read_articles([str(tmp_path / "Trash")], ReadStats())] == ["Crane"]  # named: read
    assert qa.mail.is_mbox(box[:1024]) and not qa.mail.is_mbox(b"From Monday on we meet at 10:00.\nBring tea.\n\n")


def test_a_reply_is_read_without_the_message_it_quotes(tmp_path):
    """The quoted earlier message is in the mailbox under its own sender and date; in a reply it
    would be found again under the replier's name."""
    def reply(subject, plain=None, html=None, headers=None):
        return message(subject, "Ann Lee <ann@example.org>", "Tue, 05 Mar 2024 10:00:00 +0000", plain=plain, html=html,
                       headers=headers)

    gmail = reply("Re: Ferry", plain="Nine works for me.\n\nAnn\n\nOn Mon, Mar 4, 2024 at 9:00 AM Bob Stone "
                  "<bob@example.org> wrote:\n> The ferry leaves at nine.\n> Shall we meet at the quay?\n",
                  headers={"In-Reply-To": "<1@example.org>"})
    html = reply("Re: Ferry", html='<div dir="ltr">See you at the quay.</div><br><div class="gmail_quote"><div '
                 'class="gmail_attr">On Mon, Mar 4, 2024 at 9:00 AM Bob &lt;bob@example.org&gt; wrote:<br></div>'
                 '<blockquote class="gmail_quote">The ferry leaves at nine.</blockquote></div>')
    outlook = reply("RE: Meeting", plain="Yes, Thursday works.\n\n-----Original Message-----\nFrom: Bob Stone\n"
                    "Sent: Monday, March 4, 2024 9:00 AM\nTo: Ann Lee\nSubject: Meeting\n\nCan we meet Thursday?\n")
    inline = reply("Re: Ferry", plain="Hi,\n\nOn Mon, Mar 4, 2024 at 9:00 AM Bob <bob@example.org> wrote:\n"
                   "> Can you come?\nYes.\n> At nine?\nNo, at ten.\n")
    forward = reply("Fwd: Basin report", plain="FYI\n\n---------- Forwarded message ---------\nFrom: Harbour Office "
                    "<office@harbour.example>\nDate: Tue, Mar 12, 2024\nSubject: Basin report\n\nThe basin was "
                    "dredged in May.\n", headers={"References": "<2@example.org>"})
    letter = reply("Harbour news", plain="The harbour news.\n\nOn Monday the mayor wrote:\nThe bridge will close "
                   "for two years.\n")
    (tmp_path / "box.mbox").write_bytes(mbox(gmail, html, outlook, inline, forward, letter))
    texts = [a.text for a in read_articles([str(tmp_path / "box.mbox")], ReadStats())]
    assert texts == [
        "Nine works for me.\n\nAnn",
        "See you at the quay.",
        "Yes, Thursday works.",
        "Hi,\n\nOn Mon, Mar 4, 2024 at 9:00 AM Bob <bob@example.org> wrote:\n> Can you come?\nYes.\n> At nine?\n"
        "No, at ten.",  # answers between the quoted lines keep them
        "FYI\n\n---------- Forwarded message ---------\nFrom: Harbour Office <office@harbour.example>\nDate: Tue, "
        "Mar 12, 2024\nSubject: Basin report\n\nThe basin was dredged in May.",  # a forward's message is its text
        "The harbour news.\n\nOn Monday the mayor wrote:\nThe bridge will close for two years.",  # no reply
    ]


def test_a_signature_is_left_out(tmp_path):
    signed = message("Dredging", "Ann Lee <ann@example.org>", "Tue, 05 Mar 2024 10:00:00 +0000",
                     plain="The dredger starts on Monday.\n\n-- \nAnn Lee\nHarbour Office\n+44 20 7946 0000\n")
    gmail = message("Quay", "Ann Lee <ann@example.org>", "Tue, 05 Mar 2024 11:00:00 +0000",
                    html='<div dir="ltr">The quay reopens in May.<br clear="all"><div><br></div><span class="gmail_'
                         'signature_prefix">-- </span><br><div dir="ltr" class="gmail_signature"><div>Ann Lee<br>'
                         'Harbour Office</div></div></div>')
    dashes = message("Minutes", "Bob Stone <bob@example.org>", "Tue, 05 Mar 2024 12:00:00 +0000",
                     plain="Item one.\n--\nItem two: the crane.\n")  # no delimiter: a rule of the text
    only = message("Card", "Ann Lee <ann@example.org>", "Tue, 05 Mar 2024 13:00:00 +0000",
                   plain="-- \nAnn Lee, Harbour Office\n")  # nothing but a signature: kept
    parts = "\n".join(f"Part {n} of the report." for n in range(20))
    long = message("Report", "Bob Stone <bob@example.org>", "Tue, 05 Mar 2024 14:00:00 +0000",
                   plain=f"Summary.\n-- \n{parts}\n")  # 20 lines below it: no signature
    (tmp_path / "box.mbox").write_bytes(mbox(signed, gmail, dashes, only, long))
    texts = [a.text for a in read_articles([str(tmp_path / "box.mbox")], ReadStats())]
    assert texts[0] == "The dredger starts on Monday."
    assert texts[1] == "The quay reopens in May."  # Gmail's "-- " before it too
    assert texts[2:] == ["Item one.\n--\nItem two: the crane.", "-- \nAnn Lee, Harbour Office",
                         f"Summary.\n-- \n{parts}"]
