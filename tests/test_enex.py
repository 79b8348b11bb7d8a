"""Evernote exports (.enex): each note an article, its passages pointing at its content's lines."""

from __future__ import annotations

import qa
from qa.readers import ReadStats, read_articles

ENEX = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE en-export SYSTEM "http://xml.evernote.com/pub/evernote-export3.dtd">
<en-export export-date="20240305T120000Z" application="Evernote" version="10.76.2">
  <note>
    <title>Harbour meeting</title>
    <created>20240305T103000Z</created>
    <updated>20240305T110000Z</updated>
    <tag>work</tag>
    <tag>harbour</tag>
    <note-attributes>
      <author>Mara Quay</author>
      <source-url>https://harbour.example/minutes</source-url>
    </note-attributes>
    <content>
      <![CDATA[<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">
<en-note><div>The dredging of the east channel starts in April.</div>
<div><br/></div>
<div>Ferries will leave from pier four while it lasts.</div>
<ul><li><div><en-todo checked="true"/>Tell the ferry company</div></li><li><en-todo checked="false"></en-todo>Book the crane</li></ul>
<en-media hash="abc" type="image/png"/>
</en-note>]]>
    </content>
    <resource>
      <data encoding="base64">
iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk
</data>
      <mime>image/png</mime>
    </resource>
  </note>
  <note>
    <title>Empty one</title>
    <content><![CDATA[<?xml version="1.0" encoding="UTF-8"?><en-note><en-media hash="x"/></en-note>]]></content>
  </note>
  <note><title>Shopping</title><content><![CDATA[<en-note><div>Buy rope &amp; nails for the <b>boat</b>.</div></en-note>]]></content><created>20231101T080000Z</created></note>
</en-export>
"""


def read(path):
    stats = ReadStats()
    return list(read_articles([str(path)], stats)), stats


def test_each_note_is_an_article_with_its_fields_and_lines(tmp_path):
    f = tmp_path / "Harbour.enex"
    f.write_text(ENEX, encoding="utf-8")
    (meeting, shopping), stats = read(tmp_path)
    assert (meeting.title, meeting.author, meeting.date) == ("Harbour meeting", "Mara Quay", "2024-03-05")
    assert meeting.tags == ("work", "harbour") and meeting.url == "https://harbour.example/minutes"
    assert meeting.text.splitlines() == ["The dredging of the east channel starts in April.",
                                         "Ferries will leave from pier four while it lasts.",
                                         "- [x] Tell the ferry company", "- [ ] Book the crane"]  # to-dos as shown
    lines = f.read_text(encoding="utf-8").splitlines()
    assert "The dredging" in lines[meeting.line_start - 1]
    for sentence in meeting.text.splitlines():
        offset = meeting.text.index(sentence)
        line = max(n for at, n in meeting.line_anchors if at <= offset)
        assert sentence.lstrip("- ").removeprefix("[x] ").removeprefix("[ ] ") in lines[line - 1]
    assert "iVBOR" not in meeting.text  # attachments are no text
    assert shopping.text == "Buy rope & nails for the boat." and shopping.date == "2023-11-01"
    assert "Buy rope" in lines[shopping.line_start - 1]
    assert [(s.line, s.reason) for s in stats.skipped] == [(33, "note has no text")]


def test_a_broken_export_keeps_the_notes_before_the_break(tmp_path):
    broken = ENEX.replace("<note><title>Shopping</title>", "<note><title>Shopping</oops>")
    (tmp_path / "broken.enex").write_text(broken, encoding="utf-8")
    articles, stats = read(tmp_path)
    assert [a.title for a in articles] == ["Harbour meeting"]
    assert any("not a readable Evernote export" in s.reason and s.line == 35 for s in stats.skipped)


def test_notes_are_asked_with_their_references(tmp_path, fake):
    corpus = tmp_path / "evernote"
    corpus.mkdir()
    (corpus / "Harbour.enex").write_text(ENEX, encoding="utf-8")
    lib = qa.Library.build([str(corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    [hit] = lib.ask("ferries pier four", k=1, mode="lexical", filters={"tags": ["harbour"]})
    assert hit.title == "Harbour meeting" and (hit.line_start, hit.line_end) == (17, 20)
