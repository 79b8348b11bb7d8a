"""Excel workbooks (.xlsx): a row an article on each sheet shown, referenced by row (qa.spreadsheet)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pytest

import qa
from qa.readers import ReadStats, read_articles
from qa.types import SHEET_ROWS, reference


def read(path):
    stats = ReadStats()
    return list(read_articles([str(path)], stats)), stats


def workbook(path, sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> None:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        if name in hidden:
            sheet.sheet_state = "hidden"
    book.save(path)


def saved_as_excel_saves(path) -> None:
    """Give each HYPERLINK formula its title as its saved value, as Excel and Google Sheets do
    (openpyxl saves a formula without one)."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            if name.startswith("xl/worksheets/"):
                data = re.sub(rb'<c r="(\w+)"><f>(HYPERLINK\([^<]*?,\s*"([^"]*)"\))</f><v></v>',
                              rb'<c r="\1" t="str"><f>\2</f><v>\3</v>', data)
            z.writestr(name, data)


@pytest.fixture
def book(tmp_path):
    workbook(tmp_path / "reading.xlsx", {
        "Reading list": [[], [],  # the table starts lower down: its first filled row names the columns
                         ["Titel", "Inhalt", "Datum", "Link", "Schlagwörter", "Seiten"],
                         ["Brücke gesperrt", "Die Brücke wird ab Juni  für zwei Jahre gesperrt.",
                          dt.datetime(2024, 3, 5), "https://e.org/b", "Verkehr, Hafen", 12.0],
                         [],
                         ["Fähre", "Eine Fähre fährt alle zehn Minuten.\nAuch nachts.", dt.date(2024, 6, 1), None,
                          "Hafen"],
                         [None, None, None, None, None]],
        "Secret": [["text"], ["A hidden sheet's row, not read."]],
        "Notes": [["Topic", "Status", "Note"],  # no column named as text: a row as its page shows it
                  ["Harbour", "Open", "The harbour dredging will start in the spring and last six weeks."],
                  ["Ferry", "Done", "Ferry fares rise by five percent from July, the council said."]],
        "Empty": [],
        "Numbers": [["Year", "Tonnes"], [2023, 18500], [2024, 19100]],
    }, hidden=("Secret",))
    return tmp_path / "reading.xlsx"


def test_each_row_of_each_shown_sheet_is_an_article_referenced_by_its_row(book):
    articles, stats = read(book)
    shown = [(reference(a.source, a.line_start, a.line_start), a.title, a.text, a.date, a.url, a.tags)
             for a in articles]
    path = str(book)
    assert shown == [
        (f"{path}:4", "Brücke gesperrt", "Die Brücke wird ab Juni für zwei Jahre gesperrt.", "2024-03-05",
         "https://e.org/b", ("Verkehr", "Hafen")),
        (f"{path}:6", "Fähre", "Eine Fähre fährt alle zehn Minuten.\nAuch nachts.", "2024-06-01", None, ("Hafen",)),
        # the third sheet of the file is the second shown (the hidden one is not read)
        (f"{path}:sheet2:2", "Harbour", "Status: Open\n\nNote: The harbour dredging will start in the spring and "
                                        "last six weeks.", None, None, ()),
        (f"{path}:sheet2:3", "Ferry", "Status: Done\n\nNote: Ferry fares rise by five percent from July, the "
                                      "council said.", None, None, ()),
    ]
    assert articles[0].metadata == {"Seiten": "12", "sheet": "Reading list"}  # a whole number without ".0"
    assert articles[2].metadata["sheet"] == "Notes" and articles[2].line_start == SHEET_ROWS + 2
    assert len({a.article_id for a in articles}) == 4
    assert [str(s) for s in stats.skipped] == [
        f"{path}:sheet4:1: sheet 'Numbers' has no text column (expected a text field: text, body, content, "
        "text_content, article, full_text, fulltext, html, plaintext, abstract, description, summary, highlight "
        "(or Inhalt, texte, texto, testo, tekst...)) and no column of sentences"]


