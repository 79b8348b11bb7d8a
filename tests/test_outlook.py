"""Outlook's saved messages (.msg), written for these tests as Outlook lays them out (tests/cfb.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from cfb import message, write_cfb
from test_mail import message as eml

import qa
from qa.readers import ReadStats, read_articles

SENT = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)
NEWSLETTER = ("<html><head><meta charset='windows-1252'></head><body><h1>Basin news</h1>"
              "<p>The caf\xe9 on the quay reopens on Friday.</p><h2>Dredging</h2>"
              "<p>The dredger Marlow removes 18,500 cubic metres of silt.</p></body></html>").encode("cp1252")


def read(*paths):
    stats = ReadStats()
    return list(read_articles([str(p) for p in paths], stats)), stats


def test_a_saved_message_is_read_as_its_email_subject_sender_date_and_text(tmp_path):
    write_cfb(tmp_path / "Dredging schedule.msg", message(
        "Dredging schedule", body="The dredger arrives at Keel Bay on Monday.\r\n\r\nAnn",
        sender=("Ann Lee", "ann@keelbay.example"), sent=SENT))
    [a], stats = read(tmp_path)
    assert (a.title, a.author, a.date, a.line_start) == ("Dredging schedule", "Ann Lee", "2024-03-05", 1)
    assert a.text == "The dredger arrives at Keel Bay on Monday.\n\nAnn" and not stats.skipped
    assert a.source.endswith("Dredging schedule.msg")


def test_an_html_body_is_read_as_its_page_in_its_code_page_and_headers_give_the_date(tmp_path):
    headers = ("Received: from mx.example by mail.example; Tue, 12 Mar 2024 08:00:00 +0000\r\n"
               "Date: Mon, 11 Mar 2024 17:45:00 +0100\r\nMessage-ID: <basin-42@keelbay.example>\r\n"
               "From: Harbour Office <office@keelbay.example>\r\n")
    write_cfb(tmp_path / "news.msg", message("Basin news", body="Basin news (plain)", html=NEWSLETTER,
                                             headers=headers, codepage=1252, sent=SENT))
    [a], _ = read(tmp_path / "news.msg")
    assert a.markup == "page" and "The café on the quay reopens on Friday." in a.text
    assert "## Dredging" in a.text and "(plain)" not in a.text
    assert (a.date, a.author) == ("2024-03-11", "Harbour Office")  # the Date header, the sender it names
    # headers the email package cannot take are left out, not the message
    broken = headers.replace("<basin-42@keelbay.example>", "<<basin 42").replace("Mon, 11 Mar", "Monday-ish")
    write_cfb(tmp_path / "odd.msg", message("Odd headers", body="The quay is open.", headers=broken + "Subject: x\r\n",
                                            sent=SENT))
    [odd], stats = read(tmp_path / "odd.msg")
    assert (odd.title, odd.text, odd.author) == ("Odd headers", "The quay is open.", "Harbour Office") and not stats.skipped


def test_a_body_kept_only_as_compressed_rich_text_is_read_as_its_text(tmp_path):
    rtf = (b"{\\rtf1\\ansi\\ansicpg1252\\fromtext\\deff0{\\fonttbl{\\f0\\fswiss Arial;}}\\f0 "
           b"The caf\\'e9 on the quay reopens on Friday.\\par\\par The dredger Marlow removes silt.\\par}")
    write_cfb(tmp_path / "rtf.msg", message("Quay caf\xe9", rtf=rtf, sender=("Ann Lee", "ann@keelbay.example"), sent=SENT))
    # Outlook's HTML encapsulated in RTF (MS-OXRTFEX): the tags are left out, the text read once
    encapsulated = (b"{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\deff0{\\fonttbl{\\f0\\fswiss Arial;}}"
                    b"{\\*\\htmltag19 <html>}{\\*\\htmltag2 \\par }{\\*\\htmltag50 <body>}"
                    b"{\\*\\htmltag64 <p>}\\htmlrtf {\\htmlrtf0 The ferry to Skerry Isle leaves at nine."
                    b"\\htmlrtf\\par}\\htmlrtf0 {\\*\\htmltag72 </p>}{\\*\\htmltag58 </body>}{\\*\\htmltag27 </html>}}")
    write_cfb(tmp_path / "html.msg", message("Ferry", rtf=encapsulated, sent=SENT))
    write_cfb(tmp_path / "broken.msg", {**message("Broken", sent=SENT), "__substg1.0_10090102": b"LZFu" + b"\0" * 20})
    [a, b], stats = read(tmp_path / "rtf.msg", tmp_path / "html.msg")
    assert a.title == "Quay café" and a.text == "The café on the quay reopens on Friday.\n\nThe dredger Marlow removes silt."
    assert b.text == "The ferry to Skerry Isle leaves at nine." and not stats.skipped
    [], stats = read(tmp_path / "broken.msg")
    assert [s.reason for s in stats.skipped] == ["message has no text"]


def test_a_reply_leaves_out_what_it_quotes_and_attachments_are_articles_of_their_own(tmp_path):
    forwarded = message("Basin report", body="The basin was dredged in May.", sender=("Harbour Office", "o@k.example"),
                        sent=datetime(2024, 2, 1, tzinfo=UTC), inner=True)
    write_cfb(tmp_path / "reply.msg", message(
        "RE: Meeting", body="Yes, Thursday works.\r\n\r\n-----Original Message-----\r\nFrom: Bob Stone\r\n"
        "Sent: Monday, March 4, 2024 9:00 AM\r\nTo: Ann Lee\r\nSubject: Meeting\r\n\r\nCan we meet Thursday?\r\n",
        sender=("Ann Lee", "ann@keelbay.example"), sent=SENT,
        attachments=[("minutes.txt", b"The board approved the new quay.\n"), ("logo.png", b"\x89PNG\r\n"),
                     ("Basin report", forwarded), ("big.txt", b"A long line of minutes. " * 300)]))
    articles, stats = read(tmp_path / "reply.msg")
    by = {a.title: a for a in articles}
    assert sorted(by) == ["Basin report (in: RE: Meeting)", "RE: Meeting", "big.txt (in: RE: Meeting)",
                          "minutes.txt (in: RE: Meeting)"] and not stats.skipped
    assert by["RE: Meeting"].text == "Yes, Thursday works."
    assert by["minutes.txt (in: RE: Meeting)"].text == "The board approved the new quay."
    assert by["minutes.txt (in: RE: Meeting)"].author == "Ann Lee"  # a document: its sender's
    report = by["Basin report (in: RE: Meeting)"]  # a forwarded message: its own sender and date
    assert (report.text, report.author, report.date) == ("The basin was dredged in May.", "Harbour Office", "2024-02-01")
    assert by["big.txt (in: RE: Meeting)"].text.startswith("A long line of minutes.")  # a stream past the mini stream
    assert len({a.article_id for a in articles}) == 4


def test_a_saved_message_attached_to_an_email_is_read_and_files_that_are_not_messages_are_reported(tmp_path, fake):
    exchange = ("Cy Dunn", "/O=KEELBAY/OU=EXCHANGE/CN=RECIPIENTS/CN=CDUNN")  # no internet address
    write_cfb(tmp_path / "attached.msg", message("Quay works", body="The quay closes in June.", sent=SENT,
                                                 sender=exchange))
    raw = eml("Fwd: Quay works", "Bob Stone <bob@example.org>", "Wed, 06 Mar 2024 10:00:00 +0000", plain="See attached.")
    from email import message_from_bytes, policy

    mail = message_from_bytes(raw, policy=policy.default)
    mail.add_attachment((tmp_path / "attached.msg").read_bytes(), maintype="application", subtype="vnd.ms-outlook",
                        filename="Quay works.msg")
    (tmp_path / "box").mkdir()
    (tmp_path / "box" / "fwd.eml").write_bytes(bytes(mail))
    (tmp_path / "box" / "notes.msg").write_text("not a message at all", encoding="utf-8")
    write_cfb(tmp_path / "box" / "other.msg", {"WordDocument": b"\0" * 100})
    articles, stats = read(tmp_path / "box")
    assert [(a.title, a.author, a.text) for a in articles] == [
        ("Fwd: Quay works", "Bob Stone", "See attached."),
        ("Quay works (in: Fwd: Quay works)", "Cy Dunn", "The quay closes in June.")]
    # in a folder, a text .msg (Tcl's message catalogue) is passed over as a file of no kind read is
    assert [(s.path.rsplit("/", 1)[-1], s.reason) for s in stats.skipped] == [
        ("other.msg", "not an Outlook message (no message properties in it)")]
    assert stats.ignored[".msg not an Outlook message"] == 1
    _, named = read(tmp_path / "box" / "notes.msg")  # named, it is read and reported
    assert [s.reason for s in named.skipped] == ["not an Outlook message (not an OLE compound file)"]
    lib = qa.Library.build([str(tmp_path / "attached.msg")], str(tmp_path / "idx"), embedder=fake, progress=False)
    [hit] = lib.ask("When does the quay close?", k=1)
    assert hit.reference.endswith("attached.msg:1") and hit.title == "Quay works"
