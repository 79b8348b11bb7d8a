"""CSV tables with no text column (Notion, Airtable, a spreadsheet of notes): a row an article."""

from __future__ import annotations

from qa.readers import ReadStats, read_articles


def read(path):
    stats = ReadStats()
    return list(read_articles([str(path)], stats)), stats


def test_a_database_export_reads_a_row_as_its_page_shows_it(tmp_path):
    f = tmp_path / "Tasks 0f1e2d3c4b5a69788796a5b4c3d2e1f0.csv"
    f.write_text(
        "\ufeffName,Status,Assign,Created,Notes\n"
        "Order barge,Done,Ann Lee,\"March 3, 2024\",\"The barge was ordered from Rotterdam,\n"
        "arriving March 30.\"\n"
        "Ferry timetable,In progress,Bob,2024-03-05,\n"
        ",,,,\n"
        "Dredging permit,Waiting,Ann Lee,2024-03-06,The council meets about the permit on Friday.\n",
        encoding="utf-8")
    (barge, ferry, permit), stats = read(f)
    assert (barge.title, barge.line_start, barge.date) == ("Order barge", 2, "2024-03-03")
    assert barge.text == ("Status: Done\n\nAssign: Ann Lee\n\n"
                          "Notes: The barge was ordered from Rotterdam,\narriving March 30.")
    assert (ferry.title, ferry.text, ferry.line_start) == ("Ferry timetable", "Status: In progress\n\nAssign: Bob", 4)
    assert (permit.title, permit.line_start) == ("Dredging permit", 6)
    assert barge.metadata["Status"] == "Done"
    assert [(s.line, s.reason.split(" (")[0]) for s in stats.skipped] == [(5, "record has no text")]


def test_a_table_without_sentences_is_still_no_article(tmp_path):
    f = tmp_path / "prices.csv"
    f.write_text("date,item,price\n2024-03-01,barge hire,1200\n2024-03-02,crane,800\n", encoding="utf-8")
    articles, stats = read(f)
    assert not articles
    assert stats.skipped[0].reason.startswith("CSV has no text column (") and stats.skipped[0].reason.endswith(
        ") and no column of sentences")


def test_questions_and_answers_keep_their_ids_and_take_a_title_from_the_text(tmp_path):
    f = tmp_path / "faq.csv"
    rows = "".join(f"{n},How long does crossing {n} take?,It takes about {n} minutes by the fast ferry.\n"
                   for n in range(1, 251))  # beyond the rows read before deciding
    f.write_text("id,question,answer\n" + rows, encoding="utf-8")
    articles, stats = read(f)
    assert len(articles) == 250 and not stats.skipped
    last = articles[-1]
    assert (last.article_id, last.line_start) == ("250", 251)
    assert last.text == "question: How long does crossing 250 take?\n\nanswer: It takes about 250 minutes by the fast ferry."
    assert last.title == "question: How long does crossing 250 take?"
