"""Chunker: exact spans, token limits, overlap, line offsets."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from qa import markdown
from qa.chunker import PIECE, _count, chunk, split_sentences


def words(texts):
    return [len(t.split()) for t in texts]


def test_sentence_spans_are_exact_and_ignore_line_wrapping():
    text = "Dr. Smith arrived at 5 p.m. on Monday. He left\nsoon after.\n\nNew paragraph here! Really?"
    spans = split_sentences(text)
    got = [text[a:b] for a, b in spans]
    assert got == ["Dr. Smith arrived at 5 p.m. on Monday.", "He left\nsoon after.", "New paragraph here!", "Really?"]


def test_a_sentence_the_splitter_runs_on_past_every_end_is_split_by_its_lines():
    """sentencex does not split inside quotes or brackets, and in code those pair up across whole
    pages (Rust's lifetimes 'a): 30,000 characters came as one sentence, later cut at arbitrary
    words. Such a run is split at its lines instead."""
    code = "fn longest<'a>(x: &'a str) -> &str {\n" + "".join(
        f"Step {i} reads the next line of input. It compares it with the secret.\n" for i in range(20)
    ) + "}\nThe 'static lifetime ends here. Last one."
    got = [code[a:b] for a, b in split_sentences(code)]
    assert "Step 7 reads the next line of input." in got and "It compares it with the secret." in got
    assert max(map(len, got)) < 100
    # Wrapped lines of an ordinary paragraph still make one sentence.
    text = "A long sentence that is wrapped\nover three lines of a plain text\nfile ends here. Short one."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "A long sentence that is wrapped\nover three lines of a plain text\nfile ends here.", "Short one."]


def test_an_html_pages_lines_are_blocks_no_sentence_crosses():
    """An HTML page's text has a heading, paragraph or table row a line: a heading must not
    open the next paragraph's first sentence (a highlight read "Operators Table B-1 ...")."""
    text = "Operators\nTable B-1 contains the operators. It is long.\n| + | Arithmetic addition |"
    assert [text[a:b] for a, b in split_sentences(text, line_blocks=True)] == [
        "Operators", "Table B-1 contains the operators.", "It is long.", "| + | Arithmetic addition |"]
    assert [text[a:b] for a, b in split_sentences(text)][0] == "Operators\nTable B-1 contains the operators."


def test_list_items_and_table_rows_are_blocks_in_wrapped_text():
    """In text and Markdown a single newline is wrapping, but a list item or table row starts a
    block (a highlight covered a whole Markdown table); a number starts one only as "1." or
    inside a list, as in CommonMark, so a formula wrapped before "2." stays one sentence."""
    text = ("Tips for a\nbalcony garden:\n- Water the roots,\n  not the leaves.\n1. Feed weekly.\n2. Prune.\n\n"
            "| Plant | Sun |\n|---|---|\n| Tomato | 6 h |\nAfter the table, the gas O\n2. It burns.")
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "Tips for a\nbalcony garden:", "- Water the roots,\n  not the leaves.", "1. Feed weekly.", "2. Prune.",
        "| Plant | Sun |", "|---|---|", "| Tomato | 6 h |", "After the table, the gas O\n2.", "It burns."]


def test_a_numbered_item_below_an_indented_line_is_an_item_where_a_passage_starts_inside_a_list():
    # Item 6's wrapped lines are indented; "7." at the margin below them is the next item, not
    # wrapping, though the list began before this text (a passage that starts inside it).
    from qa.chunker import block_starts

    lines = ["   the parent and child", "   processes.", "7. Positive integer: a file", "   descriptor.",
             "8. Null: the default."]
    assert block_starts(lines) == [True, False, True, False, True]
    assert block_starts(["The gas O", "2. It burns."]) == [True, False]


MD = ("# Install\nRun the installer. Then reboot.\n## Usage ##\nCall it:\n```js\nconst fs = require('fs');\n\n"
      "  fs.readFile(a); // read it. Then\n```\nAfter code. Done.\n\nSetext heading\n---\nBody text.\n"
      "~~~~\nnot closed by ```\n~~~\n# still code")


