"""Word documents: paragraphs, headings, lists, tables and notes as Word shows them (qa.word)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.parser import parse_xml

import qa
import qa.word
from qa.readers import ReadStats, read_articles
from qa.render import hit_cards

NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
      'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
      'xmlns:v="urn:schemas-microsoft-com:vml"')
FOOTNOTES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def p(text: str, style: str | None = None, runs: str | None = None) -> str:
    """A paragraph of Word's XML: ``text`` in one run, or the ``runs`` given."""
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{ppr}{runs or r(text)}</w:p>'


def r(text: str, bold: bool = False) -> str:
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{text}</w:t></w:r>'


def write_docx(path, body: str, footnotes: dict[int, str] | None = None, numbering: tuple[str, ...] = (),
               styles: tuple[str, ...] = (), **props) -> None:
    """A .docx of python-docx's template (its styles and lists) with ``body``, Word's XML, and
    the core properties given; with ``footnotes`` (id: text), a footnotes part as Word writes it;
    ``numbering`` and ``styles``: lists' definitions and styles added to the template's, Word's XML."""
    d = docx.Document()
    for element in numbering:
        d.part.numbering_part.element.append(parse_xml(element))
    for element in styles:
        d.styles.element.append(parse_xml(element))
    d.styles.add_style("Code", WD_STYLE_TYPE.PARAGRAPH)
    d.styles.element.append(parse_xml(f'<w:style {NS} w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/>'
                                      '<w:basedOn w:val="Normal"/></w:style>'))
    d.styles.element.append(parse_xml(f'<w:style {NS} w:type="paragraph" w:styleId="Author"><w:name w:val="Author"/>'
                                      '<w:basedOn w:val="Title"/></w:style>'))
    for name, value in props.items():
        setattr(d.core_properties, name, value)
    sect = d.element.body[-1]
    for child in parse_xml(f"<w:body {NS}>{body}</w:body>"):
        sect.addprevious(child)
    d.save(str(path))
    if footnotes:
        notes = "".join(f'<w:footnote w:id="{i}"><w:p>{r(t)}</w:p></w:footnote>' for i, t in footnotes.items())
        separator = '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        with zipfile.ZipFile(path) as z:
            parts = {n: z.read(n) for n in z.namelist()}
        parts["word/footnotes.xml"] = f"<w:footnotes {NS}>{separator}{notes}</w:footnotes>".encode()
        parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
            b"</Relationships>", f'<Relationship Id="rIdNotes" Type="{FOOTNOTES_TYPE}" '
                                 f'Target="footnotes.xml"/></Relationships>'.encode())
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/word/footnotes.xml" ContentType="application/'
                         b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>')
        with zipfile.ZipFile(path, "w") as z:
            for name, data in parts.items():
                z.writestr(name, data)


def read(path) -> qa.Article:
    stats = ReadStats()
    [article] = read_articles([str(path)], stats)
    assert stats.skipped == []
    return article


