"""Result cards as HTML: escaping, highlights, Markdown headings."""

from __future__ import annotations

import dataclasses
import re

import qa
from qa.hitprint import shown_lines
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
    assert out == ("<mark>Balcony &lt;b&gt;gardens&lt;/b&gt; grow well.</mark>"
                   '<div class="qa-heading"><mark class="qa-best">Watering</mark></div>Water #2 pots daily.')
    other = dataclasses.replace(hit("notes/t.md", []), title="Balcony gardens")
    assert marked_passage(other).startswith('<div class="qa-heading">Tomatoes</div>Balcony')  # its own: kept
    marked_title = marked_passage(hit("notes/t.md", [(0, 10)]))
    assert marked_title.startswith('<div class="qa-heading"><mark class="qa-best">Tomatoes</mark></div>Balcony')


def test_a_pages_lines_are_its_paragraphs_and_its_title_line_is_not_repeated():
    text = "Harbour wall approved\nThe council voted 34 to 12.\n- Work starts in May.\n| Cost | 4m |"
    page = dataclasses.replace(hit("site/wall.html", []), title="Harbour wall approved", text=text,
                               char_end=10 + len(text))
    assert marked_passage(page) == "The council voted 34 to 12.<br>• Work starts in May.<br>| Cost | 4m |"
    vote = text.index("The council")
    marked = dataclasses.replace(page, highlights=(qa.Highlight("The council voted 34 to 12.", vote + 10, vote + 37),))
    assert marked_passage(marked).startswith('<mark class="qa-best">The council voted 34 to 12.</mark><br>• Work')
    # A text file's first line is text, not a heading: kept; its line breaks are wrapping, but
    # for those before a list item or a table row.
    assert marked_passage(dataclasses.replace(page, source="notes/wall.txt", markup=None)) == (
        "Harbour wall approved\nThe council voted 34 to 12.<br>- Work starts in May.<br>| Cost | 4m |")


def test_a_plain_texts_first_sentence_is_not_repeated_under_the_title_it_gave():
    text = "Harbour wall approved after a long debate.  The council voted 34 to 12.\nWork starts in May."
    story = dataclasses.replace(hit("news/world.txt", []), title="Harbour wall approved after a long debate.",
                                text=text, char_end=10 + len(text), markup=None)
    assert marked_passage(story) == "The council voted 34 to 12.\nWork starts in May."  # a headline over its story
    marked = dataclasses.replace(story, highlights=(qa.Highlight(text[:42], 10, 52),))
    assert marked_passage(marked).startswith('<mark class="qa-best">Harbour wall approved')  # the answer: kept
    cut = dataclasses.replace(story, title="Harbour wall approved after a…")  # a long sentence's title
    assert marked_passage(cut) == "…long debate.  The council voted 34 to 12.\nWork starts in May."  # goes on
    cut_marked = dataclasses.replace(marked, title=cut.title)
    assert marked_passage(cut_marked).startswith('<mark class="qa-best">Harbour wall approved after a long debate.')
    assert marked_passage(dataclasses.replace(cut, title="Harbour wall approved before…")) == text  # not its words
    alone = dataclasses.replace(story, text=text[:42], char_end=52)  # the title is all it says
    assert marked_passage(alone) == "Harbour wall approved after a long debate."
    other = dataclasses.replace(story, title="Harbour wall")
    assert marked_passage(other).startswith("Harbour wall approved")
    # the same for a record's HTML body and a note without a heading, titled by their first sentence
    page = dataclasses.replace(story, markup="page", text=text.replace("\n", "\n- "), char_end=10 + len(text) + 2)
    assert marked_passage(page) == "The council voted 34 to 12.<br>• Work starts in May."
    note = dataclasses.replace(story, source="notes/wall.md", markup=None)
    assert marked_passage(note) == "The council voted 34 to 12.\nWork starts in May."


def test_a_one_sentence_note_is_said_once_under_its_reference(capsys):
    from qa.hitprint import print_hit
    from qa.render import hit_cards

    text = "The ferry to Skerry Isle leaves at nine on Saturdays."
    note = dataclasses.replace(hit("notes/ferry.txt", []), title=text, text=text, char_end=10 + len(text),
                               markup=None, line_end=1)
    marked = dataclasses.replace(note, highlights=(qa.Highlight(text, 10, 10 + len(text)),))
    card = hit_cards([marked], "hybrid")
    assert card.count("Skerry Isle") == 1 and "qa-title" not in card and "qa-refline" not in card
    assert re.search(r'<div class="qa-head qa-untitled"><span class="qa-rank">1</span><span>.*notes/ferry.txt:1', card)
    assert f'<mark class="qa-best">{text}</mark>' in card
    assert hit_cards([note], "hybrid").count("Skerry Isle") == 1  # unmarked too
    print_hit(marked, "hybrid")
    assert capsys.readouterr().out.count("Skerry Isle") == 1  # qa ask: as the answer's » line
    print_hit(note, "hybrid")
    assert capsys.readouterr().out.splitlines()[-2] == f"   {text}"  # no answer: as its passage
    print_hit(dataclasses.replace(note, title="The ferry to Skerry Isle…"), "hybrid")  # a title cut short
    lines = capsys.readouterr().out.splitlines()
    assert (lines[1], lines[-2]) == ("   The ferry to Skerry Isle…", "   …leaves at nine on Saturdays.")
    longer = dataclasses.replace(note, title="Ferry")  # titled: as before
    assert '<span class="qa-title">Ferry</span>' in hit_cards([longer], "hybrid")


