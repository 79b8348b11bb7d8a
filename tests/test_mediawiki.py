"""MediaWiki XML dumps (Wikipedia's, a wiki's Special:Export): article pages as Markdown (qa.mediawiki, qa.wikitext)."""

from __future__ import annotations

import bz2
import gzip
import os
import random

import pytest

import qa
from qa.readers import ReadStats, read_articles
from qa.uploads import safe_name, store_uploads, unkept
from qa.wikitext import Names, page

# A wiki's export as MediaWiki 1.41 writes it (export-0.11), written for these tests: an article
# with a history of two revisions, a redirect, a talk page, a template, a short article; the
# wiki is German-named for files and categories, as a wiki in another language is.
DUMP = """<mediawiki xmlns="http://www.mediawiki.org/xml/export-0.11/" version="0.11" xml:lang="de">
  <siteinfo>
    <sitename>Hafenwiki</sitename>
    <base>https://wiki.keelbay.example/wiki/Hauptseite</base>
    <namespaces>
      <namespace key="0" case="first-letter" />
      <namespace key="1" case="first-letter">Diskussion</namespace>
      <namespace key="6" case="first-letter">Datei</namespace>
      <namespace key="10" case="first-letter">Vorlage</namespace>
      <namespace key="14" case="first-letter">Kategorie</namespace>
    </namespaces>
  </siteinfo>
  <page>
    <title>North Quay Crane</title>
    <ns>0</ns>
    <id>12</id>
    <revision>
      <id>100</id>
      <timestamp>2023-01-05T10:00:00Z</timestamp>
      <model>wikitext</model>
      <format>text/x-wiki</format>
      <text bytes="26" xml:space="preserve">The crane lifts 40 tonnes.</text>
    </revision>
    <revision>
      <id>101</id>
      <parentid>100</parentid>
      <timestamp>2024-03-05T09:30:00Z</timestamp>
      <model>wikitext</model>
      <format>text/x-wiki</format>
      <text bytes="700" xml:space="preserve">{{Infobox machine
| name = North Quay Crane
| capacity = {{convert|65|t}}
| built = {{start date|2019|4|2}}
| image = Crane.jpg
}}
The '''North Quay Crane''' is the largest [[Crane (machine)|crane]] in [[Keel Bay]].&lt;ref&gt;{{cite web|url=https://example.org|title=Port report}}&lt;/ref&gt; It lifts 65 tonnes since its refit.

== History ==
[[Datei:Crane 2019.jpg|thumb|The crane in 2019]]
The crane was built in 2019 by ''Harland Cranes''.
* Refitted in 2023
** Painted blue &amp; white

== Loads ==
{| class="wikitable"
|+ Largest lifts
! Year !! Load
|-
| 2021 || Ferry engine
|-
| 2023 || Lock gate
|}
[[Kategorie:Harbour machines]]
[[Category:Keel Bay|Crane]]
[[de:Nordkai-Kran]]</text>
    </revision>
  </page>
  <page>
    <title>Crane</title>
    <ns>0</ns>
    <id>13</id>
    <redirect title="North Quay Crane" />
    <revision>
      <id>102</id>
      <timestamp>2024-03-05T09:31:00Z</timestamp>
      <text bytes="30" xml:space="preserve">#REDIRECT [[North Quay Crane]]</text>
    </revision>
  </page>
  <page>
    <title>Diskussion:North Quay Crane</title>
    <ns>1</ns>
    <id>14</id>
    <revision>
      <id>103</id>
      <timestamp>2024-03-06T09:31:00Z</timestamp>
      <text bytes="30" xml:space="preserve">Is it really 65 tonnes? --~~~~</text>
    </revision>
  </page>
  <page>
    <title>Vorlage:Infobox machine</title>
    <ns>10</ns>
    <id>15</id>
    <revision>
      <id>104</id>
      <timestamp>2024-03-06T09:31:00Z</timestamp>
      <text bytes="16" xml:space="preserve">{| {{{name}}} |}</text>
    </revision>
  </page>
  <page>
    <title>Winter ferry</title>
    <ns>0</ns>
    <id>16</id>
    <revision>
      <id>105</id>
      <timestamp>2024-11-01T08:00:00Z</timestamp>
      <text bytes="60" xml:space="preserve">The winter ferry to [[Keel Bay]] leaves at seven.
It stops at [[Skerry Isle|the isle]] on Fridays.</text>
    </revision>
  </page>
</mediawiki>
"""

