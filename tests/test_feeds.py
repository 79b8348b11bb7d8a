"""Feeds: RSS, RDF and Atom files and WordPress exports, one article per item, each passage
pointing at the lines of its item."""

from __future__ import annotations

import pytest

import qa
from qa.readers import ReadStats, read_articles

WXR = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
\txmlns:content="http://purl.org/rss/1.0/modules/content/"
\txmlns:dc="http://purl.org/dc/elements/1.1/"
\txmlns:wp="http://wordpress.org/export/1.2/">
<channel>
\t<title>Harbour Notes</title>
\t<wp:wxr_version>1.2</wp:wxr_version>
\t<item>
\t\t<title><![CDATA[Dredging the east channel]]></title>
\t\t<link>https://harbour.example/2024/03/05/dredging/</link>
\t\t<pubDate>Wed, 06 Mar 2024 01:30:00 +0000</pubDate>
\t\t<dc:creator><![CDATA[mara]]></dc:creator>
\t\t<guid isPermaLink="false">https://harbour.example/?p=12</guid>
\t\t<content:encoded><![CDATA[<!-- wp:paragraph -->
<p>The east channel will be dredged in April so that larger freighters can berth.</p>
<!-- /wp:paragraph -->

<!-- wp:paragraph -->
<p>While the dredger works, ferries leave from pier four instead of pier two.</p>
<!-- /wp:paragraph -->]]></content:encoded>
\t\t<wp:post_id>12</wp:post_id>
\t\t<wp:post_date><![CDATA[2024-03-05 20:30:00]]></wp:post_date>
\t\t<wp:status><![CDATA[publish]]></wp:status>
\t\t<wp:post_type><![CDATA[post]]></wp:post_type>
\t\t<category domain="category" nicename="port"><![CDATA[Port]]></category>
\t\t<category domain="post_tag" nicename="dredging"><![CDATA[dredging]]></category>
\t</item>
\t<item>
\t\t<title><![CDATA[harbour-logo.png]]></title>
\t\t<wp:post_type><![CDATA[attachment]]></wp:post_type>
\t</item>
\t<item>
\t\t<title><![CDATA[About the harbour office]]></title>
\t\t<content:encoded><![CDATA[The harbour office is open <strong>weekdays</strong> from eight to four.
Call ahead on holidays.

Permits for mooring are issued at the front desk.]]></content:encoded>
\t\t<wp:post_date><![CDATA[2023-11-02 09:00:00]]></wp:post_date>
\t\t<wp:status><![CDATA[publish]]></wp:status>
\t\t<wp:post_type><![CDATA[page]]></wp:post_type>
\t</item>
\t<item>
\t\t<title><![CDATA[Navigation]]></title>
\t\t<content:encoded><![CDATA[<!-- wp:navigation-link {"label":"Home"} /-->]]></content:encoded>
\t\t<wp:post_type><![CDATA[wp_navigation]]></wp:post_type>
\t</item>
\t<item>
\t\t<title><![CDATA[Harbour fish stew]]></title>
\t\t<content:encoded><![CDATA[<p>Simmer the cod with fennel for twenty minutes.</p>]]></content:encoded>
\t\t<wp:post_type><![CDATA[recipe]]></wp:post_type>
\t</item>
\t<item>
\t\t<title><![CDATA[Old draft]]></title>
\t\t<content:encoded><![CDATA[<p>Never mind this one.</p>]]></content:encoded>
\t\t<wp:status><![CDATA[trash]]></wp:status>
\t\t<wp:post_type><![CDATA[post]]></wp:post_type>
\t</item>
</channel>
</rss>
"""

RSS = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Quay Weekly</title>
<item>
  <title>How feeds list their items</title>
  <link>https://quay.example/feeds</link>
  <pubDate>Tue, 07 May 2024 08:00:00 GMT</pubDate>
  <description><![CDATA[<p>A feed wraps each story in an <code><item></code> element.</p>]]></description>
</item>
<item>
  <title>Fish market moves</title>
  <link>https://quay.example/market</link>
  <pubDate>Mon, 06 May 2024 08:00:00 GMT</pubDate>
  <category>market</category>
  <description>&lt;p&gt;The fish market moves to the north quay.&lt;/p&gt;
&lt;p&gt;Stalls open at five in the morning.&lt;/p&gt;</description>
</item>
<item><title>A podcast episode</title><enclosure url="https://quay.example/ep1.mp3" type="audio/mpeg"/></item>
</channel></rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Lab log</title>
  <entry>
    <title>Robots ran amok</title>
    <link href="https://lab.example/2003/12/13/robots"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2003-12-13T18:30:02Z</updated>
    <author><name>Jo Doe</name></author>
    <category term="robots"/>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
      <p>The robots ran amok in the lab on Friday.</p>
      <script>alert("x")</script>
    </div></content>
  </entry>
</feed>
"""