def test_markdown_lists_and_tables_keep_their_lines_wrapped_text_does_not():
    text = ("Tips for a\nbalcony garden:\n- Water the roots,\n  not the leaves.\n1. Feed weekly.\n\n"
            "| Plant | Sun |\n|---|---|\n| Tomato | 6 h |\n| Basil | 4 h |")
    md = dataclasses.replace(hit("notes/tips.md", []), title="Tips", text=text, char_end=10 + len(text))
    water = text.index("- Water")
    item = dataclasses.replace(md, highlights=(qa.Highlight("- Water", water + 10, water + 17),))
    assert '<br><mark class="qa-best">• Water</mark> the roots' in marked_passage(item)  # a marked item too
    assert marked_passage(md) == (
        "Tips for a\nbalcony garden:<br>• Water the roots,\nnot the leaves.<br>1. Feed weekly.<br><br>"
        '<table class="qa-table"><tr><th>Plant</th><th>Sun</th></tr><tr><td>Tomato</td><td>6 h</td></tr>'
        "<tr><td>Basil</td><td>4 h</td></tr></table>")
    # a nested item indented by its depth, bullet or number
    nested = "- Beans\n  - Runner\n    - Scarlet\n1. Sow\n   1. Water\n\t- Mulch"
    shown = marked_passage(dataclasses.replace(md, text=nested, char_end=10 + len(nested)))
    assert shown == "• Beans<br>\u2003• Runner<br>\u2003\u2003• Scarlet<br>1. Sow<br>\u20031. Water<br>\u2003\u2003• Mulch"


OPERATORS_HEAD = 'Operators<table class="qa-table"><tr><th>Operator</th><th>Example</th><th>Explanation</th></tr>'


def test_a_pages_table_rows_are_a_table_with_a_marked_row_marked_cell_by_cell():
    text = ("Operators\n| Operator | Example | Explanation |\n|---|---|---|\n| ! | !expr | Bitwise complement |\n"
            "| + | a + b | Arithmetic addition |\nNot every operator can be overloaded.")
    page = dataclasses.replace(hit("book/ops.html", []), title="Appendix B", text=text, char_end=10 + len(text))
    row = text.index("| + |")
    marked = dataclasses.replace(page, highlights=(qa.Highlight("| + | a + b | Arithmetic addition |", row + 10,
                                                                 row + 10 + len("| + | a + b | Arithmetic addition |")),))
    assert marked_passage(marked) == (
        OPERATORS_HEAD +
        "<tr><td>!</td><td>!expr</td><td>Bitwise complement</td></tr>"
        '<tr><td><mark class="qa-best">+</mark></td><td><mark class="qa-best">a + b</mark></td>'
        '<td><mark class="qa-best">Arithmetic addition</mark></td></tr></table>Not every operator can be overloaded.')
    # A highlight from one cell into another is marked in each: the table stays a table.
    bang = text.index("!expr")
    across = dataclasses.replace(page, highlights=(qa.Highlight("!expr | Bitwise", bang + 10, bang + 25),))
    assert marked_passage(across) == (
        OPERATORS_HEAD +
        '<tr><td>!</td><td><mark class="qa-best">!expr</mark></td><td><mark class="qa-best">Bitwise</mark>'
        " complement</td></tr><tr><td>+</td><td>a + b</td><td>Arithmetic addition</td></tr></table>"
        "Not every operator can be overloaded.")


def test_a_markdown_passage_opening_inside_a_table_keeps_it_with_a_sentence_marked_across_cells():
    # A passage from the middle of a long table (no header); a row holding two sentences, the
    # first of which opens at the row's first bar.
    text = ("|ai.onnx:Reshape||\n|ai.onnx:Resize|See the builder's implementation. There are too many cases.|\n"
            "|ai.onnx:Round||")
    md = dataclasses.replace(hit("ops.md", []), title="Ops", text=text, char_end=10 + len(text))
    start = text.index("|ai.onnx:Resize")
    end = text.index(" There are")
    marked = dataclasses.replace(md, highlights=(qa.Highlight(text[start:end], start + 10, end + 10),))
    assert marked_passage(marked) == (
        '<table class="qa-table"><tr><td>ai.onnx:Reshape</td><td></td></tr>'
        '<tr><td><mark class="qa-best">ai.onnx:Resize</mark></td>'
        "<td><mark class=\"qa-best\">See the builder's implementation.</mark> There are too many cases.</td></tr>"
        "<tr><td>ai.onnx:Round</td><td></td></tr></table>")