CRANE = """- Name: North Quay Crane
- Capacity: 65 t
- Built: 2019-04-02

The North Quay Crane is the largest crane in Keel Bay. It lifts 65 tonnes since its refit.

## History

The crane was built in 2019 by Harland Cranes.
- Refitted in 2023
  - Painted blue & white

## Loads
Largest lifts

| Year | Load |
|---|---|
| 2021 | Ferry engine |
| 2023 | Lock gate |"""


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def read(path) -> tuple[list[qa.Article], ReadStats]:
    stats = ReadStats()
    return list(read_articles([str(path)], stats)), stats


def test_a_dump_reads_its_article_pages_as_markdown_with_the_dumps_lines(tmp_path):
    dump = tmp_path / "hafenwiki.xml"
    dump.write_text(DUMP, encoding="utf-8")
    (crane, ferry), stats = read(dump)
    assert crane.text == CRANE  # the latest revision; no footnote, picture, category or language link
    assert (crane.title, crane.date, crane.tags, crane.url, crane.markup) == (
        "North Quay Crane", "2024-03-05", ("Harbour machines", "Keel Bay"),
        "https://wiki.keelbay.example/wiki/North_Quay_Crane", "markdown")
    assert crane.metadata == {"page_id": "12"}
    # a line of the Markdown at the line of the dump it came from
    for shown, source in [("- Name:", "| name ="), ("The North Quay Crane is", "The '''North Quay"),
                          ("## History", "== History =="), ("  - Painted", "** Painted"),
                          ("| 2023 | Lock gate |", "| 2023 || Lock gate"), ("Largest lifts", "|+ Largest")]:
        offset = crane.text.index(shown)
        line = max(line for at, line in crane.line_anchors if at <= offset)
        assert line == line_of(DUMP, source), shown
    assert crane.line_start == line_of(DUMP, "| name =")
    assert ferry.text == "The winter ferry to Keel Bay leaves at seven.\nIt stops at the isle on Fridays."
    assert (ferry.line_start, ferry.url, ferry.date) == (line_of(DUMP, "The winter ferry"),
                                                         "https://wiki.keelbay.example/wiki/Winter_ferry", "2024-11-01")
    assert [s.reason for s in stats.skipped] == [
        "left out 3 pages that are no article: 1 redirect; 2 in other namespaces (Diskussion 1, Vorlage 1)"]


