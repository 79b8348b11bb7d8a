"""What an HTML page says about itself: its title and date, the chrome in its headings, and
its tree as lxml reads it."""

from __future__ import annotations

import re

_SPACE = re.compile(r"\s+")
_CHARSET = re.compile(rb"<meta[^>]+charset|<\?xml[^>]+encoding", re.I)


def parsed(data: bytes):
    """The page's tree, read as UTF-8 when it declares no encoding and is valid UTF-8, as
    trafilatura reads it (lxml would take Latin-1: "¶" read as "Â¶" matched nothing)."""
    import lxml.html

    parser = None
    if not _CHARSET.search(data[:4096]):
        try:
            data.decode("utf-8")
            parser = lxml.html.HTMLParser(encoding="utf-8")
        except UnicodeDecodeError:
            pass
    return lxml.html.fromstring(data, parser=parser)


_SOURCE_LINKS = {"[src]", "[source]"}


def heading_chrome(tree) -> list:
    """What the page's headings (and definition terms, where Sphinx writes an API's signature)
    hold that is not their words: a permalink (a link within the page written as a mark: "#" in
    Node.js docs, "¶" in Sphinx's, "§" in rustdoc's), a source link ("[src]"), a button ("Copy
    item path"). A "#" written in the heading ("C#") is kept."""
    found: list = []
    for heading in tree.iter("h1", "h2", "h3", "h4", "h5", "h6", "dt"):
        for e in heading.iter("a", "button"):
            words = "".join(e.itertext()).strip()
            if (words and (e.tag == "button" or words.casefold() in _SOURCE_LINKS or _permalink(e, words))
                    and not any(a in found for a in e.iterancestors("a", "button"))):
                found.append(e)
    return found


def _permalink(link, words: str) -> bool:
    return (link.get("href") or "").startswith("#") and len(words) <= 3 and not any(c.isalnum() for c in words)


_VERSIONED_SOURCE = re.compile(r"(?:v?\d+(?:\.\d+)+\s*·\s*)?(?:source|\[src\]|\[source\])", re.I)


def chrome_beside_headings(tree) -> list:
    """rustdoc's chrome beside each item's heading, in the element holding the heading alone:
    its source link, with the version that made it stable (``1.0.0 · Source``), and its
    permalink ("§"); cards and passages showed ``Source§`` and ``1.5.0 · Source`` above every
    method. Nothing is taken where the element holds anything else."""
    return [e for heading in tree.iter("h1", "h2", "h3", "h4", "h5", "h6") for e in _beside(heading)]


def _beside(heading) -> list:
    parent = heading.getparent()
    if parent is None:
        return []
    beside = [e for e in parent if e is not heading]
    if not beside or (parent.text or "").strip() or any((e.tail or "").strip(" \t\r\n·") for e in parent):
        return []
    for e in beside:
        words = " ".join("".join(e.itertext() if isinstance(e.tag, str) else "").split())
        linked = e.tag == "a" or (isinstance(e.tag, str) and e.find(".//a") is not None)
        if not (linked and (_VERSIONED_SOURCE.fullmatch(words) or (e.tag == "a" and _permalink(e, words)))):
            return []
    return beside


def toggle_labels(tree) -> list:
    """The labels of a page's folding sections that only say how to fold them: rustdoc's
    ``<summary>`` "Expand description" over every type's and module's documentation, which
    trafilatura reads as a heading (the section all of the page's top passages were in). A
    label that names what it folds ("How do I pay?", "Examples") is the page's."""
    return [s for s in tree.iter("summary") if _TOGGLE.fullmatch(" ".join("".join(s.itertext()).split()))]