def test_other_sources_keep_their_hashes():
    out = marked_passage(hit("notes/t.txt", []))
    assert out.startswith("# Tomatoes<br><br>") and "## Watering" in out


def test_a_link_opens_the_page_at_the_best_highlight():
    from qa.links import text_fragment_url

    long = "Kenyan runner Daniel Kiprop won the city marathon in 2:08:31, a course record."
    assert text_fragment_url("https://ex.org/a", long) == (
        "https://ex.org/a#:~:text=Kenyan%20runner%20Daniel%20Kiprop,2%3A08%3A31%2C%20a%20course%20record.")
    # '-' ',' '&' delimit a directive's parts: escaped inside it; a page's own fragment is kept,
    # an earlier directive replaced; Markdown shows as its words.
    assert text_fragment_url("https://ex.org/a#top", "A one-off, here & now.") == (
        "https://ex.org/a#top:~:text=A%20one%2Doff%2C%20here%20%26%20now.")
    md = "## See [the map](http://m) **now**\n\n> - 1. item <b>"
    assert text_fragment_url("http://ex.org/a#s:~:text=old", md, rendered=True) == (
        "http://ex.org/a#s:~:text=See%20the%20map%20now,item%20%3Cb%3E")  # two blocks: their ends
    assert text_fragment_url("http://ex.org/a", "## See") == "http://ex.org/a#:~:text=%23%23%20See"
    # A quoted term must lie in one block of the page: a table row as trafilatura extracts it
    # is named by its first and last cells (a browser found neither "Roma 75" nor "| Roma").
    assert text_fragment_url("http://ex.org/a", "| Roma | 75 | ", rendered=True) == "http://ex.org/a#:~:text=Roma,75"
    assert text_fragment_url("https://ex.org/a", " \n ") == "https://ex.org/a"
    assert text_fragment_url("javascript:alert(1)", long) is None and text_fragment_url(None, long) is None


def test_a_card_links_its_url_at_the_highlight_and_shows_the_plain_url():
    from qa.render import hit_cards

    balcony = TEXT.index("Balcony")
    h = dataclasses.replace(hit("notes/t.txt", [(balcony, TEXT.index(".") + 1)]), url="https://ex.org/t?a=1&b=2")
    assert h.link == "https://ex.org/t?a=1&b=2#:~:text=Balcony%20%3Cb%3Egardens%3C%2Fb%3E%20grow%20well."
    card = hit_cards([h], "hybrid")
    assert ('<a class="qa-url" href="https://ex.org/t?a=1&amp;b=2#:~:text=Balcony%20%3Cb%3Egardens%3C%2Fb%3E'
            '%20grow%20well." title="Opens the page at this passage, marked" target="_blank" rel="noopener noreferrer">'
            "https://ex.org/t?a=1&amp;b=2</a>") in card
    # Without highlights the whole passage is the target: its first and last lines' ends, as a
    # text file shows them.
    assert hit("notes/t.md", []).link is None
    plain = dataclasses.replace(hit("notes/t.txt", []), url="https://ex.org/t")
    assert plain.link == "https://ex.org/t#:~:text=%23%20Tomatoes,Water%20%232%20pots%20daily."


CODE = ("Read it line by line:\n```python\n# one line at a time\nfor line in open(path):\n\n"
        "    print(line)\n```\nSetext heading ##\n---\nDone.")


def test_markdown_code_is_a_block_without_its_fences_and_keeps_its_lines_and_hashes():
    loop = CODE.index("for line")
    md = dataclasses.replace(hit("notes/io.md", [(loop, loop + 23)]), title="IO", text=CODE,
                             char_end=10 + len(CODE))
    assert marked_passage(md) == (
        'Read it line by line:<pre class="qa-code"># one line at a time\n'
        '<mark class="qa-best">for line in open(path):</mark>\n\n    print(line)</pre>'
        '<div class="qa-heading">Setext heading ##</div>Done.')


def test_a_passage_that_starts_inside_code_shows_code_until_the_closing_fence():
    text = CODE[CODE.index("    print"):]
    md = dataclasses.replace(hit("notes/io.md", []), title="IO", text=text, char_end=10 + len(text))
    inside = dataclasses.replace(md, starts_in_code=True)
    assert marked_passage(inside) == ('<pre class="qa-code">    print(line)</pre>'
                                      '<div class="qa-heading">Setext heading ##</div>Done.')
    # Without the flag the closing fence would open a block and the heading would be code.
    assert marked_passage(md).startswith("    print(line)<pre")