def test_a_compressed_dump_reads_as_the_dump_does_and_a_cut_one_keeps_its_pages_before_the_cut(tmp_path):
    (tmp_path / "wiki.xml").write_text(DUMP, encoding="utf-8")
    plain, _ = read(tmp_path / "wiki.xml")
    data = DUMP.encode()
    half = len(data) // 2  # as Wikipedia's pages-articles-multistream.xml.bz2: bzip2 streams one after the other
    (tmp_path / "wiki.xml.bz2").write_bytes(bz2.compress(data[:half]) + bz2.compress(data[half:]))
    (tmp_path / "wiki.xml.gz").write_bytes(gzip.compress(data))
    for name in ("wiki.xml.bz2", "wiki.xml.gz"):
        articles, stats = read(tmp_path / name)
        assert [(a.text, a.line_anchors, a.url) for a in articles] == [(a.text, a.line_anchors, a.url) for a in plain]
        assert len(stats.skipped) == 1
    # gzip gives what it holds up to a cut; bzip2 nothing of a cut 900 KB block (this whole dump)
    words = random.Random(7).choices(["tide", "quay", "silt", "crane", "ferry", "pilot", "lock", "berth"], k=6000)
    filler = f"<page><title>Log</title><ns>0</ns><revision><text>{' '.join(words)}.</text></revision></page>\n"
    padded = DUMP.replace("  <page>\n    <title>Crane</title>", filler + "  <page>\n    <title>Crane</title>").encode()
    (tmp_path / "cut.xml.gz").write_bytes(gzip.compress(padded, mtime=0)[:-30])
    articles, stats = read(tmp_path / "cut.xml.gz")
    assert [a.title for a in articles] == ["North Quay Crane", "Log"]
    assert stats.skipped[-1].reason.startswith("a damaged gzip file: ")
    assert stats.skipped[-1].reason.endswith("; what came before the damage was read")
    (tmp_path / "cut.xml.bz2").write_bytes(bz2.compress(data)[:-100])
    _, stats = read(tmp_path / "cut.xml.bz2")
    assert stats.skipped[-1].reason.startswith("a damaged bzip2 file: Compressed file ended")
    (tmp_path / "not.xml.bz2").write_bytes(b"<mediawiki>" * 10)
    _, stats = read(tmp_path / "not.xml.bz2")
    assert stats.skipped[0].reason == "a damaged bzip2 file: Invalid data stream"


def test_references_stay_exact_past_line_65535_and_whatever_the_chunks(tmp_path):
    # libxml2 gives an element past line 65,535 the line its text ends on; a Wikipedia dump has
    # hundreds of millions of lines
    log = "\n".join(f"* Tide {n}" for n in range(70_000))
    filler = f"<page><title>Tides</title><ns>0</ns><revision><text>{log}</text></revision></page>\n"
    big = DUMP.replace("  <page>\n    <title>Winter ferry</title>", filler + "  <page>\n    <title>Winter ferry</title>")
    (tmp_path / "big.xml").write_text(big, encoding="utf-8")
    *_, ferry = read(tmp_path / "big.xml")[0]
    assert line_of(big, "The winter ferry") > 70_000 and ferry.line_start == line_of(big, "The winter ferry")
    assert ferry.line_anchors[-1] == (ferry.text.index("It stops"), line_of(big, "It stops at"))
    from qa.mediawiki import _TEXT_TAG, _TextLines

    for data, sizes in ((DUMP.encode(), (1, 3, 5, 6, 7)), (big.encode(), (4096, 65536))):
        whole = [data.count(b"\n", 0, m.start()) + 1 for m in _TEXT_TAG.finditer(data)]
        for size in sizes:  # a tag cut anywhere by a chunk's end is found once, at its line
            lines = _TextLines()
            for i in range(0, len(data), size):
                lines.feed(data[i:i + size])
            assert list(lines.found) == whole, size


def test_a_dump_broken_part_way_keeps_the_pages_before_the_break(tmp_path):
    broken = DUMP.replace("<title>Winter ferry</title>", "<title>Winter ferry</titel>")
    (tmp_path / "broken.xml").write_text(broken, encoding="utf-8")
    articles, stats = read(tmp_path / "broken.xml")
    assert [a.title for a in articles] == ["North Quay Crane"]
    assert stats.skipped[0].line == line_of(broken, "</titel>")
    assert stats.skipped[0].reason.startswith("not a readable MediaWiki dump: ")
    assert stats.skipped[0].reason.endswith("; pages before it were read")


def test_a_folder_reads_a_wikis_dump_and_passes_other_xml_over(tmp_path):
    (tmp_path / "wiki.xml.bz2").write_bytes(bz2.compress(DUMP.encode()))
    sitemap = '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>x</loc></url></urlset>'
    (tmp_path / "sitemap.xml").write_text(sitemap)
    (tmp_path / "sitemap.xml.gz").write_bytes(gzip.compress(sitemap.encode()))
    stats = ReadStats()
    assert [a.title for a in read_articles([str(tmp_path)], stats)] == ["North Quay Crane", "Winter ferry"]
    assert stats.ignored == {".xml not a feed": 2}


