"""Pages saved whole by a browser: MHTML (Chrome, Edge, Word) and Safari's web archives (qa.savedpage)."""

from __future__ import annotations

import plistlib

import qa
from qa.readers import ReadStats, read_articles

BOUNDARY = "----MultipartBoundary--tfVkS77IUWOnOXZ0KHqH60hxkpGsM1dMlhQwUFo7MS----"
# What Chromium 14x wrote for a page of ours (Page.captureSnapshot, as "Save page as... Webpage,
# Single File" does): the DOM serialised, quoted-printable at 76 columns, CRLF, a part per style.
BLINK = f"""From: <Saved by Blink>
Snapshot-Content-Location: https://gazette.example.org/ferries/winter-timetable?ref=home
Subject: Keel Bay ferry timetable changes | Harbour Gazette
Date: Thu, 03 Dec 2026 10:29:44 GMT
MIME-Version: 1.0
Content-Type: multipart/related;
\ttype="text/html";
\tboundary="{BOUNDARY}"


--{BOUNDARY}
Content-Type: text/html
Content-ID: <frame-65E14B86D0FB1E0421A55D44AED47521@mhtml.blink>
Content-Transfer-Encoding: quoted-printable
Content-Location: https://gazette.example.org/ferries/winter-timetable?ref=home

<!DOCTYPE html><html lang=3D"en"><head><meta http-equiv=3D"Content-Type" co=
ntent=3D"text/html; charset=3DUTF-8"><link rel=3D"stylesheet" type=3D"text/=
css" href=3D"cid:css-10e19786-6563-427f-a26b-8293ea37d2bb@mhtml.blink" /><t=
itle>Keel Bay ferry timetable changes | Harbour Gazette</title>
<meta property=3D"article:published_time" content=3D"2024-02-14T08:00:00Z">
<meta name=3D"author" content=3D"Lena Marsh">
CANONICAL
</head>
<body><nav><a href=3D"/">Home</a> =C2=B7 <a href=3D"/news">Ne=
ws</a> =C2=B7 <a href=3D"/sport">Sport</a></nav>
<article><h1>Keel Bay ferry timetable changes</h1>
<p>The winter ferry will leave Keel Bay at 07:15 instead of 07:40 from the =
first of November, the harbour office said on Tuesday. Commuters had asked =
for an earlier crossing for years.</p>
<h2>Why the change</h2>
<p>The operator says the earlier departure lets the boat make a fourth roun=
d trip before dark. Tickets stay at =C2=A34.20 for adults and =C2=A32.10 fo=
r children, and the caf=C3=A9 on board =E2=80=94 closed since spring =E2=80=
=94 reopens.</p>
<p>Residents of Rivermark welcomed the news but asked for a later last boat=
 on Fridays, when the theatre lets out at 22:30.</p>
<img src=3D"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfF=
cSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=3D=3D" alt=3D"ferry">
</article><footer>=C2=A9 Harbour Gazette 2024 =C2=B7 Subscribe =C2=B7 Priva=
cy</footer>
</body></html>
--{BOUNDARY}
Content-Type: text/css
Content-Transfer-Encoding: quoted-printable
Content-Location: cid:css-10e19786-6563-427f-a26b-8293ea37d2bb@mhtml.blink

@charset "utf-8";

nav {{ color: grey; }}
--{BOUNDARY}--
"""
CANONICAL = '<link rel=3D"canonical" href=3D"https://gazette.example.org/ferries/winter-=\ntimetable">'
PARAGRAPHS = [
    "# Keel Bay ferry timetable changes",
    "The winter ferry will leave Keel Bay at 07:15 instead of 07:40 from the first of November, the harbour "
    "office said on Tuesday. Commuters had asked for an earlier crossing for years.",
    "## Why the change",
    "The operator says the earlier departure lets the boat make a fourth round trip before dark. Tickets stay at "
    "£4.20 for adults and £2.10 for children, and the café on board — closed since spring — reopens.",
    "Residents of Rivermark welcomed the news but asked for a later last boat on Fridays, when the theatre lets "
    "out at 22:30.",
]
# The page's HTML as Safari keeps it in a web archive: as the server sent it, its encoding aside
PAGE = ("<!DOCTYPE html><html><head><title>Keel Bay ferry timetable changes | Harbour Gazette</title>"
        '<meta property="article:published_time" content="2024-02-14T08:00:00Z"></head><body><nav>Home · News</nav>'
        "<article><h1>Keel Bay ferry timetable changes</h1>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS[1::2]) + "</article><footer>© Harbour Gazette</footer></body></html>")


def blink(canonical: bool = True) -> bytes:
    return BLINK.replace("CANONICAL", CANONICAL if canonical else "").replace("\n", "\r\n").encode("ascii")


def read(path):
    stats = ReadStats()
    return list(read_articles([str(path)], stats)), stats


def file_line(path, text: str) -> int:
    """The line of the file on which ``text`` (as the file has it) starts."""
    data = path.read_bytes().decode("ascii")
    return data[:data.index(text)].count("\n") + 1


def test_a_page_saved_by_chrome_is_its_main_text_with_the_lines_of_the_file_its_paragraphs_are_on(tmp_path):
    path = tmp_path / "ferry.mhtml"
    path.write_bytes(blink())
    [article], stats = read(path)
    assert stats.skipped == []
    assert article.text.split("\n") == PARAGRAPHS  # no menu, footer, style or picture
    assert (article.title, article.author, article.date, article.url, article.markup) == (
        "Keel Bay ferry timetable changes", "Lena Marsh", "2024-02-14",
        "https://gazette.example.org/ferries/winter-timetable", "page")  # the page's own address
    assert article.metadata["saved"] == "2026-12-03"  # when it was saved is not when it was written
    # each paragraph at the line of the file where its HTML starts (a line of HTML spans several)
    starts = {n for _, n in article.line_anchors}
    assert {file_line(path, "<article><h1>"), file_line(path, "<p>The winter"), file_line(path, "<h2>"),
            file_line(path, "<p>The operator"), file_line(path, "<p>Residents")} == starts
    assert article.line_start == file_line(path, "<article><h1>")


def test_without_a_canonical_link_the_address_it_was_saved_from_is_its_url(tmp_path):
    (tmp_path / "ferry.mht").write_bytes(blink(canonical=False))
    [article], _ = read(tmp_path / "ferry.mht")
    assert article.url == "https://gazette.example.org/ferries/winter-timetable?ref=home"
    local = blink(canonical=False).replace(b"https://gazette.example.org/ferries/winter-timetable?ref=home",
                                           b"file:///home/ann/ferry.html")
    (tmp_path / "local.mhtml").write_bytes(local)
    [article], _ = read(tmp_path / "local.mhtml")
    assert article.url is None  # a file on someone's disk is no link for anyone else


def test_a_word_single_file_web_page_in_its_code_page(tmp_path):
    # Word's "Single File Web Page": a boundary of its own, in the code page of its Windows
    # (here windows-1251, whose bytes for a line of Russian would be guessed as another's)
    mht = ('MIME-Version: 1.0\nContent-Type: multipart/related; boundary="----=_NextPart_01DA6F2B.8D5C1E40"\n\n'
           "This document is a Single File Web Page, also known as a Web Archive file.\n\n"
           '------=_NextPart_01DA6F2B.8D5C1E40\nContent-Location: file:///C:/4F2A1C3B/report.htm\n'
           'Content-Transfer-Encoding: quoted-printable\nContent-Type: text/html; charset="windows-1251"\n\n'
           "<html><head><title>Port report</title></head><body lang=3DEN-GB><div class=3DWordSection1>\n"
           "<h1>Crane capacity</h1>\n<p class=3DMsoNormal>The new crane on the north quay lifts 65 tonnes, says the ma=\n"
           "ster: =CF=E0=F0=EE=EC =EE=F2=F5=EE=E4=E8=F2 =E2 7:15.</p>\n</div></body></html>\n\n------=_NextPart_01DA6F2B.8D5C1E40--\n")
    (tmp_path / "report.mht").write_bytes(mht.replace("\n", "\r\n").encode("ascii"))
    [article], stats = read(tmp_path / "report.mht")
    assert stats.skipped == []
    assert article.text == "# Crane capacity\nThe new crane on the north quay lifts 65 tonnes, says the master: Паром отходит в 7:15."
    assert (article.title, article.url) == ("Crane capacity", None)  # as the .htm file's would be
    assert sorted({n for _, n in article.line_anchors}) == [file_line(tmp_path / "report.mht", "<h1>"),
                                                    file_line(tmp_path / "report.mht", "<p class")]


def test_a_safari_web_archive_is_its_page_referenced_by_the_file(tmp_path):
    def archive(data: bytes, kind: str = "text/html", encoding: str | None = "UTF-8") -> bytes:
        main = {"WebResourceData": data, "WebResourceFrameName": "", "WebResourceMIMEType": kind,
                "WebResourceURL": "https://gazette.example.org/ferries/winter-timetable"}
        if encoding:
            main["WebResourceTextEncodingName"] = encoding
        picture = {"WebResourceData": b"\x89PNG\r\n\x1a\n" + bytes(32), "WebResourceMIMEType": "image/png",
                   "WebResourceURL": "https://gazette.example.org/ferry.png"}
        return plistlib.dumps({"WebMainResource": main, "WebSubresources": [picture]}, fmt=plistlib.FMT_BINARY)

    (tmp_path / "ferry.webarchive").write_bytes(archive(PAGE.encode("utf-8")))  # no charset in the page
    (tmp_path / "latin.webarchive").write_bytes(archive(PAGE.encode("cp1252"), encoding="windows-1252"))
    (tmp_path / "paper.webarchive").write_bytes(archive(b"%PDF-1.7", kind="application/pdf"))
    (tmp_path / "broken.webarchive").write_bytes(b"bplist00" + bytes(40))
    for name in ("ferry", "latin"):
        [article], stats = read(tmp_path / f"{name}.webarchive")
        assert stats.skipped == []
        assert article.text.split("\n") == PARAGRAPHS[:2] + PARAGRAPHS[3:4]  # £, é and — read in either encoding
        assert (article.url, article.date, article.line_start, article.lines_mapped, article.markup) == (
            "https://gazette.example.org/ferries/winter-timetable", "2024-02-14", 1, False, "page")
    for name, why in (("paper", "the web archive holds no page but a application/pdf file"),
                      ("broken", "not a Safari web archive")):
        articles, stats = read(tmp_path / f"{name}.webarchive")
        assert articles == [] and stats.skipped[0].reason.startswith(why)


def test_saved_pages_in_the_index_answer_with_their_file_line_and_a_link_to_the_live_page(tmp_path, fake):
    (tmp_path / "ferry.mhtml").write_bytes(blink())
    (tmp_path / "picture.mhtml").write_bytes(b"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n"
                                             b"--b\r\nContent-Type: image/png\r\n\r\nPNG\r\n--b--\r\n")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False, chunk_tokens=32)
    why = {s.path.rsplit("/", 1)[1]: s.reason for s in lib.last_summary.skipped}
    assert why == {"picture.mhtml": "no HTML page in the MHTML file (a saved picture or document?)"}
    [hit] = lib.ask("how much is a ferry ticket for children", k=1, mode="lexical")
    path = tmp_path / "ferry.mhtml"
    assert hit.reference == f"{path}:{file_line(path, '<p>The operator')}"
    assert hit.link.startswith("https://gazette.example.org/ferries/winter-timetable#:~:text=")
