"""Hostile input: readers and ask never crash, whatever the bytes or the question."""

from __future__ import annotations

import json
import os
import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import qa
from qa.readers import EXTENSIONS, ReadStats, read_articles

FUZZ = settings(max_examples=int(os.environ.get("QA_FUZZ_EXAMPLES", "40")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

text_blobs = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=2000).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.lists(st.dictionaries(st.sampled_from(["id", "_id", "title", "text", "Body", "url", "date", "tags", "x"]),
                             st.one_of(st.none(), st.integers(), st.text(max_size=50),
                                       st.lists(st.text(max_size=5), max_size=3)), max_size=6),
             max_size=5).map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()),
)


@FUZZ
@given(data=text_blobs, ext=st.sampled_from(EXTENSIONS))
def test_readers_never_raise(tmp_path, data, ext):
    f = tmp_path / f"fuzz{ext}"
    f.write_bytes(data)
    stats = ReadStats()
    for article in read_articles([str(f)], stats):
        assert article.text.strip() and article.line_start >= 1 and isinstance(article.title, str)
    for skip in stats.skipped:
        assert skip.path.endswith(ext) and skip.reason


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    from conftest import SAMPLES
    from fakes import FakeEmbedder

    return qa.Library.build([str(SAMPLES)], str(tmp_path_factory.mktemp("fz") / "idx"),
                            embedder=FakeEmbedder(), progress=False)


@FUZZ
@given(question=st.text(max_size=300), mode=st.sampled_from(["hybrid", "dense", "lexical"]))
def test_ask_returns_hits_or_a_clear_error(lib, question, mode):
    try:
        hits = lib.ask(question, k=3, mode=mode)
    except qa.InputError:
        return
    assert len(hits) <= 3 and all(isinstance(h, qa.Hit) for h in hits)


@pytest.mark.parametrize("question", ['"', "AND", "NEAR(a b)", "* OR *", "col:text", "x" * 100_000, "\u202e\u0000"])
def test_fts_syntax_in_questions_is_just_text(lib, question):
    try:
        hits = lib.ask(question, mode="lexical")
    except qa.InputError as exc:
        # only a question with no printable text, or no word ('"'), is refused
        assert "is empty" in str(exc) or ("has no words" in str(exc) and not any(c.isalnum() for c in question))
        return
    assert isinstance(hits, list) and all(isinstance(h, qa.Hit) for h in hits)


@FUZZ
@given(depth=st.integers(1, 400), tag=st.sampled_from(["div", "p", "table", "span", "ul", "b"]),
       words=st.text(min_size=0, max_size=200))
def test_deeply_nested_html_is_read_or_skipped(tmp_path, depth, tag, words):
    page = f"<html><body>{f'<{tag}>' * depth}{words} The main story is here.{f'</{tag}>' * depth}</body></html>"
    f = tmp_path / "nested.html"
    f.write_text(page, encoding="utf-8", errors="surrogatepass")
    stats = ReadStats()
    articles = list(read_articles([str(f)], stats))
    assert len(articles) + len(stats.skipped) >= 1


@FUZZ
@given(question=st.one_of(
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Zs", "So"]), max_size=200),
    st.text(alphabet=st.characters(min_codepoint=0x0400, max_codepoint=0x30FF), max_size=200),
    st.from_regex(r"[\U0001F300-\U0001FAFF ]{0,50}", fullmatch=True),
))
def test_ask_with_control_characters_other_scripts_and_emoji(lib, question):
    try:
        hits = lib.ask(question, k=3)
    except qa.InputError:
        return
    assert len(hits) <= 3


def test_good_records_survive_bad_ones_in_every_streamed_format(tmp_path):
    (tmp_path / "a.jsonl").write_bytes(b'{"id": "j1", "text": "First good record."}\n{broken\n'
                                       b'{"id": "j2", "text": "bad \x81 bytes"}\n{"id": "j3", "text": "Last good record."}\n')
    (tmp_path / "b.csv").write_bytes(b'id,text\nc1,First good row.\nc2,"bad \x9d bytes"\nc3,Last good row.\n')
    (tmp_path / "c.txt").write_bytes(b"Good block one.\n\nBad \x8f block.\n\nGood block three.\n")
    stats = ReadStats()
    texts = sorted(a.text for a in read_articles([str(tmp_path)], stats))
    assert texts == ["First good record.", "First good row.", "Good block one.", "Good block three.",
                     "Last good record.", "Last good row."]
    assert {(os.path.basename(s.path), s.line) for s in stats.skipped} >= {("a.jsonl", 2), ("a.jsonl", 3), ("b.csv", 3), ("c.txt", 3)}


