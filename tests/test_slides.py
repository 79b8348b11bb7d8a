"""PowerPoint decks (.pptx): slides in order as one article, referenced by slide (qa.slides)."""

from __future__ import annotations

import zipfile

import qa
from qa.readers import ReadStats, read_articles
from qa.types import reference

NS = ('xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
      'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"')
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def shape(placeholder: str | None, *paragraphs: str) -> str:
    ph = "" if placeholder is None else (f'<p:ph type="{placeholder}"/>' if placeholder else "<p:ph idx=\"1\"/>")
    return (f"<p:sp><p:nvSpPr><p:cNvPr id=\"2\" name=\"x\"/><p:cNvSpPr/><p:nvPr>{ph}</p:nvPr></p:nvSpPr><p:spPr/>"
            f"<p:txBody><a:bodyPr/>{''.join(paragraphs)}</p:txBody></p:sp>")


def para(text: str, level: int = 0, bullet: str = "") -> str:
    ppr = f'<a:pPr lvl="{level}">{bullet}</a:pPr>' if level or bullet else ""
    return f"<a:p>{ppr}<a:r><a:t>{text}</a:t></a:r></a:p>"


def slide(*shapes: str, show: bool = True) -> str:
    hidden = "" if show else ' show="0"'
    return f'<p:sld {NS}{hidden}><p:cSld><p:spTree>{"".join(shapes)}</p:spTree></p:cSld></p:sld>'


TABLE = ('<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="4" name="t"/><p:cNvGraphicFramePr/><p:nvPr/>'
         '</p:nvGraphicFramePr><a:graphic><a:graphicData><a:tbl>'
         + "".join("<a:tr>" + "".join(f"<a:tc><a:txBody>{para(c)}</a:txBody></a:tc>" for c in row) + "</a:tr>"
                   for row in (("Day", "Leaves"), ("Mon", "07:00"), ("Sat", "09:30")))
         + "</a:tbl></a:graphicData></a:graphic></p:graphicFrame>")


def deck(path) -> str:
    """As PowerPoint writes a deck, the parts this reader opens: slides listed out of their files'
    order, a hidden slide, speaker notes, a table, a footer and a slide number."""
    parts = {
        "ppt/presentation.xml": f'<p:presentation {NS}><p:sldIdLst><p:sldId id="256" r:id="rId3"/>'
                                '<p:sldId id="257" r:id="rId2"/><p:sldId id="258" r:id="rId4"/>'
                                '<p:sldId id="259" r:id="rId5"/></p:sldIdLst></p:presentation>',
        "ppt/_rels/presentation.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(f'<Relationship Id="rId{n}" Type="{RELS}/slide" Target="slides/slide{s}.xml"/>'
                  for n, s in ((3, 2), (2, 1), (4, 3), (5, 4))) + "</Relationships>",
        "ppt/slides/slide1.xml": slide(shape("ctrTitle", para("Harbour review 2024")),
                                       shape("subTitle", para("Keel Bay port authority")),
                                       shape("sldNum", para("1"))),
        "ppt/slides/slide2.xml": slide(shape("title", para("Cranes")),
                                       shape("", para("The north quay crane lifts 65 tonnes"),
                                             para("Refitted in March", level=1)),
                                       shape("ftr", para("Confidential"))),
        "ppt/slides/_rels/slide2.xml.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                            f'<Relationship Id="rId9" Type="{RELS}/notesSlide" '
                                            'Target="../notesSlides/notesSlide1.xml"/></Relationships>',
        "ppt/notesSlides/notesSlide1.xml": f'<p:notes {NS}><p:cSld><p:spTree>{shape("sldImg")}'
                                           f'{shape("body", para("Mention the load test passed on 5 March."))}'
                                           '</p:spTree></p:cSld></p:notes>',
        "ppt/slides/slide3.xml": slide(shape("title", para("Ferry times")), TABLE,
                                       shape(None, para("Winter timetable from November."))),
        "ppt/slides/slide4.xml": slide(shape("title", para("Draft")), shape("", para("Not shown")), show=False),
        "docProps/core.xml": '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                             'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/">'
                             "<dc:title>Harbour review</dc:title><dc:creator>Ann Lee</dc:creator>"
                             "<cp:keywords>harbour, cranes</cp:keywords>"
                             "<dcterms:created>2024-03-05T09:00:00Z</dcterms:created></cp:coreProperties>",
    }
    with zipfile.ZipFile(path, "w") as z:
        for name, xml in parts.items():
            z.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' + xml)
    return str(path)


def test_a_deck_is_its_slides_in_order_with_notes_and_tables_referenced_by_slide(tmp_path):
    [article] = read_articles([deck(tmp_path / "review.pptx")], ReadStats())
    assert article.text == (
        "## Cranes\n- The north quay crane lifts 65 tonnes\n  - Refitted in March\n"
        "### Notes\nMention the load test passed on 5 March.\n"
        "## Harbour review 2024\nKeel Bay port authority\n"
        "## Ferry times\n| Day | Leaves |\n|---|---|\n| Mon | 07:00 |\n| Sat | 09:30 |\nWinter timetable from November.")
    assert [slide for _, slide in article.line_anchors] == [1, 2, 3]  # the deck's order: slide2.xml first
    assert (article.title, article.author, article.date, article.tags) == (
        "Harbour review", "Ann Lee", "2024-03-05", ("harbour", "cranes"))


def test_a_hit_in_a_deck_names_its_slide_and_bad_decks_are_reported(tmp_path, fake):
    deck(tmp_path / "review.pptx")
    (tmp_path / "old.pptx").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(100))
    (tmp_path / "notes.pptx").write_bytes(b"not a zip")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False)
    why = {s.path.rsplit("/", 1)[1]: s.reason.split(" (")[0] for s in lib.last_summary.skipped}
    assert why == {"old.pptx": "a password-protected or PowerPoint 97-2003 deck",
                   "notes.pptx": "not a PowerPoint deck"}
    [hit] = lib.ask("winter ferry timetable", k=1, mode="lexical")
    assert reference(hit.source, hit.line_start, hit.line_end).endswith("review.pptx:p3")  # the third slide
