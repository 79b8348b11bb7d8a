"""Excel workbooks (.xlsx): a row an article on each sheet shown, referenced by row (qa.spreadsheet)."""

from __future__ import annotations

import datetime as dt

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


def test_a_workbook_that_cannot_be_read_is_said_and_an_old_one_passed_over(tmp_path):
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))  # encrypted: OLE
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    workbook(tmp_path / "fine.xlsx", {"Sheet": [["title", "text"], ["Tides", "High tide is at six."]]})
    articles, stats = read(tmp_path)
    assert [(a.title, a.text, a.metadata) for a in articles] == [("Tides", "High tide is at six.", {})]
    said = {s.path.rsplit("/", 1)[-1]: s.reason for s in stats.skipped}
    assert said["broken.xlsx"] == "not an Excel workbook (.xlsx files are zip packages, and this is not one)"
    assert said["locked.xlsx"] == ("a password-protected or Excel 97-2003 workbook (not the .xlsx format): save a "
                                   "copy as .xlsx without a password to index it") and "old.xls" not in said
    assert stats.ignored[".xls (save as .xlsx)"] == 1


def test_similar_takes_a_rows_reference_on_any_sheet(book, tmp_path, fake):
    lib = qa.Library.build([str(book)], str(tmp_path / "idx"), embedder=fake, progress=False)
    assert lib.similar(f"{book}:sheet2:3", k=1)[0].title == "Harbour"  # like the ferry fares row: the other note
    others = [h.title for h in lib.similar(f"{book}:4", k=5)]  # the first sheet's row 4: the bridge
    assert sorted(others) == ["Ferry", "Fähre", "Harbour"] and lib.article(f"{book}:sheet2:3")["title"] == "Ferry"