def test_markdown_inline_code_emphasis_and_link_texts_are_rendered_marks_kept_html_escaped():
    text = ("Call `read(a < b)` with **care**: see [the guide](https://x.org/g) and [`File`][] or "
            "![chart](https://x.org/c.png). Raw <b>tags</b> and \\*stars\\* stay text.\n\n"
            "## The `open()` call ##\n\n```\n`not inline` **not bold**\n```")
    call = text.index("Call")
    md = dataclasses.replace(hit("notes/api.md", [(call, text.index("). ") + 2)]), title="API", text=text,
                             char_end=10 + len(text))
    assert marked_passage(md) == (
        '<mark class="qa-best">Call <code>read(a &lt; b)</code> with <strong>care</strong>: see the guide and '
        "<code>File</code> or chart.</mark> Raw &lt;b&gt;tags&lt;/b&gt; and *stars* stay text."
        '<div class="qa-heading">The <code>open()</code> call</div>'
        '<pre class="qa-code">`not inline` **not bold**</pre>')
    # Placeholder characters already in the text are not taken for marks (and an icon font's
    # private-use characters are not placeholders).
    odd = dataclasses.replace(md, text="A \U0001d000 B \U0001d002 C \ue000", highlights=(), char_end=10 + 11)
    assert marked_passage(odd) == "A \ufffd B \ufffd C \ue000"


def test_emphasis_at_a_highlights_edge_is_rendered():
    # A mark's placeholder next to a star reads as the space or stop it stands for: "*The
    # Times.*" ends a highlight (a star after a stop, then the mark), "*[all the info]*" both
    # opens and ends one, "**"Quoted"**" opens one; each was shown with its stars.
    text = ("Intro.\n\nSee the notes in *The Times.* Then more.\n\n"
            "- item one\n- item *[has all the info]*\n\n**\"Quoted\"** is first. Rest.")
    spans = [(text.index(s), text.index(s) + len(s)) for s in
             ("See the notes in *The Times.*", "*[has all the info]*", '**"Quoted"** is first.')]
    md = dataclasses.replace(hit("notes/x.md", []), title="X", text=text, char_end=10 + len(text),
                             highlights=tuple(qa.Highlight(text[a:b], a + 10, b + 10) for a, b in spans))
    assert marked_passage(md) == (
        'Intro.<br><br><mark class="qa-best">See the notes in <em>The Times.</em></mark> Then more.'
        '<br><br>• item one<br>• item <mark><em>[has all the info]</em></mark>'
        '<br><br><mark><strong>&quot;Quoted&quot;</strong> is first.</mark> Rest.')


def test_a_markdown_highlight_over_wrapped_lines_is_one_mark_and_one_into_code_is_closed():
    text = "Intro.\n\nBody text that wraps\nover two lines.\n```\ncode\n```"
    body = text.index("Body")
    md = dataclasses.replace(hit("notes/w.md", [(body, text.index("```") + 8)]), title="W", text=text,
                             char_end=10 + len(text))
    # (An index split before code was a block of its own has sentences that run into code.)
    assert marked_passage(md) == ('Intro.<br><br><mark class="qa-best">Body text that wraps\nover two lines.</mark>'
                                  '<pre class="qa-code"><mark class="qa-best">code</mark></pre>')


def test_a_card_shows_the_headings_its_passage_sits_under_escaped():
    from qa.render import hit_cards

    sectioned = dataclasses.replace(hit("notes/t.md", []), section=("Care <b>", "`water()` *daily*"))
    head = hit_cards([sectioned], "hybrid").split('<div class="qa-refline">')[0]
    assert head.endswith('<span class="qa-title">Tomatoes</span><span class="qa-section"><span>› Care &lt;b&gt;</span>'
                         "<span>› <code>water()</code> <em>daily</em></span></span></span></div>")
    assert "qa-section" not in hit_cards([hit("notes/t.md", [])], "hybrid")
    page = dataclasses.replace(sectioned, source="api/fs.html", markup=None, section=("fs.read(fd[, options][, cb])",))
    assert "<span>› fs.read(fd[, options][, cb])</span>" in hit_cards([page], "hybrid")


def test_a_passage_that_starts_inside_a_numbered_list_shows_its_items_on_their_own_lines():
    text = "   the parent and\n   child processes.\n7. Positive integer: a file\n   descriptor.\n8. Null: the default."
    listed = dataclasses.replace(hit("docs/cp.md", []), text=text, char_end=10 + len(text))
    assert marked_passage(listed).endswith("child processes.<br>7. Positive integer: a file\ndescriptor.<br>"
                                           "8. Null: the default.")


def test_a_title_heading_underlined_or_with_inline_markdown_is_not_repeated_in_the_card():
    text = "Release History\n===============\n\n0.13.0 fixed the parser."
    titled = dataclasses.replace(hit("docs/HISTORY.md", []), title="Release History", text=text,
                                 char_end=10 + len(text))
    assert marked_passage(titled) == "0.13.0 fixed the parser."
    text = "# The `fs` module ##\n\nIt reads files."
    inline = dataclasses.replace(titled, title="The fs module", text=text, char_end=10 + len(text))
    assert marked_passage(inline) == "It reads files."