def test_an_index_of_a_dump_answers_with_the_page_and_its_line(tmp_path, fake):
    (tmp_path / "wiki.xml.bz2").write_bytes(bz2.compress(DUMP.encode()))
    lib = qa.Library.build([str(tmp_path / "wiki.xml.bz2")], str(tmp_path / "idx"), embedder=fake, progress=False)
    hit = lib.ask("When does the winter ferry leave?", k=1, mode="lexical")[0]
    assert (hit.title, hit.line_start, hit.line_end, hit.url) == (
        "Winter ferry", line_of(DUMP, "The winter ferry"), line_of(DUMP, "It stops at"),
        "https://wiki.keelbay.example/wiki/Winter_ferry")
    hit = lib.ask("What did the crane lift in 2023?", k=1, mode="lexical")[0]
    assert hit.title == "North Quay Crane" and hit.line_end == line_of(DUMP, "| 2023 || Lock gate")
    assert "| 2023 | Lock gate |" in [h.text for h in hit.highlights]
    assert lib.last_summary.read == 2 and len(lib.last_summary.skipped) == 1


@pytest.mark.parametrize(("wikitext", "lines"), [
    # a list's depth, a numbered item, a definition, a quote of indented text
    ("* a\n** b\n*# c\n# d\n; term : its meaning\n: indented",
     ["- a", "  - b", "  1. c", "1. d", "", "term — its meaning", "", "indented"]),
    # inline templates that carry words; the others (a citation, a navigation box) go
    ("{{lang|fr|Quai Nord}} is {{convert|5|-|10|km}} long, {{as of|2020}}.{{cite web|url=x}}\n{{Navbox|a|b}}",
     ["Quai Nord is 5–10 km long, As of 2020."]),
    # an infobox's lists as a list of words (not its map's name); quotes, dashes, values, fractions, names and flags as their words
    ("{{Infobox person\n| children = {{Plainlist|\n* Byron\n* [[Anne Blunt|Anne]]\n}}\n| pushpin_map = Scotland\n"
     "| known_for = {{hlist|Notes|[[Analytical Engine]]}}\n}}\nShe wrote {{quote|text=More than mortal.|sign=Ada}} "
     "Then{{mdash}}later {{val|1.5|u=kg}}, {{frac|1|2}} of {{sortname|Charles|Babbage}} of {{flag|United Kingdom}}.",
     ["- Children: Byron, Anne", "- Known for: Notes, Analytical Engine", "",
      "She wrote More than mortal. Then—later 1.5 kg, 1/2 of Charles Babbage of United Kingdom."]),
    # links: piped, to a section, external with and without text, a category shown as a link
    ("See [[Keel Bay#Tides|the tides]], [[Pilots#Boarding]], [https://e.example Port] [https://x.example] https://y.example "
     "and [[:Category:Ships]].", ["See the tides, Pilots#Boarding, Port https://y.example and Category:Ships."]),
    # code keeps its lines and indentation; an HTML comment, magic words and a gallery go
    ("Run:\n<syntaxhighlight lang=python>\nif tide:\n    sail()\n</syntaxhighlight>\n<!-- hidden -->__NOTOC__\n"
     "<gallery>\nA.jpg|x\n</gallery>\nDone.", ["Run:", "```", "if tide:", "    sail()", "```", "", "", "Done."]),
    # what templates leave behind goes: empty brackets, an empty item, a heading over nothing
    ("{{Short description|Town}}\n'''Keel Bay''' ({{lang-gd|Bàgh a' Chìle}}) is a town ({{IPA|x}}; pop. 4,210).\n== Notes ==\n"
     "=== Sources ===\n{{Reflist}}\n== Links ==\n* {{Official website|x}}\n* [[Keel Bay Pier]]",
     ["Keel Bay (Bàgh a' Chìle) is a town (pop. 4,210).", "", "## Links", "- Keel Bay Pier"]),
    # a table with no heading row gets an empty one, a cell's pipe escaped
    ('{|\n|-\n| a || b <nowiki>|</nowiki> c\n|}', ["|  |  |", "|---|---|", "| a | b \\| c |"]),
])
def test_wikitext_is_shown_as_its_page_shows_it(wikitext, lines):
    assert page(wikitext, Names()).lines == lines