def test_markdown_headings_and_each_line_of_fenced_code_are_sentences():
    spans = split_sentences(MD, markdown=True)
    assert [MD[a:b] for a, b in spans] == [
        "# Install", "Run the installer.", "Then reboot.", "## Usage ##", "Call it:", "```js",
        "const fs = require('fs');", "  fs.readFile(a); // read it. Then", "```", "After code.", "Done.",
        "Setext heading\n---", "Body text.", "~~~~", "not closed by ```", "~~~", "# still code"]
    # Other text: a "#" line is wrapping and code is prose, as before.
    assert [MD[a:b] for a, b in split_sentences(MD)][:2] == ["# Install\nRun the installer.", "Then reboot."]


def test_markdown_passages_are_exact_slices_whatever_the_fences():
    for p in chunk(MD * 3, words, target_tokens=12, max_tokens=16, markdown=True):
        assert p.text == (MD * 3)[p.char_start:p.char_end] and p.text.strip()


def test_short_article_is_one_passage():
    [p] = chunk("One sentence. Two sentences.", words, target_tokens=200, max_tokens=256)
    assert (p.char_start, p.char_end, p.text) == (0, 28, "One sentence. Two sentences.")


def test_windows_respect_size_and_overlap_one_sentence():
    sentences = [f"Sentence number {i} has exactly seven words." for i in range(30)]
    text = " ".join(sentences)
    ps = chunk(text, words, target_tokens=30, max_tokens=40)
    assert len(ps) > 3
    for p in ps:
        assert sum(words([text[a:b] for a, b in p.sentences])) <= 40
        assert p.text == text[p.char_start:p.char_end]
    for prev, nxt in zip(ps, ps[1:], strict=False):
        assert prev.sentences[-1] == nxt.sentences[0]  # one sentence of overlap
    covered = {s for p in ps for s in p.sentences}
    assert covered == set(split_sentences(text))


def test_line_offsets_count_newlines():
    text = "Line one is here.\nLine two is here.\nLine three is here.\nLine four."
    ps = chunk(text, words, target_tokens=8, max_tokens=10)
    for p in ps:
        assert p.line_offset_start == text[: p.char_start].count("\n")
        assert p.line_offset_end == text[: p.char_end].count("\n")
    assert ps[-1].line_offset_end == 3
    # Many passages over lines that break mid-sentence, with blank lines between paragraphs.
    lines = [f"Sentence {i} runs on. It ends here" + ("." if i % 3 else " and") for i in range(300)]
    text = "\n".join(line + ("\n" if i % 7 == 6 else "") for i, line in enumerate(lines))
    ps = chunk(text, words, target_tokens=30, max_tokens=40)
    assert len(ps) > 50
    for p in ps:
        assert (p.line_offset_start, p.line_offset_end) == (text.count("\n", 0, p.char_start), text.count("\n", 0, p.char_end))


def test_overlong_sentence_is_cut_to_fit():
    text = " ".join(["word"] * 500) + "."
    ps = chunk(text, words, target_tokens=50, max_tokens=60)
    assert len(ps) > 5
    assert all(len(p.text.split()) <= 60 for p in ps)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=400))
def test_any_text_gives_valid_spans(text):
    for md in (False, True):
        for p in chunk(text, words, target_tokens=20, max_tokens=25, markdown=md):
            assert 0 <= p.char_start < p.char_end <= len(text)
            assert p.text == text[p.char_start:p.char_end] and p.text.strip()


