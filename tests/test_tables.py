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


def test_json_records_without_a_text_field_read_as_a_table(tmp_path):
    import json

    # Airtable's API: records wrap their cells in "fields"; a multiple choice is a list, an
    # attachment a list of objects (left out), a checkbox a flag (left out).
    f = tmp_path / "airtable.json"
    f.write_text(json.dumps({"records": [
        {"id": "rec1", "createdTime": "2024-01-02T10:00:00.000Z",
         "fields": {"Name": "Order barge", "Status": "Done", "Crew": ["Ann", "Bob"], "Done": True,
                    "Assignee": {"id": "usr1", "email": "ann@harbour.example", "name": "Ann Lee"},
                    "Photos": [{"url": "https://dl.example/1.jpg"}],
                    "Notes": "The barge was ordered from Rotterdam, arriving March 30."}},
        {"id": "rec2", "createdTime": "2024-01-03T10:00:00.000Z", "fields": {"Name": "Hire divers", "Hours": 12}},
    ], "offset": "itr1"}, indent=2), encoding="utf-8")
    (barge, divers), stats = read(f)
    assert (barge.article_id, barge.title, barge.date, barge.line_start) == ("rec1", "Order barge", "2024-01-02", 3)
    assert barge.text == ("Status: Done\n\nCrew: Ann, Bob\n\nAssignee: Ann Lee\n\n"
                          "Notes: The barge was ordered from Rotterdam, arriving March 30.")
    assert (divers.title, divers.text) == ("Hire divers", "Hours: 12") and not stats.skipped


def test_jsonl_records_are_a_table_past_the_rows_read_before_deciding(tmp_path):
    import json

    f = tmp_path / "notes.jsonl"
    f.write_text("".join(json.dumps({"key": n, "question": f"How long does crossing {n} take?",
                                     "answer": f"About {n} minutes by the fast ferry."}) + "\n"
                         for n in range(1, 251)) + "not json\n", encoding="utf-8")
    articles, stats = read(f)
    assert len(articles) == 250 and articles[-1].line_start == 250
    assert articles[-1].text == "key: 250\n\nquestion: How long does crossing 250 take?\n\nanswer: About 250 minutes by the fast ferry."
    assert [(s.line, s.reason) for s in stats.skipped] == [(251, "malformed JSON (Expecting value)")]


def test_wrapped_records_and_records_with_a_text_field_read_as_before(tmp_path):
    import json

    # An Elasticsearch dump: each hit's fields in "_source", its id beside them.
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"_index": "news", "_id": "n7", "_score": 1.0, "_source": {
        "headline": "Quay wall repaired", "body": "Divers finished the quay wall on Friday."}}) + "\n", encoding="utf-8")
    [news], _ = read(dump)
    assert (news.article_id, news.title, news.text) == ("n7", "Quay wall repaired", "Divers finished the quay wall on Friday.")
    assert news.metadata["_index"] == "news"
    # A field named as text, even empty in every record, means the records are articles: the
    # ones without text are reported, not read as tables.
    posts = tmp_path / "posts.json"
    posts.write_text(json.dumps({"data": [{"id": "1", "attributes": {"title": "Draft", "body": "",
                                                                     "excerpt": "A draft about the new ferry pier."}}]}),
                     encoding="utf-8")
    articles, stats = read(posts)
    assert not articles and stats.skipped[0].reason.startswith("record has no text")
    # Records of numbers and names only are no articles, each said so.
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps([{"item": "barge hire", "price": 1200}, {"item": "crane", "price": 800}]),
                      encoding="utf-8")
    articles, stats = read(prices)
    [skip] = stats.skipped  # both on the file's one line
    assert not articles and skip.reason.startswith("record has no text (") and skip.reason.endswith(": 2 records (line 1)")


def test_links_and_paths_are_no_sentences(tmp_path):
    import json

    # A Mastodon archive of boosts only: each names what it boosted by its link, and has no text.
    f = tmp_path / "outbox.json"
    f.write_text(json.dumps({"orderedItems": [
        {"id": f"https://social.example/users/ann/statuses/{n}/activity", "type": "Announce",
         "object": f"https://other.example/users/bob/statuses/{n}", "published": "2024-03-05T10:00:00Z"}
        for n in range(3)]}), encoding="utf-8")
    articles, stats = read(f)
    assert not articles and len(stats.skipped) == 1 and stats.skipped[0].reason.startswith("record has no text")
