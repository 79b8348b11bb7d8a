"""HTML for result cards. Every piece of article text goes through ``html.escape``."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from . import markdown
from .cardtitle import continues_title, is_whole_text, title_heading_end
from .chunker import block_starts
from .links import safe_url
from .notices import message, weak_notice
from .types import Around, ArticleHit, Hit, lines_of


def _reference(source: str, lines: str, url: str | None, date: str | None, href: str | None = None,
               file: str | None = None, author: str | None = None) -> str:
    """``href``: where the URL's link goes, when not to ``url`` itself (a text fragment);
    ``file``: where the reference opens the file (a PDF at its page), if it does."""
    parts = [f'<code class="qa-ref">{html.escape(source)}:{lines}</code>']
    if file:
        parts[0] = (f'<a class="qa-file" href="{html.escape(file, quote=True)}" target="_blank" rel="noopener" '
                    f'title="Opens the file at this page">{parts[0]}</a>')
    link = safe_url(url)
    if link:
        target = html.escape(href or link, quote=True)
        tip = ' title="Opens the page at this passage, marked"' if href and href != link else ""
        parts.append(f'<a class="qa-url" href="{target}"{tip} target="_blank" rel="noopener noreferrer">'
                     f"{html.escape(link)}</a>")
    elif url:
        parts.append(f'<span class="qa-url">{html.escape(url)}</span>')
    if author:
        parts.append(f'<span class="qa-author">{html.escape(author)}</span>')
    if date:
        parts.append(f'<span class="qa-date">{html.escape(date)}</span>')
    return " · ".join(parts)


# Marks in Markdown until it is rendered: a placeholder character each; the last three close a
# mark at a line's end and open it again on the next (:func:`_marks_per_line`). They are symbols
# (Byzantine musical ones, which articles do not hold) because markdown-it's emphasis rules read
# a symbol as punctuation, as the space or full stop a highlight's edge usually sits at would
# be: a private-use character counted as a letter, and "*The Times.*" closing a highlight, or
# "*[the info]*" opening one, was shown with its stars.
_OPEN, _BEST, _CLOSE, _CLOSE_LINE, _OPEN_LINE, _BEST_LINE = (chr(c) for c in range(0x1D000, 0x1D006))
_OPENING = f"[{_OPEN}{_BEST}{_OPEN_LINE}{_BEST_LINE}]"
# A word the question quotes, within one line (a word is): marked inside a highlight or outside.
_WORD, _WORD_END = "\U0001d006", "\U0001d007"
_WORD_TAGS = ('<b class="qa-quoted">', "</b>")
_ANSWER, _ANSWER_TAGS = ("\U0001d008", "\U0001d009"), ('<b class="qa-answer">', "</b>")
_TAGS = {_OPEN: "<mark>", _BEST: '<mark class="qa-best">', _CLOSE: "</mark>", _CLOSE_LINE: "</mark>",
         _OPEN_LINE: "<mark>", _BEST_LINE: '<mark class="qa-best">', _WORD: _WORD_TAGS[0], _WORD_END: _WORD_TAGS[1],
         _ANSWER[0]: _ANSWER_TAGS[0], _ANSWER[1]: _ANSWER_TAGS[1]}
_NO_MARKS = str.maketrans(dict.fromkeys(_TAGS, "\ufffd"))
_PLACEHOLDER = re.compile(f"[{_OPEN}-{_BEST_LINE}]")  # a highlight's
_ANY_PLACEHOLDER = re.compile(f"[{_OPEN}-{_ANSWER[1]}]")
_REJOINED = re.compile(f"{_CLOSE_LINE}\n[{_OPEN_LINE}{_BEST_LINE}]")  # a mark split at a line that wrapping joins again
# A Markdown heading's "## " (after the placeholder that opens a highlight, if any).
_HEADING_MARK = re.compile(f"^({_OPENING}?[ \t]*)#{{1,6}}[ \t]+(?=\\S)")
_CLOSING_HASHES = re.compile(f"[ \t]+#+[ \t]*(?=[{_CLOSE}{_CLOSE_LINE}]?$)")  # "## Title ##"


def marked_passage(hit: Hit) -> str:
    """The passage, escaped, with its highlight sentences wrapped in ``<mark>`` and the words
    the question quotes in ``<b class="qa-quoted">``; a Markdown passage's first heading, or a
    page's first line, is left out when it only repeats the title."""
    # A passage cut from a long table is shown under its table's header.
    head = f"{hit.table_header}\n" if hit.table_header and hit.markup != "plain" else ""
    text = head + hit.text
    # highlights come best first; the best one is marked more strongly
    spans = sorted(
        (h.char_start - hit.char_start + len(head), h.char_end - hit.char_start + len(head), i == 0)
        for i, h in enumerate(hit.highlights)
    )
    start = title_heading_end(text, hit.title, hit.markup)
    first = start if all(a >= start for a, _, _ in spans) else 0  # a marked heading stays
    page = hit.markup == "page"  # its headings and code are marked as Markdown's (qa.htmlpage)
    md = hit.markup != "plain"
    # Markdown is rendered after marking, so marks go in as placeholder characters (any already
    # in the text become U+FFFD) and become tags after; other text is escaped and marked here.
    escape = (lambda t: t.translate(_NO_MARKS)) if md else html.escape  # noqa: E731
    opening = (_BEST, _OPEN) if md else ('<mark class="qa-best">', "<mark>")
    closing = _CLOSE if md else "</mark>"
    # the words the question quotes, and the number, date or quantity that answers it, in bold
    shift = hit.char_start - len(head)
    words = sorted([(a - shift, b - shift, (_WORD, _WORD_END) if md else _WORD_TAGS) for a, b in hit.quoted]
                   + [(x, y, _ANSWER if md else _ANSWER_TAGS) for a, b in filter(None, [hit.answer])
                      for x, y in _within_lines(text, a - shift, b - shift)])

    def shown(x: int, y: int) -> str:  # text[x:y] escaped, its quoted words and answer marked
        parts, at = [], x
        for a, b, tags in words:  # a place that runs over a highlight's edge is marked on both sides
            a, b = max(a, at), min(b, y)
            if a < b:
                parts += [escape(text[at:a]), tags[0], escape(text[a:b]), tags[1]]
                at = b
        return "".join(parts) + escape(text[at:y])

    out, pos = ["…"] if continues_title(text, hit.title, first) else [], first
    for a, b, best in spans:
        if a < pos or b > len(text):
            continue
        out += [shown(pos, a), opening[0] if best else opening[1], shown(a, b), closing]
        pos = b
    out.append(shown(pos, len(text)))
    if md:  # its structure from the source lines, then marked lines
        kinds = markdown.line_kinds(text.split("\n"), hit.starts_in_code)[text[:first].count("\n"):]
        lines = _marks_per_line("".join(out).split("\n"))
        return _markdown_blocks(lines, kinds, _escaped if page else _inline, _page_prose if page else _prose)
    marked = "".join(out)
    # Blank lines are paragraph breaks; a single newline is the source's line wrapping, except
    # before a list item or a table row (which keep their lines, and a table its table).
    return "<br><br>".join(_page_lines(_unwrapped(p.split("\n"))) for p in _PARAGRAPH.split(marked))


