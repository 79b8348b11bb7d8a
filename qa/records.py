"""From a record's fields to an :class:`~qa.types.Article`: field names, ids, dates, titles.

Shared by every reader (a JSONL/JSON/CSV record, a Markdown file's front matter, an HTML
page's extracted metadata all arrive here as a dict of fields).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from . import slack
from .dates import normalise_date
from .types import Article, Skip

# Canonical field -> the names exports use for it, in order of preference (matched
# case-insensitively; the first one holding a value wins, the others stay metadata).
FIELDS = {
    "id": ("id", "_id", "doc_id", "uuid"),
    "title": ("title", "headline", "heading", "subject", "book_title"),
    "text": ("text", "body", "content", "text_content", "article", "full_text", "fulltext", "html",
             "plaintext", "abstract", "description", "summary", "highlight"),
    "url": ("url", "link", "permalink", "href"),
    "date": ("date", "published", "published_at", "publish_date", "publication_date", "pub_date",
             "pubdate", "date_published", "datetime", "created_at", "created", "timestamp",
             "creation_date", "created_time", "date_created", "created_timestamp_usec", "highlighted_at", "ts"),
    "author": ("author", "authors", "byline", "creator", "book_author"),
    "tags": ("tags", "keywords", "categories", "category", "labels"),
}
# A JSON object with one of these is an article even if it also holds a list of objects.
PRIMARY_TEXT = FIELDS["text"][:4]
TEXT_HINT = "expected a text field: " + ", ".join(FIELDS["text"]) + " (or Inhalt, texte, texto, testo, tekst...)"
# A spreadsheet made by hand names its columns in its writer's language (German, Dutch, the
# Nordic languages and Finnish, French, Spanish, Portuguese, Italian, Polish), after the English names.
# Not Italian and Portuguese "data" (date): in English it is any field's name.
_LOCAL = {
    "title": ("titel", "titre", "título", "titulo", "titolo", "tytuł", "überschrift", "otsikko"),
    "text": ("inhalt", "texte", "contenu", "texto", "contenido", "conteúdo", "conteudo", "testo", "contenuto",
             "tekst", "inhoud", "treść", "teksti", "sisältö", "innhold", "indhold", "innehåll"),
    "url": ("lien", "enlace"),
    "date": ("datum", "fecha", "dato", "päivämäärä", "veröffentlicht", "publié", "publicado", "pubblicato"),
    "author": ("autor", "auteur", "autore", "verfasser", "forfatter", "författare", "kirjoittaja"),
    "tags": ("schlagwörter", "schlagworte", "stichwörter", "stichworte", "étiquettes", "mots-clés", "mots clés",
             "etiquetas", "palabras clave", "etichette", "parole chiave", "trefwoorden", "kategorie", "kategorien",
             "catégorie", "categoría", "categoria", "tagit", "emneord", "nyckelord"),
}
FIELDS = {canon: names + _LOCAL.get(canon, ()) for canon, names in FIELDS.items()}
_TITLE_MAX = 140
_RULES = re.compile(r"^[ \t]*([=\-*_~#+])\1{2,}[ \t]*$", re.M)
# A record's text written as HTML, as CMS exports give it (WordPress, Ghost, RSS descriptions).
_MARKUP = re.compile(r"</(?:p|div|li|h[1-6]|span|a|b|i|strong|em|blockquote|td|figure|section)\s*>"
                     r"|<br\s*/?>", re.I)


def make_id(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def title_from_text(text: str) -> str:
    from .chunker import split_sentences

    # A plain text's heading underlined as Markdown's is ("Licence\n=======", a README.txt),
    # or ruled off: the rule is no part of what the text says first.
    head = _RULES.sub("", text[:1000])
    spans = split_sentences(head)
    first = head[spans[0][0] : spans[0][1]] if spans else head
    first = " ".join(first.split())
    if len(first) > _TITLE_MAX:
        first = first[:_TITLE_MAX].rsplit(" ", 1)[0] + "…"
    return first


def _loose(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


_LOOSE: dict[str, list[str]] = {}
for _names in FIELDS.values():
    for _name in _names:
        _LOOSE.setdefault(_loose(_name), []).append(_name)


def mapped(record: dict[str, Any]) -> dict[str, Any]:
    """Record fields under their canonical names (case-insensitive); the rest as metadata.

    ``keys`` maps each canonical name found to the record's own key for it.
    """
    lower: dict[str, Any] = {}
    for k in record:
        lower.setdefault(str(k).lower(), k)
    for k in record:  # publishedAt, Published-At: published_at when no key is named that
        for name in _LOOSE.get(_loose(str(k)), ()):
            lower.setdefault(name, k)
    out: dict[str, Any] = {}
    keys: dict[str, Any] = {}
    for canon, names in FIELDS.items():
        present = [lower[name] for name in names if name in lower]
        # A flag (Jekyll's `published: true`) is no value for any of these fields.
        filled = [k for k in present if record[k] not in (None, "", [], {}) and not isinstance(record[k], bool)]
        if present:
            keys[canon] = (filled or present)[0]
            out[canon] = record[keys[canon]]
    used = set(keys.values())
    out["metadata"] = {k: v for k, v in record.items() if k not in used}
    out["keys"] = keys
    return out


def article_list(obj: dict, depth: int = 4) -> tuple[tuple, list] | None:
    """The list of records an export wraps in objects: ``{"items": [...]}``, an API's
    ``{"data": {"articles": [...]}}``, Ghost's ``{"db": [{"data": {"posts": [...]}}]}``.

    The first list of objects, breadth first, where one of the first objects has a text field
    (else the first list of objects at the top, whose records then say what they lack), with
    the keys and indexes that lead to it.
    """
    level: list[tuple[tuple, Any]] = [((), obj)]
    first = None
    for _ in range(depth):
        deeper = []
        for path, node in level:
            for key, value in node.items() if isinstance(node, dict) else enumerate(node):
                if isinstance(value, list) and value and all(isinstance(r, dict) for r in value):
                    if any(mapped(unwrapped(r)).get("text") for r in value[:20]):
                        return (*path, key), value
                    if first is None and not path:
                        first = (key,), value
                if isinstance(value, dict | list):
                    deeper.append(((*path, key), value))
        level = deeper
    return first


def _joined(value: Any) -> str | None:
    if value in (None, "", [], ()):
        return None
    if isinstance(value, list | tuple):
        return ", ".join(str(v.get("name", v)) if isinstance(v, dict) else str(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("name", value))
    return str(value)


def tag_names(value: Any) -> tuple[str, ...]:
    """Tags as names, each once (as first spelt; the tag filter ignores case): "a, b" split;
    objects by their name (Ghost's ``{"name": "News"}``); bare numbers dropped, as they are term
    ids (WordPress's ``"tags": [4, 7]``), not words to filter by."""
    if isinstance(value, str):
        value = re.split(r"[,;]", value)
    items = value if isinstance(value, list | tuple) else [value]
    names: dict[str, str] = {}
    for item in items:
        if isinstance(item, dict):
            item = next((item[k] for k in ("name", "title", "label", "slug") if item.get(k)), None)
        if item is None or isinstance(item, bool | int | float):
            continue
        name = " ".join(str(item).split())
        if name:
            names.setdefault(name.lower(), name)
    return tuple(names.values())


def article_from(rec, given, absolute, position, text, title, line, lines_mapped, dates=None,
                 markup: str | None = None) -> Article:
    tags = tag_names(rec.get("tags") or ())
    given_id = rec.get("id")
    url = rec.get("url") or None
    return Article(
        article_id=str(given_id) if given_id not in (None, "") else make_id(absolute, position),
        title=" ".join(str(title).split()) if title else title_from_text(text),
        text=text,
        source=given,  # the file: a reference the reader can open (a record's own
        # "source" field stays in metadata)
        path=absolute,
        line_start=line,
        lines_mapped=lines_mapped,
        url=str(url) if url else None,
        date=(dates.normalise if dates else normalise_date)(rec.get("date")),
        author=_joined(rec.get("author")),
        tags=tags,
        metadata=rec.get("metadata", {}),
        markup=markup,
    )


def record_article(given, absolute, position, line, record, stats, dates=None) -> Article | None:
    """``dates``: the :class:`qa.dates.FileDates` of the record's file."""
    if not isinstance(record, dict):
        stats.skipped.append(Skip(given, line, "record is not a JSON object"))
        return None
    if record.get("isTrashed") is True:  # Google Keep's Takeout holds the trash too
        stats.skipped.append(Skip(given, line, "a note in the trash (isTrashed)"))
        return None
    record = unwrapped(record)
    if slack.is_message(record):
        if (why := slack.notice(record)) is not None:
            stats.skipped.append(Skip(given, line, why))
            return None
        record = slack.readable(record, absolute)
    rec = mapped(record)
    text, title = (_rendered(rec.get(k)) for k in ("text", "title"))
    if text is None:
        text = checklist(record)
    markup = None
    if isinstance(text, str) and _MARKUP.search(text):
        import html_text

        text = html_as_page(text)
        title = html_text.extract_text(title) if isinstance(title, str) else title
        title = title or title_from_text(text.split("\n", 1)[0].lstrip("#").strip())
        markup = "page"
    if text is not None and not isinstance(text, str):
        kind = "a JSON object" if isinstance(text, dict) else "a list" if isinstance(text, list) else "not text"
        stats.skipped.append(Skip(given, line, f"record's {rec['keys']['text']!r} is {kind}, not text"))
        return None
    if not isinstance(text, str) or not text.strip():
        stats.skipped.append(Skip(given, line, f"record has no text ({TEXT_HINT})"))
        return None
    if not title and markup is None and (title := _heading_title(text)):
        markup = "markdown"  # a journal's entry written in Markdown (Day One): its heading shown as one
    return article_from(rec, given, absolute, position, text.strip(), title, line, False, dates, markup)


def shows_text(markup: str) -> bool:
    """Whether HTML (or plain text) shows any text once its tags are gone: an enclosure's image or
    an empty note's markup does not."""
    import html

    return bool(html.unescape(_TAGS.sub("", markup)).strip())


def html_as_page(markup: str) -> str:
    """A record's HTML as an HTML page's text is written (markup ``"page"``): html-text's text
    (scripts left out), a paragraph, list item or table row a line, headings opened as
    Markdown's (``## Why``), ``<pre>`` blocks fenced with their lines and indentation, a list
    item opening with ``- `` (``1. `` in a numbered list), a table row ``| a | b |`` (under its
    header, ``|---|---|``). So a hit names its section, and a card shows headings, code,
    bullets and tables, as for a page; indexed as plain text, a post's list ran together
    ("Line 1 Line 2") and its code was one line."""
    import html_text
    from lxml import etree

    from .markdown import fence_for, structural
    from .mdpage import PHRASING

    tree = html_text.parse_html(markup.translate(_NO_MARKS))  # the text's own marks become U+FFFD
    # Text in a run of inline elements reads as a browser shows it: html-text puts a space
    # between any two elements' texts, so Mastodon's #<span>harbour</span> read "# harbour".
    etree.strip_tags(tree, *PHRASING)
    blocks: list[str] = []
    for pre in list(tree.iter("pre")):
        blocks.append(pre.text_content().replace("\r\n", "\n").strip("\n"))
        holder = pre.makeelement("p", {})
        holder.text, holder.tail = f"{_CODE}{len(blocks) - 1}{_CODE}", pre.tail
        pre.getparent().replace(pre, holder)
    for level in range(1, 7):
        for heading in tree.iter(f"h{level}"):
            heading.text = _HEADING + "#" * level + " " + (heading.text or "")
    for listing in tree.iter("ul", "ol"):
        for n, item in enumerate((e for e in listing if e.tag == "li"), 1):
            # An item wrapping its text in a block (Evernote's <li><div>, Google Docs' <li><p>):
            # the bullet opens that block's line, not a line of its own.
            while not (item.text or "").strip() and len(item) and item[0].tag in ("div", "p"):
                item = item[0]
            item.text = (f"{n}. " if listing.tag == "ol" else "- ") + (item.text or "")
    for table in list(tree.iter("table")):
        rows = list(table.iter("tr"))
        for row in rows:
            cells = [e for e in row if e.tag in ("td", "th")]
            for cell in cells:
                cell.text = "| " + (cell.text or "")
            if cells:
                cells[-1].tail = " |" + (cells[-1].tail or "")
        header = [e for e in rows[0] if e.tag in ("td", "th")] if rows else []
        if header and all(e.tag == "th" for e in header) and len(rows) > 1:
            rule = rows[0].makeelement("tr", {})
            rule.text = "|" + "---|" * len(header)
            rows[0].addnext(rule)
    lines = []
    for line in (line.strip() for line in html_text.extract_text(tree).split("\n")):
        code = _CODE_LINE.fullmatch(line)
        if code:
            block = blocks[int(code.group(1))]
            fence = fence_for(block)
            lines += [fence, *block.split("\n"), fence]
        elif line.startswith(_HEADING):
            lines.append(line[1:])
        elif line:  # a line that would read as a heading or fence is indented past it, as on a page
            # (a mark html-text left inside a line, should one be: the heading's text, the code's)
            line = _CODE_LINE.sub(lambda m: " ".join(blocks[int(m.group(1))].split()), line.replace(_HEADING, ""))
            lines.append(f"    {line}" if structural(line) else line)
    return "\n".join(lines)


# Private-use characters (an article's own become U+FFFD first) marking code blocks and headings.
_CODE, _HEADING = "\ue020", "\ue021"
_NO_MARKS = {ord(_CODE): "\ufffd", ord(_HEADING): "\ufffd"}
_TAGS = re.compile(r"<[^>]*>")
_CODE_LINE = re.compile(f"{_CODE}(\\d+){_CODE}")


def is_article(record: dict[str, Any]) -> bool:
    """Whether a JSON object is an article itself, though it holds a list of objects (its
    comments, sections, labels): it has a primary text field, or is a Google Keep list note."""
    own = mapped(record)
    return bool(own.get("text") and _loose(str(own["keys"]["text"])) in map(_loose, PRIMARY_TEXT)
                or checklist(record))


def unwrapped(record: dict[str, Any]) -> dict[str, Any]:
    """A record whose text is in the one object it wraps, as ActivityStreams wraps a post in its
    ``Create`` (a Mastodon archive's ``outbox.json``) and GraphQL an edge's ``node``: that
    object's fields, with the wrapper's where it has none. Airtable's ``fields``, an
    Elasticsearch dump's ``_source`` and JSON:API's ``attributes`` hold a record's fields by
    definition, so they are unwrapped though they name no text field (a table's rows)."""
    if mapped(record).get("text"):
        return record
    for key in ("object", "node", *_FIELDS_OBJECTS):
        inner = record.get(key)
        if isinstance(inner, dict) and (key in _FIELDS_OBJECTS or mapped(inner).get("text")):
            outer = {k: v for k, v in record.items() if k != key}
            return {**outer, **inner}
    return record


_FIELDS_OBJECTS = ("fields", "_source", "attributes")


def checklist(record: dict[str, Any]) -> str | None:
    """A Google Keep list note's items (``listContent``, its Takeout export) as a list's lines."""
    items = record.get("listContent")
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return None
    lines = [" ".join(str(i.get("text") or "").split()) for i in items]
    return "\n".join(f"- {line}" for line in lines if line) or None


def _heading_title(text: str) -> str | None:
    """The heading a record's Markdown text opens with (Day One's ``# Harbour walk``), as plain text."""
    from .markdown import HEADING_MARK, plain

    first = text.lstrip().split("\n", 1)[0]
    m = HEADING_MARK.match(first)
    return plain(first[m.end():]) or None if m else None


def _rendered(value: Any) -> Any:
    """WordPress's REST export wraps a post's title and content: ``{"rendered": "<p>..."}``."""
    if isinstance(value, dict) and isinstance(value.get("rendered"), str):
        return value["rendered"]
    return value