def test_wiki_links_show_as_a_notes_app_shows_them_but_not_in_code():
    text = ("See [[Bread]], [[Recipes#Rye|the rye notes]] and [[Recipes#Spelt]], not `[[raw]]`.\n\n![[photo.png]]\n\n"
            "![[map.PNG|640x480]]\n\n![[pier.jpg|The old pier]] ![[Recipes]]")
    notes = dataclasses.replace(hit("vault/day.md", [(4, 11)]), title="Day", text=text, char_end=10 + len(text))
    # an embedded image shows as its alt text, as a Markdown image does: none for a bare file or a size
    assert marked_passage(notes) == ('See <mark class="qa-best">Bread</mark>, the rye notes and Recipes › Spelt, '
                                     "not <code>[[raw]]</code>.<br><br>The old pier Recipes")
    assert [line for _, line in shown_lines(notes)] == [
        "See Bread, the rye notes and Recipes › Spelt, not `[[raw]]`.", "The old pier Recipes"]
    assert qa.markdown.plain("[[Home]] `[[x]]` [[a|b]] ![[c.gif]] ![[d.gif|e]]") == "Home [[x]] b e"


def test_a_pages_heading_lines_show_as_headings_and_a_title_heading_is_not_repeated():
    text = "# Harbour wall approved\nThe council voted.\n## Costs\nFour million.\n# Notes"
    page = dataclasses.replace(hit("site/wall.html", []), title="Harbour wall approved", text=text,
                               char_end=10 + len(text))
    costs = text.index("## Costs")
    page = dataclasses.replace(page, highlights=(qa.Highlight("## Costs", costs + 10, costs + 18),))
    assert marked_passage(page) == ('The council voted.<div class="qa-heading"><mark class="qa-best">Costs</mark>'
                                    '</div>Four million.<div class="qa-heading">Notes</div>')
    # A text file's "#" lines are text.
    assert marked_passage(dataclasses.replace(page, source="notes/wall.txt", markup=None, highlights=())).endswith(
        "## Costs\nFour million.\n# Notes")


def test_a_pages_code_is_a_block_without_its_fences_and_its_text_is_not_markdown():
    text = ("Read it *line* by line:\n```\nfor (const line of file.readLines()) {\n  console.log(line);\n}\n```\n"
            "Close <the> file.")
    loop = text.index("for (const")
    page = dataclasses.replace(hit("api/fs.html", []), title="File system", text=text, char_end=10 + len(text),
                               highlights=(qa.Highlight("for (const line of file.readLines()) {", loop + 10, loop + 48),))
    assert marked_passage(page) == (
        'Read it *line* by line:<pre class="qa-code"><mark class="qa-best">for (const line of file.readLines()) {'
        '</mark>\n  console.log(line);\n}</pre>Close &lt;the&gt; file.')
    inside = dataclasses.replace(page, text=text[text.index("  console"):], highlights=(), starts_in_code=True)
    assert marked_passage(inside) == '<pre class="qa-code">  console.log(line);\n}</pre>Close &lt;the&gt; file.'


def test_a_card_strikes_through_the_question_words_its_passage_lacks():
    from qa.render import hit_cards

    assert "qa-missing" not in hit_cards([hit("notes/t.md", [])], "hybrid")
    lacking = dataclasses.replace(hit("notes/t.md", []), missing=("Atlantis", "x<y"))
    assert ' · <span class="qa-missing">missing: <s>Atlantis</s> <s>x&lt;y</s></span>' in hit_cards([lacking], "hybrid")


def test_hits_that_all_seem_not_to_answer_get_a_notice_naming_what_none_mentions():
    from qa.notices import weak_notice
    from qa.render import hit_cards

    a = dataclasses.replace(hit("notes/t.md", []), weak=True, missing=("capital", "<Mongolia>"))
    b = dataclasses.replace(a, rank=2, missing=("<Mongolia>",))
    assert weak_notice([a, b]) == "No passage seems to answer this (none mentions <Mongolia>); the closest follow."
    assert weak_notice([a, dataclasses.replace(b, missing=())]) == "No passage seems to answer this; the closest follow."
    c = dataclasses.replace(a, missing=("old", "capital", "<Mongolia>"))
    assert weak_notice([c, a]) == ("No passage seems to answer this (none mentions capital or <Mongolia>); "
                                   "the closest follow.")
    assert weak_notice([c]) == ("No passage seems to answer this (none mentions old, capital or <Mongolia>); "
                                "the closest follow.")
    assert weak_notice([a, dataclasses.replace(b, weak=False)]) is None and weak_notice([]) is None
    # ... and, when the question is in another language than the index, that too.
    from qa.notices import language_notice

    assert language_notice("¿Cuándo reabre la biblioteca?", [a, b], "english") == (
        "The question does not read as English, the language of this index: asked in English, it may find more.")
    assert language_notice("¿Cuándo reabre la biblioteca?", [a], "dutch_porter").startswith(
        "The question does not read as Dutch,")
    assert language_notice("¿Cuándo reabre la biblioteca?", [a, dataclasses.replace(b, weak=False)], "english") is None
    assert language_notice("When does the library reopen?", [a, b], "english") is None
    # ... and, when the question has only common words, that.
    from qa.notices import common_words_notice
    from qa.text import STOPWORDS

    assert common_words_notice("What is it?", STOPWORDS) == (
        "The question has only common words (what, is, it): add a word for what you are asking about.")
    assert common_words_notice("Who is he, and where was he when it was that they were there?", STOPWORDS) == (
        "The question has only common words (who, is, he, and, where, was, ...): add a word for what you are asking about.")
    assert common_words_notice("What is the ferry?", STOPWORDS) is None
    assert common_words_notice("?!", STOPWORDS) is None

    cards = hit_cards([a, b], "hybrid")
    assert cards.startswith('<div class="qa-results"><div class="qa-msg qa-warn">No passage seems to answer this '
                            "(none mentions &lt;Mongolia&gt;)")
    assert cards.count('<span class="qa-weak">weak match</span>') == 2
    plain = hit_cards([dataclasses.replace(a, weak=False)], "hybrid")
    assert "qa-warn" not in plain and "qa-weak" not in plain