def _within_lines(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """``text[a:b]`` in pieces that each stay within a line ("eleven kilometres" wrapped after
    "eleven" in a hard-wrapped text), so a mark opened on a line is closed on it, as Markdown's
    lines need."""
    pieces, at = [], a
    for m in re.finditer(r"[ \t]*\n[ \t]*", text[a:b]):
        pieces.append((at, a + m.start()))
        at = a + m.end()
    return [(x, y) for x, y in [*pieces, (at, b)] if x < y]


# A table row as trafilatura and Markdown write it ("| a | b |"), marked whole, or in part.
_ROW = re.compile(r"(<mark[^>]*>)?(\|.*\|)\s*(</mark>)?\s*")
_MARK_TAG = re.compile(r"<mark[^>]*>|</mark>")
_HTML_TAG = re.compile(r"<[^>]*>")
_PARAGRAPH = re.compile(r"\n[ \t]*\n\s*")
_MARK_OPEN = re.compile(f"^([ \t]*)(?:<mark[^>]*>|{_OPENING})")  # (a nested item's indent kept)
# A list item's indent and marker: a bullet shown as •, a nested item indented by its depth
_ITEM = re.compile(f"^([ \t]*)({_OPENING}?)([ \t]*)([-*+]|\\d{{1,9}}[.)])[ \t]+")
_CODE_SPAN = re.compile(r"(<code>.*?</code>)", re.S)
_REFERENCE_LINK = re.compile(r"\[([^\[\]]*)\]\[[^\[\]]*\]")  # [text][label]: its definition is elsewhere


def _item(line: str) -> str:
    """A list item as a card shows it: ``  - b`` as ``\u2003• b`` (an em space a level)."""
    m = _ITEM.match(line)
    if m is None:
        return line
    depth = min(len((m[1] + m[3]).expandtabs(4)) // 2, 4)
    return "\u2003" * depth + m[2] + ("• " if m[4] in "-*+" else m[4] + " ") + line[m.end():]


def _tags(text: str) -> str:
    return _ANY_PLACEHOLDER.sub(lambda m: _TAGS[m.group(0)], text)


@lru_cache(maxsize=1)
def _inline_renderer():
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False})  # raw HTML in an article is shown, escaped
    # A card links to the article, not from it: a link shows its text, an image its alt text
    # (an image would load from outside the machine).
    md.add_render_rule("link_open", lambda *_: "")
    md.add_render_rule("link_close", lambda *_: "")
    md.add_render_rule("image", lambda self, tokens, idx, options, env: html.escape(tokens[idx].content))
    return md


