"""Readers: every format, the field mapping, and bad input reported without losing good input."""

from __future__ import annotations

import bisect
import codecs
import json
import os

import pytest

from qa import markdown
from qa.pagelines import line_at
from qa.readers import ReadStats, read_articles


def read(*paths, one_per_file=False):
    stats = ReadStats()
    articles = list(read_articles([str(p) for p in paths], stats, one_per_file=one_per_file))
    return articles, stats


def test_txt_blocks_keep_their_first_line(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("\nFirst article line one.\nline two.\n\n  \nSecond article.\n\n\nThird.\n", encoding="utf-8")
    articles, stats = read(f)
    assert [a.line_start for a in articles] == [2, 6, 9]
    assert articles[0].text == "First article line one.\nline two."
    assert articles[0].title == "First article line one."
    assert not stats.skipped
    lines = f.read_text(encoding="utf-8").splitlines()
    for a in articles:
        assert lines[a.line_start - 1] == a.text.splitlines()[0]


def test_markdown_comments_and_link_definitions_are_blanked_outside_code_and_lines_stay(tmp_path):
    (tmp_path / "c.md").write_text(
        "# Notes\n\n<!-- YAML\nadded: v1.2\n-->\n\nReal [text][t] and a note[^1].\n\n```html\n<!-- kept in code -->\n"
        "[kept]: in-code.md\n```\nInline <!-- stays --> here.\nA wrapped line\n[not]: a-definition (it would interrupt)\n\n"
        "[t]: https://example.org/text \"Text\"\n[fs]: fs.md#fs\n[^1]: Footnotes stay.\n", encoding="utf-8")
    [a], _ = read(tmp_path)
    assert "YAML" not in a.text and "added" not in a.text
    assert "example.org" not in a.text and "fs.md" not in a.text and "\nFootnotes stay." in a.text
    assert "<!-- kept in code -->\n[kept]: in-code.md" in a.text and "Inline   here." in a.text  # a page hides it
    assert "[not]: a-definition (it would interrupt)" in a.text
    lines = a.text.split("\n")
    assert lines[6] == "Real text and a note." and len(lines) == 19 and not lines[2].strip()


README = """<h1 align="center">Pelican <em>Ferry</em> Tools</h1>

<p align="center">
  <a href="https://example.org/ci"><img src="https://example.org/badge.svg"
       alt="Build status"></a>
</p>

<p align="center"><strong>Pelican</strong> <em>- timetables for small harbours.</em></p>

Press <kbd>Ctrl</kbd>+<kbd>C</kbd> to stop, or write `<br>` where a line must break.<br>
It returns a `Vec<Sailing>` or Option<T>; give it <path>.

<details>
<summary>Older releases</summary>

Version 1 ran on <b>one</b> pier only.
</details>

<script>
track("readme");
</script>

```html
<p align="center">kept in code</p>
```

    <div>kept in indented code</div>
"""


def test_markdown_html_tags_are_left_out_as_a_page_shows_them_and_lines_stay(tmp_path):
    (tmp_path / "README.md").write_text(README, encoding="utf-8")
    [a], _ = read(tmp_path)
    lines = a.text.split("\n")
    assert a.title == "Pelican Ferry Tools"  # the centred <h1> is the heading a page shows
    assert a.line_start == 1 and len(lines) == README.rstrip().count("\n") + 1
    assert lines[0].split() == ["#", "Pelican", "Ferry", "Tools"] and not "".join(lines[1:6]).strip()
    assert lines[7].split() == "Pelican - timetables for small harbours.".split()
    assert lines[9] == "Press Ctrl+C to stop, or write `<br>` where a line must break. "  # a code span keeps it
    assert lines[10] == "It returns a `Vec<Sailing>` or Option<T>; give it <path>."  # not HTML's elements
    assert lines[13].strip() == "Older releases" and lines[15] == "Version 1 ran on one pier only."
    assert not "".join(lines[16:21]).strip() and "track" not in a.text
    assert '<p align="center">kept in code</p>' in a.text and "    <div>kept in indented code</div>" in a.text
    assert "<a " not in a.text and "<img" not in a.text and "badge" not in a.text and "</" not in a.text.split("```")[0]


def test_markdown_blockquote_marks_are_left_out_as_a_page_shows_them_and_lines_stay(tmp_path):
    (tmp_path / "q.md").write_text(
        "# Brotli\n\n> [!WARNING]\n> Brotli is a stream format. It is possible\n> to modify ranges.\n\n"
        "> Stability: 2 - Stable\n> > Nested.\n\n> ```py\n> >>> import brotli\n> ```\n\n```\n> kept in code\n```\n"
        "Less than: a > b.\n\n> [!tip]- Use the ferry\n> [!NOTE] is text here.\n", encoding="utf-8")
    [a], _ = read(tmp_path)
    assert a.text.split("\n") == [
        "# Brotli", "", "Warning:", "Brotli is a stream format. It is possible", "to modify ranges.", "",
        "Stability: 2 - Stable", "Nested.", "", "```py", ">>> import brotli", "```", "", "```", "> kept in code", "```",
        "Less than: a > b.", "", "Tip: Use the ferry", "[!NOTE] is text here."]  # an Obsidian callout's title


def test_markdown_footnote_marks_are_left_out_and_their_text_stays(tmp_path):
    (tmp_path / "f.md").write_text(
        "# Tides\n\nThe spring tide peaked at 6.1 metres[^1], a record.[^long-note]\n\n"
        "Write `[^2]` for a note; \\[^3] is text, as is [^a-z] (no such note).\n\n    [^4] in indented code\n\n```\n[^5] in fenced code\n```\n\n"
        "[^1]: Harbour gauge, 12 March.\n[^long-note]: Since records began in 1911.\n> [^6]: A quoted note.\n",
        encoding="utf-8")
    [a], _ = read(tmp_path)
    assert a.text.split("\n") == [
        "# Tides", "", "The spring tide peaked at 6.1 metres, a record.", "",
        "Write `[^2]` for a note; \\[^3] is text, as is [^a-z] (no such note).", "", "    [^4] in indented code", "", "```", "[^5] in fenced code",
        "```", "", "Harbour gauge, 12 March.", "Since records began in 1911.", "A quoted note."]


def test_a_notes_apps_embedded_images_are_no_words_of_the_text_but_their_alt_text_is(tmp_path):
    (tmp_path / "trip.md").write_text(
        "# Trip\n\nWe walked to the lake.\n\n![[IMG_2041.jpg]]\n![[map.png|640x480]] ![[pier.JPG|The old pier]]\n\n"
        "See ![[Walks]] and `![[raw.png]]`.\n", encoding="utf-8")
    [a], _ = read(tmp_path)
    assert a.text.split("\n") == ["# Trip", "", "We walked to the lake.", "", "", " The old pier", "",
                                   "See ![[Walks]] and `![[raw.png]]`."]  # a note's embed is its name on a card


def test_markdown_links_and_images_are_indexed_as_a_page_shows_them_without_their_addresses(tmp_path):
    (tmp_path / "README.md").write_text(
        "# harbourctl\n\n[![CI](https://github.com/keel/harbourctl/actions/workflows/ci.yml/badge.svg)]"
        "(https://github.com/keel/harbourctl/actions) [![PyPI](https://img.shields.io/pypi/v/harbourctl.svg)]"
        "(https://pypi.org/project/harbourctl/)\n\nBook berths in small harbours: see the [guide](docs/install.md "
        "\"Install\") and [Mercury](https://en.wikipedia.org/wiki/Mercury_(planet)).\n\n![The berth map](docs/map.png)\n\n"
        "Kept as written: `[a](b)` in code, <https://keel.example>.\n\nA [link over\ntwo lines](two.md).\n",
        encoding="utf-8")
    [a], _ = read(tmp_path)
    assert a.text.split("\n") == [
        "# harbourctl", "", " ", "", "Book berths in small harbours: see the guide and Mercury.", "",
        "The berth map", "", "Kept as written: `[a](b)` in code, <https://keel.example>.", "",
        "A link over", "two lines."]


def test_markdown_links_by_reference_are_indexed_as_their_text_where_their_labels_are_defined(tmp_path):
    # API docs (Node.js's) write most links by reference: "[HTTPS][]" read as that in every passage.
    (tmp_path / "http2.md").write_text(
        "# HTTP/2 [`Http2Session`][] ![logo][img]\n\n[![npm][npm-img]][npm-url] [![CI](https://ci.example/b.svg)][ci]\n\n"
        "To mix [HTTPS][] and HTTP/2, see [ALPN negotiation][alpn] and [Compat].\nNot links: [sic], [undefined][], "
        "`[HTTPS][]` in code, \\[HTTPS][], [x](y.md).\n\n"
        "A link [over two\nlines][alpn] keeps its line break.\n\n"
        "> A label [over two\n> lines][alpn] in a quote the pattern misses: [HTTPS][] stays, [z](z.md) goes.\n\n"
        "[https]: https.md\n[ALPN]: #alpn-negotiation \"ALPN\"\n[compat]: #compatibility-api\n"
        "[`Http2Session`]: #class-http2session\n[img]: logo.svg\n[npm-img]: https://img.example/npm.svg\n"
        "[npm-url]: https://npm.example\n[ci]: https://ci.example\n", encoding="utf-8")
    [a], _ = read(tmp_path)
    assert a.text.split("\n")[:8] == [
        "# HTTP/2 `Http2Session` ", "", " ", "",
        "To mix HTTPS and HTTP/2, see ALPN negotiation and Compat.",
        "Not links: [sic], [undefined][], `[HTTPS][]` in code, \\[HTTPS][], x.", "",
        "A link over two"]
    assert a.text.split("\n")[8:12] == [
        "lines keeps its line break.", "", "A label [over two",
        "lines][alpn] in a quote the pattern misses: [HTTPS][] stays, z goes."]
    assert "example" not in a.text and "#alpn" not in a.text and a.title == "HTTP/2 Http2Session"


def test_txt_one_per_file(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("Para one.\n\nPara two.\n", encoding="utf-8")
    articles, _ = read(f, one_per_file=True)
    assert len(articles) == 1 and articles[0].text == "Para one.\n\nPara two."


def test_ids_are_stable_and_distinct(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text("One.\n\nTwo.\n", encoding="utf-8")
    first, _ = read(f)
    again, _ = read(f)
    assert [a.article_id for a in first] == [a.article_id for a in again]
    assert len({a.article_id for a in first}) == 2


def test_a_markdown_title_is_the_first_top_heading_underlined_or_not_and_never_code(tmp_path):
    (tmp_path / "setext.md").write_text("Release History\n===============\n\n0.13.0\n------\n\n- Fixes.\n",
                                        encoding="utf-8")
    (tmp_path / "code.md").write_text("```sh\n# install it first\npip install x\n```\n\n# Real title ##\n\nText.\n",
                                      encoding="utf-8")
    (tmp_path / "sharp.md").write_text("## Intro\n\nText.\n\n# C#\n\nMore.\n", encoding="utf-8")
    (tmp_path / "none.md").write_text("#hashtag is no heading. More text.\n", encoding="utf-8")
    # Titles are plain text: badges left out, code spans and links as their text.
    (tmp_path / "badges.md").write_text("# rustfmt [![linux](https://x.org/b.svg)](https://x.org) "
                                        "[![ci](https://y.org/c.svg)](https://y.org)\n\nText.\n", encoding="utf-8")
    (tmp_path / "inline.md").write_text("# The `fs` *module* and [streams](s.md)\n\nText.\n", encoding="utf-8")
    (tmp_path / "second.md").write_text("Use Case files\n--------------\n\nNo top-level heading.\n",
                                        encoding="utf-8")
    # Without a top-level heading or a heading that opens it: the file's name, as a notes app
    # titles a note, unless the name says nothing; then the first heading, or sentence.
    (tmp_path / "Meeting with Anna.md").write_text("Budget first.\n\n## Agenda\n\n- Rooms.\n", encoding="utf-8")
    (tmp_path / "field_notes.md").write_text("Birds seen today.\n", encoding="utf-8")
    (tmp_path / "src").mkdir()  # a README in a folder whose name says nothing either: its first heading
    (tmp_path / "src" / "README.md").write_text("HTTPX is a client.\n\n## Features\n\nMany.\n", encoding="utf-8")
    (tmp_path / "harbour_tools").mkdir()  # a project's README, a page bundle's index: its folder's name
    (tmp_path / "harbour_tools" / "README.md").write_text("Tools.\n\n## Use\n\nRun.\n", encoding="utf-8")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("Docs start here.\n\n### Setup\n", encoding="utf-8")
    (tmp_path / "5f3a2b.md").write_text("A note with a hash for a name.\n", encoding="utf-8")
    (tmp_path / "brotli.md").write_text("### Introduction\n\nBrotli compresses.\n", encoding="utf-8")
    articles, _ = read(tmp_path)
    assert {os.path.relpath(a.path, tmp_path): a.title for a in articles} == {
        "setext.md": "Release History", "code.md": "Real title", "sharp.md": "C#",
        "none.md": "none", "badges.md": "rustfmt",
        "inline.md": "The fs module and streams", "second.md": "Use Case files",
        "Meeting with Anna.md": "Meeting with Anna", "field_notes.md": "field notes", "src/README.md": "Features",
        "harbour_tools/README.md": "harbour tools", "docs/index.md": "Setup",
        "5f3a2b.md": "A note with a hash for a name.", "brotli.md": "brotli"}


def test_markdown_front_matter_and_heading(tmp_path):
    (tmp_path / "fm.md").write_text(
        "---\ntitle: Given title\ndate: 2024-02-03\nurl: https://x.org/a\nauthor: Ann\ntags: [a, b]\n---\n\n"
        "Body sentence one.\n", encoding="utf-8")
    (tmp_path / "h.md").write_text("Intro line.\n# The heading\n\nText.\n", encoding="utf-8")
    # Hugo's TOML front matter, between +++ lines.
    (tmp_path / "hugo.md").write_text(
        '+++\ntitle = "Hugo post"\ndate = 2024-05-06T10:00:00+02:00\ntags = ["x"]\ndraft = false\n+++\n'
        "The body of the Hugo post.\n", encoding="utf-8")
    (tmp_path / "badtoml.md").write_text('+++\ntitle = "unclosed\n+++\nStill indexed.\n', encoding="utf-8")
    articles, stats = read(tmp_path)
    by = {os.path.basename(a.path): a for a in articles}
    hugo = by.pop("hugo.md")
    assert (hugo.title, hugo.date, hugo.tags, hugo.text, hugo.line_start) == (
        "Hugo post", "2024-05-06", ("x",), "The body of the Hugo post.", 7)
    assert hugo.metadata == {"draft": False}
    assert by.pop("badtoml.md").text == "Still indexed."
    [bad] = stats.skipped
    assert bad.path.endswith("badtoml.md") and "front matter is not valid TOML" in bad.reason
    stats.skipped.clear()
    fm = by["fm.md"]
    assert (fm.title, fm.date, fm.url, fm.author, fm.tags) == ("Given title", "2024-02-03", "https://x.org/a", "Ann", ("a", "b"))
    assert fm.line_start == 9 and fm.text == "Body sentence one."
    assert by["h.md"].title == "The heading"
    assert not stats.skipped


def test_files_named_by_their_date_date_their_articles(tmp_path):
    from qa.dates import name_date

    # Jekyll dates a post by its name (a front matter date wins) and titles it by its slug;
    # notes apps name a day's note by its date (Obsidian, Foam; Logseq with underscores).
    posts, notes = tmp_path / "_posts", tmp_path / "journal"
    posts.mkdir()
    notes.mkdir()
    (posts / "2024-03-05-harbour-dredging.md").write_text("---\nlayout: post\n---\n\nThe council approved it.\n",
                                                          encoding="utf-8")
    (posts / "2024-04-11-market-hall.md").write_text("---\ntitle: Hall reopens\ndate: 2024-04-12\n---\n\nIt did.\n",
                                                     encoding="utf-8")
    (notes / "2024-05-20.md").write_text("Met Jonas about the grant.\n", encoding="utf-8")
    (notes / "2024_05_21.md").write_text("Printer quote came in.\n", encoding="utf-8")
    (notes / "2024-05-22 Wednesday.txt").write_text("First entry.\n\nSecond entry.\n", encoding="utf-8")
    (notes / "2024-13-01-nonsense.md").write_text("Not a month.\n", encoding="utf-8")
    (tmp_path / "plain.md").write_text("No date anywhere.\n", encoding="utf-8")
    (tmp_path / "2024-06-01.html").write_text("<p>A saved post body, no date in it.</p>", encoding="utf-8")
    (tmp_path / "2024-07-02-launch").mkdir()  # a Hugo page bundle: its folder names it
    (tmp_path / "2024-07-02-launch" / "index.md").write_text("# Launch\n\nWe launched.\n", encoding="utf-8")
    articles, stats = read(tmp_path)
    got = sorted((os.path.relpath(a.path, tmp_path), a.title, a.date) for a in articles)
    assert got == [
        ("2024-06-01.html", "A saved post body, no date in it.", "2024-06-01"),
        ("2024-07-02-launch/index.md", "Launch", "2024-07-02"),
        ("_posts/2024-03-05-harbour-dredging.md", "Harbour Dredging", "2024-03-05"),
        ("_posts/2024-04-11-market-hall.md", "Hall reopens", "2024-04-12"),
        ("journal/2024-05-20.md", "Met Jonas about the grant.", "2024-05-20"),
        ("journal/2024-05-22 Wednesday.txt", "First entry.", "2024-05-22"),
        ("journal/2024-05-22 Wednesday.txt", "Second entry.", "2024-05-22"),
        ("journal/2024-13-01-nonsense.md", "Nonsense", None),
        ("journal/2024_05_21.md", "Printer quote came in.", "2024-05-21"),
        ("plain.md", "plain", None)]
    assert not stats.skipped
    assert [name_date(n) for n in ("2024.05.20 notes.md", "20240520.md", "v2024-05-20.md", "2024-05-201.md",
                                   "2024-05_20.md", "1850-01-01.md", "2024.1.md")] == [
        "2024-05-20", None, None, None, None, None, None]


def test_a_notes_inline_tags_are_its_tags_with_its_front_matters(tmp_path):
    (tmp_path / "note.md").write_text(
        "---\ntags: [project, Reading]\n---\n\n# Grant #admin\n\nMet Jonas #project/alpha, #Project/Alpha and "
        "#reading. Issue #123, C# and https://x.org/a#frag &#39;, the year #2024.\n\n`#span` here; #todo/ "
        "now.\n\n```\n#include <stdio.h>\n```\n\n#[derive(Debug)] #1st-try\n\n    #define MAX 3\n\n"
        "- an item\n    - nested in it #nested\n", encoding="utf-8")
    (tmp_path / "plain.md").write_text("No tags, only C# and a [link](#part).\n", encoding="utf-8")
    articles, _ = read(tmp_path)
    tags = {os.path.basename(a.path): a.tags for a in articles}
    assert tags == {"note.md": ("project", "Reading", "admin", "project/alpha", "todo", "1st-try", "nested"),
                    "plain.md": ()}  # not "define": indented code
    assert "#project/alpha" in articles[0].text  # the text stays as written


def test_a_logseq_pages_properties_are_its_front_matter_and_an_outline_titles_by_its_first_item(tmp_path):
    (tmp_path / "pages").mkdir()
    (tmp_path / "journals").mkdir()
    (tmp_path / "pages" / "Deep Work.md").write_text(
        "title:: Deep Work (book)\ntags:: [[book]], #productivity, reading\nauthor:: Cal Newport\n\n"
        "- Rule one: work deeply.\n\t- Shutdown ritual each day #habit\n- Rule two: embrace boredom.\n",
        encoding="utf-8")
    (tmp_path / "journals" / "2024_05_20.md").write_text(
        "- [x] Read two chapters of [[Deep Work]] on the train\n- Call the printer #todo\n", encoding="utf-8")
    (tmp_path / "journals" / "2024_05_21.md").write_text("**Quiet** day. Nothing else.\n", encoding="utf-8")
    articles, stats = read(tmp_path)
    got = {os.path.relpath(a.path, tmp_path): (a.title, a.date, a.tags, a.author, a.line_start, a.text.split("\n")[0])
           for a in articles}
    assert got == {
        "pages/Deep Work.md": ("Deep Work (book)", None, ("book", "productivity", "reading", "habit"), "Cal Newport",
                               5, "- Rule one: work deeply."),
        "journals/2024_05_20.md": ("Read two chapters of Deep Work on the train", "2024-05-20", ("todo",), None, 1,
                                   "- [x] Read two chapters of [[Deep Work]] on the train"),
        "journals/2024_05_21.md": ("Quiet day.", "2024-05-21", (), None, 1, "**Quiet** day. Nothing else.")}
    assert not stats.skipped


def test_template_highlight_tags_are_code_fences(tmp_path):
    # Jekyll's and Hugo's highlight tags render as code blocks: read as fences, line for line, so
    # HTML in them is code, not the page's tags to leave out; tags shown inside a fence stay.
    (tmp_path / "post.md").write_text(
        "Markup first.\n\n{% highlight html linenos %}\n<button type=\"submit\">Send</button>\n"
        "{% endhighlight %}\n\nThen Hugo:\n{{< highlight go \"linenos=table\" >}}\nfunc main() {}\n"
        "{{< /highlight >}}\n\n```liquid\n{% highlight ruby %}\n<b>x</b>\n{% endhighlight %}\n```\n"
        "{% highlight python %}\nnever closed <i>here</i>\n", encoding="utf-8")
    [a], _ = read(tmp_path)
    assert a.text == (
        "Markup first.\n\n```html\n<button type=\"submit\">Send</button>\n```\n\nThen Hugo:\n```go\n"
        "func main() {}\n```\n\n```liquid\n{% highlight ruby %}\n<b>x</b>\n{% endhighlight %}\n```\n"
        "{% highlight python %}\nnever closed here")
    assert markdown.line_kinds(a.text.split("\n"))[2:5] == [markdown.FENCE, markdown.CODE, markdown.FENCE]


def test_jsonl_field_mapping_case_insensitive_and_metadata(tmp_path):
    f = tmp_path / "r.jsonl"
    f.write_text(json.dumps({"DOC_ID": 7, "Title": "T", "Body": "Some text.", "URL": "u", "Date": "March 4, 2024",
                             "Tags": "x, y", "extra": 1}) + "\n", encoding="utf-8")
    [a], stats = read(f)
    assert (a.article_id, a.title, a.text, a.url, a.date, a.tags) == ("7", "T", "Some text.", "u", "2024-03-04", ("x", "y"))
    assert a.metadata == {"extra": 1} and a.line_start == 1 and not a.lines_mapped


def test_notes_and_journal_exports_google_keep_and_day_one(tmp_path):
    # Google Keep's Takeout: a JSON file per note; a list note's items are its text; the trash is left out.
    keep = {"textContent": "Ask the arts council about the grant.", "title": "Grant ideas", "isTrashed": False,
            "createdTimestampUsec": 1716100000000000, "userEditedTimestampUsec": 1716200000000000,
            "labels": [{"name": "work"}]}
    (tmp_path / "Grant ideas.json").write_text(json.dumps(keep), encoding="utf-8")
    (tmp_path / "Shopping.json").write_text(json.dumps(
        {"title": "Shopping", "listContent": [{"text": "milk", "isChecked": False}, {"text": "eggs", "isChecked": True}],
         "createdTimestampUsec": 1716300000000000}), encoding="utf-8")
    (tmp_path / "Old.json").write_text(json.dumps({**keep, "isTrashed": True}), encoding="utf-8")
    # Day One: entries with a uuid, a creationDate and Markdown text opening with its heading.
    (tmp_path / "Journal.json").write_text(json.dumps({"metadata": {"version": "1.0"}, "entries": [
        {"uuid": "6F2C1A", "creationDate": "2024-05-20T08:12:00Z", "text": "# Harbour walk\n\nThe quay is half built.",
         "tags": ["walks"]},
        {"uuid": "7A3B", "creationDate": "2024-05-21T20:00:00Z", "text": "Quiet evening.", "tags": []}]}),
        encoding="utf-8")
    articles, stats = read(tmp_path)
    got = {(os.path.basename(a.path), a.article_id if a.article_id in ("6F2C1A", "7A3B") else ""):
           (a.title, a.date, a.tags, a.text, a.markup) for a in articles}
    assert got == {
        ("Grant ideas.json", ""): ("Grant ideas", "2024-05-19", ("work",), "Ask the arts council about the grant.", None),
        ("Shopping.json", ""): ("Shopping", "2024-05-21", (), "- milk\n- eggs", None),
        ("Journal.json", "6F2C1A"): ("Harbour walk", "2024-05-20", ("walks",), "# Harbour walk\n\nThe quay is half built.",
                                     "markdown"),
        ("Journal.json", "7A3B"): ("Quiet evening.", "2024-05-21", (), "Quiet evening.", None)}
    assert [(os.path.basename(s.path), s.reason) for s in stats.skipped] == [("Old.json", "a note in the trash (isTrashed)")]


def test_a_post_wrapped_in_an_activity_or_a_node_and_inline_html_read_as_a_browser_shows_it(tmp_path):
    # A Mastodon archive's outbox: each post is the object of a Create; a boost has no text.
    note = {"id": "https://m.social/users/ann/statuses/1", "url": "https://m.social/@ann/1",
            "published": "2024-05-20T08:00:00Z", "content": '<p>The quay is half built. <a href="https://m.social/'
            'tags/harbour" class="hashtag">#<span>harbour</span></a> <b>un</b>finished, <em>@<span>bob</span></em></p>'}
    (tmp_path / "outbox.json").write_text(json.dumps({"type": "OrderedCollection", "orderedItems": [
        {"type": "Create", "published": "2024-05-20T08:00:01Z", "actor": "ann", "object": note},
        {"type": "Announce", "object": "https://other.social/users/bob/statuses/9"}]}), encoding="utf-8")
    # GraphQL's edges and nodes.
    (tmp_path / "posts.json").write_text(json.dumps({"data": {"posts": {"edges": [
        {"cursor": "c1", "node": {"slug": "launch", "title": "Launch", "content": "We launched."}}]}}}), encoding="utf-8")
    articles, stats = read(tmp_path)
    by = {a.title: a for a in articles}
    post = by["The quay is half built."]
    assert post.text == "The quay is half built. #harbour unfinished, @bob"
    assert (post.article_id, post.url, post.date, post.metadata["actor"]) == (
        note["id"], note["url"], "2024-05-20", "ann")
    assert (by["Launch"].text, by["Launch"].metadata) == ("We launched.", {"cursor": "c1", "slug": "launch"})
    assert [(os.path.basename(s.path), s.line) for s in stats.skipped] == [("outbox.json", 1)]  # the boost


def test_dates_as_exports_write_them():
    from qa.dates import normalise_date

    # Dotted numeric dates are day first wherever they are written (de, ru, pl, fi, tr...).
    cases = {"09.02.2025": "2025-02-09", "1.5.24": "2024-05-01", "24.11.2026 14:30": "2026-11-24",
             "March 4, 2024": "2024-03-04", "Mon, 09 Feb 2025 10:00:00 +0000": "2025-02-09",
             "2025-02-09T23:30:00-05:00": "2025-02-09", "2025.02.09": "2025-02-09",
             "09/02/2025": "2025-09-02",  # slashes stay month first (dateutil's default, US)
             1736380800: "2025-01-09", "someday": "someday",
             # A year alone is its first day, as YAML's `date: 2024` too; without a year, or a
             # number of another length (a count, an id), it is no date and stays as written.
             "2024": "2024-01-01", 2024: "2024-01-01", "20240305": "2024-03-05", "Feb 29 2024": "2024-02-29",
             "Tuesday": "Tuesday", "5 March": "5 March", "Feb 29": "Feb 29", "10:30 PM": "10:30 PM",
             "123": "123", "12": "12", "7": "7", 123: "123"}
    assert {k: normalise_date(k) for k in cases} == cases
    assert normalise_date("09/02/2025", day_first=True) == "2025-02-09"
    assert normalise_date("09-02-25 10:30 PM", day_first=True) == "2025-02-09"
    assert normalise_date("02/13/2025", day_first=True) == "2025-02-13"  # impossible day first: as it can


def test_a_files_own_order_of_day_and_month(tmp_path):
    # Exports from a day-first locale: ambiguous dates (09/02) follow the file's unambiguous one,
    # wherever in the file it comes; a later record, the header's column, the JSON field.
    rows = [("A", "First text.", "09/02/2025"), ("B", "Second text, with 14/20 in it.", "03/04/2025"),
            ("C", "Third text.", "13/02/2025 08:15")]
    (tmp_path / "eu.csv").write_text("title;text;date\n" + "".join(f"{t};{x};{d}\n" for t, x, d in rows),
                                     encoding="utf-8")
    (tmp_path / "eu.jsonl").write_text("".join(json.dumps({"title": t, "text": x, "published": d}) + "\n"
                                               for t, x, d in rows), encoding="utf-8")
    (tmp_path / "eu.json").write_text(json.dumps({"items": [{"title": t, "text": x, "date": d} for t, x, d in rows]},
                                                 indent=2), encoding="utf-8")
    # A US export, and one where only the text holds a number above 12: month first.
    (tmp_path / "us.csv").write_text("title,text,date\nD,Fourth text.,09/02/2025\nE,Fifth text.,02/13/2025\n",
                                     encoding="utf-8")
    (tmp_path / "vague.jsonl").write_text(json.dumps({"title": "F", "text": "Rated 14/10/2025 best.",
                                                      "date": "09/02/2025"}) + "\n", encoding="utf-8")
    articles, _ = read(tmp_path)
    dates = {(os.path.basename(a.source), a.title): a.date for a in articles}
    for name in ("eu.csv", "eu.jsonl", "eu.json"):
        assert [dates[name, t] for t, _, _ in rows] == ["2025-02-09", "2025-04-03", "2025-02-13"], name
    assert dates["us.csv", "D"] == "2025-09-02" and dates["us.csv", "E"] == "2025-02-13"
    assert dates["vague.jsonl", "F"] == "2025-09-02"


def test_the_date_order_scan_reads_across_chunks_and_puts_the_file_back():
    import io

    import qa.dates

    filler = b'{"text": "x", "date": "01/02/2025"}\n' * 70_000
    data = filler + b'{"text": "y", "date": "30/01/2025"}\n'
    assert len(data) > 2 * qa.dates._CHUNK
    # The deciding date cut by the first chunk's end is read whole.
    head = b'{"text": "' + b"z" * (qa.dates._CHUNK - 4 - 22) + b'", "date": "'
    cut = head + b'30/01/2025"}\n'
    assert cut.index(b"30/01") == qa.dates._CHUNK - 4 and qa.dates.day_first(io.BytesIO(cut))
    fh = io.BytesIO(data)
    fh.seek(5)
    assert qa.dates.day_first(fh) and fh.tell() == 5
    assert not qa.dates.day_first(io.BytesIO(data.replace(b"30/01", b"01/30")))
    assert not qa.dates.day_first(io.BytesIO(b""))


def test_fields_under_the_names_exports_give_them(tmp_path):
    # A news API's export: headline, published, link, a list of authors, keywords, Unix time.
    f = tmp_path / "news.jsonl"
    rows = [
        {"headline": "Tram approved", "body": "The council voted 34 to 12.", "published": "2025-01-09",
         "link": "https://x.org/tram", "authors": ["Ann Lee", {"name": "Bo Chan"}], "keywords": ["city", "transport"]},
        {"headline": "Museum reopens", "text": "", "summary": "It reopened on Saturday.", "timestamp": 1736380800},
        {"title": "Jekyll-style", "content": "Text.", "published": True, "created_at": 1736380800000},
        {"headline": "Nested", "content": {"text": "Inside an object."}},
    ]
    f.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    articles, stats = read(f)
    a, b, c = articles
    assert (a.title, a.text, a.date, a.url, a.author, a.tags) == (
        "Tram approved", "The council voted 34 to 12.", "2025-01-09", "https://x.org/tram", "Ann Lee, Bo Chan",
        ("city", "transport"))
    assert not a.metadata
    # The first of a field's names holding a value wins; the empty one stays metadata.
    assert (b.title, b.text, b.date, b.metadata) == ("Museum reopens", "It reopened on Saturday.", "2025-01-09",
                                                     {"text": ""})
    # `published: true` is no date; the next date field is.
    assert c.date == "2025-01-09" and c.metadata == {"published": True}
    [skip] = stats.skipped
    assert skip.line == 4 and "'content' is a JSON object" in skip.reason


def test_json_object_holding_a_list_of_articles(tmp_path):
    (tmp_path / "feed.json").write_text(json.dumps({
        "description": "Our blog's export", "items": [{"title": "One", "text": "First."}, {"title": "Two", "text": "Second."}],
    }), encoding="utf-8")
    (tmp_path / "post.json").write_text(json.dumps({
        "title": "Post", "body": "The post.", "comments": [{"text": "A comment."}]}), encoding="utf-8")
    # Ghost's export nests its posts (html and plaintext bodies); a news API puts them under a key
    # of an object, with camelCase names.
    (tmp_path / "ghost.json").write_text(json.dumps({"db": [{"meta": {"version": "5.0"}, "data": {
        "tags": [{"name": "city"}],
        "posts": [{"title": "Ghost post", "html": "<p>From <b>Ghost</b>.</p>", "plaintext": "From Ghost.",
                   "published_at": "2024-02-03T10:00:00.000Z"}]}}]}), encoding="utf-8")
    (tmp_path / "api.json").write_text(json.dumps({"status": "ok", "response": {"articles": [
        {"title": "API story", "content": "From the API.", "publishedAt": "2024-02-04T10:00:00Z",
         "URL": "https://x.org/api"}]}}), encoding="utf-8")
    articles, stats = read(tmp_path)
    by = {a.title: a for a in articles}
    assert sorted(by) == ["API story", "Ghost post", "One", "Post", "Two"] and not stats.skipped
    assert (by["Ghost post"].text, by["Ghost post"].date) == ("From Ghost.", "2024-02-03")
    assert (by["API story"].date, by["API story"].url) == ("2024-02-04", "https://x.org/api")
    for name in ("ghost.json", "api.json"):
        (tmp_path / name).unlink()
    (tmp_path / "fm.md").write_text("---\ntitle: T\ndescription: For search engines.\n---\nThe body.\n",
                                    encoding="utf-8")
    [md], _ = read(tmp_path / "fm.md")
    assert md.text == "The body." and md.metadata == {"description": "For search engines."}


def test_html_bodies_of_cms_exports_are_read_as_text(tmp_path):
    # WordPress's REST export: title and content wrapped in {"rendered": ...}, the body as HTML.
    (tmp_path / "posts.json").write_text(json.dumps([{
        "id": 7, "date": "2024-05-06T09:30:00", "link": "https://blog.example/bridge", "tags": [4, 12],
        "title": {"rendered": "Bridge closes &#8211; for two years"},
        "content": {"rendered": "<h2>Why</h2>\n<p>The <a href='/c'>council</a> voted 7&ndash;2.</p>"
                                "<script>track()</script><p>Ferries run<br>every ten minutes.</p>",
                    "protected": False},
    }]), encoding="utf-8")
    # An RSS feed saved as CSV: the description is HTML; a plain row with "a < b" stays as it is.
    (tmp_path / "feed.csv").write_text(
        'title,description\nTram,"<p>The tram opens in <b>May</b>.</p><ul><li>Line 1</li><li>Line 2</li></ul>"\n'
        'Maths,"Show that a < b and b > c, <em> is a tag name."\n', encoding="utf-8")
    articles, stats = read(tmp_path)
    by = {a.title: a for a in articles}
    assert not stats.skipped and set(by) == {"Bridge closes – for two years", "Tram", "Maths"}
    post = by["Bridge closes – for two years"]
    # Written as an HTML page's text is: a block a line, headings marked as Markdown's.
    assert post.text == "## Why\nThe council voted 7–2.\nFerries run\nevery ten minutes." and post.markup == "page"
    assert (post.article_id, post.date, post.url) == ("7", "2024-05-06", "https://blog.example/bridge")
    assert post.tags == ()  # WordPress's term ids are no tags anyone would filter by
    assert by["Tram"].text == "The tram opens in May.\n- Line 1\n- Line 2"  # bullets, as a page's
    assert by["Maths"].text == "Show that a < b and b > c, <em> is a tag name." and by["Maths"].markup is None


def test_html_bodies_keep_their_headings_numbered_lists_tables_and_code_lines():
    from qa.records import html_as_page

    assert html_as_page(
        "<h2>Fares <a href='#f'>#</a></h2><p>Fares:</p><table><thead><tr><th>Ticket</th><th>Price</th></tr></thead>"
        "<tbody><tr><td>Adult</td><td>4 <b>pounds</b></td></tr></tbody></table><ol><li>Buy</li><li>Board</li></ol>"
        "<pre><code><span>ferry</span> --from pier4\n    --to island</code></pre><p># not a heading</p>") == (
        "## Fares #\nFares:\n| Ticket | Price |\n|---|---|\n| Adult | 4 pounds |\n1. Buy\n2. Board\n"
        "```\nferry --from pier4\n    --to island\n```\n    # not a heading")


def test_tags_are_names_however_an_export_writes_them(tmp_path):
    (tmp_path / "t.jsonl").write_text("\n".join(json.dumps(r) for r in [
        {"id": "a", "text": "Ghost post.", "tags": [{"id": "61a", "name": "City  news"}, {"slug": "ferries"}]},
        {"id": "b", "text": "Comma list.", "keywords": "harbour, strike; wages"},
        {"id": "c", "text": "Mixed.", "tags": ["tram", 5, None, True]},
    ]), encoding="utf-8")
    tags = {a.article_id: a.tags for a in read(tmp_path / "t.jsonl")[0]}
    assert tags == {"a": ("City news", "ferries"), "b": ("harbour", "strike", "wages"), "c": ("tram",)}


def test_beir_corpus_keeps_underscore_id(tmp_path):
    f = tmp_path / "corpus.jsonl"
    f.write_text('{"_id": "4983", "title": "Microstructural development", "text": "Alterations of the brain."}\n', encoding="utf-8")
    [a], _ = read(f)
    assert a.article_id == "4983" and a.title == "Microstructural development"


def test_json_list_and_csv(tmp_path):
    (tmp_path / "l.json").write_text(json.dumps([{"id": "a", "text": "Alpha text."}, {"id": "b", "content": "Beta."}]), encoding="utf-8")
    (tmp_path / "c.csv").write_text('id,title,text\nc1,Title one,"Multi\nline text."\nc2,Two,Second row.\n', encoding="utf-8")
    articles, stats = read(tmp_path)
    assert sorted(a.article_id for a in articles) == ["a", "b", "c1", "c2"]
    rows = {a.article_id: a for a in articles}
    assert rows["c1"].line_start == 2 and rows["c2"].line_start == 4
    assert not stats.skipped


def test_records_of_a_pretty_printed_json_file_have_their_own_lines(tmp_path):
    posts = [{"id": "p1", "title": "One", "text": "First post.", "tags": ["a", "b"]},
             {"id": "p2", "title": "Two", "text": "Second post, with \"quotes\", [brackets] and {braces}."},
             {"id": "p3", "title": "Three"}]
    (tmp_path / "list.json").write_text(json.dumps(posts, indent=2), encoding="utf-8")
    (tmp_path / "api.json").write_text("\n\n" + json.dumps(
        {"meta": {"count": 3, "text": None}, "data": [{"kind": "x"}, {"kind": "y", "articles": posts}]}, indent=4),
        encoding="utf-8")
    (tmp_path / "one.json").write_text('\n  {"title": "Alone", "text": "A single article."}\n', encoding="utf-8")
    articles, stats = read(tmp_path)
    lines = {(os.path.basename(a.path), a.article_id): a.line_start for a in articles}
    texts = {name: (tmp_path / name).read_text(encoding="utf-8").splitlines() for name in ("list.json", "api.json")}
    for (name, aid), line in lines.items():
        if name != "one.json":  # the line holds the record's opening brace, its id just below
            assert texts[name][line - 1].strip() == "{" and f'"id": "{aid}"' in texts[name][line], (name, aid)
    assert len(lines) == 5 and lines["list.json", "p2"] > lines["list.json", "p1"]
    assert [a.line_start for a in articles if a.title == "Alone"] == [2]
    # The record without text is reported at its own line too.
    p3 = {name: next(i for i, t in enumerate(text) if '"id": "p3"' in t) for name, text in texts.items()}
    assert sorted((os.path.basename(s.path), s.line) for s in stats.skipped) == sorted(p3.items())


def test_csv_delimiter_follows_the_header(tmp_path):
    """Spreadsheet exports in many locales use ';' (with a BOM and CRLF), others tabs; a comma
    file whose text holds semicolons stays a comma file."""
    (tmp_path / "semi.csv").write_bytes('\ufeffTitle;Body;Date\r\n"Strike, day two";"Docks shut; 4,200 out.";'
                                        '24/11/2026\r\nBridge;Closed until spring.;\r\n'.encode())
    (tmp_path / "tab.tsv").write_text("id\tcontent\nt1\tFerries run again.\n", encoding="utf-8")
    (tmp_path / "comma.csv").write_text('id,text\nk1,"One; two; three."\n', encoding="utf-8")
    articles, stats = read(tmp_path)
    assert not stats.skipped
    by_text = {a.text: a for a in articles}
    assert set(by_text) == {"Docks shut; 4,200 out.", "Closed until spring.", "Ferries run again.",
                            "One; two; three."}
    strike = by_text["Docks shut; 4,200 out."]
    assert (strike.title, strike.date, strike.line_start) == ("Strike, day two", "2026-11-24", 2)
    assert by_text["Closed until spring."].line_start == 3
    assert by_text["Ferries run again."].article_id == "t1"


_PAGE = "<html><head><title>{t}</title>{meta}</head><body><main><h1>{t}</h1><p>{text}</p></main></body></html>"


def test_a_page_asking_not_to_be_indexed_is_passed_over_in_a_folder_and_read_when_named(tmp_path):
    from qa.pagemeta import noindex

    book = tmp_path / "book"
    book.mkdir()
    owner = "Each value in Rust has an owner, and there can only be one owner at a time."
    (book / "ch04.html").write_text(_PAGE.format(t="Ownership", meta="", text=owner), encoding="utf-8")
    (book / "print.html").write_text(_PAGE.format(t="The Book", meta='<meta name="robots" content="noindex">',
                                                  text=f"Ownership. {owner}"), encoding="utf-8")
    (book / "toc.html").write_text(_PAGE.format(t="Contents", meta="<META content='NONE' name=Robots>",
                                                text="Ownership, borrowing and slices."), encoding="utf-8")
    # A page the user saved from a site that keeps it out of search engines is theirs to keep.
    (book / "saved.html").write_text("<!-- saved from url=(0027)https://example.org/post -->\n" + _PAGE.format(
        t="Unlisted", meta='<meta name="robots" content="noindex, follow">', text="An unlisted post kept for later."),
        encoding="utf-8")
    (book / "indexed.html").write_text(_PAGE.format(t="Indexed", meta='<meta name="robots" content="index, follow">',
                                                    text="A page that search engines may show."), encoding="utf-8")
    articles, stats = read(book)
    assert sorted(a.title for a in articles) == ["Indexed", "Ownership", "Unlisted"]
    assert stats.noindex == [str(book / "print.html"), str(book / "toc.html")] and not stats.skipped
    articles, stats = read(book / "print.html", book / "toc.html")
    assert [a.title for a in articles] == ["The Book", "Contents"] and stats.noindex == []
    # Only the head says so: a page about robots meta tags is no such page.
    assert not noindex(b"<html><head></head><body><p>Write <meta name='robots' content='noindex'></p></body>")
    assert not noindex(b'<head><meta name="googlebot" content="noindex"><meta name="robots" content=""></head>')


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX's")
def test_a_named_pipe_is_passed_over_not_opened(tmp_path):
    import threading

    (tmp_path / "a.txt").write_text("The ferry runs hourly.\n")
    os.mkfifo(tmp_path / "pipe.txt")  # opening it for reading waits for a writer
    os.mkfifo(tmp_path / "Inbox")  # and one a mailbox's name would have sniffed
    done: list = []
    reading = threading.Thread(target=lambda: done.append(read(tmp_path)), daemon=True)
    reading.start()
    reading.join(60)
    assert done, "the walk opened a named pipe and waited"
    articles, stats = done[0]
    assert [a.text for a in articles] == ["The ferry runs hourly."] and not stats.skipped
    assert stats.ignored["not a regular file (a pipe, socket or device)"] == 2
    stats = ReadStats()
    assert list(read_articles([str(tmp_path / "pipe.txt")], stats)) == []  # named: said, not opened
    assert [s.reason for s in stats.skipped] == [
        "not a regular file (a pipe, socket or device): save it to a file and index that"]


def test_a_spreadsheets_columns_named_in_its_writers_language(tmp_path):
    """A table made by hand names its columns in German, French, Spanish...: they are the title,
    text, date, author and tags as the English names are; the others stay metadata."""
    (tmp_path / "de.csv").write_bytes("\ufeffTitel;Datum;Inhalt;Autor;Schlagwörter;Rubrik\r\n"
                                      "Brücke gesperrt;03.05.2024;Die Brücke wird ab Juni gesperrt.;Lena Marx;"
                                      "Verkehr, Hafen;Lokales\r\n".encode())
    (tmp_path / "fr.tsv").write_text("titre\tdate\ttexte\tauteur\tmots-clés\nLe bac\t2024-06-01\t"
                                     "Le bac gratuit part toutes les dix minutes.\tA. Roy\tport\n", encoding="utf-8")
    (tmp_path / "es.csv").write_text("Título,Fecha,Contenido\nEl puerto,2024-07-02,El puerto cierra en agosto.\n",
                                     encoding="utf-8")
    articles, stats = read(tmp_path)
    assert not stats.skipped
    got = {a.title: (a.text, a.date, a.author, a.tags, a.metadata) for a in articles}
    assert got == {
        "Brücke gesperrt": ("Die Brücke wird ab Juni gesperrt.", "2024-05-03", "Lena Marx", ("Verkehr", "Hafen"),
                            {"Rubrik": "Lokales"}),
        "Le bac": ("Le bac gratuit part toutes les dix minutes.", "2024-06-01", "A. Roy", ("port",), {}),
        "El puerto": ("El puerto cierra en agosto.", "2024-07-02", None, (), {}),
    }


def test_text_that_is_not_utf8_is_read_as_windows_1252_and_reported(tmp_path):
    (tmp_path / "old.txt").write_bytes("Caf\u00e9 owners protest the \u201cterrace tax\u201d.\r\n\r\n"
                                       "It costs \u20ac400.\r\n".encode("cp1252"))
    (tmp_path / "excel.csv").write_bytes("title;text\r\nM\u00fcller;J\u00fcrgen won \u2013 again.\r\n"
                                         "Plain;ASCII row.\r\n".encode("cp1252"))
    (tmp_path / "fine.md").write_text("# Stra\u00dfe\n\nUTF-8 stays UTF-8: na\u00efve.\n", encoding="utf-8")
    # Pasted together: UTF-8 with one Windows-1252 quote; the UTF-8 letters must not turn to mojibake.
    (tmp_path / "mixed.txt").write_bytes("Z\u00fcrich \u2013 ".encode() + b"\x93caf\xe9\x94\n")
    articles, stats = read(tmp_path)
    texts = {a.text for a in articles}
    assert {"Caf\u00e9 owners protest the \u201cterrace tax\u201d.", "It costs \u20ac400.",
            "J\u00fcrgen won \u2013 again.", "ASCII row.", "Z\u00fcrich \u2013 \u201ccaf\u00e9\u201d"} <= texts
    assert any("na\u00efve" in t for t in texts)
    assert not stats.skipped
    assert sorted(os.path.basename(p) for p in set(stats.legacy)) == ["excel.csv", "mixed.txt", "old.txt"]


RUSSIAN = ("Вчера в Москве "
           "открылась новая "
           "линия метро.")  # "Yesterday a new metro line opened in Moscow."
GREEK = ("Χθες άνοιξε μια "
         "νέα γραμμή του μετρό.")
JAPANESE = "昨日、東京で新しい地下鉄が開通しました。"


def test_text_in_a_legacy_encoding_of_another_script_is_read_in_it(tmp_path):
    """Cyrillic, Greek and Japanese files from before UTF-8: their encoding is found per file
    (a Latin-script file stays Windows-1252; see the test above) and named in the summary."""
    (tmp_path / "moscow.txt").write_bytes(f"{RUSSIAN}\r\n\r\nMetro fares rise.\r\n".encode("cp1251"))
    (tmp_path / "koi8.md").write_bytes(f"# {RUSSIAN}\n\n{RUSSIAN} {RUSSIAN}\n".encode("koi8_r"))
    (tmp_path / "athens.csv").write_bytes(f"title;text\r\nMetro;{GREEK}\r\n".encode("cp1253"))
    (tmp_path / "tokyo.jsonl").write_bytes(json.dumps({"id": "t", "text": JAPANESE}, ensure_ascii=False)
                                           .encode("shift_jis") + b"\n")
    # UTF-8 Cyrillic with one stray Windows-1252 byte: still UTF-8, not taken for a Cyrillic code page.
    (tmp_path / "stray.txt").write_bytes(f"{RUSSIAN} {RUSSIAN} ".encode() + b"\x93ok\x94\n")
    articles, stats = read(tmp_path)
    assert not stats.skipped
    texts = {a.text for a in articles}
    assert {RUSSIAN, "Metro fares rise.", f"# {RUSSIAN}\n\n{RUSSIAN} {RUSSIAN}", GREEK, JAPANESE,
            f"{RUSSIAN} {RUSSIAN} \u201cok\u201d"} <= texts
    names = {os.path.basename(p): stats.encodings[p] for p in stats.legacy}
    assert names == {"moscow.txt": "cp1251", "koi8.md": "koi8-r", "athens.csv": "cp1253",
                     "tokyo.jsonl": "cp932", "stray.txt": "cp1252"}


def test_utf16_files_with_a_byte_order_mark_are_read(tmp_path):
    """Excel's "Unicode text" export (UTF-16 LE, tab-separated) and PowerShell's redirection."""
    (tmp_path / "export.tsv").write_bytes("id\ttitle\ttext\r\nx1\tM\u00fcnchen\tTrams run all night.\r\n"
                                          .encode("utf-16"))
    (tmp_path / "notes.txt").write_bytes(codecs.BOM_UTF16_BE + f"{RUSSIAN}\n\nSecond block.\n".encode("utf-16-be"))
    articles, stats = read(tmp_path)
    assert not stats.skipped and not stats.legacy
    by_text = {a.text: a for a in articles}
    assert set(by_text) == {"Trams run all night.", RUSSIAN, "Second block."}
    assert by_text["Trams run all night."].title == "M\u00fcnchen"
    assert by_text["Second block."].line_start == 3


def test_html_main_text_and_metadata(tmp_path):
    (tmp_path / "p.html").write_text(
        "<html><head><title>Page title</title><meta name='date' content='2024-01-02'></head><body>"
        "<nav>Menu Home About</nav><article><p>" + "The council approved the new harbour wall. " * 5 +
        "</p><p><script>alert(1)</script>Second paragraph about tides and storms in the bay.</p></article>"
        "<footer>Copyright</footer></body></html>", encoding="utf-8")
    [a], stats = read(tmp_path / "p.html")
    assert a.title == "Page title" and a.date == "2024-01-02"
    assert "harbour wall" in a.text and "alert(1)" not in a.text and "Menu Home" not in a.text


BODY = "<p>" + "The borrow checker compares scopes to decide whether all borrows are valid. " * 5 + "</p>"


def page(path, title: str, body: str) -> None:
    path.write_text(f"<html><head><title>{title}</title></head><body>{body}</body></html>", encoding="utf-8")


def test_an_html_pages_headings_are_marked_as_markdowns_by_level(tmp_path):
    page(tmp_path / "guide.html", "Guide", "<main><h1>Guide</h1><p>Usage</p><h2>Install</h2>"
         "<p>Install it.</p><h3>On <code>Linux</code></h3><p>Use apt.</p><h2>Usage</h2>" + BODY + "</main>")
    [a], _ = read(tmp_path / "guide.html")
    assert a.text.split("\n")[:6] == ["# Guide", "Usage", "## Install", "Install it.",
                                      "### On Linux", "Use apt."]
    assert "\n## Usage\n" in a.text  # a paragraph that reads like a later heading is not taken for it
    # Code blocks are fenced, with a fence longer than any in them; other lines that read as
    # Markdown headings, rules or fences are indented past that reading.
    page(tmp_path / "code.html", "Code", "<main><h2>Setup</h2><p>Run this first, in a terminal window.</p>"
         "<pre><code># install the tools\napt install gcc\n---\n```\n</code></pre><p>Then build it.</p>"
         "<p># This paragraph is no heading.</p></main>")
    [c], _ = read(tmp_path / "code.html")
    assert markdown.outline(c.text) == ([(2, "Setup")], False)
    assert c.text.split("\n")[2:] == ["````", "# install the tools", "apt install gcc", "---", "```", "````",
                                       "Then build it.", "    # This paragraph is no heading."]


def test_an_html_pages_headings_lose_their_permalinks_source_links_and_buttons(tmp_path):
    """Documentation generators put a permalink in every heading (Node.js "#", Sphinx "¶",
    rustdoc "§") and API signature (Sphinx's definition terms), a source link ("[src]") or a
    button ("Copy item path"); cards and sections
    showed "Stream[src]#". They are cut, and the lines stay where they were: the table of
    contents above names each heading too, and a reference must not move to it."""
    body = "\n".join([
        "<nav><ul><li><a href='#stream'>Stream</a></li><li><a href='#install'>Install</a></li>"
        "<li><a href='#examples'>Examples</a></li></ul></nav><main>",
        "<h1>Struct <span>Vec</span>&nbsp;<button id='copy-path'>Copy item path</button></h1>",
        "<h2>Stream<a class='srclink' href='https://example.org/stream.js'>[src]</a>"
        "<span><a class='mark' href='#stream' id='stream'>#</a></span></h2>",
        "<p>A stream is an abstract interface for working with streaming data in Node.js.</p>",
        "<h2 id='install'>Install <a class='headerlink' href='#install' title='Link to this heading'>¶</a></h2>",
        "<p>The installer copies the tools into your home directory and adds them to the path.</p>",
        "<h3 id='examples'><a class='doc-anchor' href='#examples'>§</a>Examples</h3>",
        "<p>The example below creates a vector, pushes three numbers and prints its length.</p>",
        "<h2>C#</h2>",
        "<p>Its compiler turns each source file into intermediate language for the runtime.</p>",
        "<dl><dt id='abspath'>os.path.abspath(path)<a class='headerlink' href='#abspath'>¶</a></dt>",
        "<dd><p>Return a normalized absolutized version of the pathname given to it.</p></dd></dl>",
        "</main>"])
    page(tmp_path / "api.html", "Vec in std::vec - Rust", body)
    [a], stats = read(tmp_path / "api.html")
    assert not stats.skipped
    headings = [line for line in a.text.split("\n") if line.startswith("#")]
    assert headings == ["# Struct Vec", "## Stream", "## Install", "### Examples", "## C#"]
    assert "\n- os.path.abspath(path)\n" in a.text  # Sphinx's API signature, a definition term
    assert line_at(a.line_anchors, a.text.index("- os.path.abspath"), 0) == len(body.split("\n")) - 2
    assert a.title == "Struct Vec"
    source = (tmp_path / "api.html").read_text(encoding="utf-8").split("\n")
    for heading in headings[1:]:
        words = heading.lstrip("# ")
        want = next(i for i, line in enumerate(source, 1) if line[:3] in ("<h1", "<h2", "<h3") and words in line)
        assert line_at(a.line_anchors, a.text.index(heading), 0) == want, heading
    assert line_at(a.line_anchors, a.text.index("The installer"), 0) == next(
        i for i, line in enumerate(source, 1) if "The installer" in line)
    assert markdown.section(a.text[: a.text.index("The example")], "The example", a.title) == (
        ("Install", "Examples"), False)


def test_rustdocs_source_links_versions_and_permalinks_beside_each_items_heading_are_cut(tmp_path):
    """rustdoc puts each item's heading in a <section> beside a source link, the version that
    made it stable and a permalink: every method showed "1.0.0 · Source" or "Source§" on a line
    above its heading. What holds more than a heading and such links keeps it all."""
    body = "\n".join([
        "<main><h1>Struct VecDeque</h1><details class='toggle' open><summary>",
        "<section id='impl-VecDeque' class='impl'><a class='src rightside' href='../src/mod.rs.html#9'>Source</a>"
        "<a href='#impl-VecDeque' class='anchor'>§</a><h3 class='code-header'>impl&lt;T&gt; VecDeque&lt;T&gt;</h3>"
        "</section></summary><div class='impl-items'>",
        "<details class='toggle method-toggle' open><summary><section id='method.pop_front' class='method'>",
        "<span class='rightside'><span class='since' title='Stable since Rust version 1.0.0'>1.0.0</span> · "
        "<a class='src' href='../src/mod.rs.html#20'>Source</a></span><h4 class='code-header'>pub fn "
        "<a href='#method.pop_front' class='fn'>pop_front</a>(&amp;mut self) -&gt; Option&lt;T&gt;</h4></section>"
        "</summary><div class='docblock'>",
        "<p>Removes the first element and returns it, or None if the deque is empty.</p></div></details>",
        "</div></details><h2>Results</h2>",
        "<p>The deque grew by half each time it was full, in every run of the benchmark.</p></main>"])
    page(tmp_path / "struct.VecDeque.html", "VecDeque in std::collections - Rust", body)
    [a], stats = read(tmp_path / "struct.VecDeque.html")
    assert not stats.skipped
    lines = a.text.split("\n")
    at = lines.index("#### pub fn pop_front(&mut self) -> Option<T>")
    assert lines[at - 1 : at + 2] == ["### impl<T> VecDeque<T>", lines[at],
                                      "Removes the first element and returns it, or None if the deque is empty."]
    assert "## Results" in lines
    assert not any(line.endswith(("· Source", "Source§")) or line == "Source" for line in lines)
    source = body.split("\n")
    for words, html_line in (("Removes the first", "Removes the first"), ("pub fn pop_front", "'code-header'>pub fn"),
                             ("impl<T>", "<h3"), ("The deque grew", "The deque grew")):
        assert line_at(a.line_anchors, a.text.index(words), 0) == next(
            i for i, line in enumerate(source, 1) if html_line in line), words
    assert markdown.section(a.text[: a.text.index("Removes")], "Removes", a.title) == (
        ("impl<T> VecDeque<T>", "pub fn pop_front(&mut self) -> Option<T>"), False)
    # Only links, and only where the heading's wrapper holds nothing else.
    from lxml import html

    from qa.pagemeta import chrome_beside_headings

    for kept in ("<section><a href='figures.csv'>Source</a> of the figures<h2>Results</h2></section>",
                 "<section><span>1.0.0 · Source</span><h2>Results</h2></section>",
                 "<div><a href='a.rs'>Source</a><h2>Results</h2><p>Text.</p></div>"):
        assert chrome_beside_headings(html.fromstring(kept)) == [], kept


def _rustdoc_method(name: str, doc: str, code: str) -> str:
    return (f"<details class='toggle method-toggle' open><summary><section id='method.{name}' class='method'>"
            f"<a class='src rightside' href='../src/map.rs.html#1'>Source</a><h4 class='code-header'>pub fn "
            f"<a href='#method.{name}' class='fn'>{name}</a>(&amp;self) -&gt; &amp;<a class='type' href='t.html'>S</a>"
            f"<div class='where'>where\n    S: <a href='h.html'>Hash</a>,</div></h4></section></summary>"
            f"<div class='docblock'><p>{doc}</p><h5 id='ex-{name}'><a class='doc-anchor' href='#ex-{name}'>§</a>Examples</h5>"
            f"<div class='example-wrap'><pre class='rust'><code>{code}</code></pre>"
            "<a class='test-arrow' title='Run code' href='https://play.example/?c=1'></a></div></div></details>\n")


def test_documentation_whose_links_are_code_anchors_and_run_buttons_keeps_its_text(tmp_path):
    """trafilatura takes an element whose links are all short, or show no text, for a menu:
    rustdoc's methods lost their signatures (``pub fn <a>clear</a>(&self)``) and examples (an
    empty "Run code" link beside each), DocBook's sections their titles (``<a name>`` opening
    or holding each: valgrind's manuals read as one paragraph); the folding label "Expand description"
    was a heading on every type's page, and a where clause ran into its signature ("-> &Swhere     S: Hash,";
    in a declaration, "Harbour<S>where")."""
    body = ("<main><section id='main-content'><h1>Struct Harbour</h1><pre class='rust item-decl'><code>pub struct "
            "Harbour&lt;S&gt;<div class='where'>where\n    S: <a href='h.html'>Hash</a>,</div>{ /* private fields */ }"
            "</code></pre>\n<details class='toggle top-doc' open><summary class='hideme'>"
            "<span>Expand description</span></summary><div class='docblock'><p>A harbour of quays, each with its cranes.</p>\n"
            "<p>This <code>struct</code> is created by the <a href='x.html'><code>open</code></a> method on "
            "<a href='y.html'><code>Port</code></a>. See its documentation for more.</p></div></details>\n"
            "<h2 id='implementations'>Implementations</h2><div>\n"
            + _rustdoc_method("quays", "Returns the harbour's quays, in the order they were built.", "let q = harbour.quays();")
            + _rustdoc_method("clear", "Closes every quay of the harbour and sends its cranes away.", "harbour.clear();")
            + "</div></section></main>")
    page(tmp_path / "struct.Harbour.html", "Harbour in port - Rust", body)
    docbook = ("<div class='chapter'><div class='titlepage'><div><div><h2 class='title'><a name='quays'></a>1. Quays</h2>"
               "</div></div></div>\n<div class='sect1'><div class='titlepage'><div><div><h2 class='title'>"
               "<a name='quays.cranes'></a>1.1. Cranes</h2></div></div></div>\n<p>Each quay has two cranes that lift forty "
               "tonnes, and a third one that lifts sixty tonnes when the tide is low.</p></div>\n<div class='sect1'>"
               "<div class='titlepage'><div><div><h2 class='title'><a name='quays.tides'></a>1.2. Tides</h2></div></div>"
               "</div>\n<p>The harbour master posts the tides at the gate every morning, and the ferries sail an hour "
               "after high water.</p></div>\n<div class='sect1'><h2 class='sect1'><a name='quays.ferries'>1.3. Ferries</a>"
               "</h2>\n<p>Two ferries cross to the island, the first at seven in the morning and the last at nine in the "
               "evening.</p></div></div>")
    page(tmp_path / "quays.html", "Chapter 1. Quays", docbook)
    [rust, chapter], stats = read(tmp_path / "struct.Harbour.html", tmp_path / "quays.html")
    assert not stats.skipped
    assert rust.text.split("\n") == [
        "# Struct Harbour", "```", "pub struct Harbour<S>", "where", "    S: Hash,", "{ /* private fields */ }", "```",
        "A harbour of quays, each with its cranes.",
        "This struct is created by the open method on Port. See its documentation for more.", "## Implementations",
        "#### pub fn quays(&self) -> &S where S: Hash,", "Returns the harbour's quays, in the order they were built.",
        "##### Examples", "```", "let q = harbour.quays();", "```",
        "#### pub fn clear(&self) -> &S where S: Hash,", "Closes every quay of the harbour and sends its cranes away.",
        "##### Examples", "```", "harbour.clear();", "```"]
    assert chapter.text.split("\n") == [
        "## 1. Quays", "## 1.1. Cranes",
        "Each quay has two cranes that lift forty tonnes, and a third one that lifts sixty tonnes when the tide is low.",
        "## 1.2. Tides", "The harbour master posts the tides at the gate every morning, and the ferries sail an hour "
        "after high water.", "## 1.3. Ferries",
        "Two ferries cross to the island, the first at seven in the morning and the last at nine in the evening."]
    source = docbook.split("\n")
    for words in ("1.2. Tides", "The harbour master", "1.3. Ferries"):
        assert line_at(chapter.line_anchors, chapter.text.index(words), 0) == next(
            i for i, line in enumerate(source, 1) if words in line)
    # a section title an anchor holds (the shared MIME database's spec): both titles were dropped
    long = "The lines are sorted by name and no two lines in one file hold the same name and type. " * 3
    page(tmp_path / "spec.html", "2. Unified system", f"<div class='sect1'><div class='sect2'><h2 class='sect2'>"
         f"<a name='x'>2.6. The namespace files</a></h2><p>{long}</p></div><div class='sect2'><h2>2.7. Other files</h2>"
         f"<p>{long}</p>\n<p>Rules follow the header, written as\n<pre class='screen'>&gt;0=__NOMAGIC__</pre>\n"
         "This can be followed by other rules.\n\t\t</p></div><div class='sect2'><h2>2.8. Icons</h2><p>Each icons "
         "file is a list of lines in the form:</p></div></div>")
    [spec], _ = read(tmp_path / "spec.html")
    lines = spec.text.split("\n")
    assert [line for line in lines if line.startswith("#")] == ["## 2.6. The namespace files", "## 2.7. Other files",
                                                                 "## 2.8. Icons"]
    # the text after code in a paragraph keeps its line (the tabs closing it are no part of the next)
    assert "This can be followed by other rules." in lines
    # a folding label that names what it holds is the page's; a share button's empty link stays
    from lxml import html

    from qa.pagemeta import empty_links, text_links, toggle_labels

    assert toggle_labels(html.fromstring("<details><summary>How do I pay the harbour dues?</summary></details>")) == []
    assert empty_links(html.fromstring("<div><p>Share</p><a href='https://social.example/share'></a></div>")) == []
    # a menu in a heading and a heading that is a link (a list of posts) stay links
    for heading in ("<h3><a href='/'>Home</a> | <a href='/about'>About</a></h3>", "<h2><a href='/p'>A post</a></h2>"):
        assert text_links(html.fromstring(f"<div>{heading}</div>")) == [], heading


def test_a_page_that_declares_no_encoding_is_placed_line_by_line_as_utf8(tmp_path):
    """trafilatura reads such a page as UTF-8, lxml as Latin-1: "Müller" did not match "MÃ¼ller",
    so its lines took the line of the sentence before."""
    lines = ["<html><head><title>Café notes</title></head><body><article>",
             "<p>The café on Quay Street opened in the spring of last year.</p>",
             "<p>Jürgen Müller runs it with his sister and bakes every morning.</p>",
             "<p>Its terrace looks over the harbour towards the lighthouse.</p>", "</article></body></html>"]
    (tmp_path / "cafe.html").write_bytes("\n".join(lines).encode("utf-8"))
    [a], _ = read(tmp_path / "cafe.html")
    assert [line_at(a.line_anchors, a.text.index(words), 0) for words in ("The café", "Jürgen", "Its terrace")] == [2, 3, 4]


def test_an_html_pages_code_blocks_are_fenced_and_keep_their_source_lines(tmp_path):
    """A card shows a page's code as code; the variants of one example in a <pre> (Node.js's
    ESM and CommonJS) ran together ("}const"), and so did a heading right after a <pre>, which
    was then lost as a heading and moved the references of what followed."""
    lines = ["<html><head><meta charset='utf-8'><title>File system</title></head><body><main>",
             "<h1>File system</h1>",
             # An icon font's characters where the reader's marks are (private use) change nothing.
             "<p>Read a file one line at a time with a readline interface over its stream.\ue015\ue010</p>",
             "<pre><code class='mjs'>import { open } from 'node:fs/promises';",
             "",
             "for await (const line of file.readLines()) {",
             "  console.log(line);",
             "}</code><code class='cjs'>const { open } = require('node:fs/promises');</code></pre>"
             "<h2>Closing the file</h2>",
             "<p>Call close when done, or the descriptor stays open until the process exits.</p>",
             "</main></body></html>"]
    (tmp_path / "fs.html").write_text("\n".join(lines), encoding="utf-8")
    [a], _ = read(tmp_path / "fs.html")
    text = a.text.split("\n")
    assert text[text.index("```"):] == [
        "```", "import { open } from 'node:fs/promises';", "for await (const line of file.readLines()) {",
        "  console.log(line);", "}", "```", "```", "const { open } = require('node:fs/promises');", "```",
        "## Closing the file", "Call close when done, or the descriptor stays open until the process exits."]
    offsets = [sum(len(t) + 1 for t in text[:i]) for i in range(len(text))]
    refs = [line_at(a.line_anchors, o, 0) for o in offsets]
    # An opening fence is its code's first line, a closing one its last.
    assert refs[text.index("```"):] == [4, 4, 6, 7, 8, 8, 8, 8, 8, 8, 9]
    assert markdown.outline(a.text) == ([(1, "File system"), (2, "Closing the file")], False)
    # A <pre> trafilatura would take for a quote, in a definition (Sphinx's examples), keeps its lines.
    (tmp_path / "path.html").write_text(
        "<html><head><meta charset='utf-8'><title>os.path</title></head><body><main><h1>os.path</h1>\n"
        "<p>This module implements some useful functions on pathnames, for strings and for bytes.</p>\n"
        "<dl><dt>os.path.basename(path)</dt><dd><p>Return the base name of pathname path.</p>\n"
        "<div class='highlight'><pre><span class='gp'>&gt;&gt;&gt; </span>os.path.basename('/foo/bar/')\n"
        "<span class='go'>''</span>\n</pre></div></dd></dl></main></body></html>", encoding="utf-8")
    [p], _ = read(tmp_path / "path.html")
    assert p.text.split("\n")[-5:] == ["- Return the base name of pathname path.", "```",
                                       ">>> os.path.basename('/foo/bar/')", "''", "```"]


def test_an_html_pages_title_is_its_own_not_the_sites_or_a_dialogs(tmp_path):
    """Documentation books and blogs put the site's name in a header <h1> and other headings
    with "title" in their class; trafilatura took those ("The Book", "Keyboard shortcuts")."""
    page(tmp_path / "book.html", "Validating References - The Book",
         "<div class='help'><h2 class='mdbook-help-title'>Keyboard shortcuts</h2></div>"
         "<div class='menu-bar'><h1 class='menu-title'>The Book</h1></div>"
         f"<main><h1 id='validating'><a class='header' href='#v'>Validating References</a></h1>{BODY}</main>")
    page(tmp_path / "blog.html", "Why we moved to Rust | Ann's notes",
         f"<header><h1>Ann's notes</h1></header><article><h2>Why we moved to Rust</h2>{BODY}</article>")
    page(tmp_path / "news.html", "Harbour wall approved - City News",
         f"<article><h1>Harbour wall approved</h1>{BODY}</article>")
    articles, stats = read(tmp_path)
    assert not stats.skipped
    assert {os.path.basename(a.path): a.title for a in articles} == {
        "book.html": "Validating References", "blog.html": "Why we moved to Rust",
        "news.html": "Harbour wall approved"}


def test_an_html_paragraph_wrapped_in_its_source_is_one_line_of_text(tmp_path):
    """Generated documentation wraps its HTML at 80 columns; trafilatura kept those breaks in a
    paragraph with inline code, so a card showed the page's wrapping mid-sentence. Code blocks
    and <br> keep their lines."""
    (tmp_path / "wrapped.html").write_text(
        "<html><head><title>Loops</title></head><body><article><h1>Loops</h1>\n<p>The <code>loop</code> keyword"
        " tells Rust to execute a block of code\nover and over again forever or until you\nexplicitly"
        " tell it to stop.</p>\n<pre><code>loop {\n    println!(\"again!\");\n}\n</code></pre>\n"
        f"<p>Bellport Harbour<br>12 Quay Street</p>{BODY}</article></body></html>", encoding="utf-8")
    [a], _ = read(tmp_path / "wrapped.html")
    lines = a.text.splitlines()
    assert ("The loop keyword tells Rust to execute a block of code over and over again forever or until"
            " you explicitly tell it to stop.") in lines
    assert 'println!("again!");' in [line.strip() for line in lines]
    assert "Bellport Harbour" in lines and "12 Quay Street" in lines
    # The references still point at the source lines of each sentence.
    assert [line_at(a.line_anchors, a.text.index(words), 0) for words in ("The loop", "Bellport")] == [2, 9]


def test_a_short_pages_paragraphs_are_lines_not_its_inline_elements(tmp_path):
    """Under 250 characters trafilatura tries its baseline extraction, which put each text node
    on a line of its own (a card showed "Another", "short", "one with a", "link", "." as
    paragraphs, and no sentence ran across them)."""
    (tmp_path / "tiny.html").write_text(
        "<html><head><title>Tiny</title></head><body><article><p>Ferries leave hourly.</p>\n<p>Another"
        " <em>short</em> note with a <a href='x'>link</a>.</p></article></body></html>", encoding="utf-8")
    [a], _ = read(tmp_path / "tiny.html")
    assert a.text == "Ferries leave hourly.\nAnother short note with a link." and a.title == "Tiny"
    assert [line_at(a.line_anchors, a.text.index(words), 0) for words in ("Ferries", "Another")] == [1, 2]


def test_an_html_fragment_keeps_its_headings_and_lists(tmp_path):
    """A post's body saved alone (a Substack export's posts/ID.SLUG.html): trafilatura left out its
    headings and lists, outside any container, as boilerplate."""
    (tmp_path / "post.html").write_text(
        "<p>The harbour board published its plan for the new quay, and it is more ambitious than"
        " anyone expected.</p>\n<h2>What the plan says</h2>\n<p>The quay will be 400 metres long and"
        " will cost 48 million.</p>\n<ul><li>Phase one: dredging</li><li>Phase two: the wall</li></ul>\n"
        "<h2>Who objects</h2>\n<p>Fishermen worry about the dredging, said a skipper.</p>\n", encoding="utf-8")
    (tmp_path / "titled.html").write_text("<h1>Quay plan</h1>\n<p>The quay will be long.</p>\n", encoding="utf-8")
    assert read(tmp_path / "titled.html")[0][0].title == "Quay plan"
    [a], _ = read(tmp_path / "post.html")
    assert a.title == "post"  # its file's name, as a Markdown file's without a heading; not its first <h2>
    lines = a.text.split("\n")
    assert lines[1:4] == ["## What the plan says", "The quay will be 400 metres long and will cost 48 million.",
                          "- Phase one: dredging"] and "## Who objects" in lines
    assert [line_at(a.line_anchors, a.text.index(words), 0) for words in ("The quay", "Phase two", "Fishermen")] == [3, 4, 6]


def test_a_page_with_no_layout_keeps_its_headings_and_lists(tmp_path):
    """A note app's export or a hand-written page: <body> and no nav, header, footer, article or
    main. trafilatura left out its headings and list, as for a fragment."""
    (tmp_path / "note.html").write_text(
        "<html><head><meta charset='utf-8'><title>Quay notes</title></head>\n<body>\n<p>The harbour board"
        " published its plan for the new quay, and it is more ambitious than anyone expected.</p>\n"
        "<h2>What the plan says</h2>\n<p>The quay will be 400 metres long and will cost 48 million.</p>\n"
        "<ul><li>Phase one: dredging</li><li>Phase two: the wall</li></ul>\n</body></html>\n", encoding="utf-8")
    [a], _ = read(tmp_path / "note.html")
    assert a.title == "Quay notes" and a.text.split("\n")[1:4] == [
        "## What the plan says", "The quay will be 400 metres long and will cost 48 million.", "- Phase one: dredging"]
    assert [line_at(a.line_anchors, a.text.index(words), 0) for words in ("The harbour", "The quay", "Phase two")] == [3, 5, 6]


def test_an_html_pages_date_is_one_it_states_not_a_stray_year(tmp_path):
    """A year alone (a copyright line, a class name) is not a date: htmldate's extensive search
    made 1 January of it. A date written whole in the text is still found."""
    page(tmp_path / "docs.html", "Lifetimes",
         "<article><h1>Lifetimes</h1><pre><code class='language-rust edition2024'>fn main() {}</code></pre>"
         f"{BODY}</article><footer>\u00a9 2021 The Authors</footer>")
    page(tmp_path / "post.html", "Harbour", f"<article><h1>Harbour</h1><p>Posted on 5 March 2024 by Ann.</p>{BODY}</article>")
    # A date in a code example (a program's output) is not the page's either.
    page(tmp_path / "api.html", "Stats", "<article><h1>Stats</h1><p>The output will resemble:</p><pre>Stats {\n"
         "  mtime: 2019-06-22T03:36:54.583Z,\n}</pre><p>Call <code>stat('2020-02-03')</code> to check.</p>"
         f"{BODY}</article>")
    # Nor are a section number or a link to a dated blog post (htmldate's guesses).
    page(tmp_path / "spec.html", "Spec", "<article><h1>Spec</h1><p>As defined in <a href='https://x.org/2017/12/"
         f"post.html'>Section 7.1.13</a> of the standard.</p>{BODY}</article>")
    # Dates in the markup count: meta tags, JSON-LD.
    (tmp_path / "meta.html").write_text(
        "<html><head><title>Meta</title><meta property='article:published_time' content='2024-02-03T10:00:00Z'>"
        f"</head><body><article><h1>Meta</h1>{BODY}</article></body></html>", encoding="utf-8")
    (tmp_path / "ld.html").write_text(
        "<html><head><title>LD</title><script type='application/ld+json'>{\"@type\": \"NewsArticle\", "
        f"\"datePublished\": \"2023-11-09\"}}</script></head><body><article><h1>LD</h1>{BODY}</article></body></html>",
        encoding="utf-8")
    articles, _ = read(tmp_path)
    assert {os.path.basename(a.path): a.date for a in articles} == {
        "docs.html": None, "post.html": "2024-03-05", "api.html": None, "spec.html": None,
        "meta.html": "2024-02-03", "ld.html": "2023-11-09"}


def test_a_saved_pages_companion_folder_is_not_read(tmp_path):
    page = "<html><head><title>{0}</title></head><body><article><p>" + "The {0} story goes on. " * 8 + "</p></article></body></html>"
    (tmp_path / "Harbour wall.html").write_text(page.format("Harbour"), encoding="utf-8")
    (tmp_path / "Harbour wall_files").mkdir()  # what "Save page as... complete" writes beside it
    (tmp_path / "Harbour wall_files" / "ad-frame.html").write_text(page.format("Advert"), encoding="utf-8")
    (tmp_path / "Harbour wall_files" / "config.json").write_text('{"text": "tracking settings"}', encoding="utf-8")
    (tmp_path / "Tides-Dateien").mkdir()  # a German browser's name for it
    (tmp_path / "Tides-Dateien" / "frame.htm").write_text(page.format("Advert"), encoding="utf-8")
    (tmp_path / "Tides.htm").write_text(page.format("Tides"), encoding="utf-8")
    (tmp_path / "notes_files").mkdir()  # no page of that name beside it: a folder of articles
    (tmp_path / "notes_files" / "n.txt").write_text("A note about the harbour.\n", encoding="utf-8")
    articles, stats = read(tmp_path)
    assert sorted(a.title for a in articles) == ["A note about the harbour.", "Harbour", "Tides"]
    assert stats.ignored == {"saved with a page (its _files folder)": 2} and not stats.skipped


def test_bad_inputs_are_reported_and_good_ones_kept(tmp_path):
    d = tmp_path
    (d / "good.txt").write_text("A good article about bread.\n", encoding="utf-8")
    (d / "bad_bytes.txt").write_bytes(b"Fine first block.\n\nBroken \x81\x8d block.\n\nFine third block.\n")
    (d / "bad.jsonl").write_text('{"id": "1", "text": "Good record."}\n{not json\n{"id": "3", "title": "no text"}\n[1, 2]\n', encoding="utf-8")
    (d / "notext.csv").write_text("id,title\n1,Only a title\n", encoding="utf-8")
    (d / "empty.md").write_text("", encoding="utf-8")
    (d / "blank.txt").write_text("   \n\n \t\n", encoding="utf-8")
    (d / "binary.txt").write_bytes(b"\x00\x01\x02PNG\x00" * 50)
    (d / "broken.json").write_text('{"id": 1, "text": ', encoding="utf-8")
    os.symlink(d / "missing-target.txt", d / "gone.txt")
    (d / "image.png").write_bytes(b"\x89PNG")
    (d / ".hidden.txt").write_text("Hidden.\n", encoding="utf-8")
    (d / "header.csv").write_text("title,text\n", encoding="utf-8")  # an export with no rows
    (d / "none.json").write_text("[]\n", encoding="utf-8")
    articles, stats = read(d, d / "no-such-dir")
    texts = sorted(a.text for a in articles)
    assert texts == ["A good article about bread.", "Fine first block.", "Fine third block.", "Good record."]
    reasons = {(os.path.basename(s.path), s.line): s.reason for s in stats.skipped}
    assert "undecodable" in reasons[("bad_bytes.txt", 3)]
    assert "malformed JSON" in reasons[("bad.jsonl", 2)]
    assert "no text" in reasons[("bad.jsonl", 3)]
    assert "not a JSON object" in reasons[("bad.jsonl", 4)]
    assert "no text column" in reasons[("notext.csv", 1)]
    assert reasons[("empty.md", None)] == "empty file"
    assert reasons[("blank.txt", None)] == "empty file"
    assert "binary" in reasons[("binary.txt", None)]
    assert "malformed JSON" in reasons[("broken.json", 1)]
    assert "cannot read" in reasons[("gone.txt", None)]
    assert "no such file" in reasons[("no-such-dir", None)]
    assert stats.ignored == {".png": 1, "hidden": 1} and stats.ignored_files == 2
    assert "no article in it" in reasons[("header.csv", None)]
    assert "no article in it" in reasons[("none.json", None)]
    assert sum(os.path.basename(s.path) == "bad.jsonl" for s in stats.skipped) == 3  # its own reasons only


def test_symlink_loop_ends(tmp_path):
    (tmp_path / "a.txt").write_text("Loop test.\n", encoding="utf-8")
    os.symlink(tmp_path, tmp_path / "loop")
    articles, _ = read(tmp_path)
    assert [a.text for a in articles] == ["Loop test."]


def test_a_linked_folder_is_read_once_under_its_own_name_where_it_has_one(tmp_path):
    notes, shared = tmp_path / "notes", tmp_path / "shared"
    (notes / "sub").mkdir(parents=True)
    shared.mkdir()
    (notes / "n.txt").write_text("A note about tides.\n", encoding="utf-8")
    (notes / "sub" / "g.txt").write_text("A note about gulls.\n", encoding="utf-8")
    (shared / "s.txt").write_text("A shared note about the lighthouse.\n", encoding="utf-8")
    os.symlink(shared, notes / "linked")  # outside: followed
    os.symlink(notes / "sub", notes / "again")  # inside, walked under its own name
    os.symlink(notes, notes / "sub" / "up")  # a loop
    articles, stats = read(notes)
    assert sorted(os.path.relpath(a.path, notes) for a in articles) == ["linked/s.txt", "n.txt", "sub/g.txt"]
    assert stats.files == 3 and not stats.skipped


def test_lines_past_65535_are_counted_through_comments_and_scripts():
    """libxml2 gives 65,535 for every line past it; Node.js's all-in-one all.html (100,000
    lines) had every reference after a three-line comment three lines short."""
    from qa.pagelines import page_text

    filler = "".join(f"<p>Filler paragraph {i}.</p>\n" for i in range(65_600))
    tail = ("<!--\nan editor's\nnote\n-->\n<p>After the comment.</p>\n<script>\nlet a = 1;\n</script>\n"
            "<p>After the script.</p>\n<p>Last\nparagraph.</p>\n")
    page, starts, lines = page_text(f"<html><body>\n{filler}{tail}</body></html>".encode())
    source = f"<html><body>\n{filler}{tail}".split("\n")

    def line_of(words: str) -> int:
        return lines[bisect.bisect_right(starts, page.index(words)) - 1]

    for words in ("Filler paragraph 65599.", "After the comment.", "After the script.", "Last"):
        assert line_of(words) == next(i for i, s in enumerate(source, 1) if words in s), words
    assert line_of(" paragraph.") == line_of("Last") + 1


def test_markdown_character_references_read_as_the_page_shows_them(tmp_path):
    (tmp_path / "e.md").write_text(
        "# Tom &amp; Jerry\n\nUse &lt;b&gt; for bold &mdash; or `&lt;strong&gt;` in code; \\&amp; is escaped, "
        "&nosuch; names nothing.\n&#35; is no heading\n&lt;!-- shown, not a comment --&gt;\n\n```\n&lt;fenced&gt;\n```\n",
        encoding="utf-8")
    [a], _ = read(tmp_path)
    assert a.title == "Tom & Jerry"
    lines = a.text.split("\n")
    assert lines[2] == "Use <b> for bold — or `&lt;strong&gt;` in code; \\&amp; is escaped, &nosuch; names nothing."
    assert lines[3] == "&#35; is no heading"  # it would open a heading once written as "#"
    assert lines[4] == "<!-- shown, not a comment -->"
    assert lines[7] == "&lt;fenced&gt;"
    assert len(lines) == len((tmp_path / "e.md").read_text(encoding="utf-8").rstrip("\n").split("\n"))


def test_readwise_highlights_csv(tmp_path):
    (tmp_path / "readwise-data.csv").write_text(
        "Highlight,Book Title,Book Author,Amazon Book ID,Note,Color,Tags,Location Type,Location,Highlighted at,"
        "Document tags\n\"Ships are safe in harbour, but that is not what ships are for.\",The Harbour Book,"
        "Mara Quay,B00X,My favourite line,yellow,\"sea, quotes\",location,180,2024-03-03 10:00:00+00:00,\n",
        encoding="utf-8")
    [a], stats = read(tmp_path)
    assert not stats.skipped
    assert (a.title, a.author, a.date, a.tags) == ("The Harbour Book", "Mara Quay", "2024-03-03", ("sea", "quotes"))
    assert a.text == "Ships are safe in harbour, but that is not what ships are for."
    assert a.metadata["Note"] == "My favourite line" and a.metadata["Location"] == "180"


def test_dates_written_as_unix_time_text_or_partly(tmp_path):
    (tmp_path / "log.csv").write_text("title,text,timestamp\nA,First entry text.,1709640000\n"
                                      "B,Second entry text.,1709640000123\nC,Third entry text.,March 2024\n",
                                      encoding="utf-8")
    # A Slack export: a channel's day, each message with its Unix time as text in "ts".
    (tmp_path / "2024-03-05.json").write_text(json.dumps([
        {"type": "message", "user": "U1", "text": "The ferry schedule changes on Monday.", "ts": "1709640000.000100"},
    ]), encoding="utf-8")
    articles, stats = read(tmp_path)
    assert not stats.skipped
    assert {a.text: a.date for a in articles} == {
        "First entry text.": "2024-03-05", "Second entry text.": "2024-03-05",
        "Third entry text.": "2024-03-01",  # the first of the month, whatever day it is read
        "The ferry schedule changes on Monday.": "2024-03-05"}


def test_the_summary_says_what_kinds_of_files_were_ignored():
    from qa.summaries import IndexSummary

    def first_line(ignored):
        return IndexSummary(read=1, embedded=1, kept=0, removed=0, duplicates=0, skipped=(), files=1,
                            ignored_files=sum(n for _, n in ignored), passages=1, ignored=ignored).lines()[0]

    assert first_line(()) == "read 1 article from 1 file"  # nothing ignored: nothing said
    assert first_line(((".png", 1), ("hidden", 3), (".xml not a feed", 1))) == (
        "read 1 article from 1 file (5 files ignored: 3 hidden, 1 .png, 1 .xml not a feed)")
    many = tuple((f".x{i}", 9 - i) for i in range(8))  # the six commonest named, the rest counted
    assert first_line(many).endswith("(44 files ignored: 9 .x0, 8 .x1, 7 .x2, 6 .x3, 5 .x4, 4 .x5, "
                                     "5 of 2 other kinds)")


def test_problems_are_one_line_each_and_libraries_keep_quiet(tmp_path, caplog):
    import logging

    caplog.set_level(logging.WARNING)  # as when a library configured logging (the CLI's case)
    # A template's front matter (a model card's): PyYAML's complaint spans several lines.
    (tmp_path / "card.md").write_text("---\nlicense: mit\n{{ card_data }}\n---\n\n# Model card\n\nAbout it.\n",
                                      encoding="utf-8")
    # A one-line JSON: its records all start on line 1.
    (tmp_path / "bom.json").write_text(json.dumps({"components": [{"name": "pillow"}, {"name": "libXau"}]}),
                                       encoding="utf-8")
    # An app's shell: no text in its page, which trafilatura warned about on the log.
    (tmp_path / "app.html").write_text('<!doctype html><html><head><meta property="og:title" content="App">'
                                       '</head><body><div id="root"></div><script>start()</script></body></html>',
                                       encoding="utf-8")
    articles, stats = read(tmp_path)
    assert [a.title for a in articles] == ["Model card"]
    reasons = {os.path.basename(s.path): s.reason for s in stats.skipped}
    assert reasons["card.md"] == "front matter is not valid YAML (could not find expected ':', line 3); ignored"
    assert reasons["bom.json"].startswith("record has no text (") and reasons["bom.json"].endswith(": 2 records (line 1)")
    assert len(stats.skipped) == 3 and reasons["app.html"] == "no main text found in the HTML page"
    assert not [r for r in caplog.records if r.name.startswith("trafilatura")]


def test_the_quantiser_leaves_the_root_logger_as_it_was(capsys):
    import logging

    from qa.onnx_backend import quiet_root_logger

    root = logging.getLogger()
    before = (root.level, list(root.handlers))
    with quiet_root_logger():
        logging.warning("Please consider to run pre-processing before quantization.")  # as onnxruntime does
    logging.getLogger("trafilatura.core").warning("discarding data: None")  # a library's, later
    assert (root.level, root.handlers) == before
    assert capsys.readouterr().err == ""


def test_a_plain_texts_underlined_or_ruled_heading_titles_it_without_the_rule(tmp_path):
    (tmp_path / "LICENSE.txt").write_text(
        "Some code from pandas has been adapted.\n\n"
        "==========\nNOTICE\n==========\nThis product includes software.\n\n"
        "Setup\n-----\nRun the script. Then wait.\n", encoding="utf-8")
    articles, _ = read(tmp_path)
    assert [a.title for a in articles] == ["Some code from pandas has been adapted.", "NOTICE", "Setup"]
    assert articles[2].text == "Setup\n-----\nRun the script. Then wait."  # the text stays as written
    assert {a.markup for a in articles} == {None}  # blocks of plain text, no heading alone (qa.headed)


def test_mdx_and_xhtml_files_are_read_as_markdown_and_pages(tmp_path):
    from qa.types import markup_of

    (tmp_path / "install.mdx").write_text(
        "---\nsidebar_position: 2\n---\n"
        "import Tabs from '@theme/Tabs';\nimport {Highlight} from '../components';\n"
        "export const versions = {\n  stable: '3.1',\n};\n\n"
        "# Installing the crane software\n\n<Tabs groupId=\"os\">\nRun the installer as an administrator.\n</Tabs>\n\n"
        "```js\nimport crane from 'crane';\n```\n", encoding="utf-8")
    (tmp_path / "ferry.xhtml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Ferry</title>'
        "</head><body><article><h1>Ferry times</h1><p>The first ferry leaves at seven from pier four every day.</p>"
        "</article></body></html>\n", encoding="utf-8")
    articles, stats = read(tmp_path)
    by = {os.path.basename(a.path): a for a in articles}
    mdx = by["install.mdx"]
    assert mdx.title == "Installing the crane software" and mdx.line_start == 10 and not stats.skipped
    assert "Tabs from" not in mdx.text and "versions" not in mdx.text and "stable" not in mdx.text
    assert "Run the installer as an administrator." in mdx.text and "import crane from 'crane';" in mdx.text
    assert markup_of(mdx.source, mdx.markup) == "markdown"
    page = by["ferry.xhtml"]
    assert "The first ferry leaves at seven" in page.text and markup_of(page.source, page.markup) == "page"


def test_the_summary_names_a_reason_shared_by_many_skips_once():
    from qa.summaries import IndexSummary
    from qa.types import Skip

    numbers = "CSV has no text column (expected a text field: text, body) and no column of sentences"
    skipped = (Skip("data/a.csv", 1, numbers), Skip("notes/bad.md", None, "empty file"),
               Skip("data/b.csv", 1, numbers), Skip("data/c.csv", 1, numbers), Skip("x.json", 3, "record has no text"))
    lines = IndexSummary(read=1, embedded=1, kept=0, removed=0, duplicates=0, skipped=skipped, files=6,
                         ignored_files=0, passages=1).lines()
    at = lines.index("skipped 5:")
    assert lines[at + 1:at + 8] == [
        f"  {numbers} (3):", "    data/a.csv:1", "    data/b.csv:1", "    data/c.csv:1",
        "  notes/bad.md: empty file", "  x.json:3: record has no text", "index holds 1 passage"]


def test_a_carriage_return_alone_in_markdown_is_a_space_not_a_failure(tmp_path):
    # markdown-it ends a line at a lone CR; the file's line numbers do not: an HTML block after one
    # made the reader fail ("could not parse")
    (tmp_path / "stray.md").write_bytes(b"# Notes\n\nThe ferry leaves at seven.\r<p>Tugs wait.</p>\nMore.\n")
    stats = ReadStats()
    [article] = read_articles([str(tmp_path / "stray.md")], stats)
    assert stats.skipped == []
    assert [" ".join(line.split()) for line in article.text.split("\n")[2:]] == [
        "The ferry leaves at seven. Tugs wait.", "More."]  # the tags' places kept as spaces


def test_gzipped_dumps_are_read_as_they_stream_with_the_lines_of_their_text(tmp_path):
    import gzip

    records = [json.dumps({"id": f"n{i}", "title": f"Note {i}", "text": f"Harbour fact number {i}.",
                           "date": "13/02/2024" if i == 19_999 else "09/02/2024"}) for i in range(20_000)]
    (tmp_path / "dump.jsonl.gz").write_bytes(gzip.compress(("\n".join(records) + "\nnot json\n").encode()))
    (tmp_path / "notes.txt.gz").write_bytes(gzip.compress(b"Tugs push the tanker in.\n\nThe basin is dredged in March.\n"))
    (tmp_path / "rows.csv.gz").write_bytes(gzip.compress(b"title,body\nSilt,\"12,400 m3 removed\"\n"))
    box = (b"From - Mon Mar 04 09:00:00 2024\nSubject: Crane\nFrom: Ann Lee <ann@example.org>\n"
           b"Date: Mon, 04 Mar 2024 09:00:00 +0000\n\nThe new crane lifts forty tonnes.\n")
    (tmp_path / "mail.mbox.gz").write_bytes(gzip.compress(box))
    whole = (tmp_path / "dump.jsonl.gz").read_bytes()
    (tmp_path / "cut.jsonl.gz").write_bytes(whole[:40])  # a download that stopped at once
    (tmp_path / "half.jsonl.gz").write_bytes(whole[: len(whole) // 2])  # ... or halfway
    (tmp_path / "plain.txt.gz").write_text("not gzipped at all\n", encoding="utf-8")
    (tmp_path / "changelog.gz").write_bytes(gzip.compress(b"A Debian changelog.\n"))  # no kind read inside
    stats = ReadStats()
    articles = list(read_articles([str(tmp_path)], stats))
    by_source = {}
    for a in articles:
        by_source.setdefault(os.path.basename(a.source), []).append(a)
    assert len(by_source["dump.jsonl.gz"]) == 20_000
    first, last = by_source["dump.jsonl.gz"][0], by_source["dump.jsonl.gz"][-1]
    assert (last.article_id, last.line_start, last.date) == ("n19999", 20_000, "2024-02-13")
    assert first.date == "2024-02-09"  # day first, as the file's 13/02 (found reading it through gzip) says
    assert [(a.line_start, a.text) for a in by_source["notes.txt.gz"]] == [
        (1, "Tugs push the tanker in."), (3, "The basin is dredged in March.")]
    assert by_source["rows.csv.gz"][0].text == "12,400 m3 removed"
    assert by_source["mail.mbox.gz"][0].title == "Crane"
    why = {(os.path.basename(s.path), s.line): s.reason for s in stats.skipped}
    assert why == {("dump.jsonl.gz", 20_001): "malformed JSON (Expecting value)",
                   ("cut.jsonl.gz", None): "a damaged gzip file: Compressed file ended before the end-of-stream marker was reached",
                   ("plain.txt.gz", None): "a damaged gzip file: Not a gzipped file (b'no')",
                   ("half.jsonl.gz", None): "a damaged gzip file: Compressed file ended before the end-of-stream "
                                            "marker was reached; what came before the damage was read"}
    assert 1000 < len(by_source["half.jsonl.gz"]) < 20_000 and not stats.unread
    assert stats.ignored == {".gz": 1}


def test_gzipped_markdown_pages_and_json_are_read_as_their_kind(tmp_path):
    import gzip

    from qa.types import markup_of

    docs = tmp_path / "harbour-docs"
    docs.mkdir()
    (docs / "README.md.gz").write_bytes(gzip.compress(  # as Debian keeps a package's docs
        b"Tugs and pilots.\n\n## Dredging\n\nThe basin is dredged in **March**.\n"))
    (docs / "tides.rst.gz").write_bytes(gzip.compress(b"Tides\n=====\n\n.. note:: Pilots board at the buoy.\n"))
    (docs / "quay.html.gz").write_bytes(gzip.compress(
        b"<html><head><title>East quay</title></head><body><p>The east quay reopens in May.</p></body></html>"))
    (docs / "posts.json.gz").write_bytes(gzip.compress(b'[{"title": "Crane", "text": "The crane passed its test."}]'))
    stats = ReadStats()
    got = {os.path.basename(a.source): a for a in read_articles([str(docs)], stats)}
    assert stats.skipped == [] and set(got) == {"README.md.gz", "tides.rst.gz", "quay.html.gz", "posts.json.gz"}
    readme = got["README.md.gz"]
    assert readme.title == "harbour-docs"  # a README is titled by its folder, as README.md is
    assert markup_of(readme.source) == "markdown" and "The basin is dredged in **March**." in readme.text
    assert (got["tides.rst.gz"].text, markup_of("tides.rst.gz")) == ("# Tides\n\n\n**Note:** Pilots board at the buoy.",
                                                                    "markdown")  # rST, shown as Markdown
    assert (got["quay.html.gz"].title, markup_of("quay.html.gz")) == ("East quay", "page")
    assert got["quay.html.gz"].text == "The east quay reopens in May."
    assert (got["posts.json.gz"].title, got["posts.json.gz"].text) == ("Crane", "The crane passed its test.")


def test_an_uploaded_dump_keeps_both_parts_of_its_name():
    from qa.uploads import safe_name

    assert safe_name("news dump.jsonl.gz") == "news_dump.jsonl.gz"


def test_a_ghost_exports_posts_get_their_tags_and_authors_from_its_join_tables(tmp_path):
    # Written for this test, in the shape of Ghost's export (Settings › Labs › Export)
    posts = [{"id": "p1", "title": "Dredging", "html": "<p>The dredger comes.</p><h2>Cost</h2><p>2 million.</p>",
              "plaintext": "The dredger comes.\n\nCost\n\n2 million.", "published_at": "2024-03-01T09:00:00.000Z"},
             {"id": "p2", "title": "Old post", "html": "<p>From Ghost 1.</p>", "author_id": "2"},
             {"id": "p3", "title": "From the API", "html": "<p>Its own tags.</p>", "tags": [{"name": "Ferries"}],
              "authors": [{"name": "Cy Dunn"}]}]
    (tmp_path / "blog.ghost.json").write_text(json.dumps({"db": [{"meta": {"version": "5.80.0"}, "data": {
        "posts": posts,
        "tags": [{"id": "t1", "name": "Harbour"}, {"id": "t2", "name": "Works"}, {"id": "t3", "name": "Unused"}],
        "posts_tags": [{"post_id": "p1", "tag_id": "t2", "sort_order": 1}, {"post_id": "p1", "tag_id": "t1", "sort_order": 0},
                       {"post_id": "p3", "tag_id": "t3", "sort_order": 0}, {"post_id": "p9", "tag_id": "t1"}],
        "users": [{"id": "1", "name": "Ann Lee"}, {"id": "2", "name": "Bo Ek"}],
        "posts_authors": [{"post_id": "p1", "author_id": "1", "sort_order": 0}]}}]}), encoding="utf-8")
    articles, stats = read(tmp_path)
    by = {a.title: a for a in articles}
    assert not stats.skipped and sorted(by) == ["Dredging", "From the API", "Old post"]
    assert by["Dredging"].tags == ("Harbour", "Works") and by["Dredging"].author == "Ann Lee"
    assert by["Dredging"].text == "The dredger comes.\n## Cost\n2 million."  # its HTML: the heading kept
    assert by["Old post"].author == "Bo Ek" and by["Old post"].tags == ()
    assert by["From the API"].tags == ("Ferries",) and by["From the API"].author == "Cy Dunn"


def test_a_link_never_closed_over_many_code_spans_is_read_in_one_pass():
    # Each backtick read one way by the link pattern: with two ways, 18 code spans took 13 s
    # and each one more doubled it. In a subprocess, so that a regression fails, not hangs.
    import subprocess
    import sys

    code = ("from qa.mdpage import shown\ntext = '[' + ' '.join(['`a`'] * 60) + ' never closed\\n\\n[r]: u\\n'\n"
            "assert shown(text).startswith('[`a` `a`')\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