def read(*paths):
    stats = ReadStats()
    return list(read_articles([str(p) for p in paths], stats)), stats


def test_wordpress_export_reads_posts_and_pages_with_their_fields(tmp_path):
    (tmp_path / "harbour.WordPress.2024-03-09.xml").write_text(WXR, encoding="utf-8")
    articles, stats = read(tmp_path)
    post, page, recipe = articles
    assert recipe.title == "Harbour fish stew"  # a site's own post type is read as a post
    assert post.title == "Dredging the east channel"
    assert post.article_id == "https://harbour.example/?p=12"
    assert post.url == "https://harbour.example/2024/03/05/dredging/"
    assert post.date == "2024-03-05"  # the post's local date; its pubDate is the next day in UTC
    assert post.author == "mara" and post.tags == ("Port", "dredging")
    assert post.metadata["feed"] == "Harbour Notes"
    assert post.text.splitlines() == [
        "The east channel will be dredged in April so that larger freighters can berth.",
        "While the dredger works, ferries leave from pier four instead of pier two."]
    # The classic editor's paragraphs and line breaks, as WordPress shows them.
    assert page.title == "About the harbour office" and page.date == "2023-11-02"
    assert page.text.splitlines() == ["The harbour office is open weekdays from eight to four.",
                                      "Call ahead on holidays.",
                                      "Permits for mooring are issued at the front desk."]
    [skip] = stats.skipped
    assert skip.reason == ("3 items that are no article (media, menus, revisions, blocks) or in the trash "
                           "left out (attachment: 1, wp_navigation: 1, trash post: 1)")


def test_feed_items_point_at_their_own_lines(tmp_path):
    (tmp_path / "wp.xml").write_text(WXR, encoding="utf-8")
    (tmp_path / "quay.rss").write_text(RSS, encoding="utf-8")
    articles, stats = read(tmp_path)
    lines = {f: (tmp_path / f).read_text(encoding="utf-8").splitlines() for f in ("wp.xml", "quay.rss")}
    by_title = {a.title: a for a in articles}
    for title, file, words in [("Dredging the east channel", "wp.xml", "The east channel"),
                               ("About the harbour office", "wp.xml", "The harbour office"),
                               ("How feeds list their items", "quay.rss", "A feed wraps"),
                               ("Fish market moves", "quay.rss", "The fish market")]:
        a = by_title[title]
        assert a.lines_mapped and words in lines[file][a.line_start - 1], title
    # A later paragraph is on a later line of its item, escaped HTML and all.
    fish = by_title["Fish market moves"]
    second = fish.text.index("Stalls open")
    line = max(line for offset, line in fish.line_anchors if offset <= second)
    assert "Stalls open at five" in lines["quay.rss"][line - 1]
    # "<item>" quoted inside an item's CDATA does not count as an item.
    assert by_title["How feeds list their items"].text == "A feed wraps each story in an element."
    assert fish.tags == ("market",) and fish.date == "2024-05-06"
    [empty] = [s for s in stats.skipped if s.path.endswith("quay.rss")]
    assert empty.reason == "item has no text (no content, description or summary)" and empty.line == 17