def _inline(text: str) -> str:
    """A block's inline Markdown (code spans, emphasis, link texts, escapes) as HTML, marked;
    as plain text where rendering would lose a mark (one inside a link's address)."""
    rendered = _REFERENCE_LINK.sub(r"\1", _inline_renderer().renderInline(text))
    # Wiki links outside code spans (in code, "[[" is code)
    rendered = "".join(part if i % 2 else markdown.wikilinks_as_text(part)
                       for i, part in enumerate(_CODE_SPAN.split(rendered)))
    if any(rendered.count(p) != text.count(p) for p in _TAGS):
        rendered = html.escape(text)
    return _tags(rendered)


def _marks_per_line(lines: list[str]) -> list[str]:
    """Lines whose marks open and close within each: a mark over several lines (a wrapped
    sentence, or one that crossed into code in an index split before code was its own)
    is closed at each line's end and opened again on the next, so that no line dropped (a
    fence) or shown apart (code, a heading) leaves a mark open."""
    out, opened = [], ""
    again = {_OPEN: _OPEN_LINE, _BEST: _BEST_LINE, _OPEN_LINE: _OPEN_LINE, _BEST_LINE: _BEST_LINE}
    for line in lines:
        line = again[opened] + line if opened else line
        for ch in _PLACEHOLDER.findall(line):
            opened = "" if ch in (_CLOSE, _CLOSE_LINE) else ch
        out.append(line + (_CLOSE_LINE if opened else ""))
    return out


def _unwrapped(lines: list[str]) -> list[str]:
    """A paragraph's lines joined where they are wrapping, kept where a list item or table row
    starts (:func:`qa.chunker.block_starts`, which the sentences follow too)."""
    out: list[str] = []
    for line, starts in zip(lines, block_starts([_MARK_OPEN.sub(r"\1", line) for line in lines]), strict=True):
        if starts:
            out.append(line)
        else:
            out[-1] += "\n" + line  # shown as a space
    return out


def _prose(lines: list[str]) -> str:
    """Markdown prose: paragraphs, their wrapping joined, inline Markdown rendered."""
    paragraphs = [p.strip("\n") for p in _PARAGRAPH.split("\n".join(lines)) if p.strip()]
    shown = (_page_lines([_inline(_item(_REJOINED.sub("\n", b))) for b in _unwrapped(p.split("\n"))])
             for p in paragraphs)
    return "<br><br>".join(s for s in shown if _HTML_TAG.sub("", s).strip())  # (an image alone shows none)


def _escaped(text: str) -> str:
    return _tags(html.escape(text))


def _page_prose(lines: list[str]) -> str:
    """A page's prose: a line a paragraph, a list item (with a bullet, as Markdown's) or a table
    row, its text not Markdown."""
    return _page_lines([_escaped(_item(line)) for line in lines if line.strip()])