def test_headings_lists_tables_and_bold_headings_as_word_shows_them(tmp_path):
    rows = "".join("<w:tr>" + "".join(f"<w:tc><w:p>{r(c)}</w:p></w:tc>" for c in row) + "</w:tr>"
                   for row in (("Year", "Silt removed"), ("2022", "12,000 m3"), ("2023", "18,500 m3")))
    body = "".join([
        p("Dredging the Inner Basin", "Title"),
        p("Ann Lee", "Author"),  # in a style based on Title (as pandoc writes it): not a heading
        p("The board met on Tuesday."),
        p("Methods", "Heading1"),
        p("Crews sampled at night.", runs=r("Crews sampled ") + r("at night", bold=True) + r(".")),
        p("Sampling", "Heading2"),
        p("Buoys first", "ListBullet"), p("Then the quay", "ListBullet"),
        p("Measure", "ListNumber"), p("Record", "ListNumber"), p("", "ListNumber"), p("Report", "ListNumber"),
        p("", runs=r("Results at a glance", bold=True)),
        f"<w:tbl>{rows}</w:tbl>",
        p("", runs=r("Line one") + "<w:r><w:br/></w:r>" + r("Line two")),
        p("", runs=r("A whole sentence in bold is emphasis.", bold=True)),
        p("# not a heading"),
        p("for x in loads:", "Code"), p("    weigh(x)", "Code"),
        p("After the code."),
        p("", runs=r("   ")),  # no text: not a paragraph
    ])
    write_docx(tmp_path / "basin.docx", body)
    article = read(tmp_path / "basin.docx")
    assert article.title == "Dredging the Inner Basin" and article.markup == "page"
    assert article.text.split("\n") == [
        "# Dredging the Inner Basin",
        "Ann Lee",
        "The board met on Tuesday.",
        "## Methods",  # Heading 1 under the Title
        "Crews sampled at night.",
        "### Sampling",
        "- Buoys first", "- Then the quay",
        "1. Measure", "2. Record", "3. Report",
        "#### Results at a glance",  # all in bold, short, no full stop: the least heading
        "| Year | Silt removed |", "|---|---|", "| 2022 | 12,000 m3 |", "| 2023 | 18,500 m3 |",
        "Line one", "Line two",
        "A whole sentence in bold is emphasis.",
        "    # not a heading",  # a paragraph that would read as a heading is indented past it
        "```", "for x in loads:", "    weigh(x)", "```",
        "After the code.",
    ]
    # each paragraph (a heading, an item, a table row) is numbered, a table's rule and code's fences not
    numbers = [n for _, n in article.line_anchors]
    assert numbers == list(range(1, 22))
    lines = article.text.split("\n")
    assert {lines[article.text.count("\n", 0, at)] for at, n in article.line_anchors if n in (14, 16, 18)} == {
        "| 2022 | 12,000 m3 |", "Line one", "    # not a heading"}


def test_text_a_reader_sees_deleted_text_and_field_codes_not(tmp_path):
    field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGEREF _Toc1 \\h </w:instrText></w:r>'
             '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + r("page 4") +
             '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    box = ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx><w:txbxContent>'
           + p("The caption in a text box.") + '</w:txbxContent></wps:txbx></w:drawing></mc:Choice><mc:Fallback>'
           '<w:pict><v:textbox><w:txbxContent>' + p("The caption in a text box.")
           + '</w:txbxContent></v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>')
    body = "".join([
        p("Contents", "TOCHeading"), p("Methods\t4", "TOC1"),
        p("", runs=r("The gates open at ") + '<w:del w:id="1" w:author="A"><w:r><w:delText>nine</w:delText></w:r></w:del>'
          + '<w:ins w:id="2" w:author="A">' + r("ten") + "</w:ins>" + r(".")),
        p("", runs='<w:hyperlink r:id="rId99" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
          + r("The harbour site") + "</w:hyperlink>" + r(" lists the tides.")),
        p("", runs=r("See ") + field + r(".")),
        '<w:sdt><w:sdtPr/><w:sdtContent>' + p("Text in a content control.") + "</w:sdtContent></w:sdt>",
        p("", runs=r("A figure.") + box),
        p("", runs=r("Keep ") + '<w:moveFrom w:id="3" w:author="A">' + r("old place ") + "</w:moveFrom>" + r("going.")),
    ])
    write_docx(tmp_path / "seen.docx", body)
    assert read(tmp_path / "seen.docx").text.split("\n") == [
        "The gates open at ten.",
        "The harbour site lists the tides.",
        "See page 4.",
        "Text in a content control.",
        "A figure.",
        "The caption in a text box.",  # once: Word's legacy copy of the box is not read
        "Keep going.",
    ]
    assert [n for _, n in read(tmp_path / "seen.docx").line_anchors] == list(range(1, 8))