def test_a_question_reads_as_another_language_by_its_function_words():
    from qa.language import reads_as_another

    assert reads_as_another("¿Cuándo reabre la biblioteca?", "english")
    assert reads_as_another("Wann öffnet die Bibliothek wieder?", "english")
    assert reads_as_another("When does the library reopen?", "german")
    assert not reads_as_another("Wann öffnet die Bibliothek wieder?", "german")
    assert not reads_as_another("When does the library reopen?", "english")
    assert not reads_as_another("What does de la mean?", "english")  # an English word is enough
    assert not reads_as_another("La Niña El Niño", "english")  # capitalised past the first: names
    assert not reads_as_another("Valmora dockworkers strike", "english")  # no function word at all


def test_a_passage_cut_from_a_long_table_is_shown_under_its_header(tmp_path, fake):
    from qa.markdown import table_header

    rows = "".join(f"| op{n} | Operator number {n} rounds values toward the harbour scale. |\n" for n in range(1, 120))
    text = f"# Ops\n\nSupported operators:\n\n| Operator | Note |\n|---|:---:|\n{rows}\nThe end of the list.\n"
    header = "| Operator | Note |\n|---|:---:|"
    at = text.index("| op90 |")
    assert table_header(text, at, text[at:]) == header
    assert table_header(text, text.index("| op1 |"), text[text.index("| op1 |"):]) == header
    assert table_header(text, text.index("| Operator |"), text[text.index("| Operator |"):]) is None  # it opens with it
    assert table_header(text, text.index("Supported"), text[text.index("Supported"):]) is None  # no table row
    bare = "| a | b |\n| c | d |\n"
    assert table_header(bare, bare.index("| c"), "| c | d |") is None  # a table with no header row
    (tmp_path / "ops.md").write_text(text, encoding="utf-8")
    lib = qa.Library.build([str(tmp_path / "ops.md")], str(tmp_path / "idx"), embedder=fake, progress=False)
    [hit] = lib.ask("op100", k=1, mode="lexical")
    assert "| op100 |" in hit.text and not hit.text.startswith("| Operator") and hit.table_header == header
    shown = marked_passage(hit)
    assert shown.startswith('<table class="qa-table"><tr><th>Operator</th><th>Note</th></tr><tr><td>op')
    assert re.search(r"<td>(<mark[^>]*>)?op100(</mark>)?</td>", shown) and shown.count("<table") == 1


def test_the_text_around_a_passage_is_folded_above_and_below_it_escaped_and_unmarked():
    from qa.render import hit_cards

    balcony = TEXT.index("Balcony")
    h = dataclasses.replace(hit("notes/t.md", [(balcony, balcony + 7)]), line_start=9, line_end=15)
    before = qa.Excerpt("Pots need <script>alert(1)</script> drainage.", 0, 9, "notes/t.md", 5, 9, "markdown")
    after = qa.Excerpt("## Harvest\n\nPick them red.", 81, 107, "notes/t.md", 15, 18, "markdown")
    cards = hit_cards([h], "hybrid", around={1: qa.Around(before, after)})
    folded = re.findall(r'<details class="qa-around qa-(\w+)"><summary>(.*?)</summary><div class="qa-passage">(.*?)'
                        r"</div></details>", cards)
    assert folded == [
        ("before", "Text before it · <code>5-9</code>", "Pots need &lt;script&gt;alert(1)&lt;/script&gt; drainage."),
        ("after", "Text after it · <code>15-18</code>", '<div class="qa-heading">Harvest</div>Pick them red.'),
    ]
    # in order: before, the passage with its highlight, after
    assert cards.index("qa-before") < cards.index("<mark") < cards.index("qa-after")
    assert "<details" not in hit_cards([h], "hybrid", around={1: qa.Around(None, None)})
    assert "<details" not in hit_cards([h], "hybrid")