def test_large_files_stream_with_bounded_memory(tmp_path):
    import tracemalloc

    block = ("A paragraph about harbour cranes and the night shift at the port. " * 6 + "\n\n").encode()
    f = tmp_path / "big.txt"
    with open(f, "wb") as fh:
        for _ in range(80_000):  # ~33 MB
            fh.write(block)
    j = tmp_path / "big.jsonl"
    with open(j, "wb") as fh:
        for i in range(80_000):
            fh.write(json.dumps({"id": i, "text": block.decode().strip()}).encode() + b"\n")
    for path in (f, j):
        stats = ReadStats()
        tracemalloc.start()
        count = sum(1 for _ in read_articles([str(path)], stats))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert count == 80_000 and not stats.skipped
        assert peak < 4 * 2**20, f"reading {path.name} ({path.stat().st_size >> 20} MB) peaked at {peak >> 20} MB"


def test_a_line_longer_than_an_article_may_be_is_skipped_alone(tmp_path, monkeypatch):
    import qa.readers
    import qa.textlines

    for module in (qa.readers, qa.textlines):  # a block's limit, a line's
        monkeypatch.setattr(module, "MAX_ARTICLE_BYTES", 1000)
    f = tmp_path / "long.jsonl"
    f.write_text('{"text": "short one"}\n{"text": "' + "x" * 5000 + '"}\n{"text": "short two"}\n')
    g = tmp_path / "long.txt"
    g.write_text("Short block.\n\n" + ("word " * 400 + "\n") * 3 + "\nAnother short block.\n")
    stats = ReadStats()
    texts = [a.text for a in read_articles([str(f), str(g)], stats)]
    assert texts == ["short one", "short two", "Short block.", "Another short block."]
    skipped = [(os.path.basename(s.path), s.line) for s in stats.skipped]
    assert skipped[0] == ("long.jsonl", 2) and ("long.txt", 3) in skipped


markdownish = st.lists(st.sampled_from(
    ["# ", "## ", "```", "~~~", "`", "**", "*", "_", "[", "]", "(", ")", "![", "](http://x.org/a.b)", "<", ">",
     "&amp;", "\\", "\n", "\n\n", "- ", "1. ", "| ", " |", "---", "<!-- ", " -->", "word", "two words. ", "\U0001d000", "\U0001d003", "\ue000"]),
    max_size=60).map("".join)


@FUZZ
@given(text=markdownish, cuts=st.lists(st.integers(0, 400), max_size=6), source=st.sampled_from(["n.md", "n.txt", "n.html"]),
       in_code=st.booleans())
def test_cards_keep_their_marks_balanced_whatever_the_markup(text, cuts, source, in_code):
    from qa.render import marked_passage

    text = text.strip() or "x"
    bounds = sorted({min(c, len(text)) for c in cuts})
    spans = [(a, b) for a, b in zip(bounds[::2], bounds[1::2], strict=False) if a < b]
    lights = tuple(qa.Highlight(text[a:b], a, b) for a, b in spans)
    hit = qa.Hit(rank=1, score=1.0, article_id="a", passage_id=1, title="T", text=text, source=source,
                 line_start=1, line_end=1, char_start=0, char_end=len(text), url=None, date=None,
                 highlights=lights, dense_rank=1, lexical_rank=1, starts_in_code=in_code)
    out = marked_passage(hit)
    assert out.count("<mark") == out.count("</mark>")  # a mark over lines is one per line
    assert "<script" not in out
    if source.endswith(".md"):  # placeholders of its marks are all gone, and the text's own too
        assert not any(chr(c) in out for c in range(0x1D000, 0x1D00A))


_CHROME = {"none": "{}", "node": "{}<span><a class='mark' href='#h'>#</a></span>",
           "sphinx": "{} <a class='headerlink' href='#h'>¶</a>", "rustdoc": "<a class='anchor' href='#h'>§</a>{}",
           "src": "{}<a class='srclink' href='https://example.org/x.js'>[src]</a>"}
_CODE_LINES = st.sampled_from(["```", "# a comment", "---", "  indented()", "~~~", "x = 1  # set"])