def test_list_levels_and_numbered_headings_counted_as_word_counts_them(tmp_path):
    def numbered(text, num, ilvl=0, style=None):
        pstyle = f'<w:pStyle w:val="{style}"/>' if style else ""
        return (f'<w:p><w:pPr>{pstyle}<w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>'
                f'{r(text)}</w:p>')

    def lvl(i, fmt, text):
        return f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'

    lists = (f'<w:abstractNum {NS} w:abstractNumId="90">' + lvl(0, "decimal", "%1.") + lvl(1, "lowerLetter", "%2)")
             + lvl(2, "bullet", "o") + "</w:abstractNum>",
             f'<w:abstractNum {NS} w:abstractNumId="91">' + lvl(0, "decimal", "%1") + lvl(1, "decimal", "%1.%2")
             + lvl(2, "upperRoman", "%3.") + "</w:abstractNum>",
             f'<w:num {NS} w:numId="90"><w:abstractNumId w:val="90"/></w:num>',
             f'<w:num {NS} w:numId="91"><w:abstractNumId w:val="91"/></w:num>',
             # the same list again, restarted ("Restart at 1"), and one defined by a list style
             f'<w:num {NS} w:numId="92"><w:abstractNumId w:val="90"/><w:lvlOverride w:ilvl="0">'
             '<w:startOverride w:val="1"/></w:lvlOverride></w:num>',
             f'<w:abstractNum {NS} w:abstractNumId="93"><w:numStyleLink w:val="Steps"/></w:abstractNum>',
             f'<w:num {NS} w:numId="93"><w:abstractNumId w:val="93"/></w:num>')
    styles = (f'<w:style {NS} w:type="numbering" w:styleId="Steps"><w:name w:val="Steps"/><w:pPr><w:numPr>'
              '<w:numId w:val="91"/></w:numPr></w:pPr></w:style>',)
    body = "".join([numbered("Intro", 91, 0, "Heading1"), numbered("Scope", 91, 1, "Heading2"),
                     numbered("Gates", 90), numbered("Upper", 90, 1), numbered("Lower", 90, 1),
                     numbered("Quay", 90), numbered("Cranes", 90, 1), numbered("Forty tonnes", 90, 2),
                     numbered("Methods", 91, 0, "Heading1"), numbered("Sampling", 91, 1, "Heading2"),
                     numbered("Terms", 91, 2), numbered("Locks", 90), numbered("Again", 92), numbered("More", 92),
                     numbered("Styled", 93, 2)])
    write_docx(tmp_path / "lists.docx", body, numbering=lists, styles=styles)
    assert read(tmp_path / "lists.docx").text.split("\n") == [
        "# 1 Intro", "## 1.1 Scope",
        "1. Gates", "a) Upper", "b) Lower", "2. Quay", "a) Cranes", "- Forty tonnes",  # a sublist starts again
        "# 2 Methods", "## 2.1 Sampling", "I. Terms",
        "3. Locks",  # the list of Gates and Quay goes on after the headings
        "1. Again", "2. More",  # restarted
        "II. Styled",  # its definition is the headings' list, by its list style
    ]


def test_a_footnote_follows_the_paragraph_citing_it_numbered_as_word_numbers_them(tmp_path):
    cite = '<w:r><w:footnoteReference w:id="{}"/></w:r>'
    body = p("Silt", "Heading1") + p("", runs=r("The silt came from the river.") + cite.format(7)) + p(
        "", runs=r("It was dredged twice.") + cite.format(3)) + p("Costs", "Heading1")
    write_docx(tmp_path / "notes.docx", body, footnotes={3: "In 2022 and 2023.", 7: "Survey of May 2021."})
    article = read(tmp_path / "notes.docx")
    assert article.text.split("\n") == [
        "# Silt",
        "The silt came from the river.[1]",
        "[1] Survey of May 2021.",
        "It was dredged twice.[2]",
        "[2] In 2022 and 2023.",
        "# Costs",
    ]
    # a note has the number of the paragraph citing it
    assert [n for _, n in article.line_anchors] == [1, 2, 3, 4]


def test_title_author_keywords_and_date_from_the_documents_properties(tmp_path):
    props = {"title": "Harbour Report", "author": "Ann Lee", "keywords": "harbour, dredging; silt",
             "subject": "Port works", "created": dt.datetime(2024, 3, 5, 10, 0)}
    write_docx(tmp_path / "report.docx", p("The board met on Tuesday."), **props)
    article = read(tmp_path / "report.docx")
    assert (article.title, article.author, article.tags, article.date, article.metadata) == (
        "Harbour Report", "Ann Lee", ("harbour", "dredging", "silt"), "2024-03-05", {"subject": "Port works"})
    # a Title paragraph is what the reader sees: it wins over a stale or placeholder property
    write_docx(tmp_path / "2025-01-09 minutes.docx", p("Minutes of January", "Title") + p("Present: all."),
               title="Microsoft Word - Document1", created=dt.datetime(2020, 1, 1))
    article = read(tmp_path / "2025-01-09 minutes.docx")
    assert (article.title, article.date) == ("Minutes of January", "2025-01-09")  # the file's name dates it
    write_docx(tmp_path / "plain.docx", p("Tides", "Heading1") + p("High water at noon."), title="Document1")
    assert read(tmp_path / "plain.docx").title == "Tides"


