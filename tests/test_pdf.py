"""PDF files: paragraphs, headings and pages read back from positioned lines (qa.pdf)."""

from __future__ import annotations

import ctypes
import json

import pypdfium2 as pdfium
import pypdfium2.raw as raw

import qa
from qa.pdf import _UNHYPHENATED, _Line, _title
from qa.pdfmeta import meta_text, pdf_date, why_unreadable
from qa.readers import ReadStats, read_articles
from qa.render import hit_cards

WIDTH = 60  # characters of Courier on a full line of a column
SIZES = {"title": 20, "heading": 14, "head": 8}


def _justified(words: list[str], width: int) -> str:
    """A full line: PDFium reads the widened spaces as one."""
    gaps = len(words) - 1
    extra = width - len(" ".join(words))
    return "".join(w + (" " * (1 + extra // gaps + (i < extra % gaps)) if i < gaps else "")
                   for i, w in enumerate(words))


def _lines(text: str, width: int, indent: int = 0, ends: bool = True) -> list[str]:
    """``text`` wrapped at ``width`` characters, full lines justified; the last one ends the
    paragraph (short) unless ``ends`` is False (the paragraph goes on in the next column)."""
    lines, words = [], text.split()
    room = width - indent
    while words:
        n = 1
        while n < len(words) and len(" ".join(words[: n + 1])) <= room:
            n += 1
        line, words = words[:n], words[n:]
        lines.append(_justified(line, room) if words or not ends else " ".join(line))
        room = width
    return lines


def write_positioned(path, pages, font=b"Courier") -> None:
    """Write a PDF of pages of ``(x, y, size, text)``: each a line of text, its baseline at y
    (``(x, y, size, text, font)``: in another of PDF's standard fonts, such as ``Courier-Bold``)."""
    pdf = pdfium.PdfDocument.new()
    fonts = {}
    for items in pages:
        page = pdf.new_page(612, 792)
        for x, y, size, text, *other in items:
            name = other[0] if other else font
            handle = fonts.setdefault(name, raw.FPDFText_LoadStandardFont(pdf, name))
            obj = raw.FPDFPageObj_CreateTextObj(pdf, handle, ctypes.c_float(size))
            buf = ctypes.create_string_buffer((text + "\0").encode("utf-16-le"))
            raw.FPDFText_SetText(obj, ctypes.cast(buf, ctypes.POINTER(raw.FPDF_WCHAR)))
            raw.FPDFPageObj_Transform(obj, 1, 0, 0, 1, x, y)
            raw.FPDFPage_InsertObject(page.raw, obj)
        raw.FPDFPage_GenerateContent(page.raw)
    pdf.save(str(path))


def write_pdf(path, pages, columns=((72, WIDTH),), size=10.0) -> None:
    """Write a PDF in Courier (each character 0.6 of its size wide), laid out as a typesetter
    would: ``pages`` is a list of pages, each a list of columns, each a list of blocks:
    ``("title"|"heading", text)``, ``("para", text)`` (first line indented),
    ``("flow", text)`` (not indented, and its last line full: it goes on in the next column),
    ``("flow-end", text)`` (where such a paragraph ends: not indented),
    ``("item", text)`` (a bullet, its next lines hanging), ``("code", line)`` (indented),
    ``("head"|"foot", text)`` (small, at the top or bottom of the page)."""
    char = 0.6 * size
    out = []
    for cols in pages:
        items = []
        for (left, width), blocks in zip(columns, cols, strict=False):
            y = 720.0
            for kind, text in blocks:
                if kind in ("head", "foot"):
                    items.append((left, 760 if kind == "head" else 30, SIZES["head"], text))
                    continue
                if kind in SIZES:
                    y -= SIZES[kind] * 0.8
                    items.append((left, y, SIZES[kind], text))
                    y -= SIZES[kind] * 1.4
                    continue
                indent = {"para": 3, "code": 4}.get(kind, 0)
                lines = [text] if kind == "code" else _lines(text, width, indent, ends=kind != "flow")
                for i, line in enumerate(lines):
                    hang = 2 if kind == "item" and i else indent if i == 0 else 0
                    items.append((left + hang * char, y, size, ("• " if kind == "item" and i == 0 else "") + line))
                    y -= 1.2 * size
        out.append(items)
    write_positioned(path, out)


FIRST = ("The dredger Hoorn arrived at the harbour on Tuesday and began to clear the silt from the "
         "inner basin, and the shipping lane reopened on Monday.")
SECOND = "Engineers compared the soundings with the charts of the last survey and sent the council a note."
REPORT = [
    [[("head", "Chapter 1: Dredging 1"), ("title", "Harbour Report"), ("para", FIRST), ("para", SECOND),
      ("heading", "Findings"), ("item", "Silt doubled in the third basin, where the river meets the old quay."),
      ("item", "The crane on the quay was repaired."), ("code", "# keep the lane at nine metres"),
      ("flow", "The council will meet again in the spring to decide how much"), ("foot", "- 1 -")]],
    [[("head", "Chapter 1: Dredging 2"), ("flow-end", "to dredge next year. Sand is cheaper than silt to move."),
      ("foot", "- 2 -")]],
    [[("head", "Chapter 2: Cranes 3"), ("heading", "Cranes"), ("para", "The crane lifts forty tonnes."),
      ("foot", "- 3 -")]],
]


def test_paragraphs_headings_and_pages_from_positioned_lines(tmp_path):
    write_pdf(tmp_path / "report.pdf", REPORT)
    stats = ReadStats()
    [doc] = read_articles([str(tmp_path)], stats)
    assert not stats.skipped
    assert doc.title == "Harbour Report" and doc.markup == "page"
    assert doc.text.split("\n") == [
        "# Harbour Report",
        FIRST,
        SECOND,
        "## Findings",
        "• Silt doubled in the third basin, where the river meets the old quay.",
        "• The crane on the quay was repaired.",
        "    # keep the lane at nine metres",  # code's "# comment" is no heading
        # the sentence goes on over the page; the running heads and page numbers are left out
        "The council will meet again in the spring to decide how much to dredge next year. "
        "Sand is cheaper than silt to move.",
        "## Cranes",
        "The crane lifts forty tonnes.",
    ]
    # the pages are the lines: where each starts in the text
    assert doc.line_anchors == ((0, 1), (doc.text.index("to dredge"), 2), (doc.text.index("## Cranes"), 3))


def test_a_word_hyphenated_at_a_lines_end_is_one_word_and_a_ligature_its_letters(tmp_path):
    write_positioned(tmp_path / "lane.pdf", [[(72, 700, 11, "The inner basin was dredged and the inter-"),
                                             (72, 687, 11, "national lane reopened on Monday.")]], font=b"Helvetica")
    [doc] = read_articles([str(tmp_path)], ReadStats())
    assert doc.text == "The inner basin was dredged and the international lane reopened on Monday."
    # an identifier broken after its underscore, as Texinfo's manuals break them, is one word
    write_positioned(tmp_path / "api.pdf", [[(72, 700, 11, "Before the crane moves, call crane_lift_"),
                                             (72, 687, 11, "slowly() first, then read the loads in __"),
                                             (72, 674, 11, "ASN1 order, then the quays' list, pick_"),
                                             (72, 661, 11, "\"4\" and the next quay's list in Dock 5 too.")]],
                     font=b"Helvetica")
    [api] = read_articles([str(tmp_path / "api.pdf")], ReadStats())
    assert api.text == ("Before the crane moves, call crane_lift_slowly() first, then read the loads in __ ASN1 order, "
                        "then the quays' list, pick_ \"4\" and the next quay's list in Dock 5 too.")
    # a ligature left in by a font without a text map (the standard fonts here cannot draw one)
    assert "the \ufb01rst \ufb02ow".translate(_UNHYPHENATED) == "the first flow"


def test_a_centred_title_over_two_lines_superscripts_and_a_hanging_reference_list(tmp_path):
    write_positioned(tmp_path / "paper.pdf", [[
        (120, 720, 20, "Silt in a Tidal Harbour: Three"), (200, 698, 20, "Years of Soundings"),
        (200, 670, 11, "Ann Lee"), (246.5, 674, 8, "1"), (251.5, 670, 11, ", Bob Stone"), (324.5, 674, 8, "2"),
        (72, 640, 10, "Silt settles fastest after the spring floods [1]. The depth was"),
        (72, 628, 10, "measured every week, and the water held 10"), (324.5, 632, 7, "6"), (329, 628, 10, " particles."),
        (72, 600, 14, "References"),
        (72, 580, 10, "[1] C. Moss. Monthly soundings of Keel Bay. Journal of"),
        (84, 568, 10, "Harbour Science, 12(3):45-61, 2019."),
        (72, 556, 10, "[2] D. Wren. Tides and silt. River Press, 2015."),
    ]])
    [doc] = read_articles([str(tmp_path)], ReadStats())
    assert doc.title == "Silt in a Tidal Harbour: Three Years of Soundings"
    assert doc.text.split("\n") == [
        "# Silt in a Tidal Harbour: Three Years of Soundings",
        "Ann Lee1, Bob Stone2",  # the affiliations' marks stay with the names, on their row
        "Silt settles fastest after the spring floods [1]. The depth was measured every week, and the "
        "water held 106 particles.",
        "## References",
        "[1] C. Moss. Monthly soundings of Keel Bay. Journal of Harbour Science, 12(3):45-61, 2019.",
        "[2] D. Wren. Tides and silt. River Press, 2015.",
    ]


def test_a_bold_line_in_the_texts_size_with_space_above_is_a_heading_a_bold_table_header_is_not(tmp_path):
    bold = b"Courier-Bold"
    write_positioned(tmp_path / "notes.pdf", [[
        (72, 720, 16, "Harbour Notes"),
        (72, 690, 10, _justified("Silt settles fastest after the spring floods in the".split(), WIDTH)),
        (72, 678, 10, "inner basin."),
        (72, 650, 10, "2.1 Sampling at night", bold),
        (72, 638, 10, _justified("The crews sounded the basin after dark, when the lane was".split(), WIDTH)),
        (72, 626, 10, "quiet."),
        (72, 614, 10, "Basin   Depth   Week", bold),
        (72, 602, 10, "Inner   7.5 m   12"),
        (72, 578, 10, "Warning: the quay is closed.", bold),
    ]])
    [doc] = read_articles([str(tmp_path)], ReadStats())
    assert doc.text.split("\n") == [
        "# Harbour Notes", "Silt settles fastest after the spring floods in the inner basin.",
        "## 2.1 Sampling at night",  # bold, spaced off: the least level of heading
        "The crews sounded the basin after dark, when the lane was quiet.",
        "Basin Depth Week", "Inner 7.5 m 12",  # bold, no space above: a table's header row
        "Warning: the quay is closed.",  # bold and spaced off, but a sentence
    ]


def test_two_columns_read_one_after_the_other_a_paragraph_going_on_over_them(tmp_path):
    a = "Silt settles where the river slows at the quay, and the basin fills a little every week of the year."
    b = "The dredger works at night when the lane is quiet, and its crew measures the depth"
    b2 = "after every pass so that the charts stay right. Ships wait outside until it is done."
    c = "Next spring the council will decide whether to buy a dredger of its own."
    write_pdf(tmp_path / "cols.pdf", [[[("para", a), ("flow", b)], [("flow-end", b2), ("para", c)]]],
              columns=((72, 40), (330, 40)))
    [doc] = read_articles([str(tmp_path)], ReadStats())
    assert doc.text.split("\n") == [a, f"{b} {b2}", c]


def test_a_pdf_in_the_index_is_referenced_by_pages(tmp_path, fake):
    corpus = tmp_path / "docs"
    corpus.mkdir()
    pages = [[[("para", f"Week {w} of page {p}: the dredger cleared basin {w} "
                                               f"of its silt, and the crews logged {w * p} loads.")
                                              for w in range(1, 12)]] for p in (1, 2, 3)]
    pages[0][0].insert(0, ("title", "Harbour Works"))
    pages[2][0].append(("para", "The new crane lifts forty tonnes from the quay."))
    write_pdf(corpus / "works.pdf", pages)
    (corpus / "notes.txt").write_text("The ferry leaves at nine.\n", encoding="utf-8")
    lib = qa.Library.build([str(corpus)], str(tmp_path / "idx"), embedder=fake, progress=False, chunk_tokens=64)
    [hit] = lib.ask("crane lifts forty tonnes", k=1, mode="lexical")
    path = str(corpus / "works.pdf")
    assert (hit.source, hit.line_start, hit.line_end, hit.reference) == (path, 3, 3, f"{path}:p3")
    assert "forty tonnes" in hit.text and hit.title == "Harbour Works"
    assert f"{path}:p3</code>" in hit_cards([hit], "lexical")
    spans = {(h.line_start, h.line_end) for h in lib.ask("dredger cleared basin silt", k=20, mode="lexical",
                                                          per_article=20)}
    assert {(1, 1), (2, 2)} <= spans and all(a <= b for a, b in spans)
    # a reference to a page names the article, as one to a line does
    [similar] = lib.similar(f"{path}:p2", k=1)
    assert similar.source == str(corpus / "notes.txt")
    assert lib.similar(f"{path}:p2", k=1)[0].reference.endswith("notes.txt:1")


def test_pdfs_that_cannot_be_read_are_reported_and_the_rest_indexed(tmp_path):
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "photo.pdf").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    (tmp_path / "cut.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    scan = pdfium.PdfDocument.new()
    scan.new_page(612, 792)  # a page with no text: a scan without OCR
    scan.save(str(tmp_path / "scan.pdf"))
    write_pdf(tmp_path / "good.pdf", [[[("para", "The lock gates were painted green.")]]])
    stats = ReadStats()
    [doc] = read_articles([str(tmp_path)], stats)
    assert doc.text == "The lock gates were painted green." and doc.source.endswith("good.pdf")
    why = {s.path.rsplit("/", 1)[1]: s.reason for s in stats.skipped}
    assert why == {
        "empty.pdf": "empty file",
        "photo.pdf": "not a PDF (it does not open with %PDF-)",
        "cut.pdf": "a damaged PDF: PDFium could not open it (data format error)",
        "scan.pdf": "no text in the PDF (scanned pages are images: add a text layer with OCR first, e.g. ocrmypdf)",
    }


def test_title_is_the_first_pages_largest_line_unless_the_metadata_names_another_line_there():
    def line(text, size, base):
        return _Line(text, 72, 72 + 6 * len(text), base, base, size, 1, 30)

    banner = line("HARBOUR RESEARCH", 24, 740)
    title = [line("Silt in the inner harbour:", 16, 700), line("a survey", 16, 682)]
    body = line("The basin fills every week.", 10, 640)
    assert _title(None, [[*title, body]], 10) == "Silt in the inner harbour: a survey"  # over two lines
    assert _title(None, [[banner, *title, body]], 10) == "HARBOUR RESEARCH"
    # the metadata's title is on the page, below a banner: it is the title
    assert _title("Silt in the inner harbour: a survey", [[banner, *title, body]], 10) \
        == "Silt in the inner harbour: a survey"
    # a shorter form of the largest line, or a title not on the page, is not
    assert _title("Silt in the inner", [[*title, body]], 10) == "Silt in the inner harbour: a survey"
    assert _title("Sediment report", [[*title, body]], 10) == "Silt in the inner harbour: a survey"
    # no line larger than the text: the metadata's title, else none (its first sentence is)
    assert _title("Sediment report", [[body]], 10) == "Sediment report"
    assert _title(None, [[body]], 10) == ""


def _with_info(text: str, info: str) -> bytes:
    """A one-page PDF written by hand, with an information dictionary (PDFium writes none)."""
    stream = f"BT /F1 11 Tf 72 700 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
               b" /Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", f"<< {info} >>".encode()]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_title_author_keywords_and_date_from_the_pdfs_information(tmp_path):
    (tmp_path / "locks.pdf").write_bytes(_with_info(
        "The lock gates were painted green.",
        "/Title (Lock Maintenance 2024) /Author (Ann Lee) /Keywords (canal; locks, paint) /Subject (Works)"
        " /CreationDate (D:20240305120000Z)"))
    (tmp_path / "2023-11-02-report.pdf").write_bytes(_with_info(
        "The weir was rebuilt.", "/Title (Microsoft Word - report_v3.docx) /CreationDate (D:20240305120000Z)"))
    stats = ReadStats()
    report, locks = read_articles([str(tmp_path)], stats)
    assert not stats.skipped
    assert (locks.title, locks.author, locks.tags, locks.date, locks.metadata) == (
        "Lock Maintenance 2024", "Ann Lee", ("canal", "locks", "paint"), "2024-03-05", {"subject": "Works"})
    assert locks.text == "The lock gates were painted green."
    # a placeholder title is none (its first sentence is); a date its name opens with wins
    assert (report.title, report.date) == ("The weir was rebuilt.", "2023-11-02")


def test_metadata_placeholders_and_dates():
    for junk in ("Microsoft Word - report_final.docx", "untitled", "thesis.tex", "", "  ", "3"):
        assert meta_text(junk) is None
    assert meta_text("  Harbour   Report ") == "Harbour Report"
    assert pdf_date("D:20250208122313Z") == "2025-02-08"
    assert pdf_date("D:20251399") is None and pdf_date(None) is None
    assert why_unreadable("Failed to load document (PDFium: Incorrect password error).").startswith(
        "the PDF is encrypted: it needs a password")


def test_qa_ask_prints_page_references(tmp_path, fake, capsys):
    import qa.cli

    write_pdf(tmp_path / "gates.pdf", [[[("title", "Canal Works"), ("para", "The lock gates were painted green in May.")]]])
    index = str(tmp_path / "idx")
    qa.Library.build([str(tmp_path / "gates.pdf")], index, embedder=fake, progress=False)
    capsys.readouterr()
    assert qa.cli.main(["ask", "lock gates painted", "--index", index, "--mode", "lexical", "-k", "1"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"1. {tmp_path / 'gates.pdf'}:p1") and lines[1] == "   Canal Works"
    assert lines[4] == "   The lock gates were painted green in May."  # the title heading is printed once
    assert qa.cli.main(["ask", "lock gates painted", "--index", index, "--mode", "lexical", "--json"]) == 0
    hit = json.loads(capsys.readouterr().out.splitlines()[0])
    assert (hit["reference"], hit["line_start"], hit["line_end"]) == (f"{tmp_path / 'gates.pdf'}:p1", 1, 1)