def test_items_with_no_text_are_reported_on_one_line(tmp_path):
    episodes = "".join(f'<item><title>Episode {n}</title><enclosure url="https://pod.example/{n}.mp3"/>'
                       f'<description><![CDATA[<img src="https://pod.example/{n}.png">]]></description></item>\n'
                       for n in range(1, 4))
    (tmp_path / "podcast.rss").write_text(
        '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Pod</title>\n' + episodes
        + "<item><title>Show notes</title><description>We talk about harbour dredging.</description></item>\n"
        "</channel></rss>\n", encoding="utf-8")
    [notes], stats = read(tmp_path)
    assert notes.text == "We talk about harbour dredging."
    assert [(s.line, s.reason) for s in stats.skipped] == [
        (3, "3 items have no text (no content, description or summary), this the first")]


def test_atom_and_rdf(tmp_path):
    (tmp_path / "lab.atom").write_text(ATOM, encoding="utf-8")
    (tmp_path / "news.xml").write_bytes(
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        ' <channel rdf:about="http://x.org/"><title>Café news</title>\n'
        '  <items><rdf:Seq><rdf:li resource="http://x.org/1"/></rdf:Seq></items></channel>\n'
        ' <item rdf:about="http://x.org/1"><title>Café opens</title><link>http://x.org/1</link>\n'
        '  <dc:date>2024-05-06T23:00:00-04:00</dc:date>\n'
        '  <description>The café on the quay opens on Monday.</description>\n'
        ' </item>\n</rdf:RDF>\n'.encode("iso-8859-1"))
    (atom, rdf), stats = read(tmp_path)
    assert not stats.skipped
    assert atom.title == "Robots ran amok" and atom.author == "Jo Doe" and atom.tags == ("robots",)
    assert atom.url == "https://lab.example/2003/12/13/robots" and atom.date == "2003-12-13"
    assert atom.text == "The robots ran amok in the lab on Friday." and atom.line_start == 12
    assert rdf.title == "Café opens" and rdf.text == "The café on the quay opens on Monday."
    assert rdf.date == "2024-05-06" and rdf.line_start == 7  # the day as written, not UTC's


def test_xml_files_that_are_no_feed(tmp_path):
    (tmp_path / "pom.xml").write_text("<project><modelVersion>4.0.0</modelVersion></project>\n")
    (tmp_path / "notes.txt").write_text("A note about the harbour.\n")
    articles, stats = read(tmp_path)
    assert [a.title for a in articles] == ["A note about the harbour."]
    assert stats.ignored == {".xml not a feed": 1} and not stats.skipped  # in a folder: passed over
    articles, stats = read(tmp_path / "pom.xml")  # named: said why nothing came of it
    assert not articles and "no items in the feed" in stats.skipped[0].reason


@pytest.mark.parametrize("name, doc", [
    ("x.rss", '<rss version="2.0"><channel><title>T</title>\n'
              "<item><title>Entity</title><description>Host is &xxe; here.</description></item></channel></rss>\n"),
    ("x.enex", "<en-export><note><title>Entity &xxe;</title><content><![CDATA[<en-note><div>Plain words "
               "here.</div></en-note>]]></content></note></en-export>\n"),
])
def test_external_entities_are_never_read(tmp_path, name, doc):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    (tmp_path / "in").mkdir()
    root = doc.split("<", 2)[1].split(" ")[0].split(">")[0]
    (tmp_path / "in" / name).write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret}">]>\n' + doc)
    articles, _ = read(tmp_path / "in")
    assert articles and all("TOPSECRET" not in a.text + a.title for a in articles)


def test_feed_items_are_asked_with_their_references(tmp_path, fake):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "wp.xml").write_text(WXR, encoding="utf-8")
    (corpus / "quay.rss").write_text(RSS, encoding="utf-8")
    lib = qa.Library.build([str(corpus)], str(tmp_path / "idx"), embedder=fake, progress=False)
    [hit] = lib.ask("ferries pier four dredger", k=1, mode="lexical")
    assert hit.title == "Dredging the east channel" and hit.source.endswith("wp.xml")
    assert hit.url == "https://harbour.example/2024/03/05/dredging/" and hit.date == "2024-03-05"
    lines = (corpus / "wp.xml").read_text(encoding="utf-8").splitlines()
    assert "The east channel" in lines[hit.line_start - 1]
    assert "ferries leave from pier four" in lines[hit.line_end - 1]
    [hit] = lib.ask("market", k=1, mode="lexical", filters={"tags": ["market"]})
    assert hit.title == "Fish market moves"