def test_markdown_passages_start_sections_and_never_end_on_a_heading_or_an_opening_fence():
    para = " ".join(f"Sentence {i} of the section." for i in range(6))
    text = (f"# One\n\n{para}\n\n## Two\n\n{para}\n\n```sh\n# a shell comment, not a heading\necho {para}\n```\n\n"
            f"## Three\n\n{para}")
    passages = chunk(text, words, target_tokens=40, max_tokens=60, markdown=True)
    spans = split_sentences(text, markdown=True)
    kinds = markdown.line_kinds(text.split("\n"))
    opening = {text.index("```sh")}
    for p in passages:
        a = p.sentences[-1][0]
        assert kinds[text.count("\n", 0, a)] != markdown.HEADING and a not in opening, text[a:p.sentences[-1][1]]
    starts = [p.text.split("\n")[0] for p in passages]
    assert "## Two" in starts and "## Three" in starts  # each section opens a passage
    # No passage carries the end of the section before into a new one.
    assert not any(p.text.startswith("Sentence 5") and "## " in p.text for p in passages)
    # A comment in code is code: it may end a passage, as a heading may not.
    assert any(p.text.endswith("```sh\n# a shell comment, not a heading") for p in passages)
    assert sorted({s for p in passages for s in p.sentences}) == spans  # every sentence kept


def test_the_outline_follows_heading_levels_and_skips_code_and_lists():
    text = ("# Guide\n\nIntro.\n\n## Install ##\n\n```sh\n# not a heading\n## nor this\n```\n\n"
            "### On Linux\n\nSteps.\n\nSetext two\n----------\n\n- an item\n---\n\n~~~\n# code\n")
    at = lambda marker: markdown.outline(text[: text.index(marker)])  # noqa: E731
    assert at("Intro") == ([(1, "Guide")], False)
    assert at("# not a") == ([(1, "Guide"), (2, "Install")], True)  # closing hashes dropped; in code
    assert at("Steps") == ([(1, "Guide"), (2, "Install"), (3, "On Linux")], False)
    # A setext heading closes the level-3 one and replaces its level-2 sibling; an underline
    # below a list item is a rule, not a heading.
    assert at("~~~") == ([(1, "Guide"), (2, "Setext two")], False)
    assert markdown.outline(text) == ([(1, "Guide"), (2, "Setext two")], True)
    assert markdown.outline("## C#\n\n# Top\n\n#hashtag\n") == ([(1, "Top")], False)


def test_a_passages_section_leaves_out_the_title_and_what_its_own_heading_closes():
    before = "# Guide\n\n## Install\n\n### On Linux\n\nSteps.\n\n"
    assert markdown.section(before, "More steps.", "Guide") == (("Install", "On Linux"), False)
    assert markdown.section(before, "More steps.", "Another title") == (("Guide", "Install", "On Linux"), False)
    assert markdown.section(before, "### On macOS\n\nSteps.", "Guide") == (("Install",), False)
    assert markdown.section(before, "Usage\n=====\n\nRun it.", "Guide") == ((), False)
    assert markdown.section(before + "```\n", "# a comment\n```", "Guide") == (("Install", "On Linux"), True)
    # A page's title heading under a site's own heading: both are what the card's title says.
    assert markdown.section(before, "More.", "Install") == (("On Linux",), False)
    # ... also where its heading ends in a permalink's "#" (Node.js's pages).
    assert markdown.section("# Docs\n## Child process#\n### Spawn#\n", "x", "Child process") == (("Spawn#",), False)
    assert markdown.section("# C#\n## Types\n", "x", "C#") == (("Types",), False)
    # ... also where the page's title is cased or hyphenated otherwise than its heading.
    assert markdown.section("# What Is Ownership?\n## Strings\n", "x", "What is Ownership?") == (("Strings",), False)
    assert markdown.section("# C\n## C#\n", "x", "C#") == ((), False)
    # A heading saying what the one above it says is said once (mdBook's print page).
    print_page = "# Book\n# Rc<T>, the Reference Counted Pointer\n## Rc<T>, the Reference-Counted Pointer\n### Uses\n"
    assert markdown.section(print_page, "x", "Book") == (("Rc<T>, the Reference Counted Pointer", "Uses"), False)
    assert markdown.section("# Book\n## Drop\n### drop\n", "x", "book") == (("Drop",), False)
    assert markdown.section("### impl<T> Deque<T>where     T: Copy,\n", "x", "Deque") == (("impl<T> Deque<T>where T: Copy,",), False)