def test_a_rows_web_link_is_its_url_when_no_column_gives_one(tmp_path, monkeypatch):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Intro"
    sheet.append(["Only a note on this sheet"])
    reading = book.create_sheet("Reading")
    for values in (["Title", "Text", "URL"],
                ["Harbour plan", "The harbour will be dredged to fourteen metres.", None],
                ["Ferry fares", "Fares rise by five percent.", "https://example.org/fares"],
                ["Bridge", "The bridge closes in June.", None],
                ["Library", "The library reopens.", None],
                ["Market", "The market hall is saved.", None],
                # Google Sheets' way: a formula, whose saved value is the title; left of a linked cell
                ['=HYPERLINK("https://example.org/mill?part=2&lang=en", "Mill")', "The mill is sold.", None],
                ['=HYPERLINK(D9, "Quay")', "The quay is closed.", None, "https://example.org/quay"]):
        reading.append(values)
    reading["A2"].hyperlink = "https://example.org/harbour"  # a title linked to its page
    reading["A3"].hyperlink = "https://example.org/elsewhere"  # the URL column gives it
    reading["B4"].hyperlink = "#Intro!A1"  # a link to a cell, no page
    reading["A5"].hyperlink = "mailto:desk@example.org"
    reading["B6"].hyperlink = "http://example.org/market"  # any cell of the row
    reading["B7"].hyperlink = "https://example.org/elsewhere"
    book.save(tmp_path / "reading.xlsx")
    saved_as_excel_saves(tmp_path / "reading.xlsx")
    formula = ('<table:table-cell table:formula="of:=HYPERLINK(&quot;https://example.org/dock&quot;; '
               '&quot;Dock&quot;)" office:value-type="string"><text:p>Dock</text:p></table:table-cell>')
    ods(tmp_path / "notes.ods", '<table:table table:name="Notes">' + row(cell("Title"), cell("Text"))
        + row(cell('<text:a xlink:href="https://example.org/pier">Pier</text:a>'), cell("The pier reopens in May."))
        + row(cell("Quay"), cell("The quay is closed."))
        + row(formula, cell('The dock is <text:a xlink:href="https://example.org/x">dredged</text:a>.'))
        + "</table:table>")
    articles, stats = read(tmp_path)
    assert [(a.title, a.url) for a in articles] == [
        ("Pier", "https://example.org/pier"), ("Quay", None), ("Dock", "https://example.org/dock"),
        ("Harbour plan", "https://example.org/harbour"), ("Ferry fares", "https://example.org/fares"),
        ("Bridge", None), ("Library", None), ("Market", "http://example.org/market"),
        ("Mill", "https://example.org/mill?part=2&lang=en"), ("Quay", None)]
    import qa.sheetlinks

    monkeypatch.setattr(qa.sheetlinks, "_CHUNK", 7)  # tags and formulas cut between reads
    assert qa.sheetlinks.workbook_links(str(tmp_path / "reading.xlsx")) == {"Reading": {
        2: "https://example.org/harbour", 3: "https://example.org/elsewhere", 6: "http://example.org/market",
        7: "https://example.org/mill?part=2&lang=en"}}


def test_a_workbook_that_cannot_be_read_is_said_and_an_old_one_passed_over(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))  # encrypted: OLE
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    workbook(tmp_path / "fine.xlsx", {"Sheet": [["title", "text"], ["Tides", "High tide is at six."]]})
    articles, stats = read(tmp_path)
    assert [(a.title, a.text, a.metadata) for a in articles] == [("Tides", "High tide is at six.", {"sheet": "Sheet"})]
    said = {s.path.rsplit("/", 1)[-1]: s.reason for s in stats.skipped}
    assert said["broken.xlsx"] == "not an Excel workbook (.xlsx files are zip packages, and this is not one)"
    assert said["locked.xlsx"] == ("a password-protected or Excel 97-2003 workbook (not the .xlsx format): save a "
                                   "copy as .xlsx without a password to index it") and "old.xls" not in said
    assert stats.ignored[".xls (save as .xlsx)"] == 1


def test_the_owner_files_office_keeps_beside_an_open_document_are_passed_over(tmp_path):
    workbook(tmp_path / "list.xlsx", {"Sheet": [["title", "text"], ["Tides", "High tide is at six."]]})
    owner = b"\x0bAnn Example" + bytes(150)  # Excel's ~$ file: who has the workbook open
    (tmp_path / "~$list.xlsx").write_bytes(owner)
    (tmp_path / "~$report.docx").write_bytes(owner)
    articles, stats = read(tmp_path)
    assert [a.title for a in articles] == ["Tides"] and not stats.skipped
    assert stats.ignored["an Office owner file (~$)"] == 2


