"""Typed values passed between the stages and returned by the public API."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

# .rst, .org, .adoc read as the Markdown their page shows (qa.rst, qa.org, qa.asciidoc)
MARKDOWN = (".md", ".markdown", ".mdx", ".rst", ".org", ".adoc", ".asciidoc")
PAGES = (".html", ".htm", ".xhtml")
PDF = ".pdf"  # its pages are its lines (qa.pdf)
DOCX = ".docx"  # its paragraphs are its lines (qa.word)
ODT = ".odt"  # and so are these (qa.odt)
PPTX = ".pptx"  # a deck: its slides are its pages (qa.slides)
RTF = ".rtf"  # and these (qa.rtf)
MHTML = (".mhtml", ".mht")  # a page saved whole by a browser (qa.savedpage)
WEBARCHIVE = ".webarchive"  # and by Safari
NOTEBOOK = ".ipynb"  # Jupyter's: Markdown and code cells (qa.notebook)
NXML = ".nxml"  # a journal article in JATS XML, as PubMed Central names it (a JATS .xml too: qa.jats)
# Files read through gzip, as they stream: a dump's "articles.jsonl.gz" (qa.readers), and read
# as their kind is: Debian's /usr/share/doc/*/README.md.gz, a saved page's .html.gz, an export's .json.gz
GZIPPED = tuple(f"{kind}.gz" for kind in (".jsonl", ".json", ".csv", ".tsv", ".txt", ".mbox", ".xml", *MARKDOWN, *PAGES))
BZIPPED = (".xml.bz2",)  # and through bzip2: Wikipedia's dumps (qa.mediawiki)
# Archives unpacked and indexed as a folder (qa.archive, qa.unpacked)
ARCHIVES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
EPUB = ".epub"  # its chapters are its lines (qa.epub)
MAIL = (".eml", ".mbox")  # a message, a mailbox of them (qa.mail)
MSG = ".msg"  # a message Outlook saved (qa.outlook)
XLSX = (".xlsx", ".xlsm")  # Excel workbooks: a row an article, as a CSV's (qa.spreadsheet)
ODS = ".ods"  # and OpenDocument spreadsheets (qa.ods)
SHEET_ROWS = 2**20  # Excel's rows a sheet: a workbook's line is (its sheet's number - 1) * this + its row


def uncompressed(path: str) -> str:
    """``path`` without the ``.gz`` or ``.bz2`` of a kind read through them: what its name says it
    holds (``README.md.gz`` is a ``README.md``)."""
    return path[:path.rindex(".")] if path.lower().endswith(GZIPPED + BZIPPED) else path


def is_markdown(source: str) -> bool:
    return uncompressed(source).lower().endswith(MARKDOWN)


def is_page(source: str) -> bool:
    """An HTML page, whose extracted text has a paragraph (or list item, or table row) a line."""
    return uncompressed(source).lower().endswith(PAGES)


# How an article's text is written: "markdown" (a .md file), "page" (a paragraph, list item or
# table row a line, headings and code marked as Markdown's: an HTML page's extracted text, a
# record's HTML body) or "plain" (blank lines between paragraphs, as a .txt file).
MARKUPS = ("plain", "markdown", "page")


def markup_of(source: str, markup: str | None = None) -> str:
    """An article's markup: ``markup`` when the reader said, else by its source's extension."""
    if markup in MARKUPS:
        return markup
    return "markdown" if is_markdown(source) else "page" if is_page(source) else "plain"


def is_pdf(source: str) -> bool:
    return source.lower().endswith(PDF)


def lines_of(source: str, line_start: int, line_end: int | None = None) -> str:
    """``12-14``, ``12`` for one line; a PDF's pages (a deck's slides): ``p3-4``, ``p3``; a Word document's
    paragraphs: ``¶12-14``; an e-book's chapter: ``§7``; a workbook's row: ``14`` on its first
    sheet, ``sheet2:14`` on its second (no "!": a shell would read it as history)."""
    lower = source.lower()
    if lower.endswith((*XLSX, ODS)) and line_start > SHEET_ROWS:
        sheet, row = divmod(line_start - 1, SHEET_ROWS)
        return f"sheet{sheet + 1}:{row + 1}"  # a row is a record: its passages are all on it
    span = line_start if line_end in (None, line_start) else f"{line_start}-{line_end}"
    mark = "p" if lower.endswith((PDF, PPTX)) else "¶" if lower.endswith((DOCX, ODT, RTF)) else "§" if lower.endswith(EPUB) else ""
    return f"{mark}{span}"


def reference(source: str, line_start: int, line_end: int) -> str:
    """``path:line_start-line_end``, or ``path:line`` for one line; a PDF's pages: ``paper.pdf:p3-4``;
    a Word document's paragraphs: ``report.docx:¶12-14``."""
    return f"{source}:{lines_of(source, line_start, line_end)}"


@dataclass(frozen=True)
class Article:
    """One article as read from a source file.

    Attributes:
        article_id: stable id: the id given in the record, else a hash of (path, position).
        title: the given title, else the first sentence of the text.
        text: the article body. For line-mapped sources (txt, md) it is the file's text verbatim,
            so a character offset maps to a line by counting newlines.
        source: the path of the file, as given (or the URL when a record has only that).
        path: the file the article was read from.
        line_start: 1-based line of the file where ``text`` begins.
        lines_mapped: whether offsets in ``text`` map to lines of the file (False for records,
            whose passages all point at ``line_start``).
        line_anchors: ``(offset in text, line of the file)`` where the text is not the file's
            verbatim (an HTML page's extracted paragraphs); a passage takes the line of the
            anchor at or before its start. Empty: lines are counted in ``text``.
        markup: how ``text`` is written (:data:`MARKUPS`); None: as its source's extension says.
    """

    article_id: str
    title: str
    text: str
    source: str
    path: str
    line_start: int
    lines_mapped: bool = True
    url: str | None = None
    date: str | None = None
    author: str | None = None
    tags: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)
    line_anchors: tuple[tuple[int, int], ...] = ()
    markup: str | None = None