def text_links(tree) -> list:
    """Links to read as the text they hold. Anchors, which lead nowhere (``<a name="...">``,
    holding or opening DocBook's section titles), and links whose words are code, an API's
    cross-references: in a paragraph, a link holding only code (rustdoc's ``<a href=...><code>
    into_keys</code></a>``); a link in code; a link in a heading that holds other words too (a
    signature: ``pub fn <a>hasher</a>(&self) -> &<a>S</a>``). trafilatura takes an element whose
    links are all short, or cover its text, for a menu: the paragraph "This struct is created by
    the into_keys method on BTreeMap." took the page's top description with it (48 of 252
    standard library pages lost theirs), a method's signature its documentation, and a
    section title that is an anchor's text was dropped (valgrind's, libxslt's, the shared MIME
    database's). A list of links (a sidebar) and a heading that is a link (a list of posts)
    stay links."""
    found = [a for a in tree.iter("a") if a.get("href") is None and a.get("name") is not None]
    found += [a for p in tree.iter("p") for a in p.iter("a")
             if len(a) == 1 and a[0].tag == "code" and not (a.text or "").strip() and not (a[0].tail or "").strip()]
    found += [a for c in tree.iter("code", "pre") for a in c.iter("a")]
    for heading in tree.iter("h1", "h2", "h3", "h4", "h5", "h6"):
        links = list(heading.iter("a"))
        linked = sum(c.isalnum() for a in links for c in "".join(a.itertext()))
        if links and sum(c.isalnum() for c in "".join(heading.itertext())) > linked:  # words outside them
            found += links
    return list(dict.fromkeys(found))


def empty_links(tree) -> list:
    """Links that show nothing and only run the code beside them: a code block's button drawn by
    the page's style (rustdoc's "Run code" arrow on every example). trafilatura takes an element
    whose links have no text for boilerplate: rustdoc's pages lost their examples and, with
    them, a type's description. An empty link elsewhere (a share button's icon) stays, as what
    holds it may be boilerplate."""
    return [a for a in tree.iter("a") if not "".join(a.itertext()).strip() and a.find(".//img") is None
            and a.get("href") is not None and a.getparent() is not None and a.getparent().find("pre") is not None]


_TOGGLE = re.compile(r"(?:click (?:here )?to )?(?:expand|collapse|show|hide|toggle)(?: (?:all|more|less|details?|"
                     r"description|source|code|contents?|hidden|everything))?", re.I)