@st.composite
def doc_pages(draw):
    """A documentation page of unique lines: paragraphs, headings with a generator's permalink
    or source link, and <pre> blocks whose lines read like Markdown structure."""
    blocks = []
    for n, kind in enumerate(draw(st.lists(st.sampled_from(["p", "h", "pre", "li"]), min_size=3, max_size=12)), 1):
        if kind == "p":
            blocks.append(("p", [f"Paragraph number {n} explains the harbour wall in some detail."]))
        elif kind == "h":
            blocks.append(("h", [f"Section heading {n}", draw(st.sampled_from(sorted(_CHROME)))]))
        elif kind == "li":
            blocks.append(("li", [f"List item number {n} about the tides."]))
        else:
            extra = draw(st.lists(_CODE_LINES, max_size=3))
            blocks.append(("pre", [f"call_{n}_{k}(values)" for k in range(draw(st.integers(1, 3)))] + extra))
    return blocks


@FUZZ
@given(blocks=doc_pages())
def test_a_documentation_pages_headings_code_and_lines_against_an_oracle(tmp_path, blocks):
    """Every heading loses its chrome, every <pre> is fenced whole, and every line of the
    article's text takes the source line its words are on."""
    from qa import markdown
    from qa.pagelines import line_at

    # Enough text that trafilatura finds the main text's structure (on a tiny page its fallback
    # writes everything as one paragraph).
    intro = [f"<p>Opening paragraph {i}: the harbour guide covers moorings, tides, fees and the"
             " rules for visiting boats, with examples for each of them.</p>" for i in range(4)]
    source = ["<html><head><meta charset='utf-8'><title>Harbour guide</title></head><body><main>", *intro]
    want: dict[str, int] = {}
    for kind, lines in blocks:
        at = sum(part.count("\n") + 1 for part in source) + 1  # the line this block starts on
        if kind == "p":
            source.append(f"<p>{lines[0]}</p>")
        elif kind == "li":
            source.append(f"<ul><li>{lines[0]}</li></ul>")
        elif kind == "h":
            source.append(f"<h2 id='h'>{_CHROME[lines[1]].format(lines[0])}</h2>")
        else:
            source.append("<pre><code>" + "\n".join(lines) + "</code></pre>")
            want.update({line: at + k for k, line in enumerate(lines) if line.startswith("call_")})
            continue
        want[lines[0]] = at
    source.append("</main></body></html>")
    page = tmp_path / "guide.html"
    page.write_text("\n".join(source), encoding="utf-8")
    [a] = read_articles([str(page)], ReadStats())
    lines = a.text.split("\n")
    kinds = markdown.line_kinds(lines)
    assert kinds.count(markdown.FENCE) % 2 == 0 and (not kinds or kinds[-1] != markdown.CODE)
    for kind, block in blocks:
        mine = [line for line in lines if re.fullmatch(rf"(#+ )?\W?{re.escape(block[0])}(?!\d).*", line)]
        if kind == "h" and mine:  # its line (trafilatura may leave out a last heading), without chrome
            assert mine == [f"## {block[0]}"] and not any(c in a.text for c in "¶§") and "[src]" not in a.text
        if kind == "pre":  # fenced whole: its lines are code, in order
            i = lines.index(block[0])
            assert kinds[i - 1] == markdown.FENCE and lines[i : i + len(block)] == block
            assert all(k == markdown.CODE for k in kinds[i : i + len(block)])
    offsets = dict.fromkeys(lines)
    at = 0
    for line in lines:
        offsets[line] = offsets[line] if offsets[line] is not None else at
        at += len(line) + 1
    for words, line in want.items():
        shown = next((t for t in (words, f"## {words}", f"- {words}") if t in offsets), None)
        assert shown is not None or words.startswith("Section"), (words, a.text)
        if shown is not None:
            assert line_at(a.line_anchors, offsets[shown], 0) == line, (words, a.text)


markdownish = st.lists(st.sampled_from(
    ["<p align='center'>", "</p>", "<img src=x alt='a'>", "<br>", "<kbd>", "</kbd>", "<h2>", "</h2>", "<script>",
     "</script>", "<!--", "-->", "> ", ">> ", "[!NOTE]", "```", "    ", "`", "\\", "<", ">", "Option<T>", "\n", "\n\n",
     "- ", "| a |", "# ", "word", " ", "<a href=\"\n#x\">", "</a>", "&amp;", "[^1]", "[^n]: ", ":", "![[a.png]]", "![[b.jpg|300]]", "![[c|d]]",
     "[t](https://x)", "![a](b.png)", "](", "[", "]", "(", ")", " \"t\"", "[t][]", "[t][r]", "[r]", "![i][r]",
     "\n[r]: https://x\n", "\n[T]: u\n", "][", "*"]),
    max_size=60).map("".join)