def test_each_line_knows_the_wikitext_line_it_starts_on():
    shown = page("{{Infobox ship\n| name = Tern\n\n| built = 1990\n}}\nIntro.\n== Service ==\n<div>\nFirst.\n\nSecond.\n</div>"
                 "\n<pre>\nx = 1\ny = 2\n</pre>", Names())
    assert list(zip(shown.lines, shown.at, strict=True)) == [
        ("- Name: Tern", 1), ("- Built: 1990", 3), ("", 5), ("Intro.", 5), ("## Service", 6), ("", 7),
        ("First.", 8), ("", 9), ("Second.", 10), ("", 11), ("```", 13), ("x = 1", 13), ("y = 2", 14), ("```", 14)]


def test_an_uploaded_dump_keeps_its_compressed_name():
    assert safe_name("simplewiki-latest-pages-articles.xml.bz2") == "simplewiki-latest-pages-articles.xml.bz2"
    assert safe_name("wiki dump.xml.gz") == "wiki_dump.xml.gz"
    assert os.path.splitext(safe_name("export.xml"))[1] == ".xml"


def test_an_uploaded_dump_stays_in_the_uploads_though_its_reader_said_what_it_left_out(tmp_path, fake):
    (tmp_path / "notes.txt").write_text("The harbour master retires in May.\n", encoding="utf-8")
    lib = qa.Library.build([str(tmp_path / "notes.txt")], str(tmp_path / "idx"), embedder=fake, progress=False)
    (tmp_path / "wiki.xml.bz2").write_bytes(bz2.compress(DUMP.encode()))
    (tmp_path / "torn.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    uploads = tmp_path / "idx" / "uploads"
    stored = store_uploads([str(tmp_path / n) for n in ("wiki.xml.bz2", "wiki.xml.bz2", "torn.pdf")], str(uploads))
    summary = lib.update([str(uploads)], progress=False)
    assert any(s.line is None and s.reason.startswith("left out 3 pages") for s in summary.skipped)
    assert unkept(stored, summary.skipped, lib.catalog.holds) == [
        "not kept in the uploads folder, as they could not be read: torn.pdf"]
    assert sorted(os.listdir(uploads)) == ["wiki-2.xml.bz2", "wiki.xml.bz2"]  # a second of one name: its kind kept


def test_a_pages_wikitext_in_a_file_of_its_own_is_read_as_a_dumps_page(tmp_path, fake):
    wiki = tmp_path / "wiki"
    wiki.mkdir()
    (wiki / "Ferry-Timetable.mediawiki").write_text(  # as a GitHub wiki names a page
        "== Winter service ==\nThe [[ferry]] leaves at seven.<ref>x</ref>\n* Fridays: the isle\n[[Category:Ferries]]\n",
        encoding="utf-8")
    (wiki / "Empty.wiki").write_text("{{Stub}}\n[[Category:Ferries]]\n", encoding="utf-8")
    stats = ReadStats()
    [article] = read_articles([str(wiki)], stats)
    assert (article.title, article.text, article.tags, article.line_anchors) == (
        "Ferry Timetable", "## Winter service\nThe ferry leaves at seven.\n- Fridays: the isle", ("Ferries",),
        ((0, 1), (18, 2), (45, 3)))
    assert [s.reason for s in stats.skipped] == ["no text in the page (templates or links only)"]
    lib = qa.Library.build([str(wiki)], str(tmp_path / "idx"), embedder=fake, progress=False)
    [hit] = lib.ask("When does the ferry leave?", k=1, mode="lexical")
    assert hit.source.endswith("Ferry-Timetable.mediawiki") and hit.line_start == 1
