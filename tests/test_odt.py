"""OpenDocument text: read as a Word document is, paragraphs as references (qa.odt)."""

from __future__ import annotations

import zipfile

import qa
from qa.readers import ReadStats, read_articles

NS = " ".join(f'xmlns:{p}="urn:oasis:names:tc:opendocument:xmlns:{n}:1.0"' for p, n in (
    ("office", "office"), ("text", "text"), ("table", "table"), ("style", "style"), ("draw", "drawing"),
    ("fo", "xsl-fo-compatible"), ("meta", "meta"))) + ' xmlns:dc="http://purl.org/dc/elements/1.1/"'
# Styles as LibreOffice writes them: automatic ones in content.xml (P1, T1) over named ones.
AUTOMATIC = """
<style:style style:name="P1" style:family="paragraph" style:parent-style-name="Title"/>
<style:style style:name="P2" style:family="paragraph" style:parent-style-name="Preformatted_20_Text"/>
<style:style style:name="T1" style:family="text"><style:text-properties fo:font-weight="bold"/></style:style>
"""
STYLES = """
<style:style style:name="Title" style:family="paragraph"/>
<style:style style:name="Author" style:family="paragraph" style:parent-style-name="Title"/>
<style:style style:name="Preformatted_20_Text" style:display-name="Preformatted Text" style:family="paragraph"/>
<text:list-style style:name="L1"><text:list-level-style-bullet text:level="1" text:bullet-char="•"/>
  <text:list-level-style-bullet text:level="2" text:bullet-char="◦"/></text:list-style>
<text:list-style style:name="L2"><text:list-level-style-number text:level="1" style:num-format="1" style:num-suffix="."/>
  <text:list-level-style-number text:level="2" style:num-format="a" style:num-suffix=")"/></text:list-style>
"""


def write_odt(path, body: str, meta: str = "", named: bool = False) -> None:
    """An .odt with ``body``, its styles in content.xml's automatic ones, or (``named``) in
    styles.xml, where a document's named styles and list styles are."""
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {NS} office:version="1.3">'
               f"<office:automatic-styles>{AUTOMATIC}{'' if named else STYLES}</office:automatic-styles>"
               f"<office:body><office:text>{body}</office:text></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as z:
        if named:
            z.writestr("styles.xml", f"<office:document-styles {NS}><office:styles>{STYLES}</office:styles>"
                                     "</office:document-styles>")
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", content)
        z.writestr("meta.xml", f'<office:document-meta {NS}><office:meta>{meta}</office:meta></office:document-meta>')
        z.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                                            'xmlns:manifest:1.0"/>')


def read(path):
    stats = ReadStats()
    articles = list(read_articles([str(path)], stats))
    return articles, stats


def test_headings_lists_tables_notes_and_code_as_the_document_shows_them(tmp_path):
    rows = "".join("<table:table-row>" + "".join(f"<table:table-cell><text:p>{c}</text:p></table:table-cell>" for c in row)
                   + "</table:table-row>" for row in (("Year", "Silt removed"), ("2022", "12,000 m3"), ("2023", "18,500 m3")))
    body = "".join([
        '<text:sequence-decls><text:sequence-decl text:name="Table"/></text:sequence-decls>',
        '<text:p text:style-name="P1">Dredging the Inner Basin</text:p>',
        '<text:p text:style-name="Author">Ann Lee</text:p>',  # in a style based on Title: not the title
        '<text:table-of-content><text:index-body><text:p>Methods 2</text:p></text:index-body></text:table-of-content>',
        '<text:h text:outline-level="1">Methods</text:h>',
        '<text:p>Crews<text:s text:c="2"/>sampled at night.<text:note text:note-class="footnote"><text:note-citation>1'
        '</text:note-citation><text:note-body><text:p>The tide was low.</text:p></text:note-body></text:note></text:p>',
        '<text:list text:style-name="L1"><text:list-item><text:p>Buoys first</text:p><text:list><text:list-item>'
        '<text:p>Then the quay</text:p></text:list-item></text:list></text:list-item></text:list>',
        '<text:list text:style-name="L2"><text:list-item><text:p>Measure</text:p><text:list><text:list-item>'
        '<text:p>Weigh</text:p></text:list-item><text:list-item><text:p>Log</text:p></text:list-item></text:list>'
        '</text:list-item><text:list-item><text:p>Report</text:p></text:list-item></text:list>',
        '<text:p><text:span text:style-name="T1">Results at a glance</text:span></text:p>',
        f"<table:table>{rows}</table:table>",
        '<text:p>Line one<text:line-break/>Line two<office:annotation><text:p>a comment</text:p></office:annotation></text:p>',
        '<text:p text:style-name="P2">for x in loads:</text:p><text:p text:style-name="P2">    weigh(x)</text:p>',
        '<text:section><text:p>In a section, with a <draw:frame><draw:text-box><text:p>boxed caption</text:p>'
        "</draw:text-box></draw:frame>frame.</text:p></text:section>",
        "<text:p/>",
    ])
    for named in (False, True):
        write_odt(tmp_path / f"basin{named}.odt", body, "<dc:title>Basin</dc:title><meta:initial-creator>Ann Lee"
                  "</meta:initial-creator><meta:creation-date>2024-03-05T10:00:00</meta:creation-date>"
                  "<meta:keyword>harbour</meta:keyword><meta:keyword>silt</meta:keyword>"
                  "<dc:subject>Port works</dc:subject>", named=named)
        check(*read(tmp_path / f"basin{named}.odt"))


