"""A .txt file with headings standing alone is one document read as Markdown (qa.headed)."""

from __future__ import annotations

import qa
from qa.headed import is_headed
from qa.readers import ReadStats, read_articles

NOTES = """Ferry 2.4 Release Notes
=======================

This release brings timetables for the winter.


Updates since v2.3
------------------

 * Two new commands "ferry book" and "ferry cancel" are introduced
   to split the old "ferry ticket" command in two.

 * "ferry list <port>" shows the sailings from one port.


Fixes since v2.3
----------------

 * The harbour fee was counted twice for a return ticket.
"""


def test_what_makes_a_txt_file_a_document():
    def headed(text: str, whole: bool = True) -> bool:
        return is_headed(text.encode(), whole)

    assert headed(NOTES)
    assert headed("# Notes\n\nThe quay reopens in May.\n\nThe crane is fixed.\n")  # an ATX heading alone
    assert headed("Notes\n===\nThe quay reopens in May.\n\nThe crane is fixed.\n")  # opens with one, not all do
    assert not headed("The quay reopens in May.\n\nThe crane lifts forty tonnes.\n")  # articles
    # each article opening with its own underlined title
    assert not headed("Quay\n====\nThe quay reopens in May.\n\nCrane\n=====\nThe crane lifts forty tonnes.\n")
    # a rule drawn under a paragraph's last line, or under one too long for a heading
    assert not headed("The quay reopens in May after a long winter of repairs.\n---\n\nThe crane is fixed.\n")
    assert not headed(f"{'The quay reopens in May. ' * 6}\n{'=' * 150}\n\nThe crane is fixed.\n")
    # a run of comment lines, a hashtag, list items and code fences are no headings
    assert not headed("# A list of trusted keys.\n# Comment lines are ignored.\n\nEA:8D:99 S\n")
    assert not headed("#harbour\n\nThe quay reopens in May.\n")
    assert not headed("- one\n---\n\n```\ncode\n```\n---\n\nThe crane.\n")
    # a heading alone in the last block of a head cut short may be a paragraph's first line
    assert headed("The quay reopens.\n\nQuay\n====\n")
    assert not headed("The quay reopens.\n\nQuay\n====", whole=False)
    assert not headed("")


def test_a_headed_txt_file_is_one_markdown_article_with_its_lines(tmp_path):
    path = tmp_path / "2.4.0.txt"
    path.write_text(NOTES, encoding="utf-8")
    (tmp_path / "news.txt").write_text("The quay reopens in May.\n\nThe crane is fixed.\n", encoding="utf-8")
    stats = ReadStats()
    articles = sorted(read_articles([str(tmp_path)], stats), key=lambda a: a.path)
    assert [(a.title, a.markup) for a in articles] == [
        ("Ferry 2.4 Release Notes", "markdown"), ("The quay reopens in May.", None), ("The crane is fixed.", None)]
    doc = articles[0]
    assert doc.text == NOTES.rstrip() and doc.line_start == 1 and not stats.skipped  # "<port>" is no tag
    once_more = list(read_articles([str(path)], ReadStats(), one_per_file=True))
    assert [(a.text, a.markup) for a in once_more] == [(doc.text, "markdown")]


def test_a_hit_in_a_headed_txt_file_names_its_section_and_lines(tmp_path, fake):
    (tmp_path / "2.4.0.txt").write_text(NOTES, encoding="utf-8")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False, chunk_tokens=24)
    hit = lib.ask("harbour fee counted twice for a return ticket", k=1, mode="lexical")[0]
    assert hit.title == "Ferry 2.4 Release Notes" and hit.section == ("Fixes since v2.3",)
    lines = NOTES.split("\n")[hit.line_start - 1 : hit.line_end]
    assert lines[0] == "Fixes since v2.3" and lines[-1] == " * The harbour fee was counted twice for a return ticket."
    hit = lib.ask("ferry book and ferry cancel commands", k=1, mode="lexical")[0]
    assert hit.section == ("Updates since v2.3",) and hit.markup == "markdown"
    lib.close()
