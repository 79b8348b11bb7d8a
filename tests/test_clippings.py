"""Kindle's My Clippings.txt: each highlight or note an article, titled by its book."""

from __future__ import annotations

import qa
from qa.readers import ReadStats, read_articles

CLIPPINGS = (
    "\ufeffThe Harbour Book (Mara Quay)\r\n"
    "- Your Highlight on page 12 | Location 180-181 | Added on Monday, 3 March 2024 10:00:00\r\n"
    "\r\n"
    "Ships are safe in harbour, but that is not what ships are for.\r\n"
    "==========\r\n"
    "The Harbour Book (Mara Quay)\r\n"
    "- Your Bookmark on page 14 | Location 200 | Added on Monday, 3 March 2024 10:05:00\r\n"
    "\r\n"
    "\r\n"
    "==========\r\n"
    "Deep Work: Rules for Focused Success in a Distracted World (Newport, Cal)\r\n"
    "- Your Note on Location 1021 | Added on Sunday, March 10, 2024 9:15:02 PM\r\n"
    "\r\n"
    "Try the shutdown ritual on the train home\r\n"
    "==========\r\n"
    "Die Hafenstadt (Anna Berg)\r\n"
    "- Ihre Markierung auf Seite 7 | bei Position 95-96 | Hinzugefügt am Dienstag, 5. März 2024 08:00:00\r\n"
    "\r\n"
    "Der Hafen schläft nie.\r\n"
    "==========\r\n"
    "A line that is no entry\r\n"
    "==========\r\n"
)


def read(path):
    stats = ReadStats()
    return list(read_articles([str(path)], stats)), stats


def test_each_clipping_is_an_article_of_its_book(tmp_path):
    f = tmp_path / "My Clippings.txt"
    f.write_bytes(CLIPPINGS.encode("utf-8"))
    (highlight, note, german), stats = read(f)
    assert highlight.title == "The Harbour Book" and highlight.author == "Mara Quay"
    assert highlight.text == "Ships are safe in harbour, but that is not what ships are for."
    assert highlight.date == "2024-03-03"
    assert highlight.metadata == {"kind": "highlight", "location": "180-181", "page": "12"}
    assert note.title == "Deep Work: Rules for Focused Success in a Distracted World"
    assert note.author == "Newport, Cal" and note.date == "2024-03-10"
    assert note.metadata == {"kind": "note", "location": "1021"}
    assert german.title == "Die Hafenstadt" and german.text == "Der Hafen schläft nie."
    assert german.metadata == {"kind": "highlight", "location": "95-96", "page": "7"}
    lines = f.read_text(encoding="utf-8-sig").splitlines()
    for a in (highlight, note, german):
        assert lines[a.line_start - 1] == a.text  # the reference is the clipping's own line
    assert [(s.line, s.reason) for s in stats.skipped] == [
        (21, "not a Kindle clipping (a book line, then '- Your ...')"),
        (None, "1 bookmark (no text) left out")]


def test_a_text_file_like_it_is_still_read_by_blocks(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("Shopping\n- milk | two litres\n\nCall the harbour office.\n")
    articles, _ = read(f)
    assert [a.text for a in articles] == ["Shopping\n- milk | two litres", "Call the harbour office."]


def test_clippings_are_asked_with_their_line(tmp_path, fake):
    corpus = tmp_path / "kindle"
    corpus.mkdir()
    (corpus / "My Clippings.txt").write_bytes(CLIPPINGS.encode("utf-8"))
    lib = qa.Library.build([str(corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    [hit] = lib.ask("shutdown ritual train", k=1, mode="lexical")
    assert hit.title.startswith("Deep Work") and (hit.line_start, hit.line_end) == (14, 14)
    assert lib.info().articles == 3