def check(articles, stats) -> None:
    [article] = articles
    assert stats.skipped == []
    assert article.text.split("\n") == [
        "# Dredging the Inner Basin",
        "Ann Lee",
        "## Methods",
        "Crews sampled at night.[1]", "[1] The tide was low.",
        "- Buoys first", "- Then the quay",
        "1. Measure", "a) Weigh", "b) Log", "2. Report",
        "### Results at a glance",  # all in bold, short: the least heading
        "| Year | Silt removed |", "|---|---|", "| 2022 | 12,000 m3 |", "| 2023 | 18,500 m3 |",
        "Line one", "Line two",
        "```", "for x in loads:", "    weigh(x)", "```",
        "In a section, with a frame.", "boxed caption",
    ]
    assert (article.title, article.author, article.date, article.tags, article.metadata, article.markup) == (
        "Dredging the Inner Basin", "Ann Lee", "2024-03-05", ("harbour", "silt"), {"subject": "Port works"}, "page")
    assert [n for _, n in article.line_anchors] == list(range(1, 20))  # a note has its citing paragraph's


def test_an_odt_in_the_index_is_referenced_by_paragraphs_and_bad_ones_are_reported(tmp_path, fake):
    body = "".join(f"<text:p>Week {w}: the dredger cleared basin {w} of its silt.</text:p>" for w in range(1, 40))
    write_odt(tmp_path / "works.odt", body + "<text:p>The new crane lifts forty tonnes from the quay.</text:p>")
    (tmp_path / "empty.odt").write_bytes(b"")
    (tmp_path / "text.odt").write_text("not a zip", encoding="utf-8")
    with zipfile.ZipFile(tmp_path / "sheet.odt", "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    with zipfile.ZipFile(tmp_path / "locked.odt", "w") as z:
        z.writestr("content.xml", b"\x8a\x01 encrypted bytes")
        z.writestr("META-INF/manifest.xml", '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                                            'xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="content.xml">'
                                            "<manifest:encryption-data/></manifest:file-entry></manifest:manifest>")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False, chunk_tokens=64)
    why = {s.path.rsplit("/", 1)[1]: s.reason for s in lib.last_summary.skipped}
    assert why == {"empty.odt": "empty file",
                   "text.odt": "not an OpenDocument text (.odt files are zip packages, and this is not one)",
                   "sheet.odt": "not an OpenDocument text (no content.xml in it)",
                   "locked.odt": "the document is password-protected (save a copy without a password to index it)"}
    [hit] = lib.ask("crane lifts forty tonnes", k=1, mode="lexical")
    path = str(tmp_path / "works.odt")
    assert hit.reference.startswith(f"{path}:¶") and hit.line_end == 40
    assert lib.similar(f"{path}:¶40", k=1) == []  # the only article: nothing else like it
