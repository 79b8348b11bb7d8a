"""A journal kept in one file (Org's date tree, a Markdown log): each dated section an article (qa.datedsections)."""

from __future__ import annotations

import qa
from qa.readers import ReadStats, read_articles

# As org-capture's file+datetree writes a journal, written for these tests
JOURNAL = """#+TITLE: Harbour log
#+FILETAGS: :harbour:

Kept by the harbour master since 2023.

* 2024
** 2024-03 March
*** 2024-03-05 Tuesday
**** Pilot boarding moved                                            :pilots:
The pilot boat now meets ships at the outer buoy.
*** 2024-03-07 Thursday
Dredger arrived at the inner basin.
** 2024-04 April
*** 2024-04-02 Tuesday
**** Crane inspection                                                :crane:
The north quay crane passed its load test at 65 tonnes.
"""

LOG = """# Ferry log

Kept on the Keel Bay run.

## 2024-05-01
The ferry ran late because of fog. #fog

## Crew
Six deckhands this season.

## 2024-05-02
Normal service.

## 2024-05-03 Storm
- All sailings cancelled.
"""


def read(path) -> list[qa.Article]:
    return list(read_articles([str(path)], ReadStats()))


def test_an_org_date_tree_is_an_article_a_day_with_its_own_date_tags_and_lines(tmp_path):
    path = tmp_path / "journal.org"
    path.write_text(JOURNAL, encoding="utf-8")
    *days, intro = read(path)
    assert [(a.title, a.date, a.tags, a.line_start) for a in days] == [
        ("2024-03-05 Tuesday", "2024-03-05", ("harbour", "pilots"), 8),
        ("2024-03-07 Thursday", "2024-03-07", ("harbour",), 11),
        ("2024-04-02 Tuesday", "2024-04-02", ("harbour", "crane"), 14)]
    assert days[2].text == "### 2024-04-02 Tuesday\n#### Crane inspection\nThe north quay crane passed its load test at 65 tonnes."
    # what is under no day (the introduction, not the year's and month's headings) is the file's
    assert (intro.title, intro.text, intro.line_start, intro.tags) == (
        "Harbour log", "Kept by the harbour master since 2023.", 4, ("harbour",))
    # a day added above the others (a log kept newest first) leaves their ids as they were
    path.write_text(JOURNAL.replace("* 2024\n", "* 2024\n** 2024-02 February\n*** 2024-02-28 Wednesday\nGales.\n"),
                    encoding="utf-8")
    again = read(path)
    ids = {a.title: a.article_id for a in again}
    assert len(again) == 5 and all(ids[a.title] == a.article_id for a in days)


def test_a_markdown_log_is_split_at_its_dated_headings_and_its_other_sections_stay_the_files(tmp_path):
    path = tmp_path / "ferry-log.md"
    path.write_text(LOG, encoding="utf-8")
    *days, rest = read(path)
    assert [(a.title, a.date, a.tags, a.line_start, a.text.split("\n")[-1]) for a in days] == [
        ("2024-05-01", "2024-05-01", ("fog",), 5, "The ferry ran late because of fog. #fog"),
        ("2024-05-02", "2024-05-02", (), 11, "Normal service."),
        ("2024-05-03 Storm", "2024-05-03", (), 14, "- All sailings cancelled.")]
    # the rest, two parts of the file, each at its lines
    assert (rest.title, rest.text, rest.tags) == (
        "Ferry log", "# Ferry log\n\nKept on the Keel Bay run.\n\n## Crew\nSix deckhands this season.", ())
    assert rest.line_anchors == ((0, 1), (rest.text.index("## Crew"), 8))


def test_two_dated_sections_are_one_documents_history_not_a_journal(tmp_path):
    path = tmp_path / "plan.md"
    path.write_text(LOG.replace("## 2024-05-03 Storm", "## Storms"), encoding="utf-8")
    [article] = read(path)
    assert article.title == "Ferry log" and "\n## 2024-05-01\n" in article.text


def test_a_date_filter_finds_the_day_and_its_lines(tmp_path, fake):
    (tmp_path / "journal.org").write_text(JOURNAL, encoding="utf-8")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False)
    hits = lib.ask("harbour crane pilot dredger", k=5, mode="lexical",
                   filters={"date_from": "2024-03-06", "date_to": "2024-03-31"})
    assert [(h.title, h.line_start, h.line_end) for h in hits] == [("2024-03-07 Thursday", 11, 12)]
    [crane] = lib.ask("crane load test", k=1, mode="lexical", filters={"tags": ["crane"]})
    assert (crane.title, crane.line_start, crane.line_end) == ("2024-04-02 Tuesday", 14, 16)


def test_days_written_out_head_a_journal_too(tmp_path):
    path = tmp_path / "diary.md"
    path.write_text("# Diary\n\n## Tuesday, 5 March 2024\nFog.\n\n## March 6th, 2024\nGales.\n\n"
                    "## Sept. 12 2024 — launch day\nThe ferry launched.\n\n## Marchand 7, 2024\nNot a day.\n",
                    encoding="utf-8")
    days = read(path)
    assert [(a.title, a.date) for a in days] == [
        ("Tuesday, 5 March 2024", "2024-03-05"), ("March 6th, 2024", "2024-03-06"),
        ("Sept. 12 2024 — launch day", "2024-09-12"), ("Diary", None)]
    assert days[2].text.endswith("The ferry launched.") and days[3].text == "## Marchand 7, 2024\nNot a day."