@dataclass(frozen=True)
class Skip:
    """An input that was not indexed, and why."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{lines_of(self.path, self.line)}" if self.line else self.path
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Passage:
    """A window of an article's sentences, the unit that is embedded and retrieved."""

    ordinal: int
    text: str
    char_start: int
    char_end: int
    line_offset_start: int  # lines after the article's first line
    line_offset_end: int
    sentences: tuple[tuple[int, int], ...]  # sentence spans, in article offsets


@dataclass(frozen=True)
class Highlight:
    """A sentence of a passage that answers the question; offsets are in the article."""

    text: str
    char_start: int
    char_end: int
    score: float = 0.0


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its reference."""

    rank: int
    score: float
    article_id: str
    passage_id: int
    title: str
    text: str
    source: str
    line_start: int
    line_end: int
    char_start: int
    char_end: int
    url: str | None
    date: str | None
    highlights: tuple[Highlight, ...]
    dense_rank: int | None
    lexical_rank: int | None
    # A Markdown passage that starts inside fenced code (its lines are code up to the fence's
    # closing line): the text alone cannot tell, and a card shows code as code.
    starts_in_code: bool = False
    # The headings a Markdown passage or a page's sits under, outermost first (not the article's
    # title): where in a long document it is; at its top highlight, where it has one (a passage
    # running from one section into the next may answer in the second). Empty for other formats.
    section: tuple[str, ...] = ()
    # A Markdown or page passage that opens inside a table, below its header: the header row
    # and its rule (``| Operator | Note |`` newline ``|---|---|``), which the card shows above
    # the passage's rows. None otherwise.
    table_header: str | None = None
    # The question's content words the passage (with its title) does not contain, as the
    # question spells them: a glance tells a hit that misses the point. Only with highlights.
    missing: tuple[str, ...] = ()
    # Nothing in the passage seems to answer: it lacks most of what the question is about and
    # no sentence is close in meaning (qa.highlight.weak). Scores are relative to the other hits,
    # this is not: a question the articles cannot answer gets weak hits. Only with highlights.
    weak: bool = False
    # How the text is written (qa.types.MARKUPS): "markdown", "page" (an HTML page's or a
    # record's HTML body's text: a block a line, headings and code marked as Markdown's), "plain".
    # Not given: as the source's extension says.
    markup: str | None = None
    # The references of passages in other articles that copy this one (the same text read from
    # another file: qa.copies), left out of the results. Empty without any.
    copies: tuple[str, ...] = ()
    # Who wrote the article, as its source says (a post's author, a message's sender, a
    # document's author property); None when it does not say.
    author: str | None = None
    # Where the passage has words the question quotes ("free ferry") side by side: (start, end)
    # of each place, in the article as a highlight's, cut at line ends; a card marks them. Empty
    # when the question quotes none, or the passage does not hold them (its title does, or no
    # passage did).
    quoted: tuple[tuple[int, int], ...] = ()
    # In the first hit's top highlight, the number, date or quantity answering a question that asks
    # for one ("How many...?", "When...?", "How long...?"): its (start, end) in the article; a card and qa ask show
    # it in bold. None for other hits and questions, or when the sentence gives none
    # (qa.answerspan).
    answer: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "markup", markup_of(self.source, self.markup))

    @property
    def reference(self) -> str:
        """``path:line_start-line_end``; for a PDF, whose lines are its pages, ``paper.pdf:p3-4``."""
        return reference(self.source, self.line_start, self.line_end)

    @property
    def link(self) -> str | None:
        """The article's URL opened at this hit: a ``#:~:text=`` fragment makes the browser
        scroll to the best highlight (the whole passage when none) and mark it. None when the
        article has no http(s) URL."""
        from .links import text_fragment_url

        return text_fragment_url(self.url, self.highlights[0].text if self.highlights else self.text,
                                 rendered=self.markup != "plain")

    def to_dict(self) -> dict[str, Any]:
        """The fields, plus ``reference`` and ``link`` as the properties give them."""
        return {**dataclasses.asdict(self), "reference": self.reference, "link": self.link}


@dataclass(frozen=True)
class Excerpt:
    """Text of an article beside a passage (:meth:`qa.Library.around`), offsets in the article;
    its lines are those of the passages it is cut from."""

    text: str
    char_start: int
    char_end: int
    source: str
    line_start: int
    line_end: int
    markup: str = "plain"  # qa.types.MARKUPS
    starts_in_code: bool = False  # it opens inside a fenced code block (Markdown)

    @property
    def reference(self) -> str:
        return reference(self.source, self.line_start, self.line_end)


@dataclass(frozen=True)
class Around:
    """What comes before and after a passage in its article; None at the article's start or end."""

    before: Excerpt | None
    after: Excerpt | None


@dataclass(frozen=True)
class ArticleHit:
    """An article returned by :meth:`qa.Library.similar`."""

    rank: int
    score: float
    article_id: str
    title: str
    source: str
    line_start: int
    url: str | None
    date: str | None
    # The words it shares with the article (or text) it is like, the most telling first
    # (:mod:`qa.common`): why it was found, at a glance.
    in_common: tuple[str, ...] = ()

    @property
    def reference(self) -> str:
        return f"{self.source}:{lines_of(self.source, self.line_start)}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