def _markdown_blocks(lines: list[str], kinds: list[str], inline=_inline, prose_html=_prose) -> str:
    """Marked Markdown lines as a card shows them: headings bold without their marks, fenced
    code in a ``<pre>`` without its fences, other text as in any text file. ``inline`` and
    ``prose_html``: how a heading's text and a run of other lines are shown (a page's are not
    Markdown)."""
    parts: list[str] = []
    prose: list[str] = []
    code: list[str] = []

    def flush() -> None:
        if prose:
            shown = prose_html(prose)
            if shown:
                parts.append(shown)
            prose.clear()
        if code:
            while code and not code[-1].strip():
                code.pop()
            parts.append('<pre class="qa-code">' + _tags(html.escape("\n".join(code))) + "</pre>")
            code.clear()

    for line, kind in zip(lines, kinds, strict=False):
        if kind == markdown.CODE:
            if prose:
                flush()
            code.append(line)
        elif kind in (markdown.UNDERLINE, markdown.FENCE):
            flush()
        elif kind == markdown.HEADING:
            flush()
            shown, atx = _HEADING_MARK.subn(r"\1", line)
            shown = _CLOSING_HASHES.sub("", shown) if atx else shown  # a setext heading keeps "##"
            parts.append(f'<div class="qa-heading">{inline(shown.strip())}</div>')
        else:
            if code:
                flush()
            prose.append(line)
    flush()
    return "".join(parts)


def _page_lines(lines: list[str]) -> str:
    """Marked lines as a card shows them: a line a paragraph, a run of table rows a table."""
    parts: list[tuple[bool, str]] = []  # (is a block, html)
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _ROW.fullmatch(lines[j]):
            j += 1
        table = _table(lines[i:j]) if j - i >= 2 else None
        parts.append((True, table) if table else (False, lines[i]))
        i = j if table else i + 1
    out = [html_ for _, html_ in parts[:1]]
    for (was_table, _), (is_table, html_) in zip(parts, parts[1:], strict=False):
        out.append(html_ if was_table or is_table else "<br>" + html_)  # a table is a block
    return "".join(out)


def _table(rows: list[str]) -> str:
    """Table rows as an HTML table, a highlight marked in each cell it covers: one from a row's
    first cell into its second (a row holding two sentences; a sentence opens where its row
    does) is marked in both, rather than the rows around it shown as lines of bars."""
    body, header = [], []
    opened = ""  # the mark open where a cell starts
    for line in rows:
        m = _ROW.fullmatch(line)
        opened = m.group(1) or opened
        if markdown.TABLE_RULE.fullmatch(m.group(2)):
            header, body = body, []
            continue
        cells = []
        for cell in (c.strip() for c in m.group(2)[1:-1].split("|")):
            shown = opened + cell if opened and cell else cell
            for tag in _MARK_TAG.findall(cell):
                opened = "" if tag == "</mark>" else tag
            cells.append(shown + "</mark>" if opened and cell else shown)
        if m.group(3):
            opened = ""
        body.append(cells)
    tag = lambda cells, t: "".join(f"<{t}>{c}</{t}>" for c in cells)  # noqa: E731
    return ('<table class="qa-table">' + "".join(f"<tr>{tag(r, 'th')}</tr>" for r in header)
            + "".join(f"<tr>{tag(r, 'td')}</tr>" for r in body) + "</table>")