def test_a_pages_fenced_code_is_a_line_a_sentence_and_no_passage_ends_on_its_opening_fence():
    para = "\n".join(f"Line {i} of the section. It has two sentences." for i in range(4))
    code = "\n".join(f"  call({i});" for i in range(4))
    text = f"# Page\n{para}\n```\n{code}\n```\n{para}"
    passages = chunk(text, words, target_tokens=40, max_tokens=60, line_blocks=True)
    assert not any(p.text.endswith("```") and p.text.count("```") % 2 for p in passages)
    sentences = {text[a:b] for p in passages for a, b in p.sentences}
    assert {"Line 0 of the section.", "It has two sentences.", "  call(0);", "```"} <= sentences
    # Without the fences the code lines are prose lines (a page read before version 9).
    plain = chunk(text.replace("```\n", ""), words, target_tokens=40, max_tokens=60, line_blocks=True)
    assert "call(0);" in {text.replace("```\n", "")[a:b] for p in plain for a, b in p.sentences}


def test_a_pages_heading_lines_open_passages_as_markdowns_do_but_not_indented_code():
    para = "\n".join(f"Line {i} of the section." for i in range(6))
    text = f"# Page\n{para}\n## Two\n{para}\n    # a shell comment in code\n{para}\n## Three\n{para}"
    passages = chunk(text, words, target_tokens=40, max_tokens=60, line_blocks=True)
    starts = [p.text.split("\n")[0] for p in passages]
    assert "## Two" in starts and "## Three" in starts
    assert not any(p.text.endswith(("## Two", "## Three")) for p in passages)
    # An indented "#" line is code, not a heading: passages fall as they would for any other line.
    spans = lambda t: [(p.char_start, p.char_end) for p in chunk(t, words, 40, 60, line_blocks=True)]  # noqa: E731
    assert spans(text) == spans(text.replace("    # a shell", "    x a shell"))
    assert spans(text) != spans(text.replace("    # a shell", "# a shell"))


def test_a_very_long_run_is_counted_in_pieces_to_the_same_total():
    long = " ".join(f"w{i}" for i in range(3 * PIECE // 4))  # about 2.5 pieces, no sentence end
    calls = []

    def counting(texts):
        calls.append(max(map(len, texts)))
        return words(texts)

    texts = ["A short one.", long, "Another short one.", long[: PIECE - 5]]
    assert _count(counting, texts) == words(texts)
    assert max(calls) <= PIECE and len(calls) > 3


def test_a_piece_without_a_word_ends_the_sentence_before_it():
    # A table row's closing bar after the row's last sentence; a quoted sentence's ")." after it.
    row = "| op99 | Operator 99 rounds values toward the scale. |\n| op100 | Next one. |"
    assert [row[a:b] for a, b in split_sentences(row, markdown=True)] == [
        "| op99 | Operator 99 rounds values toward the scale. |", "| op100 | Next one. |"]
    prose = 'The trial ended ("the results were clear."). Then it fell....... And so on.'
    assert [prose[a:b] for a, b in split_sentences(prose)] == [
        'The trial ended ("the results were clear.").', "Then it fell.......", "And so on."]
    # An image's "!" is glued to the alt text after it: the start of that sentence.
    image = "The ferry leaves daily. ![Map of the harbour](map.png)"
    assert [image[a:b] for a, b in split_sentences(image, markdown=True)] == [
        "The ferry leaves daily.", "![Map of the harbour](map.png)"]


def test_emphasis_closed_after_a_stop_ends_that_sentence():
    # The splitter began the next sentence with the closing star: "* Two other papers...", and a
    # highlight of the first showed "*The Evening Courier." with its star left open.
    text = "The story ran in *The Evening Courier.* Two papers followed. It was **final.** Then __done.__ End."
    expected = ["The story ran in *The Evening Courier.*", "Two papers followed.", "It was **final.**",
                "Then __done.__", "End."]
    assert [text[a:b] for a, b in split_sentences(text, markdown=True)] == expected
    assert [text[a:b] for a, b in split_sentences(text)] == expected
    # A star after a space is not a closer: the next sentence's own
    spaced = "Plain stop. * Not a closer."
    assert [spaced[a:b] for a, b in split_sentences(spaced)] == ["Plain stop.", "* Not a closer."]
