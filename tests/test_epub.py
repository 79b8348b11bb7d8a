"""E-books: each chapter an article, titled by the table of contents (qa.epub)."""

from __future__ import annotations

import zipfile

import qa
import qa.epub
from qa.readers import ReadStats, read_articles

CONTAINER = ('<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
             '<rootfiles><rootfile full-path="{opf}" media-type="application/oebps-package+xml"/></rootfiles>'
             "</container>")


def chapter(body: str, title: str = "Harbour Book") -> str:
    return ('<?xml version="1.0" encoding="utf-8"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml" '
            f'xmlns:epub="http://www.idpf.org/2007/ops"><head><title>{title}</title></head><body>{body}</body></html>')


def write_epub(path, chapters: dict[str, str], toc: dict[str, str], version: int = 3, spine: list[str] | None = None,
               meta: str = "", extra: dict[str, str] | None = None) -> None:
    """An EPUB as a publisher's tools write one: chapters (file: body) under OEBPS/, their table of
    contents (file#fragment: label) as EPUB 3's navigation document or EPUB 2's NCX."""
    spine = spine or list(chapters)
    items = "".join(f'<item id="c{i}" href="{name}" media-type="application/xhtml+xml"/>' for i, name in enumerate(chapters))
    refs = "".join(f'<itemref idref="c{list(chapters).index(name)}"/>' for name in spine)
    files = {f"OEBPS/{name}": chapter(body) for name, body in chapters.items()}
    if version == 3:
        items += '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
        links = "".join(f'<li><a href="{href}">{label}</a></li>' for href, label in toc.items())
        files["OEBPS/nav.xhtml"] = chapter(f'<nav epub:type="toc"><h1>Contents</h1><ol>{links}</ol></nav>'
                                           '<nav epub:type="landmarks"><ol><li><a href="cover.xhtml">Cover</a></li></ol></nav>')
        spine_attr, refs = "", '<itemref idref="nav" linear="no"/>' + refs
    else:
        items += '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        points = "".join(f'<navPoint id="p{i}"><navLabel><text>{label}</text></navLabel><content src="{href}"/></navPoint>'
                         for i, (href, label) in enumerate(toc.items()))
        files["OEBPS/toc.ncx"] = ('<?xml version="1.0"?><ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">'
                                  f"<navMap>{points}</navMap></ncx>")
        spine_attr = ' toc="ncx"'
    files["OEBPS/content.opf"] = (
        f'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="{version}.0" unique-identifier="id">'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:x</dc:identifier>'
        f'<dc:title>Harbour Book</dc:title><dc:language>en</dc:language>{meta}</metadata>'
        f"<manifest>{items}</manifest><spine{spine_attr}>{refs}</spine></package>")
    files.update(extra or {})
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        z.writestr("META-INF/container.xml", CONTAINER.format(opf="OEBPS/content.opf"))
        for name, data in files.items():
            z.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)


BODIES = {
    "cover.xhtml": '<div><img src="cover.jpg" alt=""/></div>',
    "ch1.xhtml": "<section epub:type=\"chapter\"><header><h1>One: The Quay</h1></header>"
                 "<p>The quay was built of granite in 1820.<a epub:type=\"noteref\" href=\"#n1\"><sup>1</sup></a></p><h2>Cranes</h2><ul><li>Steam</li><li>Electric</li></ul></section>",
    "ch1b.xhtml": "<p>The quay was widened in 1910, when the ferries grew.</p>",  # the rest of chapter one
    "ch2.xhtml": "<h1>Two: Silt</h1><p>Silt fills the basin every winter.</p>"
                 "<table><tr><th>Year</th><th>Silt</th></tr><tr><td>2023</td><td>18,500 m3</td></tr></table>",
}
TOC = {"ch1.xhtml#start": "Chapter 1. The Quay", "ch2.xhtml": "Chapter 2. Silt"}
META = ("<dc:creator>Ann Lee</dc:creator><dc:creator>Bob Stone</dc:creator><dc:date>2019-05-01</dc:date>"
        "<dc:subject>Harbours</dc:subject><dc:publisher>Quay Press</dc:publisher>")