def test_word_documents_that_cannot_be_read_are_reported_and_the_rest_indexed(tmp_path, monkeypatch):
    (tmp_path / "empty.docx").write_bytes(b"")
    (tmp_path / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    (tmp_path / "photo.docx").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    with zipfile.ZipFile(tmp_path / "notes.docx", "w") as z:
        z.writestr("notes.txt", "not a Word document inside")
    write_docx(tmp_path / "blank.docx", p(""))
    write_docx(tmp_path / "big.docx", p("tonnes " * 50_000))
    write_docx(tmp_path / "good.docx", p("The lock gates were painted green."))
    (tmp_path / "minutes.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    with zipfile.ZipFile(tmp_path / "good.docx") as z:  # a limit the good file is well within
        monkeypatch.setattr(qa.word, "MAX_UNPACKED_BYTES", sum(m.file_size for m in z.infolist()) + 100_000)
    stats = ReadStats()
    [doc] = read_articles([str(tmp_path)], stats)
    assert doc.text == "The lock gates were painted green." and doc.source.endswith("good.docx")
    why = {s.path.rsplit("/", 1)[1]: s.reason for s in stats.skipped}
    assert why.keys() == {"empty.docx", "old.docx", "photo.docx", "notes.docx", "blank.docx", "big.docx"}
    assert why["empty.docx"] == "empty file"
    assert why["old.docx"].startswith("a password-protected or Word 97-2003 document")
    assert why["photo.docx"] == "not a Word document (.docx files are zip packages, and this is not one)"
    assert why["notes.docx"].startswith("a damaged Word document: it could not be opened")
    assert why["blank.docx"] == "no text in the Word document"
    assert why["big.docx"].startswith("file too large")
    assert stats.ignored == {".doc (save as .docx)": 1}  # passed over, with what would make it read


def test_a_word_document_in_the_index_is_referenced_by_paragraphs(tmp_path, fake, capsys):
    import qa.cli

    corpus = tmp_path / "docs"
    corpus.mkdir()
    body = p("Harbour Works", "Title") + "".join(
        p(f"Week {w}: the dredger cleared basin {w} of its silt, and the crews logged {3 * w} loads.")
        for w in range(1, 30)) + p("Cranes", "Heading1") + p("The new crane lifts forty tonnes from the quay.")
    write_docx(corpus / "works.docx", body)
    (corpus / "notes.txt").write_text("The ferry leaves at nine.\n", encoding="utf-8")
    index = str(tmp_path / "idx")
    lib = qa.Library.build([str(corpus)], index, embedder=fake, progress=False, chunk_tokens=64)
    [hit] = lib.ask("crane lifts forty tonnes", k=1, mode="lexical")
    path = str(corpus / "works.docx")
    assert (hit.source, hit.line_end, hit.reference) == (path, 32, f"{path}:¶{hit.line_start}-32")
    assert "# Cranes\nThe new crane" in hit.text and hit.title == "Harbour Works"
    assert f"{path}:¶{hit.line_start}-32</code>" in hit_cards([hit], "lexical")
    spans = [(h.line_start, h.line_end) for h in lib.ask("dredger cleared basin silt", k=20, mode="lexical",
                                                         per_article=20)]
    assert len(spans) > 2 and all(1 <= a <= b <= 32 for a, b in spans)
    # a reference to a paragraph names the article, with the ¶ or without
    assert lib.similar(f"{path}:¶2", k=1)[0].source == str(corpus / "notes.txt")
    assert lib.similar(f"{path}:2", k=1)[0].source == str(corpus / "notes.txt")
    capsys.readouterr()
    assert qa.cli.main(["ask", "crane lifts forty tonnes", "--index", index, "--mode", "lexical", "-k", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith(f"1. {path}:¶")
    assert qa.cli.main(["ask", "crane lifts forty tonnes", "--index", index, "--mode", "lexical", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["reference"] == hit.reference