_META = re.compile(rb"<meta\s[^>]*>", re.I)
_ATTRIBUTE = re.compile(rb"""([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_HEAD_END = re.compile(rb"</head\s*>|<body[\s>]", re.I)
# A browser's own mark on a page saved from it (Chrome's, Internet Explorer's, SingleFile's)
_SAVED = re.compile(rb"<!--\s*saved from url=|<!--\s*Page saved with SingleFile", re.I)


def noindex(data: bytes) -> bool:
    """Whether the page asks not to be indexed (``<meta name="robots" content="noindex">``, or
    ``none``), as a site's generator marks the pages that repeat or point to others: mdBook's
    print page (the whole book in one) and table of contents, an old edition's moved pages. A
    page a browser saved (it says so in a comment) was kept by the user: it is no such page."""
    end = _HEAD_END.search(data, 0, 1 << 16)
    head = data[: end.start() if end else 1 << 16]
    if _SAVED.search(head):
        return False
    for tag in _META.findall(head):
        attributes = {m[1].lower(): m[2] or m[3] or m[4] or b"" for m in _ATTRIBUTE.finditer(tag)}
        if attributes.get(b"name", b"").strip().lower() == b"robots":
            said = {word.strip() for word in attributes.get(b"content", b"").lower().split(b",")}
            if said & {b"noindex", b"none"}:
                return True
    return False


def page_date(data: bytes) -> str | None:
    """The date the page states, by htmldate: from its markup (meta tags, JSON-LD, ``<time>``)
    or URL, else from its text; taken only where the page writes it whole (:func:`_written_whole`).
    htmldate's guesses made dates of a copyright year (1 January), of "Section 7.1.13" (7 January
    2013) and of a link to a blog's /2017/12/; and code is left out before it looks, as a
    program's output in documentation (``mtime: 2019-06-22T03:36:54Z``) is not the page's date."""
    from htmldate import find_date
    from lxml import etree
    from trafilatura.utils import load_html

    try:
        tree = load_html(data)
        if tree is None:
            return None
        etree.strip_elements(tree, "pre", "code", "samp", "kbd", "textarea", with_tail=False)
        for script in list(tree.iter("script", "style")):
            if "ld+json" not in (script.get("type") or ""):
                script.drop_tree()
        for link in tree.iter("a"):  # another page's address dates that page
            link.attrib.pop("href", None)
        page = etree.tostring(tree, encoding=str)
        for extensive in (False, True):
            found = find_date(tree, original_date=True, extensive_search=extensive)
            if found and _written_whole(found, page):
                return found
    except Exception:  # noqa: BLE001 (a page htmldate cannot parse has no date, not an error)
        return None
    return None


def _written_whole(date: str, text: str) -> bool:
    """Whether ``text`` writes the ISO ``date`` with its day, month and four-digit year (in
    numbers, or with the month as a word in any language)."""
    y, m, d = date.split("-")
    m, d = m.lstrip("0"), d.lstrip("0")
    day, month, word = rf"0?{d}(?:st|nd|rd|th)?\.?", rf"0?{m}", r"[^\W\d_]{3,}\.?"
    sep = r"\s*[-./]\s*"
    patterns = (rf"{y}{sep}{month}{sep}0?{d}", rf"{day}{sep}{month}{sep}{y}", rf"{month}{sep}{day}{sep}{y}",
                rf"{day},?\s+(?:de\s+)?{word},?\s+(?:de\s+)?{y}", rf"{word}\s+{day},?\s+{y}")
    return any(re.search(rf"(?<!\d){p}(?!\d)", text) for p in patterns)


_TITLE_TAG = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.I | re.S)
_TITLE_SEPARATOR = re.compile(r"\s+[-\u2013\u2014|\u00b7\u00bb]\s+")
_CHROME = re.compile(r"menu|site|logo|brand|masthead|navbar|header", re.I)


def own_title(title: str | None, data: bytes) -> str | None:
    """The page's own title, where trafilatura's is another heading's. It takes a page's only
    ``<h1>``, else the first heading with "title" in its class, which on documentation books and
    many blogs is the site's name in the page header (``<h1 class="menu-title">``) or a dialog's
    (``<h2 class="mdbook-help-title">Keyboard shortcuts``). A ``<h1>`` outside the header and
    menus that the ``<title>`` names ("Validating References with Lifetimes - The Rust
    Programming Language") is the page's own; failing one, a ``<title>`` that ends with the
    site's heading names the page before it. A title that is a ``<h1>`` with a button or
    permalink in it is that heading without them."""
    import html

    headings = _h1s(data)
    title = next((text for text, _, whole in headings if whole == title), title)
    m = _TITLE_TAG.search(data[:65536])
    if m is None:
        return title
    tag = _SPACE.sub(" ", html.unescape(m.group(1).decode("utf-8", "replace"))).strip()
    separators = list(_TITLE_SEPARATOR.finditer(tag))
    named = {tag.casefold()} | {p.strip().casefold() for p in _TITLE_SEPARATOR.split(tag)}
    for text, chrome, _ in headings:
        if not chrome and text.casefold() in named:
            return text
    site = tag[separators[-1].end():].casefold() if separators else None
    if site and any(chrome and text.casefold() == site for text, chrome, _ in headings):
        return tag[:separators[-1].start()].strip() or title
    return title


def _h1s(data: bytes) -> list[tuple[str, bool, str]]:
    """Each ``<h1>``'s text (without :func:`heading_chrome`), whether it stands in the page's
    header or a menu, and its text with its chrome."""
    import lxml.etree

    try:
        root = parsed(data)
    except (ValueError, lxml.etree.ParserError):
        return []
    h1s = list(root.iter("h1"))
    whole = [_SPACE.sub(" ", h1.text_content()).strip() for h1 in h1s]
    for e in heading_chrome(root):
        e.drop_tree()
    out = []
    for h1, text in zip(h1s, whole, strict=True):
        chrome = any(e.tag in ("header", "nav") or _CHROME.search(f"{e.get('class', '')} {e.get('id', '')}")
                     for e in [h1, *h1.iterancestors()])
        out.append((_SPACE.sub(" ", h1.text_content()).strip(), chrome, text))
    return out