def hit_cards(hits: Sequence[Hit], mode: str, files: Mapping[str, str] | None = None,
              around: Mapping[int, Around] | None = None) -> str:
    """``files``: by article id, the address that serves its file (a PDF), opened at a hit's page;
    ``around``: by passage id, the text before and after it, shown folded above and below it."""
    notice = weak_notice(hits)
    cards = [message(notice, "warn")] if notice else []
    for h in hits:
        lines = lines_of(h.source, h.line_start, h.line_end)
        weak = ' · <span class="qa-weak">weak match</span>' if h.weak else ""
        detail = (f"score {h.score:.3f} ({html.escape(mode)}) · dense rank {h.dense_rank or '–'}"
                  f" · lexical rank {h.lexical_rank or '–'}{_missing(h.missing)}{weak}"
                  f" · article {html.escape(h.article_id)}{_copies(h.copies)}")
        ref = _reference(h.source, lines, h.url, h.date, h.link, _page(files, h), h.author)
        if is_whole_text(h):  # a one-sentence note or post is its own title: said once, marks and all
            head = f'<div class="qa-head qa-untitled"><span class="qa-rank">{h.rank}</span><span>{ref}</span></div>'
        else:
            head = (f'<div class="qa-head"><span class="qa-rank">{h.rank}</span><span class="qa-name">'
                    f'<span class="qa-title">{html.escape(h.title)}</span>{_section(h.section, h.markup)}</span></div>'
                    f'<div class="qa-refline">{ref}</div>')
        cards.append(
            f'<div class="qa-card">{head}'
            f'{_excerpt(h, around, "before")}<div class="qa-passage">{marked_passage(h)}</div>'
            f'{_excerpt(h, around, "after")}<div class="qa-detail"><span>{detail}</span>'
            f'<button class="qa-similar" data-article="{html.escape(h.article_id, quote=True)}">'
            "Similar articles</button></div></div>"
        )
    return '<div class="qa-results">' + "".join(cards) + "</div>"


def _excerpt(hit: Hit, around: Mapping[int, Around] | None, side: str) -> str:
    """The text before or after a hit's passage, folded: a click on its line opens it."""
    ex = getattr(around.get(hit.passage_id), side, None) if around else None
    if ex is None:
        return ""
    shown = dataclasses.replace(hit, text=ex.text, char_start=ex.char_start, char_end=ex.char_end,
                                highlights=(), table_header=None, starts_in_code=ex.starts_in_code)
    lines = lines_of(ex.source, ex.line_start, ex.line_end)
    return (f'<details class="qa-around qa-{side}"><summary>Text {side} it · <code>{html.escape(lines)}</code>'
            f'</summary><div class="qa-passage">{marked_passage(shown)}</div></details>')


def _copies(references: Sequence[str]) -> str:
    """The files that hold the same text, left out of the results (qa.copies)."""
    if not references:
        return ""
    return ' · <span class="qa-copies">also in ' + ", ".join(f"<code>{html.escape(r)}</code>"
                                                             for r in references) + "</span>"


def _missing(words: Sequence[str]) -> str:
    """The question's words a hit does not contain, struck through (as web search shows them)."""
    if not words:
        return ""
    return (' · <span class="qa-missing">missing: '
            + " ".join(f"<s>{html.escape(w)}</s>" for w in words) + "</span>")


def _section(headings: Sequence[str], markup: str) -> str:
    """The headings a passage sits under, after the title: "› Install › On Linux" (a page's
    headings are its text: "fs.read(fd[, options])" is no Markdown link)."""
    if not headings:
        return ""
    show = _inline if markup == "markdown" else html.escape
    return '<span class="qa-section">' + "".join(f"<span>› {show(h)}</span>" for h in headings) + "</span>"


def _page(files: Mapping[str, str] | None, hit: Hit | ArticleHit) -> str | None:
    address = (files or {}).get(hit.article_id)
    return f"{address}#page={hit.line_start}" if address else None


def article_cards(hits: Sequence[ArticleHit], heading: str, files: Mapping[str, str] | None = None) -> str:
    rows = [f'<div class="qa-sim-heading">{html.escape(heading)}</div>']
    for h in hits:
        rows.append(
            '<div class="qa-card qa-sim">'
            f'<div class="qa-head"><span class="qa-rank">{h.rank}</span>'
            f'<span class="qa-name"><span class="qa-title">{html.escape(h.title)}</span></span>'
            f'<span class="qa-score">similarity {h.score:.3f}</span></div>'
            f'<div class="qa-refline">{_reference(h.source, lines_of(h.source, h.line_start), h.url, h.date, file=_page(files, h))}'
            f' · article {html.escape(h.article_id)}</div>{_in_common(h.in_common)}</div>'
        )
    return '<div class="qa-results">' + "".join(rows) + "</div>"


def _in_common(words: Sequence[str]) -> str:
    if not words:
        return ""
    return ('<div class="qa-common">in common: '
            + ", ".join(f"<b>{html.escape(w)}</b>" for w in words) + "</div>")