def test_similar_takes_a_rows_reference_on_any_sheet(book, tmp_path, fake):
    lib = qa.Library.build([str(book)], str(tmp_path / "idx"), embedder=fake, progress=False)
    assert lib.similar(f"{book}:sheet2:3", k=1)[0].title == "Harbour"  # like the ferry fares row: the other note
    others = [h.title for h in lib.similar(f"{book}:4", k=5)]  # the first sheet's row 4: the bridge
    assert sorted(others) == ["Ferry", "Fähre", "Harbour"] and lib.article(f"{book}:sheet2:3")["title"] == "Ferry"


ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:xlink="http://www.w3.org/1999/xlink" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"')


def cell(text: str = "", repeat: int = 1, **attrs: str) -> str:
    more = "".join(f' office:{k.replace("_", "-")}="{v}"' for k, v in attrs.items())
    rep = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-cell{rep}{more}>{f'<text:p>{text}</text:p>' if text else ''}</table:table-cell>"


def row(*cells: str, repeat: int = 1) -> str:
    rep = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{rep}>{''.join(cells)}</table:table-row>"


def ods(path, tables: str) -> None:
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NS}><office:automatic-styles>'
               '<style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/>'
               '</style:style><style:style style:name="ta2" style:family="table">'
               '<style:table-properties table:display="false"/></style:style></office:automatic-styles>'
               f'<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>')
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", "<manifest/>")


def test_an_opendocument_spreadsheet_is_read_as_a_workbook_is(tmp_path):
    empty_row = row(cell(repeat=1024))
    ods(tmp_path / "ferries.ods",
        '<table:table table:name="Timetable" table:style-name="ta1">'
        + row(cell(repeat=16384), repeat=3)  # LibreOffice's empty space, rows 1-3
        + row(cell("Title"), cell("Text"), cell("Date"), cell("Fare"), cell(repeat=16380))
        + row(cell("Night ferry"), cell("Leaves at<text:s text:c=\"2\"/>midnight.<text:line-break/>Daily."
                                        "<office:annotation><text:p>check this</text:p></office:annotation>"),
              cell("05.03.24", value_type="date", date_value="2024-03-05"),
              cell("4.00 €", value_type="currency", value="4"))
        + empty_row
        + row(cell("Day ferry"), cell("Leaves <text:span>every</text:span> hour."), cell(), cell("2.50 €"),
              repeat=2)
        + row(cell(repeat=16384), repeat=1048570) + '</table:table>'
        + '<table:table table:name="Old" table:style-name="ta2">' + row(cell("text")) + row(cell("Not read.")) + '</table:table>'
        + '<table:table table:name="Notes">' + row(cell("Topic"), cell("Note"))
        + row(cell("Pier"), cell("The pier reopens in May after the winter storms.")) + '</table:table>')
    articles, stats = read(tmp_path)
    path = str(tmp_path / "ferries.ods")
    assert [(reference(a.source, a.line_start, a.line_start), a.title, a.text, a.date, a.metadata) for a in articles] == [
        (f"{path}:5", "Night ferry", "Leaves at  midnight.\nDaily.", "2024-03-05", {"Fare": "4.00 €", "sheet": "Timetable"}),
        (f"{path}:7", "Day ferry", "Leaves every hour.", None, {"Fare": "2.50 €", "sheet": "Timetable"}),
        (f"{path}:8", "Day ferry", "Leaves every hour.", None, {"Fare": "2.50 €", "sheet": "Timetable"}),
        (f"{path}:sheet2:2", "Pier", "Note: The pier reopens in May after the winter storms.", None,
         {"Topic": "Pier", "Note": "The pier reopens in May after the winter storms.", "sheet": "Notes"}),
    ]
    assert not stats.skipped


def test_a_damaged_or_locked_opendocument_spreadsheet_is_said(tmp_path):
    (tmp_path / "broken.ods").write_bytes(b"PK\x03\x04 not a zip")
    with zipfile.ZipFile(tmp_path / "locked.ods", "w") as z:
        z.writestr("content.xml", "<x/>")
        z.writestr("META-INF/manifest.xml", "<manifest><encryption-data/></manifest>")
    with zipfile.ZipFile(tmp_path / "cut.ods", "w") as z:
        z.writestr("content.xml", f"<office:document-content {ODS_NS}><office:body><office:spread")
    articles, stats = read(tmp_path)
    said = {s.path.rsplit("/", 1)[-1]: s.reason for s in stats.skipped}
    assert not articles and said["broken.ods"].startswith("not an OpenDocument spreadsheet")
    assert said["locked.ods"] == "the spreadsheet is password-protected (save a copy without a password to index it)"
    assert said["cut.ods"].startswith("a damaged OpenDocument spreadsheet: ")
