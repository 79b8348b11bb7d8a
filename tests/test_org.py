"""Org files: rewritten line for line as Markdown, so references are the file's lines (qa.org)."""

from __future__ import annotations

import qa
from qa.readers import ReadStats, read_articles
from qa.types import markup_of

NOTES = """#+TITLE: Harbour notes
#+AUTHOR: Lena Marsh
#+DATE: <2024-03-05 Tue>
#+FILETAGS: :harbour:work:
#+STARTUP: overview
#+TODO: TODO NEXT | DONE

* Dredging                                                        :silt:
:PROPERTIES:
:CREATED:  [2024-03-05 Tue 09:12]
:END:
Dredging resumed in March after the winter storms. See [[https://example.org/dredging][the port's page]]
and [[file:~/notes/silt.org][my silt notes]].
** DONE [#A] Ask about the crane
CLOSED: [2024-03-06 Wed 10:00]
The new crane on the north quay lifts =65= tonnes.
# a private remark
| Year | Silt      |
|------+-----------|
| 2023 | 12,400 m3 |
* COMMENT Draft ideas
Nothing here should be read.
** Still nothing
* NEXT Ferry
#+BEGIN_QUOTE
The winter ferry leaves Keel Bay at 07:15.
#+END_QUOTE
#+begin_src python :results output
print("tide")
,* not a heading
#+end_src
#+BEGIN_COMMENT
Hidden words.
#+END_COMMENT
"""


def read(path):
    stats = ReadStats()
    return list(read_articles([str(path)], stats)), stats


def test_an_org_file_is_its_markdown_line_for_line_with_what_org_hides_left_out(tmp_path):
    (tmp_path / "harbour.org").write_text(NOTES, encoding="utf-8")
    [article], stats = read(tmp_path / "harbour.org")
    assert stats.skipped == []
    assert (article.title, article.author, article.date, article.tags, markup_of(article.source, article.markup)) == (
        "Harbour notes", "Lena Marsh", "2024-03-05", ("harbour", "work", "silt"), "markdown")
    assert article.line_start == 8  # the first line with text; the keywords above it are not
    lines = article.text.split("\n")
    assert len(lines) == 31 - 8 + 1  # line for line, to the last with text (the comment block's are not)
    shown = {n: line for n, line in enumerate(lines, 8) if line}
    assert shown == {
        8: "# Dredging",
        12: "Dredging resumed in March after the winter storms. See the port's page",  # a link, its text (qa.mdpage)
        13: "and my silt notes.",
        14: "## Ask about the crane",  # no keyword, priority or tags
        16: "The new crane on the north quay lifts `65` tonnes.",
        18: "| Year | Silt      |",
        19: "|---|---|",
        20: "| 2023 | 12,400 m3 |",
        24: "# Ferry",  # NEXT is a keyword of this file's
        26: "The winter ferry leaves Keel Bay at 07:15.",  # a quote, its marks as a .md's
        28: "```python",
        29: 'print("tide")',
        30: "* not a heading",  # Org's escape undone
        31: "```",
    }


def test_without_a_title_an_org_file_is_titled_by_its_name_as_org_exports_it(tmp_path):
    (tmp_path / "ferry-times.org").write_text("* Winter\nThe ferry leaves at 07:15.\n* Summer\nAt 06:40.\n",
                                              encoding="utf-8")
    [article], _ = read(tmp_path / "ferry-times.org")
    assert article.title == "ferry-times"
    assert article.text == "# Winter\nThe ferry leaves at 07:15.\n# Summer\nAt 06:40."


def test_org_passages_are_found_at_their_lines_and_filtered_by_their_tags(tmp_path, fake):
    (tmp_path / "harbour.org").write_text(NOTES, encoding="utf-8")
    (tmp_path / "other.md").write_text("# Cranes\n\nThe old crane lifted forty tonnes.\n", encoding="utf-8")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False, chunk_tokens=24)
    assert lib.last_summary.skipped == ()
    hits = lib.ask("crane north quay tonnes", k=5, mode="lexical", filters=qa.Filters(tags=["silt"]))
    assert hits and {h.source for h in hits} == {str(tmp_path / "harbour.org")}
    best = hits[0]
    assert best.line_start <= 16 <= best.line_end and "north quay lifts `65` tonnes" in best.text
    assert not lib.ask("Nothing here should be read", k=5, mode="lexical", filters=qa.Filters(tags=["silt"]))