def test_a_card_names_the_author_beside_the_date_escaped():
    from qa.render import hit_cards

    card = hit_cards([dataclasses.replace(hit("notes/t.md", []), author="Ann <b>Lee</b>", date="2024-03-05")], "hybrid")
    assert '<span class="qa-author">Ann &lt;b&gt;Lee&lt;/b&gt;</span> · <span class="qa-date">2024-03-05</span>' in card
    assert "qa-author" not in hit_cards([hit("notes/t.md", [])], "hybrid")


def test_qa_ask_prints_a_passages_headings_paragraphs_items_and_code_on_their_own_lines(capsys):
    """A terminal shows a passage's structure as a card does: a heading does not run into the
    text ("... a year. Cost The work ..."), a paragraph's wrapping is joined, an item keeps its line."""
    from qa.hitprint import print_hit

    text = ("# Quay works\n\nThe quay will close\nfor a year.\n\n## Cost\nThe work costs *12 million*.\n"
            "- Port: 8 million\n- City: 4 million\n\n```\nqa ask cost\n```\n\nLorries use the north gate.")
    md = dataclasses.replace(hit("notes/quay.md", []), title="Quay works", text=text, char_end=10 + len(text))
    print_hit(md, "hybrid")
    assert capsys.readouterr().out.splitlines()[3:-1] == [
        "   The quay will close for a year.", "   Cost", "   The work costs 12 million.",
        "   - Port: 8 million", "   - City: 4 million", "   qa ask cost", "   Lorries use the north gate."]
    # A text file's paragraphs are its blank-line-separated blocks, their wrapping joined.
    plain_text = "Ferry news\n\nThe ferry leaves\nat nine.\n\nIt returns at six."
    txt = dataclasses.replace(md, source="notes/ferry.txt", markup=None, title="Ferry", text=plain_text,
                              char_end=10 + len(plain_text))
    print_hit(txt, "hybrid")
    assert capsys.readouterr().out.splitlines()[3:-1] == [
        "   Ferry news", "   The ferry leaves at nine.", "   It returns at six."]
    # A long passage is cut at a word near 400 characters, with "…".
    long = "\n\n".join(f"Paragraph {i} says a few words about the harbour." for i in range(20))
    print_hit(dataclasses.replace(txt, text=long, char_end=10 + len(long)), "hybrid")
    shown = capsys.readouterr().out.splitlines()[3:-1]
    assert shown[-1].endswith("…") and 380 < sum(len(line) - 3 for line in shown) <= 410


def test_the_quoted_words_are_marked_inside_and_outside_highlights():
    text = "A free ferry runs. The free\nferry is free ferry service."
    free = [m.start() for m in re.finditer("free", text)]
    quoted = ((free[0] + 10, free[0] + 20), (free[1] + 10, free[1] + 14), (free[1] + 15, free[1] + 20),
              (free[2] + 10, free[2] + 20))
    # a highlight that ends inside a place ("free | ferry"): the place is marked on both sides
    note = dataclasses.replace(hit("notes/ferry.txt", [(19, free[2] + 4)]), title="Ferries", text=text,
                               char_end=10 + len(text), markup=None, quoted=quoted)
    q = '<b class="qa-quoted">'
    assert marked_passage(note) == (f'A {q}free ferry</b> runs. <mark class="qa-best">The {q}free</b>\n{q}ferry</b> '
                                    f'is {q}free</b></mark>{q} ferry</b> service.')
    md = dataclasses.replace(note, source="notes/ferry.md", text=text.replace("runs", "*runs*"),
                             char_end=12 + len(text), highlights=(), quoted=quoted[:1], markup="markdown")
    assert marked_passage(md) == f"A {q}free ferry</b> <em>runs</em>. The free\nferry is free ferry service."