@FUZZ
@given(text=st.one_of(markdownish, st.text(max_size=300)))
def test_a_pages_view_of_markdown_keeps_every_line_and_never_raises(text):
    from qa.mdpage import shown

    out = shown(text)
    assert out.count("\n") == text.count("\n")
    assert shown(out).count("\n") == out.count("\n")


htmlish = st.lists(st.sampled_from(
    ["<p>", "</p>", "<pre>", "</pre>", "<code>", "</code>", "<h2>", "</h2>", "<ul>", "<li>", "</li>", "</ul>",
     "<ol>", "</ol>", "<table>", "<tr>", "<th>", "<td>", "</td>", "</tr>", "</table>", "<br>", "<b>", "</b>",
     "word", " ", "\n", "    ", "# ", "```", "|", "\ue020", "\ue021", "0"]), max_size=60).map("".join)


@FUZZ
@given(markup=htmlish)
def test_a_records_html_reads_as_a_page_without_our_marks_and_never_raises(markup):
    from qa.records import html_as_page

    out = html_as_page(markup)
    assert "\ue020" not in out and "\ue021" not in out


@FUZZ
@given(items=st.lists(st.tuples(st.text(max_size=40), st.text(max_size=200), st.booleans()), min_size=1, max_size=4),
       kind=st.sampled_from(["rss", "atom", "enex", "clippings"]))
@example(items=[("", "\x85", False)], kind="rss")  # found by a run: "…" in a feed, blank to strip()
@example(items=[("", "\x85", True)], kind="enex")
def test_feeds_exports_and_clippings_of_any_text_are_read_or_skipped_with_lines_in_the_file(tmp_path, items, kind):
    """Whatever the titles and texts (markup, "]]>", control characters, entities), a feed, an
    Evernote export or a Kindle clippings file gives articles whose references are lines of the
    file, or reports why not; never raises."""
    import html as html_lib

    def cdata(text: str) -> str:
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"

    def body(text: str, as_cdata: bool) -> str:
        markup = "<p>" + html_lib.escape(text) + "</p>"
        return cdata(markup) if as_cdata else html_lib.escape(markup)

    if kind == "rss":
        name, doc = "f.xml", ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>T</title>\n' + "".join(
            f"<item>\n<title>{html_lib.escape(t)}</title>\n<description>{body(x, c)}</description>\n</item>\n"
            for t, x, c in items) + "</channel></rss>\n")
    elif kind == "atom":
        name, doc = "f.atom", ('<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>\n'
                               + "".join(f'<entry>\n<title>{html_lib.escape(t)}</title>\n<content type="html">'
                                         f"{body(x, c)}</content>\n</entry>\n" for t, x, c in items) + "</feed>\n")
    elif kind == "enex":
        name, doc = "f.enex", ('<?xml version="1.0"?>\n<en-export>\n' + "".join(
            f"<note><title>{html_lib.escape(t)}</title>\n<content>\n"
            f"{cdata('<en-note><div>' + html_lib.escape(x) + '</div></en-note>')}\n</content></note>\n"
            for t, x, _ in items) + "</en-export>\n")
    else:
        name, doc = "My Clippings.txt", "".join(
            f"{t.splitlines()[0] if t.strip() else 'Book'} (Author)\n- Your Highlight on page 1 | Location 1-2 | "
            f"Added on Monday, 3 March 2024 10:00:00\n\n{x}\n==========\n" for t, x, _ in items)
    f = tmp_path / name
    f.write_bytes(doc.encode("utf-8", "surrogatepass"))
    lines = doc.count("\n") + 1
    stats = ReadStats()
    articles = list(read_articles([str(f)], stats))
    for article in articles:
        assert article.text.strip() and isinstance(article.title, str)
        assert 1 <= article.line_start <= lines
        assert all(1 <= line <= lines for _, line in article.line_anchors)
    for skip in stats.skipped:
        assert skip.path.endswith(name) and skip.reason
    unreadable = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # not XML
    if kind != "clippings" and not any(unreadable.search(t + x) for t, x, _ in items):
        # U+0085 is whitespace to Python's strip(), but feedparser reads C1 controls as
        # Windows-1252's: in a feed it is "…", and an item of it alone is an article.
        shown = (lambda x: x.replace("\x85", "…")) if kind in ("rss", "atom") else (lambda x: x)  # noqa: E731
        assert len(articles) == sum(bool(shown(x).strip()) for _, x, _ in items)
