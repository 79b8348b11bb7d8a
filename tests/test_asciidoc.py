"""AsciiDoc (.adoc): read line for line as the Markdown its page shows (qa.asciidoc)."""

from __future__ import annotations

import qa
from qa.asciidoc import adoc_page
from qa.readers import ReadStats, read_articles

# As Asciidoctor's users write a guide, written for these tests
GUIDE = """= Harbour Crane Operations Guide
Ann Lee <ann@keelbay.example>
v2.1, 2024-03-05: Refit edition
:toc: left
:keywords: cranes, harbour
:product: North Quay Crane
// an editor's note

The {product} lifts 65 tonnes since its refit.footnote:[Load test of March 2024.] Its log is `+*.log+`.
See <<safety,the safety rules>> and https://keelbay.example/cranes[the port's page].

== Safety
[[safety]]
NOTE: Stop all lifts when the wind exceeds 20 m/s.

[WARNING]
====
Never stand under a suspended load.
====

.Daily checks
* Inspect the hook
** Check the latch
. Log the *result*

Crane:: the North Quay Crane

== Code

[source,python]
----
def lift(tonnes):
    return tonnes <= 65
----

////
A comment block about the winch
////

.Largest lifts
[cols="1,2",options="header"]
|===
|Year |Load

|2021
|Ferry engine

|2023
|Lock gate
|===

[quote, Harbour master]
____
The crane changed the port.
____

include::appendix.adoc[]
"""


def shown_lines(text: str) -> dict[int, str]:
    return {n: line for n, line in enumerate(adoc_page(text)[0].split("\n"), 1) if line}


def test_a_guide_is_shown_as_its_page_with_every_line_where_it_is_in_the_file():
    assert shown_lines(GUIDE) == {
        1: "# Harbour Crane Operations Guide",
        9: "The North Quay Crane lifts 65 tonnes since its refit. Its log is `*.log`.",  # no footnote
        10: "See the safety rules and [the port's page](https://keelbay.example/cranes).",
        12: "## Safety", 14: "**Note:** Stop all lifts when the wind exceeds 20 m/s.",
        18: "**Warning:** Never stand under a suspended load.",
        21: "**Daily checks**", 22: "- Inspect the hook", 23: "  - Check the latch", 24: "1. Log the **result**",
        26: "- **Crane**: the North Quay Crane",
        28: "## Code", 31: "```python", 32: "def lift(tonnes):", 33: "    return tonnes <= 65", 34: "```",
        40: "**Largest lifts**",  # a table's rows from its first line on
        42: "| Year | Load |", 43: "|---|---|", 44: "| 2021 | Ferry engine |", 45: "| 2023 | Lock gate |",
        54: "> The crane changed the port."}
    assert adoc_page(GUIDE)[1] == {"title": "Harbour Crane Operations Guide", "author": "Ann Lee",
                                   "date": "2024-03-05", "tags": ["cranes", "harbour"]}


def test_tables_read_as_asciidoctor_reads_them():
    # no header unless said or a blank line follows the first; specs before a cell's "|" left out;
    # a CSV table; rows of several cells a line
    plain = "|===\n|a |b\n|c |d\n|==="
    assert shown_lines(plain) == {1: "|  |  |", 2: "|---|---|", 3: "| a | b |", 4: "| c | d |"}
    spans = '[%header]\n|===\n|Day |Ship\n2+|Closed for the storm\n|Mon |Tern, then\nthe Skua\n|==='
    assert list(shown_lines(spans).values()) == [  # a cell over two columns; a cell's text going on
        "| Day | Ship |", "|---|---|", "| Closed for the storm |  |", "| Mon | Tern, then the Skua |"]
    csv = '[%header,format=csv]\n,===\nYear,"Load, tonnes"\n2021,40\n,==='
    assert list(shown_lines(csv).values()) == ["| Year | Load, tonnes |", "|---|---|", "| 2021 | 40 |"]
    wide = "[cols=2]\n|===\n|a |b |c |d\n|==="
    assert list(shown_lines(wide).values()) == ["|  |  |", "|---|---|", "| a | b | c | d |"]


def test_an_adoc_file_is_an_article_found_at_its_lines(tmp_path, fake):
    (tmp_path / "guide.adoc").write_text(GUIDE, encoding="utf-8")
    [article] = read_articles([str(tmp_path / "guide.adoc")], ReadStats())
    assert (article.title, article.author, article.date, article.tags) == (
        "Harbour Crane Operations Guide", "Ann Lee", "2024-03-05", ("cranes", "harbour"))
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False, chunk_tokens=24)
    [hit] = lib.ask("suspended load", k=1, mode="lexical")
    assert hit.line_start <= 18 <= hit.line_end
    assert not lib.ask("winch comment block", k=3, mode="lexical")  # a comment is not the page's