def test_on_a_terminal_qa_ask_shows_the_quoted_words_bold_and_underlined(monkeypatch, capsys):
    import qa.hitprint
    from qa.hitprint import print_hit

    text = ("# Ferry\n\n## Free ferry times\n\nThe *free ferry* runs every ten minutes. " + "It stops at the quay. " * 4
            + "The free\nferry is the only free ferry across.")
    places = [m.span() for m in re.finditer(r"free\s+ferry", text, re.I)]
    quoted = tuple((a + 10, b + 10) for a, b in places if "\n" not in text[a:b])  # cut at a line's end
    quoted += tuple(p for a, b in places if "\n" in text[a:b] for p in ((a + 10, a + 14), (b + 5, b + 10)))
    sentence = text.index("The *free"), text.index("minutes.") + 8
    md = dataclasses.replace(hit("notes/ferry.md", [sentence]), title="Ferry", text=text, char_end=10 + len(text),
                             quoted=tuple(sorted(quoted)))
    print_hit(md, "hybrid")
    piped = capsys.readouterr().out
    assert "\033" not in piped and "\ue006" not in piped  # not a terminal: as before
    monkeypatch.setattr(qa.hitprint, "terminal", lambda: True)
    print_hit(md, "hybrid")
    lines = capsys.readouterr().out.splitlines()
    on, off = "\033[1;4m", "\033[22;24m"
    assert lines[3] == f"   » The {on}free ferry{off} runs every ten minutes."
    assert lines[4] == f"   \033[1m{on}Free ferry{off}\033[1m times\033[0m"  # a heading stays bold after it
    body = "\n".join(lines[5:])
    assert body.count(on) == body.count(off) == 4 and "\ue006" not in body and "\ue007" not in body
    # each line's marks closed at its end: a mark wrapped onto the next line opens again after its indent
    assert all(line.count(on) == line.count(off) for line in lines)
    assert re.sub(r"\033\[[\d;]*m", "", body).split() == " ".join(
        ["The free ferry runs every ten minutes.", "It stops at the quay. " * 4, "The free ferry is the only free ferry across."]).split()
    wrapped = qa.hitprint._styled("   » The \ue006free\n     ferry\ue007 runs.")
    assert wrapped == f"   » The {on}free{off}\n     {on}ferry{off} runs."  # the indent not underlined


def test_the_number_answering_the_question_is_bold_on_a_card_and_on_a_terminal(monkeypatch, capsys):
    import qa.hitprint
    from qa.hitprint import print_hit

    text = "Dockworkers walked out on Monday.\nThe union says 4,200 members joined the <strike>."
    at = text.index("4,200") + 10
    sentence = (text.index("The union"), len(text))
    note = dataclasses.replace(hit("news/world.txt", [sentence]), title="Dockworkers", text=text,
                               char_end=10 + len(text), markup=None, answer=(at, at + 5))
    assert marked_passage(note) == ('Dockworkers walked out on Monday.\n<mark class="qa-best">The union says '
                                    '<b class="qa-answer">4,200</b> members joined the &lt;strike&gt;.</mark>')
    md = dataclasses.replace(note, source="news/world.md", markup="markdown", title="Strike")
    assert '<mark class="qa-best">The union says <b class="qa-answer">4,200</b> members' in marked_passage(md)
    monkeypatch.setattr(qa.hitprint, "terminal", lambda: True)
    print_hit(note, "hybrid")
    assert "   » The union says \033[1;4m4,200\033[22;24m members joined the <strike>." in capsys.readouterr().out


def test_an_answer_wrapped_onto_the_next_line_is_marked_on_each_line(monkeypatch, capsys):
    import qa.hitprint
    from qa.hitprint import print_hit

    text = "The quake was centred eleven\nkilometres underground.\n\n- It was felt\n  in 3 towns."
    at = text.index("eleven") + 10
    sentence = (0, text.index("underground.") + 12)
    note = dataclasses.replace(hit("news/world.txt", [sentence]), title="Quake", text=text,
                               char_end=10 + len(text), markup=None, answer=(at, at + len("eleven\nkilometres")))
    one, other = '<b class="qa-answer">eleven</b>', '<b class="qa-answer">kilometres</b>'
    assert f"centred {one} {other} underground" in " ".join(marked_passage(note).split())
    for markup in ("markdown", "page"):  # a mark is closed on its line, before Markdown renders the lines
        shown = marked_passage(dataclasses.replace(note, source="news/world.md", markup=markup))
        assert one in shown and other in shown and shown.count("<b ") == shown.count("</b>") == 2
    monkeypatch.setattr(qa.hitprint, "terminal", lambda: True)
    print_hit(note, "hybrid")
    out = capsys.readouterr().out
    assert "centred \033[1;4meleven" in out and "kilometres\033[22;24m underground" in out


def test_a_highlighted_nested_list_item_keeps_its_bullet_and_its_line():
    """A passage opening inside a nested list (reStructuredText's ``  * ``cache.py``` items, pip's
    docs): the highlighted item ran on after the one above it, its ``*`` shown as written."""
    text = "  * `build_env.py`\n  * `cache.py` holds the caching code\n  * `cli/` *[subpackage]*"
    best = "* `cache.py` holds the caching code"
    at = text.index(best)
    h = qa.Hit(rank=1, score=1.0, article_id="a", passage_id=1, title="Anatomy", text=text, source="a.md",
               line_start=1, line_end=3, char_start=0, char_end=len(text), url=None, date=None,
               highlights=(qa.Highlight(best, at, at + len(best)),), dense_rank=1, lexical_rank=1, markup="markdown")
    assert marked_passage(h) == ("\u2003• <code>build_env.py</code><br>\u2003<mark class=\"qa-best\">• <code>cache.py</code>"
                                 " holds the caching code</mark><br>\u2003• <code>cli/</code> <em>[subpackage]</em>")