def read(path, stats=None):
    stats = stats if stats is not None else ReadStats()
    return list(read_articles([str(path)], stats)), stats


def test_each_chapter_is_an_article_titled_by_the_table_of_contents_epub3_and_epub2(tmp_path):
    for version in (3, 2):
        path = tmp_path / f"book{version}.epub"
        write_epub(path, BODIES, TOC, version=version, meta=META)
        articles, stats = read(path)
        assert stats.skipped == []
        assert [a.title for a in articles] == ["Chapter 1. The Quay", "Chapter 1. The Quay", "Chapter 2. Silt"]
        one, more, two = articles
        assert one.text.split("\n") == ["# One: The Quay", "The quay was built of granite in 1820.[1]", "## Cranes",
                                        "- Steam", "- Electric"]
        assert two.text.split("\n")[-3:] == ["| Year | Silt |", "|---|---|", "| 2023 | 18,500 m3 |"]
        assert one.markup == "page" and [a.line_start for a in articles] == [1, 2, 3]  # the cover has no text
        assert (two.author, two.date, two.tags, two.metadata) == (
            "Ann Lee, Bob Stone", "2019-05-01", ("Harbours",), {"book": "Harbour Book", "publisher": "Quay Press"})
        assert len({a.article_id for a in articles}) == 3 and all(a.source == str(path) for a in articles)


def test_a_chapter_is_referenced_by_its_place_in_the_book(tmp_path, fake):
    write_epub(tmp_path / "harbour.epub", BODIES, TOC)
    (tmp_path / "note.txt").write_text("The ferry leaves at nine.\n", encoding="utf-8")
    lib = qa.Library.build([str(tmp_path)], str(tmp_path / "idx"), embedder=fake, progress=False)
    [hit] = lib.ask("silt fills the basin", k=1, mode="lexical")
    path = str(tmp_path / "harbour.epub")
    assert (hit.reference, hit.title, hit.line_start) == (f"{path}:§3", "Chapter 2. Silt", 3)
    # a reference names its chapter: the articles like it are the others
    like_two = {h.article_id for h in lib.similar(f"{path}:§3", k=5)}
    assert hit.article_id not in like_two and len(like_two) == 3
    assert hit.article_id in {h.article_id for h in lib.similar(f"{path}:1", k=5)}


def test_books_that_cannot_be_read_are_reported_and_the_rest_indexed(tmp_path, monkeypatch):
    (tmp_path / "empty.epub").write_bytes(b"")
    (tmp_path / "photo.epub").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    with zipfile.ZipFile(tmp_path / "notes.epub", "w") as z:
        z.writestr("notes.txt", "a zip, but no book")
    encryption = ('<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
                  'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData>'
                  '<enc:CipherReference URI="OEBPS/ch2.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>')
    write_epub(tmp_path / "drm.epub", BODIES, TOC, extra={"META-INF/encryption.xml": encryption})
    write_epub(tmp_path / "big.epub", {"ch1.xhtml": "<p>" + "tonnes " * 50_000 + "</p>"}, {})
    write_epub(tmp_path / "good.epub", {"ch1.xhtml": "<p>The lock gates were painted green.</p>"}, {})
    monkeypatch.setattr(qa.epub, "MAX_EPUB_BYTES", 100_000)
    (tmp_path / "kindle.mobi").write_bytes(b"BOOKMOBI")
    articles, stats = read(tmp_path)
    # nothing of the DRM-protected book, not even the chapter before its encrypted one
    assert [a.text for a in articles] == ["The lock gates were painted green."]
    assert articles[0].title == "The lock gates were painted green."  # no contents: its first sentence
    why = {s.path.rsplit("/", 1)[1]: s.reason for s in stats.skipped}
    assert why == {
        "empty.epub": "empty file",
        "photo.epub": "not an EPUB (.epub files are zip packages, and this is not one)",
        "notes.epub": "not an EPUB (a zip without META-INF/container.xml)",
        "drm.epub": "the book is DRM-protected: its chapters are encrypted (index a copy without DRM)",
        "big.epub": "file too large (0.3 MB unpacked, limit 0.1 MB)",
    }
    assert stats.ignored == {".mobi (convert to .epub)": 1}
