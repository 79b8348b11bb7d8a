"""Result cards as HTML: escaping, highlights, Markdown headings."""

from __future__ import annotations

import dataclasses

import qa
from qa.render import marked_passage

TEXT = "# Tomatoes\n\nBalcony <b>gardens</b> grow well.\n\n## Watering\n\nWater #2 pots daily."


def hit(source: str, spans: list[tuple[int, int]]) -> qa.Hit:
    # The passage starts 10 characters into its article: highlights are in article offsets.
    lights = tuple(qa.Highlight(TEXT[a:b], a + 10, b + 10) for a, b in spans)
    return qa.Hit(rank=1, score=1.0, article_id="a", passage_id=1, title="Tomatoes", text=TEXT,
                  source=source, line_start=1, line_end=7, char_start=10, char_end=10 + len(TEXT),
                  url=None, date=None, highlights=lights, dense_rank=1, lexical_rank=1)


def test_markdown_headings_lose_their_markers_text_is_escaped_and_marked():
    watering, balcony = TEXT.index("## Watering"), TEXT.index("Balcony")
    out = marked_passage(hit("notes/t.md", [(watering, watering + 11), (balcony, TEXT.index(".") + 1)]))
    # The first heading only repeats the title the card shows above the passage: left out.
    assert out == ("<mark>Balcony &lt;b&gt;gardens&lt;/b&gt; grow well.</mark><br><br>"
                   '<mark class="qa-best">Watering</mark><br><br>Water #2 pots daily.')
    other = dataclasses.replace(hit("notes/t.md", []), title="Balcony gardens")
    assert marked_passage(other).startswith("Tomatoes<br><br>Balcony")  # a heading of its own: kept
    marked_title = marked_passage(hit("notes/t.md", [(0, 10)]))
    assert marked_title.startswith('<mark class="qa-best">Tomatoes</mark><br><br>Balcony')  # shown, as marked


def test_other_sources_keep_their_hashes():
    out = marked_passage(hit("notes/t.txt", []))
    assert out.startswith("# Tomatoes<br><br>") and "## Watering" in out
